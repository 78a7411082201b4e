"""The engine's speed levers keep its answers: the greedy first roster, the light pairing rows,
the objective written into the proto, and the build / search split of the result."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from typing import Any

import pytest
from ortools.sat.python import cp_model

from teamsolver import check, objective, solve
from teamsolver.audit import hard_violations
from teamsolver.engine import feasibility, lns, mip
from teamsolver.engine import solve as engine_solve
from teamsolver.engine.greedy import plan
from teamsolver.engine.model import Model
from teamsolver.generate import generate
from teamsolver.rules import group_size as group_size_rule


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every model solved in stages, however small (and as the monolithic model: no plan
    handed to the LNS layer of engine/lns.py)."""
    monkeypatch.setattr(engine_solve, "STAGED_FROM", 0)
    monkeypatch.setattr(lns, "MULTI_ROUND_FROM", 10**12)
    monkeypatch.setattr(lns, "ONE_ROUND_FROM", 10**12)


@pytest.fixture
def cp_sat_runs(monkeypatch: pytest.MonkeyPatch) -> list[cp_model.CpModel]:
    """Every model a CP-SAT solver was started on (``engine.solve._run``): where a test says
    that no search ran, it counts the searches instead of timing them."""
    runs: list[cp_model.CpModel] = []
    run = engine_solve._run

    def counted(solver: cp_model.CpSolver, cp: cp_model.CpModel, *args: Any) -> int:
        runs.append(cp)
        return run(solver, cp, *args)

    monkeypatch.setattr(engine_solve, "_run", counted)
    return runs


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
    # validation + greedy, against greedy + (validation + build): before the build ended
    assert (
        result.greedy_time_s <= result.first_roster_s < result.greedy_time_s + result.build_time_s
    )
    # The search starts from the greedy roster: it can only end at least as good.
    assert result.objective is not None
    assert result.objective <= objective(inst, greedy)


@pytest.mark.usefixtures("staged")
def test_a_greedy_roster_that_breaks_a_hard_rule_falls_back_to_cp_sat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inst = generate("tiny", 0, tighten=1.0)
    assert hard_violations(inst, check(inst, plan(inst)))  # the scarce specialists defeat it
    # Without the feasibility phase (tests/test_feasibility.py has it), or when it finds none.
    monkeypatch.setattr(feasibility, "first_roster", lambda *args, **kwargs: None)
    result = solve(inst, workers=1, seed=0)  # no time limit: CP-SAT's roster, however slow
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
    monkeypatch: pytest.MonkeyPatch, cp_sat_runs: list[cp_model.CpModel]
) -> None:
    """A model that (by the estimate) takes longer to load than the time left is not loaded:
    the greedy roster is kept and the time limit holds."""
    # 1 s per variable, for loading (stage 2) and for presolving (stage 3) alike. (Patching
    # LOAD_S_PER_VARIABLE does not reach stage 2: it is load_time's default argument, read once.)
    monkeypatch.setattr(engine_solve, "load_time", lambda model, *_: len(model.cp.proto.variables))
    inst = generate("university", 1)
    result = solve(inst, time_limit=20, workers=1, seed=0)
    assert result.status == "FEASIBLE"
    assert result.stats["greedy_first"] == 1
    assert result.roster == plan(inst)
    assert result.bound is None
    assert cp_sat_runs == []


