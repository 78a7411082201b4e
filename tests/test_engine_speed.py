"""The engine's speed levers keep its answers: the greedy first roster, the light pairing rows,
the objective written into the proto, and the build / search split of the result."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from ortools.sat.python import cp_model

from teamsolver import check, objective, solve
from teamsolver.audit import hard_violations
from teamsolver.engine import solve as engine_solve
from teamsolver.engine.greedy import plan
from teamsolver.engine.model import Model
from teamsolver.generate import generate


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every model solved in stages, however small."""
    monkeypatch.setattr(engine_solve, "STAGED_FROM", 0)


@pytest.mark.usefixtures("staged")
def test_a_clean_greedy_roster_is_the_first_roster_and_the_floor() -> None:
    inst = generate("university", 1)
    greedy = plan(inst)
    assert not hard_violations(inst, check(inst, greedy))
    result = solve(inst, time_limit=10, workers=1, seed=0)
    assert result.has_roster
    assert result.stats["greedy_first"] == 1
    # Found before the model was built: at hand when the search started.
    assert result.first_solution_s == 0.0
    assert result.first_roster_s is not None
    assert result.greedy_time_s <= result.first_roster_s < result.greedy_time_s + 1.0
    assert result.first_roster_s < result.greedy_time_s + result.build_time_s
    # The search starts from the greedy roster: it can only end at least as good.
    assert result.objective is not None
    assert result.objective <= objective(inst, greedy)


@pytest.mark.usefixtures("staged")
def test_a_greedy_roster_that_breaks_a_hard_rule_falls_back_to_cp_sat() -> None:
    inst = generate("tiny", 0, tighten=1.0)
    assert hard_violations(inst, check(inst, plan(inst)))  # the scarce specialists defeat it
    result = solve(inst, time_limit=10, workers=1, seed=0)
    assert result.has_roster
    assert result.stats["greedy_first"] == 0
    assert result.first_solution_s is not None and result.first_solution_s > 0
    assert result.first_roster_s == pytest.approx(
        result.greedy_time_s + result.build_time_s + result.first_solution_s
    )


@pytest.mark.usefixtures("staged")
def test_the_staged_search_with_the_greedy_start_is_reproducible() -> None:
    # A wall-clock limit is not a deterministic one (README, Reproducibility: the roster then
    # depends on how far a busy machine got); a solution count with one worker is.
    from teamsolver.whatif import solve_limited

    inst = generate("university", 2)
    runs = [
        solve_limited(inst, baseline=None, time_limit=None, workers=1, seed=4, solutions=2)
        for _ in range(2)
    ]
    assert all(r.stats.get("greedy_first") for r in runs)  # the greedy start is what is tested
    assert runs[0].roster == runs[1].roster


def test_build_and_search_times_add_up_to_at_most_the_call() -> None:
    result = solve(generate("tiny", 0), workers=1)
    assert result.status == "OPTIMAL"
    assert result.build_time_s > 0
    assert result.search_time_s > 0
    assert result.greedy_time_s > 0
    total = result.greedy_time_s + result.build_time_s + result.search_time_s
    assert total <= result.wall_time_s + 1e-9
    assert "search" in result.summary()


@pytest.mark.parametrize("most", [1, 2, 3, 6])
def test_convex_pairs_is_the_number_of_pairs_at_its_minimum(most: int) -> None:
    inst = generate("tiny", 0)
    for count in range(most + 1):
        model = Model(inst, goals=False)
        n = model.cp.new_int_var(count, count, "")
        p = model.convex_pairs(n, most)
        model.cp.minimize(p)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model.cp) == cp_model.OPTIMAL
        assert solver.value(p) == math.comb(count, 2)


def test_the_objective_in_the_proto_is_the_sum_of_the_weighted_parts() -> None:
    inst = generate("tiny", 0, rounds=3)
    result = solve(inst, workers=1)
    assert result.status == "OPTIMAL"
    # The engine's own value of its objective (read from the proto) is the scorer's.
    assert result.solver_objective == result.objective == objective(inst, result.roster)


def test_the_greedy_planner_does_not_import_ortools() -> None:
    code = (
        "import sys, teamsolver.engine.greedy as g; "
        "from teamsolver.generate import generate; g.plan(generate('tiny', 0)); "
        "assert not [m for m in sys.modules if m.startswith('ortools')], 'ortools imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.usefixtures("staged")
def test_no_cp_sat_stage_starts_without_the_time_to_load_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model that (by the estimate) takes longer to load than the time left is not loaded:
    the greedy roster is kept and the time limit holds."""
    monkeypatch.setattr(engine_solve, "LOAD_S_PER_VARIABLE", 1.0)
    monkeypatch.setattr(engine_solve, "PRESOLVE_S_PER_VARIABLE", 1.0)
    inst = generate("university", 1)
    result = solve(inst, time_limit=20, workers=1, seed=0)
    assert result.status == "FEASIBLE"
    assert result.stats["greedy_first"] == 1
    assert result.roster == plan(inst)
    assert result.bound is None
    assert result.search_time_s < 1.0
