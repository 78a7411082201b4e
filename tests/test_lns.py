"""The decomposition layer (teamsolver/engine/lns.py): sub-models, the LNS loop, short lists.

Every roster is re-checked by the independent checker and scored by the independent scorer.
Limits are deterministic (iteration counts, one worker), never wall-clock asserts.
"""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import pytest

import teamsolver
from teamsolver import check, objective
from teamsolver.audit import hard_violations
from teamsolver.data.instance import Instance
from teamsolver.data.result import Progress, Result
from teamsolver.data.roster import Roster
from teamsolver.engine import lns
from teamsolver.engine.prep import prepare
from teamsolver.engine.solve import greedy_roster
from teamsolver.generate import generate_plan


def plan(preset: str, **knobs: int) -> tuple[Instance, Roster]:
    instance, _ = generate_plan(preset, 0, **knobs)
    start = greedy_roster(instance)
    assert start is not None
    return instance, start


def run(
    instance: Instance,
    start: Roster,
    iterations: int,
    *,
    stop: threading.Event | None = None,
    on_progress: lns.Callable[[Progress], None] | None = None,
    seed: int = 0,
) -> Result:
    result = lns.solve_lns(
        instance,
        facts=prepare(instance),
        starts=[start],
        baseline=None,
        relax=False,
        deadline=None,
        workers=1,
        seed=seed,
        stop=stop,
        on_progress=on_progress,
        max_iterations=iterations,
    )
    assert result is not None
    return result


def assert_clean(instance: Instance, result: Result) -> None:
    assert not hard_violations(instance, check(instance, result.roster))
    # The engine's objective is exact: every accepted roster's auxiliary variables are tight.
    assert result.objective == objective(instance, result.roster)


def test_multi_round_lns_is_clean_and_no_worse_than_its_start() -> None:
    instance, start = plan("tiny", rounds=3)
    result = run(instance, start, 6)
    assert_clean(instance, result)
    assert result.status == "FEASIBLE" and result.bound is None  # no bound is claimed
    assert result.objective is not None
    assert result.objective <= objective(instance, start)
    assert result.stats["lns"] == 1 and result.stats["lns_iterations"] == 6
    assert result.stats["lns_rolling"] == 3  # the rolling horizon solved every round first


def test_one_worker_and_an_iteration_limit_are_deterministic() -> None:
    instance, start = plan("tiny", rounds=3)
    first = run(instance, start, 5, seed=3)
    second = run(instance, start, 5, seed=3)
    assert first.roster == second.roster
    assert first.objective == second.objective
    assert first.solutions == second.solutions


def test_one_worker_is_deterministic_on_local_models() -> None:
    """One-round plans search local models (engine/local.py): with one worker and an iteration
    limit the same seed still gives the same roster."""
    instance, start = plan("year", rounds=1)
    first = run(instance, start, 4, seed=5)
    second = run(instance, start, 4, seed=5)
    assert first.roster == second.roster
    assert first.objective == second.objective
    assert_clean(instance, first)