@pytest.mark.usefixtures("staged")
def test_stage_two_completes_the_hint_in_the_model_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No copy of the model (at province a copy was 390 MB, the excess over 2 GB): the greedy
    seats are fixed by a hint in the model, and the search starts from the complete hint."""

    def no_copy(self: cp_model.CpModel) -> cp_model.CpModel:
        raise AssertionError("the model was copied")

    monkeypatch.setattr(cp_model.CpModel, "clone", no_copy)
    inst = generate("university", 1)
    greedy = plan(inst)
    model = Model(inst)
    chosen = engine_solve.chosen_of(inst, model, greedy)
    assert chosen is not None
    completer = engine_solve.complete_solution(model, chosen, 0, None, None, False)
    assert completer is not None
    assert not model.cp.proto.has_solution_hint()  # the fixing hint is gone again
    assert engine_solve.make_roster(inst, engine_solve.chosen_values(completer, model)) == (
        engine_solve.make_roster(inst, chosen)
    )
    assert round(completer.objective_value) == objective(inst, greedy)
    # The search itself is not what is tested: it ends at its first roster (a stop, not a
    # time limit, which a busy machine could reach before the hint is complete).
    stop = threading.Event()
    result = engine_solve.solve_model(
        inst,
        model,
        deadline=None,
        workers=1,
        seed=0,
        initial=greedy,
        stop=stop,
        on_progress=lambda _: stop.set(),
    )
    assert result.stats["greedy_first"] == 1
    hint = model.cp.proto.solution_hint
    assert list(hint.vars) == list(range(len(model.cp.proto.variables)))  # complete
    assert result.objective is not None and result.objective <= objective(inst, greedy)


def test_a_stop_during_the_build_ends_it_and_keeps_the_greedy_roster(
    monkeypatch: pytest.MonkeyPatch, cp_sat_runs: list[cp_model.CpModel]
) -> None:
    """Ctrl-C while a large model is built: the build ends at its next step and the greedy
    roster (checker-clean, found before the build) comes back at once."""
    inst = generate("university", 1)
    greedy = engine_solve.greedy_roster(inst)
    assert greedy is not None
    stop = threading.Event()
    full = Model(inst)
    ran: list[str] = []
    original = group_size_rule.encode

    def group_size_then_stop(m: Model) -> None:
        original(m)
        ran.append("group-size")
        stop.set()  # pressed while this step ran

    monkeypatch.setattr(group_size_rule, "encode", group_size_then_stop)
    model = Model(inst, stop=stop)
    assert ran == ["group-size"] and model.stopped and not full.stopped
    assert len(model.cp.proto.constraints) < len(full.cp.proto.constraints)
    assert not model.cp.proto.has_objective()
    result = engine_solve.solve_model(
        inst, model, deadline=None, workers=1, seed=0, stop=stop, initial=greedy
    )
    assert result.status == "FEASIBLE" and result.interrupted
    assert result.roster == greedy
    assert result.first_solution_s == 0.0 and cp_sat_runs == []  # no search: returned at once
    empty = engine_solve.solve_model(inst, model, deadline=None, workers=1, seed=0, stop=stop)
    assert empty.status == "UNKNOWN" and not empty.has_roster


@pytest.mark.parametrize("backend", ["cp-sat", "highs"])
def test_solve_stopped_before_the_build_returns_the_greedy_roster_at_once(
    backend: str, monkeypatch: pytest.MonkeyPatch, cp_sat_runs: list[cp_model.CpModel]
) -> None:
    """``teamsolver.solve`` passes ``stop`` on to the build: a stop set when the build starts
    (Ctrl-C during the greedy) gives the greedy's checker-clean roster without building or
    searching, whatever the backend (a half-built model has no linear form for HiGHS)."""
    inst = generate("university", 1)
    greedy = engine_solve.greedy_roster(inst)
    assert greedy is not None
    stop = threading.Event()
    stop.set()
    races: list[object] = []
    monkeypatch.setattr(mip, "race", lambda *args, **kwargs: races.append(args))
    result = solve(inst, time_limit=60, workers=2, stop=stop, backend=backend)  # type: ignore[arg-type]
    assert result.status == "FEASIBLE" and result.interrupted
    assert result.roster == greedy and result.stats["greedy_first"] == 1
    assert cp_sat_runs == [] and races == []  # no CP-SAT search, no HiGHS process: at once


@pytest.mark.parametrize(
    ("indices", "coeffs"),
    [
        ([0, 1, 2, 3], [1, 1, 1, 1]),  # a group's seats: already in order
        ([3, 0, 2], [1, -2, 1]),  # out of order
        ([1, 4, 1, 2], [1, 1, -1, 3]),  # a repeat that cancels
        ([2, 0, 0], [0, 1, 2]),  # a zero coefficient, a repeat that adds up
        ([], []),
    ],
)
def test_a_row_written_into_the_proto_is_the_row_cp_sat_writes(
    indices: list[int], coeffs: list[int]
) -> None:
    """The build writes its long rows straight into the proto (25× faster at 5,600 terms);
    they must be the very rows ``cp.add`` writes, so the model stays the same."""
    inst = generate("tiny", 0)
    fast, slow = Model(inst, goals=False), Model(inst, goals=False)
    xs = [slow.cp.get_int_var_from_proto_index(i) for i in range(5)]
    expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in indices], coeffs)
    for low, high, ct in ((2, 2**63 - 1, expr >= 2), (-(2**63), 1, expr <= 1)):
        fast.row((list(indices), list(coeffs)), low, high)
        slow.cp.add(ct)
    assert str(fast.cp.proto) == str(slow.cp.proto)


def test_seat_variables_in_bulk_are_plain_booleans_in_group_order() -> None:
    inst = generate("university", 0)
    model = Model(inst, goals=False)
    for gi, members in enumerate(model.by_group):
        assert [model.x[(mi, gi)].index for mi in members] == model.group_index[gi]
    proto = model.cp.proto
    assert all(list(proto.variables[v.index].domain) == [0, 1] for v in model.x.values())
    assert all(not proto.variables[v.index].name for v in model.x.values())


def test_a_stop_before_stage_one_builds_no_hard_rules_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inst = generate("tiny", 0, tighten=1.0)  # the greedy roster breaks a rule: stage 1 is CP-SAT
    model = Model(inst)
    stop = threading.Event()
    stop.set()
    built: list[Model] = []
    original = Model._variables

    def variables(self: Model) -> None:
        built.append(self)
        original(self)

    monkeypatch.setattr(Model, "_variables", variables)
    code, chosen, completed, greedy = engine_solve._first_roster(
        inst, model, 1, 0, None, stop, False
    )
    assert (code, chosen, completed, greedy) == (int(cp_model.UNKNOWN), None, None, False)
    assert not built  # the hard-rules model stopped before its first step
