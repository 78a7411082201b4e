"""Exhaustive enumeration of every roster of a tiny instance: the ground truth for the solver.

Every member, in every round, either sits nowhere or sits in one group of that round in one role
the member may hold (``member`` always; ``leader`` if ``can_lead`` or pinned as leader; ``deputy``
if ``can_deputy`` or pinned as deputy). Each complete roster is judged by the independent checker
and scorer, never by the engine.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from teamsolver.audit import check
from teamsolver.data.instance import Instance
from teamsolver.data.roster import Roster, Seat
from teamsolver.score import objective


def options(instance: Instance) -> list[list[tuple[str, str, str] | None]]:
    """Per (member, round): None or (round, group, role)."""
    pinned_roles = {(p.member, p.group): p.role for p in instance.pins if p.kind == "require"}
    out: list[list[tuple[str, str, str] | None]] = []
    lead_open = instance.rules.mode("leader-quota") != "hard"
    dep_open = instance.rules.mode("deputy-quota") != "hard"
    for m in instance.members:
        for r in instance.rounds:
            choices: list[tuple[str, str, str] | None] = [None]
            for g in instance.groups_in(r):
                roles = ["member"]
                pinned = pinned_roles.get((m.id, g.id))
                # Anyone may hold a role whose quota rule is not hard (it costs a violation).
                if m.can_lead or pinned == "leader" or lead_open:
                    roles.append("leader")
                if m.can_deputy or pinned == "deputy" or dep_open:
                    roles.append("deputy")
                choices.extend((r, g.id, role) for role in roles)
            out.append(choices)
    return out


def count(instance: Instance) -> int:
    n = 1
    for choices in options(instance):
        n *= len(choices)
    return n


def rosters(instance: Instance) -> Iterator[Roster]:
    ids = [m.id for m in instance.members for _ in instance.rounds]
    for combo in itertools.product(*options(instance)):
        yield Roster(
            seats=tuple(
                Seat(round=c[0], group=c[1], member=mid, role=c[2])  # type: ignore[arg-type]
                for mid, c in zip(ids, combo, strict=True)
                if c is not None
            )
        )


def is_hard_clean(instance: Instance, roster: Roster) -> bool:
    return not any(
        v.rule == "roster" or instance.rules.mode(v.rule) == "hard" for v in check(instance, roster)
    )


def best(instance: Instance) -> tuple[int | None, Roster | None]:
    """The optimal objective over all rosters that break no hard rule (None: infeasible)."""
    best_value: int | None = None
    best_roster: Roster | None = None
    for roster in rosters(instance):
        if not is_hard_clean(instance, roster):
            continue
        value = objective(instance, roster)
        if best_value is None or value < best_value:
            best_value, best_roster = value, roster
    return best_value, best_roster
