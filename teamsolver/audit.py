"""The independent checker: audit any roster against every rule (docs/measures.md).

This is the second implementation of the rules, written in plain Python without the solver: it
never imports ``ortools``, directly or indirectly, and shares nothing with the CP-SAT model but
the data model (:mod:`teamsolver.instance`, :mod:`teamsolver.settings`, :mod:`teamsolver.roster`).

:func:`check` builds one read-only :class:`Context` (the indexes every rule needs) and runs the
check of every rule whose mode is not ``off``, in the order of :data:`teamsolver.settings.RULE_IDS`.
It accepts any roster, including hand-made ones:

- a seat naming a group that is not in the instance is reported under the pseudo-rule ``roster``
  and otherwise ignored (no rule can judge a seat it cannot place);
- a seat whose ``round`` differs from its group's round is reported under ``roster`` and checked
  as a seat of its group's round (the group decides);
- a seat of a member who is not in the pool is an ``eligibility`` violation; it still counts as a
  seat (group sizes, role counts, seats per round and per plan) but has no attributes, so it adds
  to no attribute count and draws no other violation about attributes;
- a seat listed twice counts twice (``one-seat-per-round`` reports the repeat).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, model_serializer

from .instance import Group, HistoryEntry, Instance, Member, Unit
from .roster import Roster, Seat
from .settings import RULE_IDS, Rules

#: Pseudo-rule id of structural problems of a roster that are no rule's violation.
ROSTER = "roster"

_DUMP_ORDER = ("rule", "round", "group", "member", "members", "count", "message")


class Violation(BaseModel):
    """One breach of one rule, where it happens, and what it costs.

    ``count`` is the number of units of soft cost (docs/measures.md): a group three seats short
    is one violation with ``count`` 3. ``members`` lists the member ids concerned (the pair of a
    conflict, the new members of a group without mentors, ...); ``member`` is the first of them.
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    round: str | None = None
    group: str | None = None
    members: tuple[str, ...] = ()
    count: int = 1
    message: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def member(self) -> str | None:
        """The first member concerned, or None."""
        return self.members[0] if self.members else None

    @model_serializer(mode="wrap")
    def _ordered(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: data[k] for k in _DUMP_ORDER if k in data} | data

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def ids(items: Iterable[str]) -> str:
    """Ids as a planner reads them: ``M1, M2 and M3``."""
    seq = list(items)
    if len(seq) <= 1:
        return "".join(seq)
    return ", ".join(seq[:-1]) + " and " + seq[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 seat``, ``2 seats``; ``many`` for irregular plurals."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


class Context:
    """Read-only indexes of one instance and one roster, built once per check.

    Seats are kept as given, except that a seat whose round disagrees with its group's round is
    replaced by a copy in the group's round. ``by_group`` has an entry (maybe empty) for every
    group of the instance; ``by_round`` for every round; ``by_member`` for every member id that
    holds a placed seat, pool member or not.
    """

    def __init__(self, instance: Instance, roster: Roster | Iterable[Seat]):
        self.instance: Instance = instance
        self.rules: Rules = instance.rules
        #: Mode of every rule id.
        self.modes: Mapping[str, str] = {r: self.rules.mode(r) for r in RULE_IDS}
        self.rounds: tuple[str, ...] = instance.rounds
        self.round_index: Mapping[str, int] = {r: i for i, r in enumerate(self.rounds)}
        self.members: Mapping[str, Member] = instance.member_by_id
        self.groups: Mapping[str, Group] = instance.group_by_id
        self.units: Mapping[str, Unit] = instance.unit_by_id
        self.seats: tuple[Seat, ...] = tuple(roster)

        structural: list[Violation] = []
        by_group: dict[str, list[Seat]] = {g.id: [] for g in instance.groups}
        by_round: dict[str, list[Seat]] = {r: [] for r in self.rounds}
        by_member: dict[str, list[Seat]] = defaultdict(list)
        placed: list[Seat] = []
        for seat in self.seats:
            group = self.groups.get(seat.group)
            if group is None:
                structural.append(
                    Violation(
                        rule=ROSTER,
                        round=seat.round,
                        group=seat.group,
                        members=(seat.member,),
                        message=f"the seat of member {seat.member} names group {seat.group}, "
                        "which is not in the instance; no rule can check this seat",
                    )
                )
                continue
            if seat.round != group.round:
                structural.append(
                    Violation(
                        rule=ROSTER,
                        round=group.round,
                        group=group.id,
                        members=(seat.member,),
                        message=f"the seat of member {seat.member} in group {group.id} says "
                        f"round {seat.round}, but group {group.id} is in round {group.round}; "
                        f"it is checked as a seat of round {group.round}",
                    )
                )
                seat = seat.model_copy(update={"round": group.round})
            placed.append(seat)
            by_group[group.id].append(seat)
            by_round[group.round].append(seat)
            by_member[seat.member].append(seat)

        self.structural: tuple[Violation, ...] = tuple(structural)
        self.placed: tuple[Seat, ...] = tuple(placed)
        self.by_group: Mapping[str, Sequence[Seat]] = by_group
        self.by_round: Mapping[str, Sequence[Seat]] = by_round
        self.by_member: Mapping[str, Sequence[Seat]] = dict(by_member)
        self.members_in: Mapping[str, frozenset[str]] = {
            g: frozenset(s.member for s in seats) for g, seats in by_group.items()
        }
        # Sorted distinct round indices in which each member holds a seat.
        self._seat_rounds: dict[str, list[int]] = {
            m: sorted({self.round_index[s.round] for s in seats}) for m, seats in by_member.items()
        }

        # Units: each unit's parent; ancestry is walked from the unit asked about, once per
        # unit (memoised), never for every unit: a deep chain has quadratically many pairs.
        self._parent: Mapping[str, str | None] = {u.id: u.parent for u in instance.units}
        self._ancestors: dict[str, frozenset[str]] = {}

        # History: per member, the nearest time each unit was inspected, and the past groups.
        last: dict[str, dict[str, int]] = defaultdict(dict)
        past: dict[str, dict[tuple[str, int], None]] = defaultdict(dict)
        history: dict[str, list[HistoryEntry]] = defaultdict(list)
        for h in instance.history:
            history[h.member].append(h)
            seen = last[h.member].get(h.unit)
            if seen is None or h.rounds_ago < seen:
                last[h.member][h.unit] = h.rounds_ago
            past[h.member][(h.group, h.rounds_ago)] = None
        self.history: Mapping[str, Sequence[HistoryEntry]] = dict(history)
        self._last_inspected: Mapping[str, Mapping[str, int]] = dict(last)
        self._past_groups: Mapping[str, tuple[tuple[str, int], ...]] = {
            m: tuple(keys) for m, keys in past.items()
        }
        self._experience: dict[tuple[str, str], int | None] = {}

    def ancestors(self, unit_id: str) -> frozenset[str]:
        """The units above ``unit_id`` by the parent chain (a cycle is cut where it closes)."""
        found = self._ancestors.get(unit_id)
        if found is None:
            seen = {unit_id}
            cur = self._parent.get(unit_id)
            while cur is not None and cur not in seen:
                seen.add(cur)
                cur = self._parent.get(cur)
            seen.discard(unit_id)
            found = self._ancestors[unit_id] = frozenset(seen)
        return found

    # --- members -------------------------------------------------------------------------

    def experience(self, member_id: str, round_id: str) -> int | None:
        """``rounds_served`` + rounds of the plan before ``round_id`` in which the member holds a
        seat; None for a member who is not in the pool."""
        key = (member_id, round_id)
        if key not in self._experience:
            member = self.members.get(member_id)
            if member is None:
                self._experience[key] = None
            else:
                earlier = bisect.bisect_left(
                    self._seat_rounds.get(member_id, []), self.round_index[round_id]
                )
                self._experience[key] = member.rounds_served + earlier
        return self._experience[key]

    def is_new(self, member_id: str, round_id: str) -> bool:
        exp = self.experience(member_id, round_id)
        return exp is not None and exp <= self.rules.experience.new_max

    def is_experienced(self, member_id: str, round_id: str) -> bool:
        exp = self.experience(member_id, round_id)
        return exp is not None and exp >= self.rules.experience.experienced_min

    def seat_rounds(self, member_id: str) -> Sequence[int]:
        """Sorted distinct indices of the rounds in which the member holds a seat."""
        return self._seat_rounds.get(member_id, ())

    # --- units ---------------------------------------------------------------------------

    def zone(self, unit_id: str) -> str | None:
        unit = self.units.get(unit_id)
        return unit.zone if unit is not None and unit.zone else None

    def related(self, a: str, b: str) -> bool:
        """True when unit ``a`` is an ancestor or a descendant of unit ``b``."""
        return a in self.ancestors(b) or b in self.ancestors(a)

    # --- history -------------------------------------------------------------------------

    def last_inspected(self, member_id: str, unit_id: str) -> int | None:
        """The smallest ``rounds_ago`` of a history row of the member for the unit, or None."""
        return self._last_inspected.get(member_id, {}).get(unit_id)

    def past_groups(self, member_id: str, lookback: int | None) -> frozenset[tuple[str, int]]:
        """``(group, rounds_ago)`` of the member's past groups with ``rounds_ago ≤ lookback``."""
        keys = self._past_groups.get(member_id, ())
        return frozenset(k for k in keys if lookback is None or k[1] <= lookback)


def check(instance: Instance, roster: Roster | Iterable[Seat]) -> list[Violation]:
    """Every violation of ``roster`` against the rules of ``instance``.

    Structural problems (pseudo-rule ``roster``) come first, then the rules whose mode is not
    ``off``, in the order of :data:`teamsolver.settings.RULE_IDS`.
    """
    return check_context(Context(instance, roster))


def check_context(ctx: Context) -> list[Violation]:
    """:func:`check` on a context that is already built."""
    from .rules import CHECKS  # the rules import this module

    out = list(ctx.structural)
    for rule_check in CHECKS:
        if ctx.modes[rule_check.rule] != "off":
            out.extend(rule_check.check(ctx))
    return out


def hard_violations(instance: Instance, violations: Iterable[Violation]) -> list[Violation]:
    """The violations that make a roster unacceptable: those of hard rules, and ``roster``."""
    return [v for v in violations if v.rule == ROSTER or instance.rules.mode(v.rule) == "hard"]


__all__ = [
    "ROSTER",
    "Context",
    "Violation",
    "check",
    "check_context",
    "hard_violations",
    "ids",
    "plural",
]


def attribute_minimum(
    ctx: Context, rule_id: str, attribute: str, need: int, noun: str, purpose: str
) -> list[Violation]:
    """Per group, ``max(0, need − n)`` with n = seats whose member has ``attribute`` true:
    the shape of ``full-time-anchor`` and ``party-branch``."""
    out: list[Violation] = []
    for group in ctx.instance.groups:
        have = sum(
            1
            for s in ctx.by_group[group.id]
            if s.member in ctx.members and getattr(ctx.members[s.member], attribute)
        )
        if have < need:
            out.append(
                Violation(
                    rule=rule_id,
                    round=group.round,
                    group=group.id,
                    count=need - have,
                    message=f"group {group.id} has {plural(have, noun)}; {purpose}",
                )
            )
    return out
