"""``teamsolver diff``: what changes from one roster to another, as a planner reads it.

Exit codes (SPEC §6): 0 compared, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import i18n
from ..data.errors import InputError
from ..data.instance import Instance
from ..data.settings import GOAL_IDS
from ..summary import align, goal_label, person
from ..whatif.diff import RosterDiff, roster_diff
from ..whatif.scenario import apply_scenario
from .common import (
    ENCODING,
    EXIT_OK,
    JSON,
    RULES,
    bad_input,
    input_errors,
    load,
    print_json,
    read_baseline,
    read_scenario,
    reader_may_leave,
    scenario_options,
    tolerant_streams,
)
from .reporting import LANG, language


def diff_lines(instance: Instance, diff: RosterDiff, lang: str = "en") -> list[str]:
    """The diff as a planner reads it (in ``lang``; ids stay): per group, who leaves, who
    joins, whose role or mentor changes (with the reason a seat had to go); then the goals
    before and after."""

    def word(key: str, **values: Any) -> str:
        return i18n.text(f"cli.diff.{key}", lang, **values)

    def role(name: str) -> str:
        return i18n.text(f"role.{name}", lang)

    lines: list[str] = []
    for gid in diff.groups:
        group = instance.group_by_id.get(gid)
        rounds = {c.round for c in (*diff.left, *diff.joined) if c.group == gid}
        where = group.round if group else ", ".join(sorted(rounds))
        lines.append(word("group" if group else "group_removed", group=gid, round=where))
        rows: list[list[str]] = []
        for c in diff.left:
            if c.group == gid:
                why = word("because", reason=c.say(lang)) if c.reason else ""
                rows.append(
                    ["-", person(instance, c.member), word("leaves", role=role(c.role), why=why)]
                )
        for c in diff.joined:
            if c.group == gid:
                rows.append(["+", person(instance, c.member), word("joins", role=role(c.role))])
        for r in diff.role_changes:
            if r.group == gid:
                rows.append(
                    ["~", person(instance, r.member), f"{role(r.before)} → {role(r.after)}"]
                )
        for m in diff.mentor_changes:
            if m.group == gid:
                mentors = word("mentor", before=m.before or "-", after=m.after or "-")
                rows.append(["~", person(instance, m.member), mentors])
        lines.extend("  " + text for text in align(rows))
    for mv in diff.moved:
        lines.append(
            word(
                "moved",
                member=person(instance, mv.member),
                before=mv.from_group,
                before_role=role(mv.from_role),
                after=mv.to_group,
                after_role=role(mv.to_role),
                round=mv.round,
            )
        )
    if not diff.groups:
        lines.append(word("none"))
    lines.append(i18n.text("cli.goals", lang))
    rows = [["", word("before"), word("after")]]
    for goal in GOAL_IDS:
        before, after = diff.goals_before.get(goal, 0), diff.goals_after.get(goal, 0)
        if before or after:
            rows.append([goal_label(goal, lang), str(before), str(after)])
    objective = str(diff.objective_before), str(diff.objective_after)
    rows.append([word("objective"), *objective])
    lines.extend("  " + text for text in align(rows, right={1, 2}))
    return lines


def diff_doc(diff: RosterDiff) -> dict[str, Any]:
    return diff.model_dump(mode="json")


@click.command(name="diff")
@click.argument("instance", type=click.Path())
@click.argument("roster_a", type=click.Path(dir_okay=False))
@click.argument("roster_b", type=click.Path(dir_okay=False))
@scenario_options(
    False,
    "Score ROSTER_B (and say why seats left) on INSTANCE after this scenario, as whatif does.",
)
@JSON
@LANG
@ENCODING
@RULES
@input_errors
def diff_command(
    instance: str,
    roster_a: str,
    roster_b: str,
    scenario_file: str | None,
    name: str | None,
    as_json: bool,
    lang: str | None,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Show what changes from ROSTER_A to ROSTER_B: who leaves which group, who joins, role and
    mentor changes, and the goal values of both on INSTANCE.

    Without --scenario both rosters are scored on INSTANCE as it is. With --scenario FILE,
    ROSTER_B is read and scored on INSTANCE after the scenario (and the reasons a seat left
    come from it), ROSTER_A on INSTANCE as it is: the diff whatif prints for the same rosters.
    Seats of members or groups the instance lacks are kept (and count as changes).

    \b
    Example:
      teamsolver diff instances/tiny roster.csv new.csv
      teamsolver diff instances/tiny roster.csv new.csv --scenario ill.toml --json
    """
    tolerant_streams()
    failed: dict[str, Any] = {"changes": None}
    if name is not None and scenario_file is None:
        raise click.BadParameter("--name picks a scenario of --scenario FILE", param_hint="--name")
    chosen = language(lang, instance)
    inst = load(instance, encoding, rules_file, as_json, failed, lang=chosen)
    after = inst
    if scenario_file is not None:
        scenario = read_scenario(scenario_file, name, as_json, failed, chosen)
        try:
            after = apply_scenario(inst, scenario)
        except InputError as exc:
            bad_input(exc.problems, as_json, failed, lang=chosen)
    a = read_baseline(roster_a, inst, encoding, as_json, failed, chosen)
    b = read_baseline(roster_b, after, encoding, as_json, failed, chosen)
    diff = roster_diff(after, a, b, before_instance=inst)
    with reader_may_leave():
        if as_json:
            print_json(diff_doc(diff))
        else:
            changes = i18n.count("cli.count.change", diff.changes, chosen)
            click.echo(i18n.text("cli.diff.head", chosen, a=roster_a, b=roster_b, changes=changes))
            for text in diff_lines(after, diff, chosen):
                click.echo(text)
    sys.exit(EXIT_OK)
