"""A sub-model of a one-round plan over its free groups only (for :mod:`.lns`).

:func:`.lns.sub_model` keeps every group of the plan in the model, the groups outside the
neighbourhood as fixed variables: on province (100 groups, 7,000 members) each sub-model then
walks every member and every group, and its build took 0.1–0.3 s against a sub-solve of
0.3–1 s. On a one-round plan only three things tie a group to the others: one seat per round,
a unit's draw cap of the round, and the balance goals (strength balance and mix: the spread of
a value across the groups of the round). A *local* model is the engine's own
:class:`~.model.Model` built on a sub-instance of

- the free groups, each open to its candidates, and, fixed to the incumbent's seats, the
  groups that hold the largest or the smallest value of a balance goal among the fixed groups
  (so that every spread is the plan's);
- only the members of those groups and the candidates (the conflicts, history, pins and
  affinity rows that name them), with the plan's μ (:attr:`.prep.Facts.mu`) and ρ;
- each unit's draw cap of the round lowered by the seats its members hold in the groups left
  out.

A member seated in a group left out is no candidate (:meth:`.lns.Search.candidates`), so one
seat per round holds. Every rule and goal is then either inside the local model or a constant
of the neighbourhood: for any two rosters of the neighbourhood, the difference of their local
objectives is the difference of their objectives in the plan. The LNS keeps the exact
objective of its incumbent and adds that difference (:meth:`.lns.Search.attempt`); the tests
compare it with the whole model's value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ..data.instance import Instance, Unit
from ..data.roster import Roster
from ..rules.base import attribute_value
from .model import Model, model_mode
from .prep import Facts, strength

#: (member, group) -> (seated, leader, deputy), as in :mod:`.solve`.
Seats = Mapping[tuple[int, int], tuple[int, int, int]]


@dataclass
class Local:
    """A local model and the plan's index of each of its members and groups."""

    model: Model
    members: list[int]
    groups: list[int]

    def inside(self, chosen: Seats) -> dict[tuple[int, int], tuple[int, int, int]]:
        """The seats of ``chosen`` (plan's indices) in the model's groups, in its indices."""
        m_local = {mi: i for i, mi in enumerate(self.members)}
        g_local = {gi: i for i, gi in enumerate(self.groups)}
        return {
            (m_local[mi], g_local[gi]): v
            for (mi, gi), v in chosen.items()
            if gi in g_local and mi in m_local
        }

    def outside(self, chosen: Seats) -> dict[tuple[int, int], tuple[int, int, int]]:
        """The seats ``chosen`` (the model's indices) in the plan's indices."""
        return {(self.members[mi], self.groups[gi]): v for (mi, gi), v in chosen.items()}


def applies(facts: Facts) -> bool:
    """Local models are for one-round plans (several rounds tie groups by many more rules)."""
    return len(facts.rounds) == 1


def extremes(
    instance: Instance, facts: Facts, seated: list[list[int]], fixed: list[int]
) -> set[int]:
    """The groups of ``fixed`` that hold the largest or the smallest value of a balance goal
    (strength balance; mix, per attribute and value) among them."""
    obj = instance.rules.objective
    members = instance.members
    per_key: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    if obj.weight("strength-balance"):
        for gi in fixed:
            total = sum(strength(members[mi], facts.rho) - facts.mu for mi in seated[gi])
            per_key[("", "")].append((total, gi))
    if obj.weight("mix"):
        for attr in obj.mix_attributes:
            counts: list[dict[str, int]] = []
            for gi in fixed:
                count: dict[str, int] = defaultdict(int)
                for mi in seated[gi]:
                    value = attribute_value(instance, members[mi], attr)
                    if value is not None:
                        count[value] += 1
                counts.append(count)
            for value in {v for count in counts for v in count}:
                per_key[(attr, value)] = [
                    (count.get(value, 0), gi) for count, gi in zip(counts, fixed, strict=True)
                ]
    keep: set[int] = set()
    for values in per_key.values():
        for extreme in (max(v for v, _ in values), min(v for v, _ in values)):
            at = [gi for v, gi in values if v == extreme]
            if not keep.intersection(at):  # of groups tied, one already kept will do
                keep.add(at[0])
    return keep


