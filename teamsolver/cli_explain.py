"""``teamsolver explain``: why an instance has no roster, and why-not questions about a member.

Exit codes (SPEC §6): 0 the instance has a roster (nothing to explain) or a why-not question
was answered; 1 no roster: the explanation was printed (or no answer within the time limit);
2 bad input or usage.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from . import files
from .cli import ENCODING, EXIT_INPUT, EXIT_NO, EXIT_OK, RULES, input_errors, main
from .cli_solve import _bad_input, _print_json, _reader_may_leave, _say, _tolerant_streams
from .errors import InputError
from .explainer.report import Explanation, WhyNot
from .instance import Instance
from .rosterio import read_roster
from .settings import RELAXABLE_RULES
from .summary import plain


@main.command(name="explain")
@click.argument("instance", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    metavar="S",
    help="Seconds for the whole explanation (conflict, shrinking and suggestions).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="CP-SAT threads per solve.",
)
@click.option("--seed", default=0, show_default=True, metavar="N", help="Random seed.")
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
@ENCODING
@RULES
@input_errors
def explain_command(
    instance: str,
    as_json: bool,
    time_limit: float,
    workers: int,
    seed: int,
    no_suggestions: bool,
    roster: str | None,
    why: str | None,
    group: str | None,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Explain why INSTANCE has no roster: a set of rules that cannot all hold together.

    The set is irreducible (dropping any one rule leaves the rest satisfiable) unless the time
    limit cut the search short, which is then said. Each rule comes with the numbers behind it
    (who may sit in the group, who is recused and why, who else needs them); then the smallest
    changes that make the plan possible, each verified by a re-solve. A requirement larger
    than the members a group can ever have is reported at once, without solving.

    With --roster and --why: why MEMBER is not in GROUP (or in any group) of ROSTER: the hard
    rules that forbid it, or what forcing it would cost, goal by goal.

    Exit 0 when the instance has a roster (or a why-not question was answered), 1 when it has
    none (the explanation is printed), 2 for bad input or usage.

    \b
    Example:
      teamsolver explain instances/tiny
      teamsolver explain plan.xlsx --json > why.json
      teamsolver explain plan.xlsx --roster roster.csv --why M12 --group G3
    """
    _tolerant_streams()
    if (roster is None) != (why is None):
        raise click.UsageError("--roster and --why go together")
    if group is not None and why is None:
        raise click.UsageError("--group needs --why MEMBER and --roster ROSTER")
    from .explainer import explain, why_not  # imports ortools: not for --help

    failed: dict[str, Any] = {"status": None, "core": [], "message": None}
    inst = _load_for_explain(instance, encoding, rules_file, as_json, failed)
    if why is not None:
        assert roster is not None
        try:
            seats = read_roster(roster, inst, encoding=encoding)
        except InputError as exc:
            _bad_input(exc.problems, as_json, failed, "nothing was done.")
        answer = why_not(inst, seats, why, group, time_limit=time_limit, workers=workers, seed=seed)
        with _reader_may_leave():
            _print_why(answer, as_json)
        sys.exit(EXIT_NO if answer.status == "UNKNOWN" else EXIT_OK)
    result = explain(
        inst, time_limit=time_limit, workers=workers, seed=seed, suggest=not no_suggestions
    )
    with _reader_may_leave():
        _print_explanation(result, as_json, suggested=not no_suggestions)
    sys.exit(EXIT_OK if result.status == "FEASIBLE" else EXIT_NO)


def _load_for_explain(
    instance: str,
    encoding: str | None,
    rules_file: str | None,
    as_json: bool,
    doc: dict[str, Any],
) -> Instance:
    """The instance, loaded as ``solve --relax`` does: a requirement the hard rules cannot meet
    is what this command explains, not bad input. Its warnings go to stderr, except those that
    only the relaxed reading raises (a hard rule "will be bent"): ``explain`` reports them."""
    loaded = files.read(instance, encoding=encoding, rules=rules_file, relax=True)
    if loaded.errors or loaded.instance is None:
        _bad_input(loaded.problems, as_json, doc, "nothing was done.")
    inst = loaded.instance
    for p in loaded.warnings:
        relaxed_only = any(
            p.message.endswith(f"({r} is soft, so it will be bent here)")
            for r in RELAXABLE_RULES
            if inst.rules.mode(r) == "hard"
        )
        if not relaxed_only:
            _say(plain(str(p), keep="\n"))
    return inst


def _print_explanation(result: Explanation, as_json: bool, *, suggested: bool) -> None:
    if as_json:
        _print_json(result.to_json())
    else:
        click.echo(result.message)
        if result.suggestions:
            if result.suggestions[0].scope == "plan":
                click.echo("Changes that make the plan possible (each verified by a re-solve):")
            else:
                click.echo(
                    "No single change makes the whole plan possible: another conflict remains. "
                    "Each of these lifts this one (verified by a re-solve); apply one and run "
                    "explain again:"
                )
            for s in result.suggestions:
                click.echo(f"- {s.text}")
        elif result.status == "INFEASIBLE" and suggested:
            click.echo("No single small change found that lifts this conflict.")
        if result.more:
            click.echo("The input also shows these requirements that cannot be met:")
            for text in result.more:
                click.echo(f"- {text}")
    how = {"input": "read off the input", "solver": "found by CP-SAT", "none": ""}[result.found_by]
    _say(
        f"explain: status {result.status}"
        + (f" · {len(result.core)} rules in the conflict, {how}" if result.core else "")
        + f" · {result.solves} solves · {result.wall_time_s:.1f} s"
    )


def _print_why(answer: WhyNot, as_json: bool) -> None:
    if as_json:
        _print_json(answer.to_json())
    else:
        click.echo(answer.message)


__all__ = ["EXIT_INPUT", "explain_command"]