def test_short_lists_on_a_one_round_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A free group with more candidates than POOL_CAP gets a short list; the result says the
    candidate set is not proven sufficient, and the roster stays clean."""
    monkeypatch.setattr(lns, "POOL_CAP", 25)
    instance, start = plan("year", rounds=1)
    assert max(len(a) for a in prepare(instance).allowed) > 25
    result = run(instance, start, 4)
    assert_clean(instance, result)
    assert result.objective is not None and result.objective <= objective(instance, start)
    assert result.stats["candidates"] == "short list, not proven sufficient"


def test_stop_keeps_the_best_roster() -> None:
    instance, start = plan("tiny", rounds=3)
    stop = threading.Event()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if len(seen) == 2:
            stop.set()  # the first improving roster (after the start) ends the search

    result = run(instance, start, 50, stop=stop, on_progress=progress)
    assert len(seen) == 2, "the search found no improving roster to stop on"
    assert result.interrupted
    assert result.stats["lns_iterations"] < 50
    assert result.objective == seen[-1].objective
    assert seen[-1].bound == float("-inf")  # no valid bound known: none reported
    assert_clean(instance, result)


def test_the_start_roster_is_the_first_roster_reported() -> None:
    """A live chart (the CLI's progress, the service's events) starts at the start roster, as
    it does when CP-SAT reports its hinted roster; each later roster is better."""
    instance, start = plan("tiny", rounds=3)
    seen: list[Progress] = []
    result = run(instance, start, 20, on_progress=seen.append)
    assert seen[0].objective == objective(instance, start) and seen[0].solutions == 1
    assert [p.solutions for p in seen] == list(range(1, len(seen) + 1))
    assert all(a.objective > b.objective for a, b in pairwise(seen))
    assert result.objective == seen[-1].objective and result.solutions == len(seen)
    assert_clean(instance, result)


def test_sub_model_fixes_the_groups_outside_the_neighbourhood() -> None:
    """A roster of a sub-model keeps every seat and role of its fixed groups."""
    instance, start = plan("tiny", rounds=3)
    facts = prepare(instance)
    chosen = lns.chosen_from(instance, start)
    assert chosen is not None
    free = set(facts.groups_of_round[1])
    model = lns.sub_model(instance, facts, None, False, chosen, free)
    solver = lns.make_solver(1, 0, None, False)
    solver.parameters.max_deterministic_time = 5.0
    assert lns._run(solver, model.cp, None, None) in (2, 4)  # FEASIBLE or OPTIMAL
    found = lns.chosen_values(solver, model)
    assert {k: v for k, v in found.items() if k[1] not in free} == {
        k: v for k, v in chosen.items() if k[1] not in free
    }


def test_a_start_roster_found_after_the_deadline_is_returned() -> None:
    """The greedy may finish after the time limit on a busy machine (province, 10 s): its roster
    comes back rather than the monolithic model being built."""
    instance, start = plan("tiny", rounds=3)
    result = lns.solve_lns(
        instance,
        facts=prepare(instance),
        starts=[start],
        baseline=None,
        relax=False,
        deadline=time.perf_counter() - 1.0,
        workers=2,
        seed=0,
    )
    assert result is not None
    assert result.stats["lns_iterations"] == 0
    assert result.objective == objective(instance, start)
    assert_clean(instance, result)


def test_a_baseline_that_breaks_a_hard_rule_is_not_a_start() -> None:
    instance, start = plan("tiny", rounds=3)
    broken = Roster(seats=start.seats[1:])  # a group short of a member or of its leader
    assert hard_violations(instance, check(instance, broken))
    result = lns.solve_lns(
        instance,
        facts=prepare(instance),
        starts=[broken],
        baseline=None,
        relax=False,
        deadline=None,
        workers=1,
        seed=0,
        max_iterations=1,
    )
    assert result is None


def test_solve_uses_the_layer_on_multi_round_plans_under_a_time_limit() -> None:
    instance, _ = generate_plan("university", 0)
    result = teamsolver.solve(instance, time_limit=8, workers=2)
    assert result.stats.get("lns") == 1
    assert result.has_roster and result.bound is None
    assert not hard_violations(instance, check(instance, result.roster))
    assert result.objective == objective(instance, result.roster)
    # Without a time limit the monolithic model is the proof path (not run here: too long).
    assert not lns.applies(instance, prepare(instance), None)


def test_a_one_round_plan_gets_the_lp_bound_of_the_whole_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Solved beside the search, the LP bound is valid: never above the proven optimum."""
    monkeypatch.setattr(lns, "ONE_ROUND_FROM", 0)  # this small plan too goes to the layer
    instance, _ = generate_plan("university", 0, rounds=1)
    optimum = teamsolver.solve(instance, workers=1)  # no time limit: the monolithic proof
    assert optimum.status == "OPTIMAL" and optimum.objective is not None
    seen: list[Progress] = []
    result = teamsolver.solve(instance, time_limit=12, workers=2, on_progress=seen.append)
    assert result.stats.get("lns") == 1 and result.stats["lp_bound"] == 1
    assert result.bound is not None and result.bound <= optimum.objective
    assert result.objective is not None and result.objective >= optimum.objective
    assert all(p.bound <= optimum.objective for p in seen)
    assert not hard_violations(instance, check(instance, result.roster))


@pytest.mark.parametrize("variant", ["plain", "baseline", "tight caps"])
def test_local_models_give_the_plans_objective(
    variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One-round plans search local models (engine/local.py: the free groups, the groups at
    the extremes of the balance goals, caps lowered by the seats left out). Each roster the
    search accepts is checker-clean and its objective, the incumbent's plus the difference of
    two local objectives, is the independent scorer's; its parts are the scorer's goals."""
    monkeypatch.setattr(lns, "SUB_LIMIT", 0.3)  # deterministic time, one worker
    instance, start = plan("city")
    baseline = None
    if variant == "baseline":
        # The seats of the first groups: stability counts in every neighbourhood.
        ids = {g.id for g in instance.groups[:8]}
        baseline = Roster(seats=tuple(s for s in start.seats if s.group in ids))
    if variant == "tight caps":
        # Two seats per unit and round (the greedy's roster has 28 units at three): the caps
        # lowered by the seats left out bind.
        rules = instance.rules.model_copy(
            update={
                "unit_draw_cap": instance.rules.unit_draw_cap.model_copy(
                    update={"max_per_round": 2}
                )
            }
        )
        instance = instance.model_copy(update={"rules": rules})
        tight = greedy_roster(instance)
        assert tight is not None
        start = tight
    facts = prepare(instance)
    search = lns.Search(
        instance,
        facts=facts,
        baseline=baseline,
        relax=False,
        workers=1,
        seed=0,
        deadline=None,
        stop=None,
        on_progress=None,
    )
    assert search.local
    chosen = lns.chosen_from(instance, start)
    assert chosen is not None
    best = search.evaluate(chosen)
    assert best is not None
    kind = search.kinds[0]
    improved = 0
    for size in (2, 3, 4, 2, 3, 4):
        kind.size = float(size)
        free, candidates = search.neighbourhood(kind, best.chosen)
        _, found = search.attempt(free, candidates, best)
        if found is None:
            continue
        improved += 1
        roster = lns.make_roster(instance, found.chosen)
        assert not hard_violations(instance, check(instance, roster))
        assert found.objective < best.objective
        assert found.objective == objective(instance, roster, baseline)
        scored = teamsolver.score(instance, roster, baseline)
        assert {k: v for k, v in found.goals.items()} == {k: scored[k] for k in found.goals}
        best = found
    assert improved >= 2
