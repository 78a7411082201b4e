"""The swap search of ``explain --why``: the given roster with one member forced into a group,
repaired by moving one or two other members, each roster judged by the independent checker
and scorer (:func:`judge`).

A price is only as good as the roster behind it: a re-solve cut short by its time limit may
report a forced roster far worse than one a planner finds by hand with a single swap. This
search tries every such swap first, so the price said is never above one:

1. **one change** (always tried in full, unless the time runs out): the member takes a seat in
   the group of that round (leaving the seat they hold in that round, if any), either beside
   its members or in place of one of them, X, in X's role or as a plain member; X then has
   no seat in the round or takes the member's old seat (a swap);
2. **repairs** of the one-change rosters that break hard rules, best first: a member a
   violation names (say a fourth member drawn from one unit) leaves the round or gives their
   seat to a member without one (the most alike first); or, in each group of the round where
   a hard rule breaks, one more member changes role, leaves, joins from the members without a
   seat in the round, or is swapped for one of them. These run within ``max_evaluations``
   judged rosters in all and the deadline.

Plain Python: the checker and the scorer judge, ``allowed`` says which seats and roles exist.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from ..audit import Context, check_context, hard_violations
from ..data.instance import Instance, Member
from ..data.roster import Roster, Seat
from ..engine.solve import make_roster
from ..score import GOAL_SENSE, score_context, soft_costs
from .report import SeatMove

#: Roles, in the order they are tried.
ROLES = ("member", "leader", "deputy")
#: Rosters judged at most per search by default (the one-change rosters count too).
MAX_EVALUATIONS = 400

#: (group, role) of a member in the round of the search; None: no seat in that round.
Place = tuple[str, str] | None
#: Whether ``member`` may hold ``role`` in ``group`` at all (a seat the model has).
Allowed = Callable[[str, str, str], bool]


@dataclass(frozen=True)
class Judged:
    """A roster with the sum of its hard-rule violation counts (0: the checker accepts it) and
    its objective, as :func:`teamsolver.check` and :func:`teamsolver.objective` give them."""

    roster: Roster
    hard: int
    objective: int
    #: Groups with a hard violation, and the members its violations name.
    broken: frozenset[str] = frozenset()
    named: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return self.hard == 0


def judge(instance: Instance, roster: Roster) -> Judged:
    """The checker's and the scorer's verdict on ``roster`` (one context for both)."""
    ctx = Context(instance, roster)
    violations = check_context(ctx)
    hard = hard_violations(instance, violations)
    weights = instance.rules.objective
    goals = sum(
        (1 if GOAL_SENSE[g] == "min" else -1) * weights.weight(g) * value
        for g, value in score_context(ctx).items()
    )
    return Judged(
        roster=roster,
        hard=sum(max(1, v.count) for v in hard),
        objective=sum(soft_costs(instance, violations).values()) + goals,
        broken=frozenset(v.group for v in hard if v.group is not None),
        named=tuple(dict.fromkeys(m for v in hard for m in v.members)),
    )


@dataclass(frozen=True)
class SwapSearch:
    """What :func:`swap_search` found: the best roster the checker accepts (None: none), the
    roster nearest to being accepted (fewest hard violations, then objective: a hint when none
    is), how many rosters were judged, and whether every one-change roster was."""

    best: Judged | None
    nearest: Judged | None
    evaluations: int
    complete: bool


def swap_search(
    instance: Instance,
    roster: Roster,
    member: str,
    group: str,
    *,
    allowed: Allowed,
    deadline: float = math.inf,
    max_evaluations: int = MAX_EVALUATIONS,
) -> SwapSearch:
    """The best roster with ``member`` in ``group`` that one change (and one repair) of
    ``roster`` reaches; see the module doc."""
    plan = _Round(instance, roster, member, group)
    seen: set[frozenset[tuple[str, Place]]] = set()
    judged: list[tuple[dict[str, Place], Judged]] = []
    best: Judged | None = None
    nearest: Judged | None = None

    def run(changes: Iterator[dict[str, Place]]) -> bool:
        """Judge each new change until the budget ends; False when it ended."""
        nonlocal best, nearest
        for change in changes:
            key = frozenset(change.items())
            if key in seen:
                continue
            if len(seen) >= max_evaluations or time.perf_counter() >= deadline:
                return False
            seen.add(key)
            j = judge(instance, plan.roster(change))
            judged.append((change, j))
            if j.clean and (best is None or j.objective < best.objective):
                best = j
            if nearest is None or (j.hard, j.objective) < (nearest.hard, nearest.objective):
                nearest = j
        return True

    complete = run(plan.one_change(allowed))
    if complete:
        bases = sorted(
            (p for p in judged if not p[1].clean), key=lambda p: (p[1].hard, p[1].objective)
        )
        for change, j in bases:
            if not run(plan.repairs(change, j, allowed)):
                break
    return SwapSearch(best=best, nearest=nearest, evaluations=len(seen), complete=complete)


class _Round:
    """The seats of the round of ``group`` as member → (group, role); the other seats stay."""

    def __init__(self, instance: Instance, roster: Roster, member: str, group: str):
        self.instance = instance
        self.member = member
        self.group = group
        self.round = instance.group_by_id[group].round
        self.groups = {g.id for g in instance.groups_in(self.round)}
        self.given: dict[str, tuple[str, str]] = {}
        self.kept: list[Seat] = []
        for s in roster.seats:
            if s.round == self.round and s.group in self.groups and s.member not in self.given:
                self.given[s.member] = (s.group, s.role)
            else:
                self.kept.append(s)

    def one_change(self, allowed: Allowed) -> Iterator[dict[str, Place]]:
        """The member into the group beside its members, or in place of one (a swap when the
        member had a seat in the round)."""
        m, g = self.member, self.group
        old = self.given.get(m)
        roles = [r for r in ROLES if allowed(m, g, r)]
        for role in roles:
            yield {m: (g, role)}
        for x, (xg, xrole) in self.given.items():
            if xg != g or x == m:
                continue
            dests: list[Place] = [None]
            if old is not None:
                dests += [
                    (old[0], r) for r in dict.fromkeys((old[1], "member")) if allowed(x, old[0], r)
                ]
            for role in dict.fromkeys((xrole, "member")):
                if role in roles:
                    for dest in dests:
                        yield {m: (g, role), x: dest}

    def repairs(
        self, change: dict[str, Place], judged: Judged, allowed: Allowed
    ) -> Iterator[dict[str, Place]]:
        """One more change where ``judged`` (the roster of ``change``) breaks a hard rule:
        first each member its violations name leaves the round, or is replaced in their seat
        by a member without a seat in the round (those most like them first, the named
        members taken in turn); then, in each group of the round with a hard violation (the
        groups of the change when none is named), a member changes role, leaves, joins, or is
        swapped for a member without a seat."""
        seats = self.apply(change)
        members = self.instance.member_by_id
        free = [
            p
            for p in self.instance.members
            if p.id not in seats and p.id != self.member and p.status == "active"
        ]
        named = [z for z in judged.named if z in seats and z != self.member]
        for z in named:
            yield {**change, z: None}
        alike = {z: sorted(free, key=partial(_unlike, members[z])) for z in named}
        for i in range(len(free)):
            for z in named:
                y, (k, role) = alike[z][i].id, seats[z]
                for r in dict.fromkeys((role, "member")):
                    if allowed(y, k, r):
                        yield {**change, z: None, y: (k, r)}
                        break
        touched = {p[0] for p in change.values() if p is not None}
        touched |= {self.given[x][0] for x in change if x in self.given}
        for k in sorted((judged.broken & self.groups) or touched):
            here = [(z, role) for z, (zg, role) in seats.items() if zg == k and z != self.member]
            for z, role in here:
                for r in ROLES:
                    if r != role and allowed(z, k, r):
                        yield {**change, z: (k, r)}
            for z, _ in here:
                yield {**change, z: None}
            for p in free:
                for r in ROLES:
                    if allowed(p.id, k, r):
                        yield {**change, p.id: (k, r)}
            for z, role in here:
                for p in free:
                    r = role if allowed(p.id, k, role) else "member"
                    if allowed(p.id, k, r):
                        yield {**change, z: None, p.id: (k, r)}

    def apply(self, change: dict[str, Place]) -> dict[str, tuple[str, str]]:
        seats = dict(self.given)
        for who, place in change.items():
            if place is None:
                seats.pop(who, None)
            else:
                seats[who] = place
        return seats

    def roster(self, change: dict[str, Place]) -> Roster:
        """The given roster with ``change``; mentors given anew (as the engine gives them) in
        the groups that changed and in later groups of the members who moved."""
        seats = self.apply(change)
        here = [Seat(round=self.round, group=g, member=m, role=r) for m, (g, r) in seats.items()]
        changed = {p[0] for p in change.values() if p is not None}
        changed |= {self.given[x][0] for x in change if x in self.given}
        return mentored(self.instance, [*self.kept, *here], changed, set(change), self.round)


def _unlike(z: Member, y: Member) -> tuple[int, ...]:
    """How far ``y`` is from replacing ``z`` in their seat unnoticed by the hard rules: the
    specialties, full-time and party membership ``z`` brings, the roles ``z`` may hold, then
    another unit, then the stronger first."""
    return (
        len(set(z.specialties) - set(y.specialties)),
        int(z.full_time and not y.full_time),
        int(z.party_member and not y.party_member),
        int(z.can_lead and not y.can_lead) + int(z.can_deputy and not y.can_deputy),
        int(y.unit == z.unit),
        -(y.rating or 0),
        -min(y.rounds_served, 5),
    )


def mentored(
    instance: Instance, seats: list[Seat], groups: set[str], moved: set[str], round_id: str
) -> Roster:
    """``seats`` in roster order, with the mentors of ``groups``, and of the groups of later
    rounds that hold a member of ``moved`` (their experience changed), given as
    :func:`teamsolver.engine.solve.make_roster` gives them; other seats keep theirs."""
    m_index = {m.id: i for i, m in enumerate(instance.members)}
    g_index = {g.id: i for i, g in enumerate(instance.groups)}
    r_index = {r: i for i, r in enumerate(instance.rounds)}
    later = r_index[round_id]
    redo = set(groups)
    for s in seats:
        g = instance.group_by_id.get(s.group)
        if s.member in moved and g is not None and r_index[g.round] > later:
            redo.add(s.group)
    chosen = {
        (m_index[s.member], g_index[s.group]): (1, int(s.role == "leader"), int(s.role == "deputy"))
        for s in seats
        if s.group in redo and s.member in m_index
    }
    # Experience counts every earlier seat of the plan: give make_roster those too.
    for s in seats:
        if s.member in m_index and s.group in g_index and s.group not in redo:
            chosen.setdefault((m_index[s.member], g_index[s.group]), (1, 0, 0))
    fresh = [s for s in make_roster(instance, chosen).seats if s.group in redo]
    out = [s for s in seats if s.group not in redo or s.member not in m_index] + fresh
    order = {"leader": 0, "deputy": 1, "member": 2}
    return Roster(
        seats=tuple(
            sorted(
                out,
                key=lambda s: (
                    r_index.get(s.round, len(r_index)),
                    g_index.get(s.group, len(g_index)),
                    order[s.role],
                    s.member,
                ),
            )
        )
    )


def moves(instance: Instance, given: Roster, forced: Roster) -> tuple[SeatMove, ...]:
    """The seat changes from ``given`` to ``forced``, round by round (mentors aside)."""
    r_index = {r: i for i, r in enumerate(instance.rounds)}

    def places(roster: Roster) -> dict[tuple[str, str], tuple[str, str]]:
        return {(s.round, s.member): (s.group, s.role) for s in roster.seats}

    before, after = places(given), places(forced)
    out = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (r_index.get(k[0], 0), k[1])):
        a, b = before.get(key), after.get(key)
        if a != b:
            out.append(
                SeatMove(
                    round=key[0],
                    member=key[1],
                    from_group=a[0] if a else None,
                    from_role=a[1] if a else None,
                    to_group=b[0] if b else None,
                    to_role=b[1] if b else None,
                )
            )
    return tuple(out)
