"""The feasibility phase (teamsolver/engine/feasibility.py): a roster for tight plans whose
greedy roster breaks a hard rule.

Every roster is re-checked by the independent checker. Limits are deterministic (neighbourhood
counts; HiGHS on one thread with node limits and no deadline), never wall-clock asserts; the
time limits given to ``solve`` and ``explain`` only bound a run.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

import teamsolver
from teamsolver import check
from teamsolver.audit import hard_violations
from teamsolver.data.instance import Instance
from teamsolver.data.result import Result
from teamsolver.data.roster import Roster
from teamsolver.engine import feasibility, lns
from teamsolver.engine.greedy import plan
from teamsolver.engine.prep import prepare
from teamsolver.generate import generate


def tight(preset: str = "city", seed: int = 0, **knobs: int) -> Instance:
    """A tightened plan (``tighten=1``) on which the greedy roster breaks a hard rule."""
    instance = generate(preset, seed, tighten=1, **knobs)
    assert hard_violations(instance, check(instance, plan(instance)))
    return instance


def short_of_specialists(instance: Instance) -> tuple[Instance, str]:
    """``instance`` with one specialty held by one member fewer than the plan's first round
    needs in all (every group alone can still be staffed: validation passes): no roster."""
    first = instance.rounds[0]
    need: Counter[str] = Counter()
    most: Counter[str] = Counter()
    for g in instance.groups_in(first):
        for name, n in g.requires:
            need[name] += n
            most[name] = max(most[name], n)
    name = next(s for s in sorted(need) if need[s] - 1 >= most[s])
    holders = [i for i, m in enumerate(instance.members) if name in m.specialties]
    drop = set(holders[need[name] - 1 :])
    members = tuple(
        m.model_copy(update={"specialties": tuple(s for s in m.specialties if s != name)})
        if i in drop
        else m
        for i, m in enumerate(instance.members)
    )
    return instance.model_copy(update={"members": members}), name


def layer(instance: Instance, max_iterations: int) -> Result:
    """The decomposition layer from the phase's roster: one worker, no deadline."""
    repaired = feasibility.first_roster(
        instance, relax=False, time_limit=None, deadline=None, stop=None, seed=0
    )
    assert repaired is not None and repaired.roster is not None
    result = lns.solve_lns(
        instance,
        facts=prepare(instance),
        starts=[repaired.roster],
        baseline=None,
        relax=False,
        deadline=None,
        workers=1,
        seed=0,
        max_iterations=max_iterations,
    )
    assert result is not None
    return result


def test_whole_plan_repaired_in_one_solve() -> None:
    instance = tight("city", 0, members=200, groups=6)
    start = plan(instance)
    done = feasibility.repair(instance, start)
    assert done is not None and done.roster is not None
    assert not hard_violations(instance, check(instance, done.roster))
    assert done.violations > 0 and done.iterations == 1
    assert done.history[0][1] == done.violations and done.history[-1][1] == 0


def test_repair_by_parts_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten groups, six free at a time: the greedy roster is repaired neighbourhood by
    neighbourhood, the same way on every run."""
    monkeypatch.setattr(feasibility, "WHOLE_MAX_PAIRS", 0)
    instance = tight("city", 0, members=300, groups=10)
    start = plan(instance)
    first = feasibility.repair(instance, start, max_iterations=20)
    again = feasibility.repair(instance, start, max_iterations=20)
    assert first is not None and again is not None and first.roster is not None
    assert not hard_violations(instance, check(instance, first.roster))
    assert first.iterations > 1  # by parts, not in one solve
    assert [n for _, n in first.history] == [n for _, n in again.history]
    assert first.roster == again.roster


def test_phase_never_returns_a_roster_the_checker_rejects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cut short (one neighbourhood of a few groups), the phase returns no roster rather than
    the partly repaired one; let run, a clean one."""
    monkeypatch.setattr(feasibility, "WHOLE_MAX_PAIRS", 0)
    monkeypatch.setattr(feasibility, "GROUPS_START", 2)
    for seed in (0, 1, 2):
        instance = tight("city", seed, members=300, groups=10)
        start = plan(instance)
        cut = feasibility.repair(instance, start, max_iterations=1)
        assert cut is not None and cut.iterations == 1
        assert cut.roster is None and cut.history[-1][1] > 0
        full = feasibility.repair(instance, start, max_iterations=60)
        assert full is not None and full.roster is not None
        assert not hard_violations(instance, check(instance, full.roster))


def test_phase_does_not_apply_to_a_clean_roster() -> None:
    instance = generate("city", 0, members=200, groups=6)
    start = plan(instance)
    assert not hard_violations(instance, check(instance, start))
    assert feasibility.repair(instance, start) is None


def test_lean_plan_counts_only_the_broken_rules() -> None:
    instance = tight("city", 0, members=200, groups=6)
    lean = feasibility.lean(instance, {"specialty-coverage"})
    assert lean.rules.mode("specialty-coverage") == "soft"
    assert lean.rules.rule("specialty-coverage").weight == 1  # type: ignore[union-attr]
    assert lean.rules.mode("group-size") == instance.rules.mode("group-size") == "hard"
    assert all(lean.rules.objective.weight(g) == 0 for g in teamsolver.data.settings.GOAL_IDS)
    soft = [r for r in teamsolver.data.settings.RELAXABLE_RULES if instance.rules.mode(r) == "soft"]
    assert soft and all(lean.rules.rule(r).weight == 0 for r in soft)  # type: ignore[union-attr]


