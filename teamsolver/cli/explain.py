"""``teamsolver explain``: why an instance has no roster, and why-not questions about a member.

Exit codes (SPEC §6): 0 the instance has a roster (nothing to explain) or a why-not question
was answered; 1 no roster: the explanation was printed (or no answer within the time limit);
2 bad input or usage.
"""

from __future__ import annotations

import math
import sys
from typing import Any, NoReturn

import click

from .. import files, i18n
from ..data.errors import InputError, Problem, TeamsolverError
from ..data.instance import Instance, relaxed
from ..data.settings import RELAXABLE_RULES, Rules
from ..explainer.report import Explanation, WhyNot
from ..files.rosters import read_roster
from ..summary import plain
from ..whatif.scenario import apply_scenario
from .common import (
    ENCODING,
    EXIT_NO,
    EXIT_OK,
    RULES,
    SEED,
    bad_input,
    input_errors,
    print_json,
    problem_docs,
    read_scenario,
    reader_may_leave,
    say,
    time_limit_option,
    tolerant_streams,
    workers_option,
)
from .reporting import check_report, language, report_options, write_html

#: The --json document of a run that failed before explaining anything (with ``problems``).
FAILED: dict[str, Any] = {"status": None, "core": [], "message": None}


class _JsonUsage(click.Command):
    """With --json, a usage error click finds (a bad option value) also prints the document."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args  # before parsing: click consumes the list
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if wants_json:
                problems = problem_docs([_usage_problem(exc.format_message())])
                print_json({**FAILED, "problems": problems})
            raise


def _usage_problem(text: str) -> Problem:
    return Problem(message=text, file="usage")


@click.command(name="explain", cls=_JsonUsage)
@click.argument("instance", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@time_limit_option(
    60.0,
    "Seconds for the whole explanation (conflict, shrinking and suggestions); 0 means no limit.",
)
@workers_option(
    "CP-SAT threads per solve (default: one per core, at most 8, when looking for a roster, as "
    "solve; 1 for the conflict, the suggestions and --why)."
)
@SEED
@click.option("--no-suggestions", is_flag=True, help="Only the conflict; do not look for changes.")
@click.option(
    "--roster",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="ROSTER",
    help="With --why: the roster the question is about.",
)
@click.option("--why", "why", default=None, metavar="MEMBER", help="Why is MEMBER not seated?")
@click.option("--group", default=None, metavar="GROUP", help="With --why: in this group.")
@click.option(
    "--solutions",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="With --why: stop each re-solve after N improving rosters (with --workers 1, a limit "
    "that gives the same answer on any machine).",
)
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(),
    default=None,
    metavar="FILE",
    help="Explain INSTANCE after this what-if scenario (a TOML file, as for whatif).",
)
@click.option(
    "--name", default=None, help="With --scenario: the scenario to apply, in a file of many."
)
@report_options
@ENCODING
@RULES
@input_errors
def explain_command(
    instance: str,
    as_json: bool,
    time_limit: float,
    workers: int | None,
    seed: int,
    no_suggestions: bool,
    roster: str | None,
    why: str | None,
    group: str | None,
    solutions: int | None,
    scenario_file: str | None,
    name: str | None,
    report_file: str | None,
    lang: str | None,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Explain why INSTANCE has no roster: a set of rules that cannot all hold together.

    A roster is looked for first, as solve does: a plan that has one is said to (exit 0). The
    set is irreducible (without any one of its rules, the others listed can hold together;
    another conflict may remain elsewhere) unless the time limit cut the search short, which
    is then said. Each rule comes with the numbers behind it
    (who may sit in the group, who is recused and why, who else needs them); then the smallest
    changes that make the plan possible, each verified by a re-solve. A requirement larger
    than the members a group can ever have is reported at once, without solving.

    With --roster and --why: why MEMBER is not in GROUP (or in any group) of ROSTER: the hard
    rules that forbid it, or what forcing it would cost, goal by goal: the best roster found
    with MEMBER there, searched from ROSTER (every swap that seats MEMBER first, then CP-SAT
    started from the best of them), with its seat changes; never a price above a roster shown.
    Without --group, each group MEMBER may sit in gets an equal share of --time-limit.

    With --scenario: the same questions about INSTANCE after a what-if scenario (the file
    that `teamsolver whatif` takes; --name picks one of many).

    Exit 0 when the instance has a roster (or a why-not question was answered), 1 when it has
    none (the explanation is printed), 2 for bad input or usage.

    \b
    Example:
      teamsolver explain instances/tiny
      teamsolver explain plan.xlsx --json > why.json
      teamsolver explain plan.xlsx --roster roster.csv --why M12 --group G3
      teamsolver explain plan.xlsx --scenario ill.toml
    """
    tolerant_streams()
    failed = dict(FAILED)
    for wrong, text in (
        (group is not None and why is None, "--group needs --why MEMBER (and --roster ROSTER)"),
        (why is not None and roster is None, "--why needs --roster ROSTER"),
        (roster is not None and why is None, "--roster needs --why MEMBER"),
        (name is not None and scenario_file is None, "--name needs --scenario FILE"),
        (solutions is not None and why is None, "--solutions needs --why MEMBER"),
        (report_file is not None and why is not None, "--report explains a plan, not --why"),
    ):
        if wrong:
            _usage(text, as_json, failed)
    check_report(report_file)
    # Imported here: the explainer imports OR-Tools (about 0.5 s), which --help and a usage
    # error should not wait for.
    from ..explainer import explain, why_not
    from ..explainer.whynot import UnknownId

    limit = time_limit or math.inf
    chosen = language(lang, instance)
    inst = _load_for_explain(instance, encoding, rules_file, as_json, failed, chosen)
    if scenario_file is not None:
        inst = _after_scenario(inst, scenario_file, name, as_json, failed, chosen)
    if why is not None:
        assert roster is not None
        try:
            seats = read_roster(roster, inst, encoding=encoding)
        except InputError as exc:
            bad_input(exc.problems, as_json, failed, lang=chosen)
        try:
            # One worker unless told: the comparison of rosters stays reproducible.
            answer = why_not(
                inst,
                seats,
                why,
                group,
                time_limit=limit,
                workers=workers or 1,
                seed=seed,
                solutions=solutions,
            )
        except UnknownId as exc:
            column = "--group" if exc.argument == "group" else "--why"
            bad_input([Problem(phrase=exc.phrase, file=column)], as_json, failed, lang=chosen)
        except TeamsolverError as exc:  # (none known: an argument of why_not's own)
            bad_input([Problem(message=str(exc), file="--why")], as_json, failed, lang=chosen)
        with reader_may_leave():
            _print_why(answer, as_json, chosen)
        sys.exit(EXIT_NO if answer.status == "UNKNOWN" else EXIT_OK)
    result = explain(inst, time_limit=limit, workers=workers, seed=seed, suggest=not no_suggestions)
    write_html(
        report_file,
        inst,
        None,
        lang=chosen,
        source=instance,
        explanation=result,
    )
    with reader_may_leave():
        _print_explanation(result, as_json, suggested=not no_suggestions, lang=chosen)
    sys.exit(EXIT_OK if result.status == "FEASIBLE" else EXIT_NO)


