"""Golfer plans (``generate_golfer``) and the engine's symmetry break (``engine/symmetry.py``).

A golfer plan must be valid, solvable by ``teamsolver.solve`` to a checker-clean roster in which
every member sits every round and no two members meet twice, and the benchmark's naive peer must
give such rosters too. The symmetry break must be exact: on small plans whose rosters can all be
listed, the break keeps a roster of every class of rosters equal up to a permutation of
interchangeable members and groups (checked against a brute-force canonical form), and it adds
nothing where members can be told apart.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.data.instance import Instance
from teamsolver.data.roster import Roster
from teamsolver.engine import symmetry
from teamsolver.engine.model import Model
from teamsolver.engine.solve import chosen_of, complete_solution, greedy_roster
from teamsolver.generate import GenerateError, generate_golfer
from teamsolver.validation import validate_instance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import golfer  # noqa: E402


def assert_golfer_roster(instance: Instance, roster: Roster) -> None:
    """Checker-clean, everyone in every round, and every pair together at most once."""
    assert hard_violations(instance, teamsolver.check(instance, roster)) == []
    seats = {(s.member, s.round) for s in roster.seats}
    assert seats == {(m.id, r) for m in instance.members for r in instance.rounds}
    met: list[frozenset[str]] = []
    for g in instance.groups:
        here = sorted(s.member for s in roster.seats if s.group == g.id)
        assert len(here) == g.size_min == g.size_max
        met.extend(frozenset(p) for p in itertools.combinations(here, 2))
    assert len(met) == len(set(met))


@pytest.mark.parametrize(("members", "size", "rounds"), [(9, 3, 4), (15, 3, 7), (25, 5, 6)])
def test_golfer_plans_are_valid_and_alike(members: int, size: int, rounds: int) -> None:
    inst = generate_golfer(members, size, rounds)
    assert validate_instance(inst) == []
    assert len(inst.members) == members
    assert inst.rounds == tuple(f"R{r + 1}" for r in range(rounds))
    assert len(inst.groups) == members // size * rounds
    assert {(g.size_min, g.size_max) for g in inst.groups} == {(size, size)}
    assert symmetry.interchangeable(inst)
    rules = inst.rules
    assert rules.mode("no-repeat-pairing") == "hard"
    assert rules.mode("group-size") == "hard"
    assert all(rules.objective.weight(goal) == 0 for goal in teamsolver.data.settings.GOAL_IDS)


def test_a_golfer_plan_that_cannot_be_written_is_refused() -> None:
    with pytest.raises(GenerateError, match="divides the members"):
        generate_golfer(10, 3, 2)


def test_the_planted_rosters_of_nothing_else_bind() -> None:
    """Any partition into groups of the size, every round, is clean apart from pairing: the
    rules off and the quotas of 0 leave only one seat per round, sizes and pairing."""
    inst = generate_golfer(6, 3, 2)
    same = Roster.of(
        teamsolver.Seat(round=g.round, group=g.id, member=f"M{i}", role="member")
        for g in inst.groups
        for i in ((1, 2, 3) if g.id.endswith("G1") else (4, 5, 6))
    )
    broken = {v.rule for v in hard_violations(inst, teamsolver.check(inst, same))}
    assert broken == {"no-repeat-pairing"}


def test_teamsolver_solves_a_small_golfer_plan_deterministically() -> None:
    """9 golfers in groups of 3 for 4 rounds (the affine plane of order 3: every pair meets
    exactly once), one worker and no time limit: the first roster is a golfer roster."""
    inst = generate_golfer(9, 3, 4)
    first = teamsolver.solve(inst, workers=1, seed=0, solutions=1)
    assert first.has_roster
    assert_golfer_roster(inst, first.roster)
    again = teamsolver.solve(inst, workers=1, seed=0, solutions=1)
    assert again.roster == first.roster


def test_the_naive_peer_gives_golfer_rosters() -> None:
    inst = generate_golfer(9, 3, 4)
    roster = golfer.naive(inst, time_limit=600, workers=1, seed=0)
    assert roster is not None
    assert_golfer_roster(inst, roster)


# -- the symmetry break is exact ---------------------------------------------------------------
def matrices(model: Model) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Every seat matrix (a row per member, a column per group) of the model's hard rules."""
    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    solver.parameters.num_workers = 1
    model.cp.clear_objective()  # type: ignore[no-untyped-call]
    found: list[tuple[tuple[int, ...], ...]] = []
    n, k = len(model.instance.members), len(model.instance.groups)

    class Collect(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            found.append(
                tuple(
                    tuple(
                        int(self.value(model.x[(m, g)])) if (m, g) in model.x else 0
                        for g in range(k)
                    )
                    for m in range(n)
                )
            )

    assert solver.solve(model.cp, Collect()) == cp_model.OPTIMAL
    yield from found


def canonical(
    matrix: tuple[tuple[int, ...], ...], rounds: list[list[int]]
) -> tuple[tuple[int, ...], ...]:
    """The largest matrix of the class: rows permuted, and columns permuted within rounds."""
    best: tuple[tuple[int, ...], ...] | None = None
    for perms in itertools.product(*(itertools.permutations(r) for r in rounds)):
        cols = [c for p in perms for c in p]
        rows = sorted((tuple(row[c] for c in cols) for row in matrix), reverse=True)
        candidate = tuple(rows)
        if best is None or candidate > best:
            best = candidate
    assert best is not None
    return best


def small_plan(members: int, per_round: int, rounds: int, low: int, high: int) -> Instance:
    """A golfer plan with size bounds ``low``..``high`` and pairing soft: many rosters, some
    members left out of a round."""
    inst = generate_golfer(2 * per_round, 2, rounds)
    alike = inst.members[0]
    people = tuple(
        alike.model_copy(update={"id": f"M{i + 1}", "name": f"golfer {i + 1}"})
        for i in range(members)
    )
    groups = tuple(g.model_copy(update={"size_min": low, "size_max": high}) for g in inst.groups)
    rules = inst.rules.model_copy(
        update={
            "no_repeat_pairing": inst.rules.no_repeat_pairing.model_copy(update={"mode": "soft"})
        }
    )
    return inst.model_copy(update={"members": people, "groups": groups, "rules": rules})


@pytest.mark.parametrize(
    ("members", "per_round", "rounds", "low", "high"),
    [(4, 2, 3, 1, 2), (5, 2, 2, 1, 3), (4, 2, 2, 2, 2), (6, 3, 2, 2, 2), (5, 3, 1, 0, 2)],
)
def test_the_symmetry_break_keeps_every_class_of_rosters(
    members: int, per_round: int, rounds: int, low: int, high: int
) -> None:
    inst = small_plan(members, per_round, rounds, low, high)
    by_round = [[gi for gi, g in enumerate(inst.groups) if g.round == r] for r in inst.rounds]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(symmetry, "applies", lambda model: False)  # the model without the break
        plain = Model(inst, goals=False)
    assert not plain.symmetric
    whole = list(matrices(plain))
    broken_model = Model(inst, goals=False)
    assert broken_model.symmetric  # the engine's model breaks the symmetry itself
    broken = list(matrices(broken_model))
    assert 0 < len(broken) < len(whole)
    assert set(broken) <= set(whole)
    classes = {canonical(m, by_round) for m in whole}
    assert {canonical(m, by_round) for m in broken} == classes


def test_the_break_applies_only_where_nothing_tells_members_apart() -> None:
    inst = generate_golfer(6, 3, 2)
    assert Model(inst).symmetric
    members = list(inst.members)
    members[0] = members[0].model_copy(update={"rating": 90})
    rated = inst.model_copy(update={"members": tuple(members)})
    pinned = inst.model_copy(
        update={"pins": (teamsolver.data.instance.Pin(member="M1", group="R1G2", kind="forbid"),)}
    )
    for other in (rated, pinned):
        assert not symmetry.interchangeable(other)
        assert not Model(other).symmetric
    assert not Model(inst, guarded=True).symmetric
    assert not Model(inst, baseline=Roster()).symmetric


@pytest.mark.parametrize(("members", "size", "rounds"), [(9, 3, 2), (16, 4, 2), (12, 3, 3)])
def test_a_greedy_roster_relabelled_meets_the_break(members: int, size: int, rounds: int) -> None:
    """The engine completes the greedy roster in the full model: under the break it must be
    relabelled first (as the raw one breaks the order), keeping its violations and objective."""
    inst = generate_golfer(members, size, rounds)
    raw = greedy_roster(inst)
    assert raw is not None
    model = Model(inst)
    assert model.symmetric
    raw_seats = chosen_of(inst, model, raw)
    assert raw_seats is not None
    assert complete_solution(model, raw_seats, 0, None, None, False) is None
    relabelled = symmetry.canonical(model, raw)
    assert teamsolver.check(inst, relabelled) == teamsolver.check(inst, raw) == []
    assert teamsolver.objective(inst, relabelled) == teamsolver.objective(inst, raw)
    seats = chosen_of(inst, model, relabelled)
    assert seats is not None
    assert complete_solution(model, seats, 0, None, None, False) is not None


def test_the_linear_form_for_highs_writes_the_break() -> None:
    """The break is written in rows the linear form can express (no domain with a hole): a
    plan of interchangeable members over two rounds still races HiGHS."""
    from teamsolver.engine import linear

    model = Model(generate_golfer(6, 3, 2))
    assert model.symmetric
    form = linear.form_of(model)
    assert form  # no Unsupported raised
