"""``teamsolver check``: audit a roster, hand-made or solved, against every rule.

Exit codes (SPEC §6): 0 no hard rule is broken, 1 a hard rule is broken, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from .. import i18n
from ..audit import Violation, check, hard_violations
from ..data.errors import InputError
from ..data.instance import Instance
from ..data.roster import Roster
from ..files.rosters import read_roster
from ..score import score
from ..summary import align, goal_lines
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
    chosen = language(lang, instance)
    try:
        inst = load(instance, encoding, rules_file, as_json, failed, lang=chosen)
        try:
            seats = read_roster(roster, inst, encoding=encoding)
        except InputError as exc:
            bad_input(exc.problems, as_json, failed, "cli.then.checked", chosen)
        violations = check(inst, seats)
        goals = score(inst, seats)
        write_html(
            report_file,
            inst,
            seats,
            lang=chosen,
            source=instance,
            violations=violations,
        )
    except KeyboardInterrupt:
        say(i18n.text("cli.interrupted.plain", chosen))
        sys.exit(EXIT_NO)
    broken = hard_violations(inst, violations)
    with reader_may_leave():
        _print_check_result(as_json, inst, roster, seats, violations, broken, goals, chosen)
    sys.exit(EXIT_NO if broken else EXIT_OK)


def _print_check_result(
    as_json: bool,
    inst: Instance,
    roster: str,
    seats: Roster,
    violations: Sequence[Violation],
    broken: Sequence[Violation],
    goals: dict[str, int],
    lang: str,
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
        _print_check(inst, roster, seats, broken, soft, goals, lang)


def _print_check(
    inst: Instance,
    roster: str,
    seats: Roster,
    broken: Sequence[Violation],
    soft: Sequence[Violation],
    goals: dict[str, int],
    lang: str,
) -> None:
    def line(key: str, **values: Any) -> None:
        click.echo(i18n.text(f"cli.check.{key}", lang, **values))

    def count(key: str, n: int) -> str:
        return i18n.count(f"cli.count.{key}", n, lang)

    groups = {s.group for s in seats}
    line(
        "seats",
        roster=roster,
        seats=count("seat", len(seats)),
        groups=count("group", len(groups)),
    )
    header = [i18n.text(f"cli.check.column.{c}", lang) for c in COLUMNS]
    bends = sum(v.count for v in soft)
    if broken:
        line("broken", violations=count("violation", len(broken)))
        for text in align([header, *violation_rows(broken, lang)]):
            click.echo("  " + text)
    if soft:
        line("bent", violations=count("violation", bends))
        for text in align([header, *violation_rows(soft, lang)]):
            click.echo("  " + text)
    click.echo(i18n.text("cli.goals", lang))
    for text in goal_lines(inst, goals, baseline=False, lang=lang):
        click.echo("  " + text)
    if broken:
        hard = count("hard", len(broken))
        if soft:
            line("not_ok_bent", hard=hard, bends=count("bend", bends))
        else:
            line("not_ok", hard=hard)
    elif soft:
        line("ok_bent", times=count("time", bends))
    else:
        line("ok")


#: Columns of the violation tables (``cli.check.column.*``).
COLUMNS = ("rule", "round", "group", "members", "what")
