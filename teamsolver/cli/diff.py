"""``teamsolver diff``: what changes from one roster to another, as a planner reads it.

Exit codes (SPEC §6): 0 compared, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..diff import RosterDiff, roster_diff
from ..errors import InputError
from ..instance import Instance
from ..scenario import apply_scenario
from ..settings import GOAL_IDS
from ..summary import align, person
from ..text import plural
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


def diff_lines(instance: Instance, diff: RosterDiff) -> list[str]:
    """The diff as a planner reads it: per group, who leaves, who joins, whose role or mentor
    changes; then the goals before and after."""
    lines: list[str] = []
    for gid in diff.groups:
        group = instance.group_by_id.get(gid)
        rounds = {c.round for c in (*diff.left, *diff.joined) if c.group == gid}
        head = f"{gid} ({group.round if group else ', '.join(sorted(rounds))})"
        lines.append(head + ("" if group else " — group removed") + ":")
        rows: list[list[str]] = []
        for c in diff.left:
            if c.group == gid:
                why = f" ({c.reason})" if c.reason else ""
                rows.append(["-", person(instance, c.member), f"{c.role} leaves{why}"])
        for c in diff.joined:
            if c.group == gid:
                rows.append(["+", person(instance, c.member), f"joins as {c.role}"])
        for r in diff.role_changes:
            if r.group == gid:
                rows.append(["~", person(instance, r.member), f"{r.before} → {r.after}"])
        for m in diff.mentor_changes:
            if m.group == gid:
                rows.append(
                    [
                        "~",
                        person(instance, m.member),
                        f"mentor {m.before or '-'} → {m.after or '-'}",
                    ]
                )
        lines.extend("  " + text for text in align(rows))
    for mv in diff.moved:
        lines.append(
            f"moved: {person(instance, mv.member)} from {mv.from_group} ({mv.from_role}) "
            f"to {mv.to_group} ({mv.to_role}) in {mv.round}"
        )
    if not diff.groups:
        lines.append("no change: every seat is as before.")
    lines.append("goals:")
    rows = [["", "before", "after"]]
    for goal in GOAL_IDS:
        before, after = diff.goals_before.get(goal, 0), diff.goals_after.get(goal, 0)
        if before or after:
            rows.append([goal, str(before), str(after)])
    rows.append(["objective", str(diff.objective_before), str(diff.objective_after)])
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
    inst = load(instance, encoding, rules_file, as_json, failed)
    after = inst
    if scenario_file is not None:
        scenario = read_scenario(scenario_file, name, as_json, failed)
        try:
            after = apply_scenario(inst, scenario)
        except InputError as exc:
            bad_input(exc.problems, as_json, failed, "nothing was done.")
    a = read_baseline(roster_a, inst, encoding, as_json, failed)
    b = read_baseline(roster_b, after, encoding, as_json, failed)
    diff = roster_diff(after, a, b, before_instance=inst)
    with reader_may_leave():
        if as_json:
            print_json(diff_doc(diff))
        else:
            click.echo(f"{roster_a} → {roster_b}: {plural(diff.changes, 'change')}")
            for text in diff_lines(after, diff):
                click.echo(text)
    sys.exit(EXIT_OK)
