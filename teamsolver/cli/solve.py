"""``teamsolver solve``: the planner's daily command.

Prints what a planner reads on stdout (or, with ``--json``, exactly one JSON document) and
everything else (progress, warnings, problems, what happened) on stderr. Exit codes (SPEC §6):
0 a roster was written, 1 no roster, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..audit import Violation
from ..instance import Instance
from ..result import Result
from ..rosterio import write_roster
from ..solver import BACKENDS, Backend
from ..summary import align, goal_lines, group_lines, table
from ..text import plural
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
    run_solve,
    say,
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


def _gap_text(result: Result) -> str:
    return "" if result.gap is None else f"gap {percent(result.gap)}"


def _status_line(result: Result, stopped: str | None, time_limit: float | None) -> str:
    parts = [f"status {result.status}"]
    if result.objective is not None:
        parts.append(f"objective {result.objective}")
    if result.status == "OPTIMAL":
        parts.append("proven best")
    elif result.bound is not None:
        parts.append(f"bound {round(result.bound)}, {_gap_text(result)}")
    if stopped == "interrupted":
        parts.append("interrupted")
    elif stopped == "solutions":
        parts.append(f"stopped after {plural(result.solutions, 'improving roster')}")
    elif stopped == "time-limit" and time_limit is not None:
        parts.append(f"time limit {time_limit:g} s reached")
    parts.append(f"{result.wall_time_s:.1f} s")
    return " · ".join(parts)


def _print_summary(
    source: str,
    instance: Instance,
    result: Result,
    out: str | None,
    stopped: str | None,
    time_limit: float | None,
    baseline: bool,
) -> None:
    lines = group_lines(instance, result.roster)
    n_groups = sum(1 for line in lines if line.seats)
    click.echo(
        f"{plural(len(result.roster), 'seat')} in {plural(n_groups, 'group')}"
        + (f" over {plural(len(instance.rounds), 'round')}" if len(instance.rounds) > 1 else "")
        + ":"
    )
    for text in table(lines):
        click.echo("  " + text)
    click.echo("")
    soft: list[Violation] = list(result.violations)
    if soft:
        per_rule: dict[str, int] = {}
        for v in soft:
            per_rule[v.rule] = per_rule.get(v.rule, 0) + v.count
        click.echo("soft rules bent: " + ", ".join(f"{rule} ×{n}" for rule, n in per_rule.items()))
        for text in align(violation_rows(soft[:SHOWN_VIOLATIONS])):
            click.echo("  " + text)
        if len(soft) > SHOWN_VIOLATIONS:
            click.echo(
                f"  ... and {len(soft) - SHOWN_VIOLATIONS} more"
                + (f"; `teamsolver check {source} {out}` lists them all" if out else "")
            )
    else:
        click.echo("every rule holds, soft rules included.")
    click.echo("goals:")
    for text in goal_lines(instance, result.goals, baseline=baseline):
        click.echo("  " + text)
    click.echo(_status_line(result, stopped, time_limit))
    if out:
        click.echo(f"roster written to {out}")


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
    try:
        inst = load(instance, encoding, rules_file, as_json, failed, relax)
        base = read_baseline(baseline, inst, encoding, as_json, failed) if baseline else None
        chosen = language(lang, instance)
    except KeyboardInterrupt:
        say("interrupted before solving; nothing was written.")
        sys.exit(EXIT_NO)
    if excel and out is not None and not out.lower().endswith(".csv"):
        say("note: --excel only changes CSV files; an .xlsx or .json file is written as usual")
    live = Live(enabled=sys.stderr.isatty(), time_limit=limit)
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
) -> None:
    if as_json:
        doc = result.to_json()
        doc["stopped"] = stopped
        doc["out"] = out
        print_json(doc)
    elif result.has_roster:
        _print_summary(source, inst, result, out, stopped, limit, baseline)
    if not result.has_roster:
        if result.status == "INFEASIBLE":
            say(
                "no roster: the hard rules cannot all hold together; run `teamsolver explain` "
                "on the instance to see which."
            )
        elif stopped == "interrupted":
            say("no roster: interrupted before a first roster was found.")
        else:
            say(
                f"no roster: none found within the time limit of {limit:g} s; "
                "allow more time with --time-limit."
                if limit is not None
                else "no roster: the search ended without one."
            )
        say("nothing was written.")
        return
    # The summary on stdout already says where the roster went: not said twice.
    where = (
        "; no --out given, nothing written" if out is None else f"; wrote {out}" if as_json else ""
    )
    if stopped == "interrupted":
        say(
            f"interrupted after {result.wall_time_s:.1f} s: this is the best roster found so far, "
            f"status {result.status}"
            + (f", {_gap_text(result)}" if result.gap else "")
            + f"{where}."
        )
    elif stopped == "time-limit":
        say(
            f"time limit of {limit:g} s reached: this is the best roster found, not proven "
            f"best ({_gap_text(result) or 'no bound'}); a longer --time-limit may find a better "
            f"one{where}."
        )
