"""Builders for hand-made instances and rosters in the checker and scorer tests.

``roster(inst, {"G1": "M1:leader M2:deputy M3 M4>M1"})`` seats M1 as leader, M2 as deputy, M3
and M4 as members of G1 (in G1's round), with M1 as M4's mentor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from teamsolver.audit import Violation, check
from teamsolver.data.instance import (
    Affinity,
    Conflict,
    Group,
    HistoryEntry,
    Instance,
    Member,
    Pin,
    Unit,
)
from teamsolver.data.roster import Roster, Seat
from teamsolver.data.settings import Rules


def member(mid: str, unit: str = "U1", **fields: Any) -> Member:
    return Member(id=mid, name=f"person {mid}", unit=unit, **fields)


def group(gid: str, targets: Sequence[str] = ("T1",), round: str = "R1", **fields: Any) -> Group:
    return Group(id=gid, targets=tuple(targets), round=round, **fields)


def instance(
    members: Iterable[Member],
    groups: Iterable[Group],
    *,
    units: Iterable[Unit] | None = None,
    rules: Mapping[str, Any] | None = None,
    conflicts: Iterable[tuple[str, str]] = (),
    history: Iterable[HistoryEntry] = (),
    pins: Iterable[Pin] = (),
    affinity: Iterable[tuple[str, str, int]] = (),
) -> Instance:
    """An instance; without ``units``, every unit named by a member or a target, flat."""
    members, groups = tuple(members), tuple(groups)
    if units is None:
        names = [m.unit for m in members] + [t for g in groups for t in g.targets]
        units = [Unit(id=u) for u in dict.fromkeys(names)]
    return Instance(
        members=members,
        units=tuple(units),
        groups=groups,
        conflicts=tuple(Conflict(member_a=a, member_b=b) for a, b in conflicts),
        history=tuple(history),
        pins=tuple(pins),
        affinity=tuple(Affinity(member=m, group=g, score=s) for m, g, s in affinity),
        rules=Rules.model_validate(dict(rules or {})),
    )


def past(mid: str, rounds_ago: int, group: str, unit: str = "T9") -> HistoryEntry:
    return HistoryEntry(member=mid, rounds_ago=rounds_ago, group=group, unit=unit)


def seat(round: str, group: str, mid: str, role: str = "member", mentor: str | None = None) -> Seat:
    return Seat(round=round, group=group, member=mid, role=role, mentor=mentor)  # type: ignore[arg-type]


def roster(inst: Instance, layout: Mapping[str, str], *extra: Seat) -> Roster:
    """Seats group by group from ``"M1:leader M2:deputy M3 M4>M1"``, then ``extra`` seats."""
    seats: list[Seat] = []
    for gid, text in layout.items():
        round_id = inst.group_by_id[gid].round
        for token in text.split():
            token, _, mentor = token.partition(">")
            mid, _, role = token.partition(":")
            seats.append(seat(round_id, gid, mid, role or "member", mentor or None))
    return Roster.of([*seats, *extra])


def of(inst: Instance, ros: Roster, rule: str) -> list[Violation]:
    """The violations of one rule."""
    return [v for v in check(inst, ros) if v.rule == rule]


def cost(violations: Iterable[Violation]) -> int:
    """Units of soft cost: the sum of ``count``."""
    return sum(v.count for v in violations)
