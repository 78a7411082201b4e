"""``teamsolver check``: audit a roster, hand-made or solved, against every rule.

Exit codes (SPEC §6): 0 no hard rule is broken, 1 a hard rule is broken, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from ..audit import Violation, check, hard_violations
from ..errors import InputError
from ..instance import Instance
from ..roster import Roster
from ..rosterio import read_roster
from ..score import score
from ..summary import align, goal_lines
from ..text import plural
from .common import (
    ENCODING,
    EXIT_NO,
    EXIT_OK,
    RULES,
    bad_input,
    input_errors,
    load,
    print_json,
    reader_may_leave,
    say,
    tolerant_streams,
    violation_rows,
)
from .reporting import check_report, language, report_options, write_html


# -- check -----------------------------------------------------------------------------------
@click.command(name="check")
@click.argument("instance", type=click.Path())
@click.argument("roster", type=click.Path())
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document on stdout: ok, violations (rule, group, member, message), goals.",
)
@report_options
@ENCODING
@RULES
@input_errors
def check_command(
    instance: str,
    roster: str,
    as_json: bool,
    report_file: str | None,
    lang: str | None,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Audit ROSTER (CSV, XLSX or JSON, hand-made or solved) against every rule of INSTANCE.

    Lists each violation by rule id, round, group and members with a sentence, then the
    roster's goal values. A roster needs columns group, member and role (Chinese headers such
    as 巡察组, 成员, 角色 and roles 组长, 副组长, 组员 are understood); round and mentor are
    optional. A member may be given by id or, where it is unique, by name.

    Exit 0 when no hard rule is broken (soft rules may bend), 1 when one is, 2 for bad input
    (an unknown member or group, a missing column: named with its row).

    \b
    Example:
      teamsolver check instances/tiny roster.csv
      teamsolver check instances/tiny hand-made.xlsx --json
      teamsolver check instances/tiny hand-made.xlsx --report audit.html --lang zh
    """
    tolerant_streams()
    failed: dict[str, Any] = {"ok": False, "violations": []}
    check_report(report_file)
    try:
        inst = load(instance, encoding, rules_file, as_json, failed)
        try:
            seats = read_roster(roster, inst, encoding=encoding)
        except InputError as exc:
            bad_input(exc.problems, as_json, failed, "the roster was not checked.")
        violations = check(inst, seats)
        goals = score(inst, seats)
        write_html(
            report_file,
            inst,
            seats,
            lang=language(lang, instance),
            source=instance,
            violations=violations,
        )
    except KeyboardInterrupt:
        say("interrupted.")
        sys.exit(EXIT_NO)
    broken = hard_violations(inst, violations)
    with reader_may_leave():
        _print_check_result(as_json, inst, roster, seats, violations, broken, goals)
    sys.exit(EXIT_NO if broken else EXIT_OK)


def _print_check_result(
    as_json: bool,
    inst: Instance,
    roster: str,
    seats: Roster,
    violations: Sequence[Violation],
    broken: Sequence[Violation],
    goals: dict[str, int],
) -> None:
    hard_ids = {id(v) for v in broken}
    soft = [v for v in violations if id(v) not in hard_ids]
    if as_json:
        print_json(
            {
                "ok": not broken,
                "hard": len(broken),
                "soft": sum(v.count for v in soft),
                "seats": len(seats),
                "violations": [
                    {**v.model_dump(mode="json"), "mode": "hard" if id(v) in hard_ids else "soft"}
                    for v in violations
                ],
                "goals": goals,
            }
        )
    else:
        _print_check(inst, roster, seats, broken, soft, goals)


def _print_check(
    inst: Instance,
    roster: str,
    seats: Roster,
    broken: Sequence[Violation],
    soft: Sequence[Violation],
    goals: dict[str, int],
) -> None:
    groups = {s.group for s in seats}
    click.echo(f"{roster}: {plural(len(seats), 'seat')} in {plural(len(groups), 'group')}")
    header = ["rule", "round", "group", "members", "what"]
    if broken:
        click.echo(f"hard rules broken ({plural(len(broken), 'violation')}):")
        for text in align([header, *violation_rows(broken)]):
            click.echo("  " + text)
    if soft:
        count = sum(v.count for v in soft)
        click.echo(f"soft rules bent ({plural(count, 'violation')}; allowed, at a cost):")
        for text in align([header, *violation_rows(soft)]):
            click.echo("  " + text)
    click.echo("goals:")
    for text in goal_lines(inst, goals, baseline=False):
        click.echo("  " + text)
    if broken:
        click.echo(
            f"NOT OK: {plural(len(broken), 'hard-rule violation')}"
            + (f", {plural(sum(v.count for v in soft), 'soft-rule bend')}" if soft else "")
        )
    elif soft:
        click.echo(
            f"OK: every hard rule holds; soft rules bend "
            f"{plural(sum(v.count for v in soft), 'time')}"
        )
    else:
        click.echo("OK: every rule holds")
