"""``teamsolver solve``: the planner's daily command.

Prints what a planner reads on stdout (or, with ``--json``, exactly one JSON document) and
everything else (progress, warnings, problems, what happened) on stderr. Exit codes (SPEC §6):
0 a roster was written, 1 no roster, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import i18n
from ..audit import Violation
from ..data.instance import Instance
from ..data.result import Result
from ..files.rosters import write_roster
from ..solver import BACKENDS, Backend
from ..summary import align, goal_lines, group_lines, table
from .common import (
    ENCODING,
    EXCEL,
    EXIT_NO,
    EXIT_OK,
    RULES,
    SEED,
    SOLUTIONS,
    Live,
    catching_ctrl_c,
    check_out,
    input_errors,
    load,
    out_option,
    percent,
    print_json,
    read_baseline,
    reader_may_leave,
    rules_bent,
    run_solve,
    say,
    status_text,
    time_limit_option,
    tolerant_streams,
    violation_rows,
    workers_option,
)
from .reporting import check_report, language, report_options, write_html

#: Violations listed in the summary of ``solve`` (all of them are in ``check`` and the files).
SHOWN_VIOLATIONS = 30


def _stopped_by(
    result: Result, time_limit: float | None, solutions: int | None = None
) -> str | None:
    """``interrupted``, ``solutions``, ``time-limit`` or None: why the search ended before
    proving the best."""
    if result.interrupted:
        return "interrupted"
    if result.status == "FEASIBLE" and solutions is not None and result.solutions >= solutions:
        return "solutions"
    if result.status in ("FEASIBLE", "UNKNOWN") and time_limit is not None:
        return "time-limit"
    return None


def _gap_text(result: Result, lang: str) -> str:
    return "" if result.gap is None else i18n.text("cli.solve.gap", lang, gap=percent(result.gap))


def _status_line(result: Result, stopped: str | None, time_limit: float | None, lang: str) -> str:
    def part(key: str, **values: Any) -> str:
        return i18n.text(f"cli.solve.{key}", lang, **values)

    parts = [status_text(result.status, lang)]
    if result.objective is not None:
        parts.append(part("objective", objective=result.objective))
    if result.status == "OPTIMAL":
        parts.append(part("proven"))
    elif result.bound is not None:
        parts.append(part("bound", bound=round(result.bound), gap=_gap_text(result, lang)))
    if stopped == "interrupted":
        parts.append(part("interrupted"))
    elif stopped == "solutions":
        rosters = i18n.count("cli.count.improving", result.solutions, lang)
        parts.append(part("stopped_after", rosters=rosters))
    elif stopped == "time-limit" and time_limit is not None:
        parts.append(part("time_limit", limit=time_limit))
    parts.append(part("seconds", s=result.wall_time_s))
    return " · ".join(parts)


def _print_summary(
    source: str,
    instance: Instance,
    result: Result,
    out: str | None,
    stopped: str | None,
    time_limit: float | None,
    baseline: bool,
    lang: str,
) -> None:
    lines = group_lines(instance, result.roster)
    n_groups = sum(1 for line in lines if line.seats)
    seats = i18n.count("cli.count.seat", len(result.roster), lang)
    groups = i18n.count("cli.count.group", n_groups, lang)
    if len(instance.rounds) > 1:
        rounds = i18n.count("cli.count.round", len(instance.rounds), lang)
        click.echo(
            i18n.text("cli.solve.seats_rounds", lang, seats=seats, groups=groups, rounds=rounds)
        )
    else:
        click.echo(i18n.text("cli.solve.seats", lang, seats=seats, groups=groups))
    for text in table(lines, lang):
        click.echo("  " + text)
    click.echo("")
    soft: list[Violation] = list(result.violations)
    if soft:
        per_rule: dict[str, int] = {}
        for v in soft:
            per_rule[v.rule] = per_rule.get(v.rule, 0) + v.count
        click.echo(rules_bent(per_rule, lang))
        for text in align(violation_rows(soft[:SHOWN_VIOLATIONS], lang)):
            click.echo("  " + text)
        if len(soft) > SHOWN_VIOLATIONS:
            more = len(soft) - SHOWN_VIOLATIONS
            click.echo(
                "  "
                + (
                    i18n.text("cli.solve.more_check", lang, n=more, source=source, out=out)
                    if out
                    else i18n.text("cli.solve.more", lang, n=more)
                )
            )
    else:
        click.echo(i18n.text("cli.solve.all_hold", lang))
    click.echo(i18n.text("cli.goals", lang))
    for text in goal_lines(instance, result.goals, baseline=baseline, lang=lang):
        click.echo("  " + text)
    click.echo(_status_line(result, stopped, time_limit, lang))
    if out:
        click.echo(i18n.text("cli.roster_written", lang, out=out))


@click.command()
@click.argument("instance", type=click.Path())
@out_option("Write the roster here: .csv, .xlsx (with summary sheets) or .json.")
@time_limit_option(60.0, "Seconds to search; 0 means until proven optimal.")
@workers_option("CP-SAT threads (default: one per core, at most 8).")
@SEED
@SOLUTIONS
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="auto",
    show_default=True,
    help="cp-sat, highs (HiGHS through OR-Tools, one thread) or auto: HiGHS races CP-SAT on "
    "small one-round plans given a time limit of 10 s or more and 2+ workers.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document on stdout (status, objective, bound, roster, goals, ...).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="ROSTER",
    help="A roster to stay close to (the stability goal).",
)
@click.option(
    "--relax",
    is_flag=True,
    help="Make every relaxable rule soft: the least-bad roster, showing where it bends.",
)
@EXCEL
@report_options
@ENCODING
@RULES
@input_errors
def solve(
    instance: str,
    out: str | None,
    time_limit: float,
    workers: int | None,
    seed: int,
    solutions: int | None,
    backend: Backend,
    as_json: bool,
    baseline: str | None,
    relax: bool,
    excel: bool,
    report_file: str | None,
    lang: str | None,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Compose the groups of INSTANCE: the best roster that respects every hard rule.

    INSTANCE is a folder of CSV files, an .xlsx workbook or a .json document. The summary
    shows per group the leader, deputies, size, specialties against what is required, new and
    experienced members with their mentors; then the soft rules that bend, the goal values,
    the status, gap and time. On a terminal a progress line shows the search.

    Ctrl-C or SIGTERM (or the time limit) stops the search and keeps the best roster found so
    far (status FEASIBLE). Exit 0 when a roster was found (and written with --out), 1 when none
    exists or none was found in time, 2 for bad input.

    \b
    Example:
      teamsolver solve instances/tiny --out roster.xlsx
      teamsolver solve instances/city --out city.csv --excel --time-limit 30
      teamsolver solve instances/city --json --time-limit 10 > result.json
      teamsolver solve instances/city --out 名单.xlsx --lang zh --report city.html
    """
    tolerant_streams()
    failed: dict[str, Any] = {"status": None, "roster": None, "out": None}
    if out is not None:
        check_out(out)
    check_report(report_file)
    limit = time_limit or None
    chosen = language(lang, instance)
    try:
        inst = load(instance, encoding, rules_file, as_json, failed, relax, lang=chosen)
        base = (
            read_baseline(baseline, inst, encoding, as_json, failed, chosen) if baseline else None
        )
    except KeyboardInterrupt:
        say(i18n.text("cli.interrupted.before_solving", chosen))
        sys.exit(EXIT_NO)
    if excel and out is not None and not out.lower().endswith(".csv"):
        say(i18n.text("cli.solve.excel_note", chosen))
    live = Live(enabled=sys.stderr.isatty(), time_limit=limit, lang=chosen)
    with catching_ctrl_c() as presses:
        result = run_solve(
            inst,
            time_limit=limit,
            workers=workers,
            seed=seed,
            baseline=base,
            relax=relax,
            live=live,
            presses=presses,
            backend=backend,
            solutions=solutions,
        )
        stopped = _stopped_by(result, limit, solutions)
        written = result.has_roster and out is not None
        if written:
            assert out is not None
            write_roster(
                inst,
                result.roster,
                out,
                bom=excel,
                extra={
                    "status": result.status,
                    "objective": result.objective,
                    "bound": result.bound,
                    "gap": result.gap,
                    "wall_time_s": round(result.wall_time_s, 3),
                    "stopped": stopped,
                    "goals": result.goals,
                },
                violations=result.violations,
                lang=chosen,
            )
        if result.has_roster:
            write_html(
                report_file,
                inst,
                result,
                lang=chosen,
                source=instance,
                baseline=base,
            )
        with reader_may_leave():
            _report(
                instance,
                inst,
                result,
                out if written else None,
                stopped,
                limit,
                as_json,
                base is not None,
                chosen,
            )
    sys.exit(EXIT_OK if result.has_roster else EXIT_NO)