def _usage(text: str, as_json: bool, doc: dict[str, Any]) -> NoReturn:
    """A usage error: exit 2, said on stderr (and, with --json, as a document on stdout)."""
    if as_json:
        bad_input([_usage_problem(text)], as_json, doc)
    raise click.UsageError(text)


def _after_scenario(
    inst: Instance, path: str, name: str | None, as_json: bool, doc: dict[str, Any], lang: str
) -> Instance:
    """``inst`` after the scenario of ``path`` (``name`` in a file of many), read and applied as
    ``whatif`` does; judged as ``inst`` was (a requirement the hard rules cannot meet is what
    this command explains), with the rule modes the scenario does not set kept."""
    scenario = read_scenario(path, name, as_json, doc, lang)
    try:
        changed = apply_scenario(relaxed(inst), scenario)
    except InputError as exc:
        bad_input(exc.problems, as_json, doc, lang=lang)
    rules = scenario.changes.get("rules")
    moded = {r for r, body in rules.items() if "mode" in body} if isinstance(rules, dict) else set()
    data = changed.rules.model_dump(by_alias=True)
    for rule_id in RELAXABLE_RULES:
        if rule_id not in moded:
            data[rule_id]["mode"] = inst.rules.mode(rule_id)
    say(i18n.text("cli.explain.after_scenario", lang, scenario=repr(plain(scenario.name))))
    return changed.model_copy(update={"rules": Rules.model_validate(data)})


def _load_for_explain(
    instance: str,
    encoding: str | None,
    rules_file: str | None,
    as_json: bool,
    doc: dict[str, Any],
    lang: str,
) -> Instance:
    """The instance, loaded as ``solve --relax`` does: a requirement the hard rules cannot meet
    is what this command explains, not bad input. Its warnings go to stderr, except those that
    only the relaxed reading raises (a hard rule "will be bent"): ``explain`` reports them."""
    loaded = files.read(instance, encoding=encoding, rules=rules_file, relax=True)
    if loaded.errors or loaded.instance is None:
        bad_input(loaded.problems, as_json, doc, lang=lang)
    inst = loaded.instance
    for p in loaded.warnings:
        relaxed_only = p.rule in RELAXABLE_RULES and inst.rules.mode(p.rule) == "hard"
        if not relaxed_only:
            say(plain(p.render(lang), keep="\n"))
    return inst


def _print_explanation(
    result: Explanation, as_json: bool, *, suggested: bool, lang: str = "en"
) -> None:
    """The explanation, its suggestions and the headings around them in ``lang``, and a status
    line on stderr."""

    def say_(key: str, **values: Any) -> str:
        return i18n.text(f"cli.explain.{key}", lang, **values)

    if as_json:
        print_json(result.to_json())
    else:
        click.echo(result.say(lang))
        if result.suggestions:
            scope = "plan" if result.suggestions[0].scope == "plan" else "conflict"
            click.echo(say_(f"changes_{scope}"))
            for s in result.suggestions:
                click.echo(f"- {s.say(lang)}")
        elif result.status == "INFEASIBLE" and suggested:
            click.echo(say_("no_change"))
        if result.more:
            click.echo(say_("more"))
            for text in result.say_more(lang):
                click.echo(f"- {text}")
    took = result.wall_time_s
    core = (
        say_(
            f"core_{result.found_by}",
            rules=i18n.count("cli.count.rule", len(result.core), lang),
        )
        if result.core
        else ""
    )
    say(
        say_(
            "status",
            status=result.status,
            core=core,
            solves=i18n.count("cli.count.solve", result.solves, lang),
            took=i18n.text(f"cli.explain.seconds_{1 if took >= 0.1 else 2}", lang, s=took),
        )
    )


def _print_why(answer: WhyNot, as_json: bool, lang: str = "en") -> None:
    if as_json:
        print_json(answer.to_json())
    else:
        click.echo(answer.say(lang))
