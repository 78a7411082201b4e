"""The HiGHS backend (``teamsolver.engine.mip``, through OR-Tools' MathOpt) and its race with
CP-SAT behind ``teamsolver.solve(backend=...)``: the same optima as enumeration and CP-SAT,
checker-clean rosters, valid bounds, ``workers=1`` still deterministic, ``stop`` honoured, and
a model the linear form cannot express handled plainly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import teamsolver.engine.model as engine_model
from teamsolver import check, load, objective, solve
from teamsolver.audit import hard_violations
from teamsolver.data.instance import Instance
from teamsolver.data.result import Progress, Result
from teamsolver.engine import mip
from teamsolver.engine.highs import improving_line
from teamsolver.engine.linear import Unsupported, export
from teamsolver.generate import generate
from teamsolver.score import score

from .bruteforce import best
from .strategies import tiny_instances

ROOT = Path(__file__).resolve().parents[1]
#: A time limit far beyond what any search here needs: the tests that use it end by a stop or a
#: proof, and a run that waited for the limit instead would fail on what it reports, not on a
#: clock.
FAR = 600


def clean(instance: Instance, result: Result) -> bool:
    return result.has_roster and not hard_violations(instance, check(instance, result.roster))


def examples(n: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(
        max_examples=n, derandomize=True, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip


# Each solve starts a HiGHS process (about 1 s on busy cores): 15 examples by default.
@examples(15)
@given(tiny_instances())
def test_highs_matches_enumeration(instance: Instance) -> None:
    highs_matches_enumeration(instance)


@pytest.mark.slow
@examples(100)
@given(tiny_instances())
def test_highs_matches_enumeration_more(instance: Instance) -> None:
    highs_matches_enumeration(instance)


def highs_matches_enumeration(instance: Instance) -> None:
    expected, witness = best(instance)
    if expected is None or any(p.severity == "error" for p in teamsolver_problems(instance)):
        return  # validation and infeasibility are the CP-SAT tests' business
    result = solve(instance, workers=1, seed=0, backend="highs")
    assert result.status == "OPTIMAL"
    assert clean(instance, result)
    assert result.objective == expected, f"enumeration found {expected} with {witness}"
    assert result.solver_objective == result.objective  # HiGHS's objective is the scorer's
    assert result.bound is not None and result.bound <= expected
    assert result.goals == score(instance, result.roster)
    assert result.engine_goals == {
        g: v for g, v in result.goals.items() if g in result.engine_goals
    }


def teamsolver_problems(instance: Instance) -> list[Any]:
    from teamsolver.validation import validate_instance

    return validate_instance(instance)


@pytest.mark.parametrize(
    "instance",
    [load(ROOT / "instances" / "tiny"), generate("tiny", 1), generate("tiny", 3)],
    ids=["tiny-file", "tiny-1", "tiny-3"],
)
def test_highs_reaches_the_cp_sat_optimum(instance: Instance) -> None:
    cp = solve(instance, workers=2, seed=0, backend="cp-sat")
    hi = solve(instance, workers=1, seed=0, backend="highs")
    assert cp.status == hi.status == "OPTIMAL"
    assert hi.objective == cp.objective
    assert clean(instance, hi)
    assert hi.stats["backend"] in ("highs", "greedy")
    assert cp.stats["backend"] == "cp-sat"


def test_auto_races_on_small_one_round_plans_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def races(inst: Instance, workers: int = 2, time_limit: float | None = 10) -> bool:
        return mip.races(inst, engine_model.Model(inst), workers=workers, time_limit=time_limit)

    year = generate("year", 0, rounds=1)  # 2,270 seats: where HiGHS wins
    assert races(year)
    assert not races(year, workers=1)  # deterministic: CP-SAT alone
    assert not races(year, time_limit=None)  # not measured
    assert not races(year, time_limit=5)  # HiGHS's process starts too late to pay
    assert not races(generate("year", 0, rounds=2))
    assert races(generate("university", 0, rounds=1))
    monkeypatch.setattr(mip, "RACE_MAX_SEATS", 2_000)
    assert not races(year)


def test_the_race_returns_a_clean_roster_and_a_valid_bound() -> None:
    inst = generate("university", 0, rounds=1)
    seen: list[Progress] = []
    # A limit far above what either side needs: the race ends by a proof, not by the clock
    # (with 10 s, a busy machine could end it before any bound was known).
    result = solve(inst, time_limit=FAR, workers=2, seed=0, on_progress=seen.append)
    assert mip.races(inst, engine_model.Model(inst), workers=2, time_limit=FAR)
    assert result.stats["backend"] in ("cp-sat", "highs")
    assert clean(inst, result)
    assert result.objective == objective(inst, result.roster)
    assert result.bound is not None and result.bound <= result.objective
    # The bound is the larger of two valid bounds: never above the proven optimum.
    optimum = solve(inst, workers=2, seed=0, backend="cp-sat")
    assert optimum.status == "OPTIMAL" and optimum.objective is not None
    assert result.bound <= optimum.objective
    if result.status == "OPTIMAL":
        assert result.objective == optimum.objective
    # Progress reports only ever improve, whichever side found them.
    objectives = [p.objective for p in seen]
    assert objectives == sorted(objectives, reverse=True)
    assert len(set(objectives)) == len(objectives)


def test_auto_with_one_worker_is_cp_sat_alone_and_reproducible() -> None:
    inst = generate("university", 0, rounds=1)
    # A time limit far above the proof's few seconds: the runs end by the proof, not by the
    # clock, however busy the machine.
    assert not mip.races(inst, engine_model.Model(inst), workers=1, time_limit=600)
    runs = [solve(inst, time_limit=600, workers=1, seed=3) for _ in range(2)]
    assert all(r.stats["backend"] == "cp-sat" and "highs_finished" not in r.stats for r in runs)
    assert runs[0].status == "OPTIMAL"
    assert runs[0].roster == runs[1].roster


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every HiGHS child process started during the test."""
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def record(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = popen(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(subprocess, "Popen", record)
    return started


def on_child(method: str, then: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> None:
    """Call ``then`` as soon as the race has handed its job to the HiGHS child
    (``method="send"``) or has read the child's answer (``"_read"``)."""
    original = getattr(mip._Child, method)

    def and_then(self: mip._Child, *args: Any) -> None:
        original(self, *args)
        then()

    monkeypatch.setattr(mip._Child, method, and_then)


def cp_sat_calls(
    monkeypatch: pytest.MonkeyPatch, before: Callable[[], object] = lambda: None
) -> list[dict[str, Any]]:
    """The keyword arguments of each call of CP-SAT's staged search (``solve_model``), each
    made once ``before()`` has returned."""
    from teamsolver.engine import solve as engine_solve

    calls: list[dict[str, Any]] = []
    solve_model = engine_solve.solve_model

    def spy(*args: Any, **kwargs: Any) -> Result:
        calls.append(kwargs)
        before()
        return solve_model(*args, **kwargs)

    monkeypatch.setattr(engine_solve, "solve_model", spy)
    return calls


def alive_children() -> list[str]:
    """The pids of this process's live children (Linux: every thread's ``children`` list)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    if not tasks.is_dir():
        return []
    pids: list[str] = []
    for t in tasks.iterdir():
        try:
            pids.extend((t / "children").read_text().split())
        except FileNotFoundError:  # the thread ended between the listing and the read
            continue
    return pids


@pytest.mark.parametrize("backend", ["highs", "auto"])
def test_stop_returns_at_once_with_a_roster_and_ends_highs(
    backend: str, children: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped as soon as HiGHS has its job (about 2,300 seats: it needs far more than the
    moment a stop takes): the child is killed before it answers. Had the race waited for HiGHS
    instead, HiGHS would have answered (by the proof or at its limit): ``highs_finished``."""
    inst = generate("year", 0, rounds=1)
    stop = threading.Event()
    on_child("send", stop.set, monkeypatch)
    result = solve(inst, time_limit=FAR, workers=2, seed=0, stop=stop, backend=backend)  # type: ignore[arg-type]
    assert result.interrupted
    assert clean(inst, result)  # at least the greedy roster
    assert result.stats["highs_finished"] == 0
    assert result.stats["highs_killed"] == 1 and "highs_failed" not in result.stats
    assert len(children) == 1 and children[0].returncode is not None  # killed and reaped
    assert not alive_children()


def test_a_cp_sat_proof_ends_highs_at_once(
    children: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A HiGHS child that would answer only after 2 minutes (real HiGHS may prove tiny first
    on a busy machine): CP-SAT's proof ends it unanswered. Had the race waited for it (until
    its limit), it would have answered: ``highs_finished``."""
    source = (
        "import json, time; time.sleep(120); "
        "print(json.dumps({'event': 'done', 'outcome': {'status': 'UNKNOWN'}}))"
    )
    monkeypatch.setattr(mip, "child_command", lambda: [sys.executable, "-c", source])
    inst = load(ROOT / "instances" / "tiny")
    result = solve(inst, time_limit=FAR, workers=2, seed=0)
    assert result.status == "OPTIMAL" and result.stats["backend"] == "cp-sat"
    assert result.stats["highs_finished"] == 0 and result.stats["highs_killed"] == 1
    assert len(children) == 1 and children[0].returncode is not None
    assert not alive_children()


#: Children that go wrong: (python source, what stats["highs_error"] says).
BAD_CHILDREN = {
    "garbage": ("print('not json')", "unreadable answer"),
    "crash": ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "exit code -9"),
    "error": (
        "import json; print(json.dumps({'event': 'error', 'error': 'MemoryError: boom'}))",
        "MemoryError: boom",
    ),
    "optimal without values": (
        "import json; print(json.dumps({'event': 'done', 'outcome': {'status': 'OPTIMAL'}}))",
        "status OPTIMAL without values",
    ),
    "short values": (
        "import json; print(json.dumps({'event': 'done', 'outcome': {'status': 'OPTIMAL',"
        " 'objective': -5, 'values': [1, 0], 'bound': -5.0}}))",
        "values are not",
    ),
}


@pytest.mark.parametrize("kind", [*sorted(BAD_CHILDREN), "no interpreter"])
def test_a_highs_child_gone_wrong_leaves_a_roster(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "no interpreter":
        command, error = [str(ROOT / "no-such-python")], "did not start"
    else:
        source, error = BAD_CHILDREN[kind]
        command = [sys.executable, "-c", source]
    monkeypatch.setattr(mip, "child_command", lambda: command)
    inst = generate("tiny", 0)
    result = solve(inst, time_limit=20, workers=1, seed=0, backend="highs")
    assert clean(inst, result)
    assert result.stats["backend"] == "greedy"
    assert result.stats["highs_failed"] == 1 and result.stats["highs_finished"] == 0
    assert error in str(result.stats["highs_error"])
    assert not alive_children()


def test_stop_reaches_cp_sat_after_highs_has_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stop comes once the race has read HiGHS's (failed) answer: it still reaches CP-SAT
    (its stop event is set; unstopped, CP-SAT would search year until the limit)."""
    source, _ = BAD_CHILDREN["error"]  # answers at once
    monkeypatch.setattr(mip, "child_command", lambda: [sys.executable, "-c", source])
    inst = generate("year", 0, rounds=1)
    stop = threading.Event()
    on_child("_read", stop.set, monkeypatch)
    calls = cp_sat_calls(monkeypatch)
    result = solve(inst, time_limit=FAR, workers=2, seed=0, stop=stop)
    assert len(calls) == 1 and calls[0]["stop"] not in (None, stop)
    assert calls[0]["stop"].is_set()  # the race's own stop of CP-SAT, set from the user's
    assert result.interrupted and clean(inst, result)
    assert result.stats["highs_failed"] == 1


def test_a_false_bound_from_highs_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that claims a bound above a checked roster's objective: the race keeps
    CP-SAT's roster and its own bound."""
    source = (
        "import json; print(json.dumps({'event': 'done', 'outcome': {'status': 'UNKNOWN',"
        " 'bound': 10.0**6}}))"
    )
    monkeypatch.setattr(mip, "child_command", lambda: [sys.executable, "-c", source])
    # CP-SAT starts once the child's answer is read: a fast proof cannot end the child first.
    answered = threading.Event()
    on_child("_read", answered.set, monkeypatch)
    cp_sat_calls(monkeypatch, before=lambda: answered.wait(FAR))
    inst = generate("university", 0, rounds=1)
    result = solve(inst, time_limit=10, workers=2, seed=0)
    assert clean(inst, result)
    assert result.stats["backend"] == "cp-sat"
    assert result.stats["highs_rejected"] == 1
    assert result.objective is not None
    assert result.bound is None or result.bound <= result.objective


def test_explanations_and_what_if_stay_on_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    import teamsolver.explainer.core
    import teamsolver.solver
    import teamsolver.whatif
    from teamsolver.explainer.core import explain
    from teamsolver.whatif import solve_limited

    backends: list[str] = []
    real = teamsolver.solver.solve

    def spy(*args: Any, **kwargs: Any) -> Result:
        backends.append(kwargs.get("backend", "auto"))
        return real(*args, **kwargs)

    # Where what-if and explain call it (both import it by name).
    monkeypatch.setattr(teamsolver.whatif, "solve", spy)
    monkeypatch.setattr(teamsolver.explainer.core, "solve", spy)
    inst = generate("university", 0, rounds=1)  # auto would race here
    solve_limited(inst, baseline=None, time_limit=10, workers=2, seed=0, solutions=1)
    explain(inst, time_limit=10, workers=2)
    assert backends and set(backends) == {"cp-sat"}


class _WithProduct(engine_model.Model):
    """The engine's model plus one constraint the linear form has no rows for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        a, b, c = (self.cp.new_int_var(0, 2, f"p{i}") for i in range(3))
        self.cp.add_multiplication_equality(c, [a, b])


def test_a_constraint_without_linear_rows_is_refused_or_left_to_cp_sat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inst = generate("tiny", 0)
    assert mip.races(inst, engine_model.Model(inst), workers=2, time_limit=10)
    with pytest.raises(Unsupported, match="int_prod"):
        export(_WithProduct(inst))
    monkeypatch.setattr(engine_model, "Model", _WithProduct)
    with pytest.raises(Unsupported):
        solve(inst, time_limit=5, workers=2, backend="highs")
    result = solve(inst, time_limit=10, workers=2, seed=0)  # auto: would race; CP-SAT alone
    assert result.stats["backend"] == "cp-sat"
    assert result.stats["highs_unsupported"] == 1
    assert clean(inst, result)
    assert not alive_children()  # the HiGHS process started before the export is gone


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend must be one of auto, cp-sat, highs"):
        solve(generate("tiny", 0), backend="gurobi")  # type: ignore[arg-type]


def test_the_improving_lines_of_the_highs_log_are_read() -> None:
    header = "        Nodes      |    B&B Tree     |            Objective Bounds   "
    first = "         0       0         0   0.00%   -13814          inf                  inf"
    line = (
        " R       0       0         0   0.00%   -2062.198403    -1696             21.59%"
        "        0      0      0      1782     2.6s"
    )
    assert improving_line(header) is None
    assert improving_line(first) is None
    assert improving_line(line) == (-1696, -2062.198403)


def test_the_cli_takes_a_backend() -> None:
    import json

    from click.testing import CliRunner

    from teamsolver.cli import main

    tiny = str(ROOT / "instances" / "tiny")
    run = CliRunner().invoke(main, ["solve", tiny, "--backend", "highs", "--json"])
    assert run.exit_code == 0, run.output
    doc = json.loads(run.stdout)
    assert doc["status"] == "OPTIMAL"
    assert doc["stats"]["backend"] in ("highs", "greedy")
    bad = CliRunner().invoke(main, ["solve", tiny, "--backend", "gurobi"])
    assert bad.exit_code == 2
    assert "'auto', 'cp-sat', 'highs'" in bad.output