def test_search_starts_from_the_repaired_roster() -> None:
    """The decomposition layer takes the phase's roster as its start and searches on."""
    instance = tight("city", 0, members=300, groups=10)
    result = layer(instance, max_iterations=2)
    assert result.roster.seats
    assert not hard_violations(instance, check(instance, result.roster))
    assert result.stats["lns_iterations"] == 2


def test_solve_finds_a_roster_where_the_greedy_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tightened city preset (7,447 allowed pairs: the decomposition layer's path); the
    search stops at its first improving roster (a deterministic limit with one worker). The
    LP bound's thread gets 1 s, so that none outlives the test (``stop`` does not end it)."""
    monkeypatch.setattr(lns, "LP_MAX_S", 1.0)
    instance = tight("city", 0)
    facts = prepare(instance)
    assert lns.applies(instance, facts, 600.0)
    result = teamsolver.solve(instance, time_limit=600, workers=1, solutions=1)
    assert result.status in ("FEASIBLE", "OPTIMAL")
    assert not hard_violations(instance, check(instance, result.roster))
    assert result.stats["lns"] == 1  # the decomposition layer searched from its roster
    assert result.stats["feasibility_roster"] == 1 and result.stats["greedy_first"] == 0
    assert result.stats["feasibility_violations"] > 0
    assert result.first_roster_s is not None


def test_infeasible_plan_still_ends_infeasible_with_its_explanation() -> None:
    """No roster exists: the phase's one whole solve finds no roster without a violation and
    ends at once; the monolithic model then proves the plan infeasible, and ``explain`` names
    the specialty."""
    instance, name = short_of_specialists(tight("year", 0, members=120, groups=6, rounds=2))
    start = plan(instance)
    done = feasibility.repair(instance, start)
    assert done is not None and done.roster is None and done.iterations == 1
    result = teamsolver.solve(instance, time_limit=120, workers=2)
    assert result.status == "INFEASIBLE" and not result.roster.seats
    why = teamsolver.explain(instance, time_limit=120, suggest=False)
    assert why.status == "INFEASIBLE"
    assert any(item.rule == "specialty-coverage" and item.specialty == name for item in why.core)


def test_monolithic_path_starts_from_the_repaired_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tight plan below the decomposition layer's size (1,128 allowed pairs, one round):
    the monolithic model's first roster is the phase's, not CP-SAT's on the hard rules."""
    instance = tight("city", 0, members=200, groups=6)
    assert not lns.applies(instance, prepare(instance), 600.0)
    seen: list[feasibility.Repaired | None] = []
    original = feasibility.first_roster

    def spy(*args: object, **kwargs: object) -> feasibility.Repaired | None:
        done = original(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(done)
        return done

    monkeypatch.setattr(feasibility, "first_roster", spy)
    result = teamsolver.solve(instance, workers=1, solutions=1)
    assert len(seen) == 1 and seen[0] is not None and seen[0].roster is not None
    assert result.status in ("FEASIBLE", "OPTIMAL")
    assert not hard_violations(instance, check(instance, result.roster))
    assert result.stats["greedy_first"] == 0


def test_phase_cut_by_stop_ends_the_solve_without_a_roster() -> None:
    """Stopped before it repairs anything on a plan of the decomposition layer, the phase
    leaves no time for another search: the solve is UNKNOWN (interrupted, no roster), not a
    fall back to the monolithic model (whose build alone overran a 10 s limit at 2,000
    members)."""
    instance = tight("city", 0)
    stop = threading.Event()
    stop.set()
    result = teamsolver.solve(instance, time_limit=600, workers=1, stop=stop)
    assert result.status == "UNKNOWN"
    assert result.interrupted and not result.roster.seats
    assert result.stats["feasibility_roster"] == 0


def test_a_clean_baseline_is_the_start_without_the_phase() -> None:
    """A baseline the checker accepts is a start roster: the phase does not run."""
    instance = tight("city", 0, members=200, groups=6)
    done = feasibility.repair(instance, plan(instance))
    assert done is not None and done.roster is not None

    def phase(baseline: Roster) -> feasibility.Repaired | None:
        return feasibility.first_roster(
            instance,
            relax=False,
            time_limit=None,
            deadline=None,
            stop=None,
            seed=0,
            baseline=baseline,
        )

    assert phase(done.roster) is None
    again = phase(plan(instance))  # the greedy roster as baseline breaks a rule
    assert again is not None and again.roster is not None


def test_first_roster_time_is_the_phases() -> None:
    """The tightened tiny plan (the monolithic path, no time limit): the first roster is the
    phase's, at hand before the model is built."""
    instance = tight("tiny", 0)
    result = teamsolver.solve(instance, workers=1, seed=0)
    assert result.has_roster
    assert not hard_violations(instance, check(instance, result.roster))
    assert result.stats["greedy_first"] == 0 and result.stats["feasibility_roster"] == 1
    # At hand when the phase ended, before the model was built and searched.
    assert result.first_roster_s is not None
    assert result.greedy_time_s < result.first_roster_s < result.wall_time_s
    assert result.first_roster_s < result.wall_time_s - result.build_time_s


def test_lean_plan_keeps_weights_past_the_input_bounds() -> None:
    """The what-if's two steps scale weights past what an input may hold; the lean plan is
    made from them without validating them again (it raised a ValidationError)."""
    instance = tight("city", 0, members=200, groups=6)
    rules = instance.rules
    big = rules.party_branch.model_copy(update={"weight": 2_689_000})
    scaled = instance.model_copy(update={"rules": rules.model_copy(update={"party_branch": big})})
    lean = feasibility.lean(scaled, {"specialty-coverage"})
    assert lean.rules.rule("party-branch").weight == 2_689_000  # type: ignore[union-attr]
    assert lean.rules.mode("specialty-coverage") == "soft"
