"""Unit ancestry in the engine's preprocessing (``engine.prep``): a deep chain of units costs
work in proportion to its depth, counted deterministically (issue 13, item 9: a 2,000-deep chain
took 66 s under ``--time-limit 5``, cubic in the depth)."""

from __future__ import annotations

from pathlib import Path

import pytest

import teamsolver
from teamsolver.data.instance import Instance, Unit
from teamsolver.engine.greedy import plan
from teamsolver.engine.prep import blocked_home_units, prepare, unit_tree

ROOT = Path(__file__).resolve().parents[1]
DEPTH = 2_000


class WorkExceeded(Exception):
    pass


class Budget:
    """Counts the hash and equality tests made with :class:`CountedId` unit ids (every dict or
    set lookup of such a unit, every comparison of one in a list scan) and fails past ``limit``,
    so that a quadratic or cubic walk fails at once instead of running for minutes."""

    def __init__(self) -> None:
        self.used = 0
        self.limit: int | None = None

    def tick(self) -> None:
        self.used += 1
        if self.limit is not None and self.used > self.limit:
            raise WorkExceeded(f"more than {self.limit} unit-id lookups")


BUDGET = Budget()


class CountedId(str):
    """A unit id whose lookups and comparisons are counted by :data:`BUDGET`."""

    __slots__ = ()

    def __hash__(self) -> int:
        BUDGET.tick()
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        BUDGET.tick()
        return str.__eq__(self, other)


def chained(depth: int) -> Instance:
    """The tiny instance under a chain of ``depth`` units (C00000 at the top): every top-level
    unit of tiny hangs below the chain's bottom, so each of its 4 targets has ``depth`` more
    ancestors. Each id is a distinct :class:`CountedId` object, as read from a file."""
    inst = teamsolver.load(ROOT / "instances" / "tiny")

    def cid(i: int) -> CountedId:
        return CountedId(f"C{i:05d}")

    chain = [
        Unit.model_construct(id=cid(i), name=None, parent=cid(i - 1) if i else None, zone=None)
        for i in range(depth)
    ]
    units = [
        u if u.parent is not None else u.model_copy(update={"parent": cid(depth - 1)})
        for u in inst.units
    ]
    # One member moves to the middle of the chain: above every target of the plan.
    members = [
        m.model_copy(update={"unit": f"C{depth // 2:05d}"}) if m.id == "M05" else m
        for m in inst.members
    ]
    return inst.model_copy(update={"units": (*chain, *units), "members": tuple(members)})


@pytest.fixture
def budget() -> Budget:
    BUDGET.used, BUDGET.limit = 0, None
    yield BUDGET  # type: ignore[misc]
    BUDGET.used, BUDGET.limit = 0, None


def test_a_deep_chain_of_units_costs_work_linear_in_its_depth(budget: Budget) -> None:
    inst = chained(DEPTH)
    targets = sum(len(g.targets) for g in inst.groups)
    assert inst.rules.recusal.hierarchy and targets == 4
    # Linear: a few lookups per unit of the chain for each target walked up from (the old
    # preprocessing stored every unit's ancestors, scanning a list at each step: ~DEPTH³/6).
    linear = 10 * len(inst.units) * (1 + targets)
    budget.limit = linear
    facts = prepare(inst)
    assert budget.used > DEPTH * targets  # the ids were counted: each target walked the chain
    budget.used = 0
    greedy = plan(inst)  # the greedy planner prepares the same facts
    assert budget.used <= linear
    # ... and the answers are the full ancestry: the member in the chain's middle sits above
    # every target, so recusal keeps them out of both groups, and everyone else stays allowed.
    mover = next(i for i, m in enumerate(inst.members) if m.id == "M05")
    for gi, g in enumerate(inst.groups):
        assert mover not in facts.allowed[gi]
        assert any(
            "is under their unit C01000" in why.words() for why in facts.recused[(mover, gi)]
        )
        blocked = blocked_home_units(g, facts, hierarchy=True, own_zone=False)
        assert {f"C{i:05d}" for i in range(DEPTH)} <= set(blocked)
    assert all(seat.member != "M05" for seat in greedy.seats)


def test_ancestors_are_nearest_first_and_a_cycle_is_cut_where_it_closes() -> None:
    inst = teamsolver.load(ROOT / "instances" / "tiny")
    units = (
        Unit(id="A", parent="B"),
        Unit(id="B", parent="C"),
        Unit(id="C", parent="A"),  # a cycle (validation refuses it; prepare must not hang)
        Unit(id="D", parent="C"),
        Unit(id="E"),
    )
    tree = unit_tree(inst.model_copy(update={"units": units}))
    assert tree.ancestors("D") == ["C", "A", "B"]
    assert tree.ancestors("A") == ["B", "C"]
    assert tree.ancestors("E") == [] and tree.ancestors("unknown") == []
    assert tree.descendants("C") == {"A", "B", "C", "D"}
    assert tree.descendants("D") == set()


def test_the_checker_walks_a_deep_chain_once_per_unit_it_asks_about(budget: Budget) -> None:
    """The independent checker (``audit.Context``) judged recusal by every unit's ancestors,
    each found with a list scan per step: cubic in the depth (32 s on the greedy roster of a
    2,000-deep chain). It now walks up from each unit asked about, once."""
    inst = chained(DEPTH)
    roster = plan(inst)
    asked = {m.unit for m in inst.members} | {t for g in inst.groups for t in g.targets}
    linear = 10 * len(inst.units) * len(asked)
    budget.used, budget.limit = 0, linear
    found = teamsolver.check(inst, roster)
    assert budget.used > DEPTH  # the chain was walked
    assert [v for v in found if v.rule == "recusal"] == []
    # M05, moved to the chain's middle, sits above every target: seating them is a recusal.
    g1 = inst.groups[0]
    moved = roster.model_copy(
        update={
            "seats": (*roster.seats, teamsolver.Seat(round=g1.round, group=g1.id, member="M05"))
        }
    )
    assert any(v.rule == "recusal" and "M05" in v.members for v in teamsolver.check(inst, moved))
