"""Symmetry breaking for plans whose members nothing tells apart (the social golfer's plans).

When every member has the same attributes and no table names a member (pins, affinity,
conflicts, history) and there is no baseline, any permutation of the members maps a roster to
one with the same violations and the same objective; so does any permutation of the *twin*
groups of a round (:func:`twins`). CP-SAT's own symmetry detection finds these symmetries but
breaks them poorly on such plans (benchmarks/results/golfer.md): the engine's model took
longer to a first roster than a naive model of the same plan, or found none.

Read the seat variables as a 0/1 matrix, a row per member, columns by round and then by group.
Of every class of rosters equal up to those permutations, the lexicographically largest matrix
is a roster of the class, and it meets the two conditions :func:`post` writes (each is implied
by it): members sorted by their groups in the first two rounds, and twin groups sorted by their
first member. So no class is lost: the break is exact (tests/test_golfer.py checks it against
brute force). A roster found elsewhere (the greedy planner's) is relabelled by
:func:`canonical` before it is fixed in a model with the break.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from ..data.instance import Instance
from ..data.roster import Roster, Seat

if TYPE_CHECKING:
    from .model import Model

#: Twin groups are ordered only up to this many members (the rows are O(members²) per twin).
TWIN_ORDER_MAX_MEMBERS = 500


def interchangeable(instance: Instance) -> bool:
    """Members that no rule, goal or table tells apart: every attribute but id and name equal,
    and no pins, affinity, conflicts or history (they name members)."""
    if len(instance.members) < 2 or (
        instance.pins or instance.affinity or instance.conflicts or instance.history
    ):
        return False
    first = instance.members[0].model_dump(exclude={"id", "name"})
    return all(m.model_dump(exclude={"id", "name"}) == first for m in instance.members)


def applies(model: Model) -> bool:
    """The break holds for ``model``: interchangeable members, no baseline (stability names
    members), and no guards (explain relaxes rule instances of single members)."""
    return not model.guarded and model.baseline is None and interchangeable(model.instance)


def twins(model: Model, gis: list[int]) -> list[list[int]]:
    """Classes (of two or more) of the groups ``gis`` of one round that nothing tells apart:
    the same fields but id and targets, the same members allowed, and targets that count
    nowhere (recusal off, or without a cooldown and recusing the same members)."""
    inst = model.instance
    recusal = model.mode("recusal")
    if recusal != "off" and inst.rules.recusal.reinspect_cooldown > 0:
        return []
    recused: dict[int, set[int]] = {}
    for mi, gi in model.facts.recused:
        recused.setdefault(gi, set()).add(mi)
    classes: dict[tuple[str, tuple[int, ...], tuple[int, ...]], list[int]] = {}
    for gi in gis:
        key = (
            repr(inst.groups[gi].model_dump(exclude={"id", "targets"})),
            tuple(sorted(model.by_group[gi])),
            tuple(sorted(recused.get(gi, ()))) if recusal != "off" else (),
        )
        classes.setdefault(key, []).append(gi)
    return [c for c in classes.values() if len(c) > 1]


def post(model: Model) -> None:
    """The break's constraints, on the seat variables of ``model`` (see the module).

    - rows: ``(v_1(i), v_2(i)) ≤_lex (v_1(i+1), v_2(i+1))`` with ``v_r(i)`` the position of
      member i's group within round r (the number of groups when i has no seat in round r);
    - twin groups c before c' of a round: ``x[m, c'] ≤ Σ_{k ≤ m} x[k, c]`` (the first member
      of c' comes after a member of c).
    """
    cp, x, n = model.cp, model.x, len(model.instance.members)
    orders: list[list[cp_model.LinearExpr]] = []
    for gis in model.facts.groups_of_round[:2]:
        row = []
        for mi in range(n):
            seats = [(k, x[(mi, gi)]) for k, gi in enumerate(gis) if (mi, gi) in x]
            seated = cp_model.LinearExpr.sum([v for _, v in seats])
            ranked = cp_model.LinearExpr.weighted_sum([v for _, v in seats], [k for k, _ in seats])
            row.append(ranked + len(gis) * (1 - seated))
        orders.append(row)
    for i in range(n - 1):
        cp.add(orders[0][i] <= orders[0][i + 1])
        if len(orders) > 1:
            tie = cp.new_bool_var("")
            cp.add(orders[0][i] == orders[0][i + 1]).only_enforce_if(tie)
            # "<" rather than "!=" (equal under the "<=" above): a domain without a hole,
            # which the linear form for HiGHS can write as a row.
            cp.add(orders[0][i] < orders[0][i + 1]).only_enforce_if(~tie)
            cp.add(orders[1][i] <= orders[1][i + 1]).only_enforce_if(tie)
    if n > TWIN_ORDER_MAX_MEMBERS:
        return
    for gis in model.facts.groups_of_round:
        for same in twins(model, gis):
            for c, d in itertools.pairwise(same):
                for m in range(n):
                    if (m, d) in x:
                        earlier = [x[(k, c)] for k in range(m + 1) if (k, c) in x]
                        cp.add(x[(m, d)] <= cp_model.LinearExpr.sum(earlier))


def canonical(model: Model, roster: Roster) -> Roster:
    """``roster`` with its members and twin groups relabelled so that it meets :func:`post`
    (the same violations and objective: only labels change). Rows and the columns of each
    class of twins are sorted, largest first, in turn until neither moves (each sort makes the
    row-major matrix larger, so it ends). ``roster`` must be a roster of ``model``'s seats."""
    inst = model.instance
    order = [gi for gis in model.facts.groups_of_round for gi in gis]
    col = {gi: c for c, gi in enumerate(order)}
    g_index = {g.id: gi for gi, g in enumerate(inst.groups)}
    m_index = {m.id: mi for mi, m in enumerate(inst.members)}
    width = len(order)
    rows = [[0] * width for _ in inst.members]
    seat_at: dict[tuple[int, int], Seat] = {}
    for seat in roster.seats:
        mi, c = m_index[seat.member], col[g_index[seat.group]]
        rows[mi][c] = 1
        seat_at[(mi, c)] = seat
    member_of = list(range(len(rows)))  # row position -> original member
    slot_of = list(range(width))  # column position -> original column
    classes = (
        [
            sorted(col[gi] for gi in same)
            for gis in model.facts.groups_of_round
            for same in twins(model, gis)
        ]
        if len(rows) <= TWIN_ORDER_MAX_MEMBERS
        else []
    )
    while True:
        ranked = sorted(range(len(rows)), key=lambda i: rows[i], reverse=True)
        moved = ranked != list(range(len(rows)))
        rows = [rows[i] for i in ranked]
        member_of = [member_of[i] for i in ranked]
        for cls in classes:
            cols = sorted(cls, key=lambda c: [row[c] for row in rows], reverse=True)
            if cols != cls:
                moved = True
                source = list(range(width))
                for at, c in zip(cls, cols, strict=True):
                    source[at] = c
                rows = [[row[source[c]] for c in range(width)] for row in rows]
                slot_of = [slot_of[source[c]] for c in range(width)]
        if not moved:
            break
    renamed = {inst.members[old].id: inst.members[i].id for i, old in enumerate(member_of)}
    seats = [
        seat_at[(member_of[i], slot_of[c])].model_copy(
            update={
                "member": inst.members[i].id,
                "group": inst.groups[order[c]].id,
                "mentor": renamed.get(seat_at[(member_of[i], slot_of[c])].mentor or ""),
            }
        )
        for i, row in enumerate(rows)
        for c, taken in enumerate(row)
        if taken
    ]
    return Roster(seats=tuple(seats))
