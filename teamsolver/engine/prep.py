"""Plain-Python facts the model is built from: who may sit where, and why not.

Nothing here imports ortools. The facts depend only on the instance, so they are computed once,
by unit where a rule depends only on a member's home unit (hierarchy, zone), and by member only
for the sparse exceptions (conflict units, history).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..data.instance import Group, Instance, Member
from ..rules.recusal import Reason


def reference_rating(instance: Instance) -> int:
    """ρ: the mean rating of active members that have one, rounded half up (60 if none)."""
    ratings = [m.rating for m in instance.members if m.status == "active" and m.rating is not None]
    if not ratings:
        return 60
    return (2 * sum(ratings) + len(ratings)) // (2 * len(ratings))


def strength(member: Member, rho: int) -> int:
    """s(m) = 10 · min(rounds_served, 5) + rating (ρ when unknown)."""
    return 10 * min(member.rounds_served, 5) + (member.rating if member.rating is not None else rho)


def reference_strength(instance: Instance, rho: int) -> int:
    """μ: the mean strength of active members, rounded half up (0 for an empty pool)."""
    values = [strength(m, rho) for m in instance.members if m.status == "active"]
    if not values:
        return 0
    return (2 * sum(values) + len(values)) // (2 * len(values))


@dataclass(frozen=True)
class UnitTree:
    """Each unit's parent and children, read in one pass over the units.

    Ancestors and descendants are walked when asked for, from the one unit asked about, and
    never stored per unit: a 2,000-deep chain of units has 2 million (unit, ancestor) pairs, and
    computing them for every unit with a list scan per step took minutes (issue 13, item 9).
    A walk costs one lookup per unit it returns. A cycle (refused by validation, but ``prepare``
    does not rely on it) is cut where it closes.
    """

    parent: dict[str, str | None]
    children: dict[str, list[str]]

    def ancestors(self, uid: str) -> list[str]:
        """The ancestors of ``uid``, nearest first."""
        out: list[str] = []
        seen = {uid}
        cur = self.parent.get(uid)
        while cur is not None and cur not in seen:
            seen.add(cur)
            out.append(cur)
            cur = self.parent.get(cur)
        return out

    def descendants(self, uid: str) -> set[str]:
        """The descendants of ``uid`` (``uid`` itself only when it lies on a cycle)."""
        out: set[str] = set()
        stack = list(self.children.get(uid, ()))
        while stack:
            cur = stack.pop()
            if cur not in out:
                out.add(cur)
                stack.extend(self.children.get(cur, ()))
        return out


def unit_tree(instance: Instance) -> UnitTree:
    """The parent and the children of every unit (one pass over ``instance.units``)."""
    parent = {u.id: u.parent for u in instance.units}
    children: dict[str, list[str]] = defaultdict(list)
    for uid, p in parent.items():
        if p is not None:
            children[p].append(uid)
    return UnitTree(parent, dict(children))


@dataclass
class Facts:
    """Indexes over an instance, shared by every part of the model."""

    instance: Instance
    rounds: tuple[str, ...]
    round_of: list[int]  # group index -> round index
    groups_of_round: list[list[int]]
    units: UnitTree
    zone_units: dict[str, list[str]]
    rho: int
    #: μ, the mean strength of the active members (:func:`reference_strength`)
    mu: int = 0
    recusal_mode: str = "hard"
    #: group index -> member indices that may sit there (before recusal when recusal is soft)
    allowed: list[list[int]] = field(default_factory=list)
    #: (member, group) -> reasons the member must not inspect that group (static recusal)
    recused: dict[tuple[int, int], list[Reason]] = field(default_factory=dict)


def blocked_home_units(
    group: Group, facts: Facts, hierarchy: bool, own_zone: bool
) -> dict[str, Reason]:
    """Home units whose members must not inspect ``group``, each with the reason."""
    unit_by_id = facts.instance.unit_by_id
    blocked: dict[str, Reason] = {}
    for t in group.targets:
        blocked.setdefault(t, Reason("own-unit", t))
        if hierarchy:
            for a in facts.units.ancestors(t):
                blocked.setdefault(a, Reason("target-under-unit", t, unit=a))
            for d in facts.units.descendants(t):
                blocked.setdefault(d, Reason("unit-under-target", t, unit=d))
        zone = unit_by_id[t].zone if t in unit_by_id else None
        if own_zone and zone is not None:
            for u in facts.zone_units.get(zone, ()):
                blocked.setdefault(u, Reason("zone", t, zone=zone))
    return blocked


def prepare(instance: Instance, recusal_mode: str | None = None) -> Facts:
    """Facts of ``instance``; ``recusal_mode`` overrides the rules' (the model's relaxed mode)."""
    rules = instance.rules
    rounds = instance.rounds
    r_index = {r: i for i, r in enumerate(rounds)}
    round_of = [r_index[g.round] for g in instance.groups]
    groups_of_round: list[list[int]] = [[] for _ in rounds]
    for gi, ri in enumerate(round_of):
        groups_of_round[ri].append(gi)
    zone_units: dict[str, list[str]] = defaultdict(list)
    for u in instance.units:
        if u.zone is not None:
            zone_units[u.zone].append(u.id)
    rho = reference_rating(instance)
    facts = Facts(
        instance,
        rounds,
        round_of,
        groups_of_round,
        unit_tree(instance),
        dict(zone_units),
        rho,
        reference_strength(instance, rho),
    )

    rec = rules.recusal
    mode = recusal_mode or rec.mode
    facts.recusal_mode = mode
    recusal_on = mode != "off"
    unit_of = [m.unit for m in instance.members]
    index = {m.id: i for i, m in enumerate(instance.members)}
    # Sparse per-member recusal, by target unit: (member, rounds ago; 0 for a conflict unit).
    personal: dict[str, list[tuple[int, int]]] = defaultdict(list)
    if recusal_on:
        for mi, m in enumerate(instance.members):
            for uid in m.conflict_units:
                personal[uid].append((mi, 0))
        if rec.reinspect_cooldown > 0:
            for h in instance.history:
                if h.member in index:
                    personal[h.unit].append((index[h.member], h.rounds_ago))

    available: list[list[int]] = [
        [
            mi
            for mi, m in enumerate(instance.members)
            if m.status == "active" and r not in m.unavailable_rounds
        ]
        for r in rounds
    ]
    forbidden: dict[str, set[int]] = defaultdict(set)
    for p in instance.pins:
        if p.kind == "forbid" and p.member in index:
            forbidden[p.group].add(index[p.member])

    allowed: list[list[int]] = []
    for gi, g in enumerate(instance.groups):
        ri = round_of[gi]
        blocked = blocked_home_units(g, facts, rec.hierarchy, rec.own_zone) if recusal_on else {}
        reasons: dict[int, list[Reason]] = defaultdict(list)
        for t in dict.fromkeys(g.targets):
            for mi, ago in personal.get(t, ()):
                if ago == 0:
                    reasons[mi].append(Reason("conflict-unit", t))
                elif ago + ri <= rec.reinspect_cooldown:
                    reasons[mi].append(Reason("history", t, ago=ago))
        skip = forbidden.get(g.id, set())
        ok = [
            mi
            for mi in available[ri]
            if unit_of[mi] not in blocked and mi not in reasons and mi not in skip
        ]
        recused = [
            mi
            for mi in available[ri]
            if (unit_of[mi] in blocked or mi in reasons) and mi not in skip
        ]
        for mi in recused:
            why = ([blocked[unit_of[mi]]] if unit_of[mi] in blocked else []) + reasons.get(mi, [])
            facts.recused[(mi, gi)] = why
        if mode == "soft":
            ok = sorted(ok + recused)
        allowed.append(ok)
    facts.allowed = allowed
    return facts