def _report(
    source: str,
    inst: Instance,
    result: Result,
    out: str | None,
    stopped: str | None,
    limit: float | None,
    as_json: bool,
    baseline: bool,
    lang: str = "en",
) -> None:
    def say_(key: str, **values: Any) -> None:
        say(i18n.text(f"cli.solve.{key}", lang, **values))

    if as_json:
        doc = result.to_json()
        doc["stopped"] = stopped
        doc["out"] = out
        print_json(doc)
    elif result.has_roster:
        _print_summary(source, inst, result, out, stopped, limit, baseline, lang)
    if not result.has_roster:
        if result.status == "INFEASIBLE":
            say_("none_infeasible")
        elif stopped == "interrupted":
            say_("none_interrupted")
        elif limit is not None:
            say_("none_time", limit=limit)
        else:
            say_("none_ended")
        say(i18n.text("cli.nothing_written", lang))
        return
    # The summary on stdout already says where the roster went: not said twice.
    where = (
        i18n.text("cli.solve.where_none", lang)
        if out is None
        else i18n.text("cli.solve.where_out", lang, out=out)
        if as_json
        else ""
    )
    if stopped == "interrupted":
        gap = (
            i18n.text("cli.solve.and_gap", lang, gap=_gap_text(result, lang)) if result.gap else ""
        )
        say_("interrupted_kept", s=result.wall_time_s, status=result.status, gap=gap, where=where)
    elif stopped == "time-limit":
        gap = _gap_text(result, lang) or i18n.text("cli.live.no_bound", lang)
        say_("time_kept", limit=limit, gap=gap, where=where)