def local_model(
    instance: Instance,
    facts: Facts,
    baseline: Roster | None,
    relax: bool,
    chosen: Seats,
    free: set[int],
    candidates: Mapping[int, list[int]],
) -> Local:
    """The local model of the neighbourhood ``free`` (each free group open to
    ``candidates[gi]``) of the one-round roster ``chosen`` (see the module's docstring)."""
    seated: list[list[int]] = [[] for _ in instance.groups]
    for mi, gi in chosen:
        seated[gi].append(mi)
    fixed = [gi for gi in range(len(instance.groups)) if gi not in free]
    groups = sorted(free | extremes(instance, facts, seated, fixed))
    inside = set(groups)
    pools = {gi: sorted(candidates[gi]) if gi in free else sorted(seated[gi]) for gi in groups}
    members = sorted({mi for pool in pools.values() for mi in pool})
    m_local = {mi: i for i, mi in enumerate(members)}
    plan_members = instance.members
    ids = {plan_members[mi].id for mi in members}
    group_ids = {instance.groups[gi].id for gi in groups}

    # Each unit's draw cap of the round, less the seats of its members in the groups left out.
    unit_by_id = instance.unit_by_id
    units: dict[str, Unit] = {}
    for mi in members:
        uid = plan_members[mi].unit
        if uid in unit_by_id:
            units[uid] = unit_by_id[uid]
    if model_mode(instance.rules, "unit-draw-cap", relax=relax) != "off":
        per_round = instance.rules.unit_draw_cap.max_per_round
        out: dict[str, int] = defaultdict(int)
        for mi, gi in chosen:
            if gi not in inside:
                out[plan_members[mi].unit] += 1
        for uid in {plan_members[mi].unit for mi in members}:
            unit = unit_by_id.get(uid)
            limit = unit.max_drawn if unit is not None and unit.max_drawn is not None else per_round
            if limit is None or not out.get(uid):
                continue
            lowered = limit - out[uid]
            units[uid] = (
                unit.model_copy(update={"max_drawn": lowered})
                if unit is not None
                else Unit.model_construct(id=uid, max_drawn=lowered)
            )
    part = instance.model_copy(
        update={
            "members": tuple(plan_members[mi] for mi in members),
            "groups": tuple(instance.groups[gi] for gi in groups),
            "units": tuple(units.values()),
            "conflicts": tuple(
                c for c in instance.conflicts if c.member_a in ids and c.member_b in ids
            ),
            "history": tuple(h for h in instance.history if h.member in ids),
            "pins": tuple(p for p in instance.pins if p.member in ids and p.group in group_ids),
            "affinity": tuple(
                a for a in instance.affinity if a.member in ids and a.group in group_ids
            ),
        }
    )
    allowed = [[m_local[mi] for mi in pools[gi]] for gi in groups]
    recused = {
        (m_local[mi], i): facts.recused[(mi, gi)]
        for i, gi in enumerate(groups)
        for mi in pools[gi]
        if (mi, gi) in facts.recused
    }
    part_facts = Facts(
        part,
        facts.rounds,
        [0] * len(groups),
        [list(range(len(groups)))],
        facts.units,
        facts.zone_units,
        facts.rho,
        facts.mu,
        facts.recusal_mode,
        allowed,
        recused,
    )
    model = Model(part, baseline, relax=relax, facts=part_facts)
    local = Local(model, members, groups)
    fix_seats(model, local.inside(chosen), {i for i, gi in enumerate(groups) if gi in free})
    return local


def fix_seats(model: Model, chosen: Seats, free: set[int]) -> None:
    """Fix the seat and role variables of ``model`` in the groups outside ``free`` to the
    seats of ``chosen`` (the model's indices)."""
    variables = model.cp.proto.variables
    for (mi, gi), (_, lead, dep) in chosen.items():
        if gi in free:
            continue
        for table, value in ((model.x, 1), (model.lead, lead), (model.dep, dep)):
            var = table.get((mi, gi))
            if var is not None:
                domain = variables[var.index].domain
                domain[0] = domain[1] = value
