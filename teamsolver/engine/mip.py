"""HiGHS beside CP-SAT: the race behind ``teamsolver.solve(backend="auto"|"highs")``.

HiGHS (through OR-Tools' MathOpt, :mod:`teamsolver.engine.highs`) solves the rows of
:func:`teamsolver.engine.linear.export` (the CP-SAT model of
:class:`~teamsolver.engine.model.Model` as integer linear rows: the same variables, the same
feasible points, the same objective with its offset) in a **child process**, because MathOpt
cannot interrupt a HiGHS solve: the parent ends the child (SIGKILL) as soon as CP-SAT proves its
answer, on ``stop``, or at the time limit plus a grace, and always reaps it, so no HiGHS work
outlives :func:`race`. The child is a fresh interpreter running ``highs.py`` as a script
(``subprocess``, not ``multiprocessing``: a spawned ``multiprocessing`` child re-imports the
caller's main script, which re-runs any unguarded top-level code of a user's script, and a fork
would copy CP-SAT's threads). It imports MathOpt and nothing of teamsolver.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..audit import check, hard_violations
from ..data.result import Progress, Result, Status
from ..data.settings import GOAL_IDS
from ..score import objective
from .highs import MipOutcome, outcome_of
from .linear import chosen, form_of
from .solve import chosen_of, complete_solution, default_workers, make_roster

if TYPE_CHECKING:
    from ..data.instance import Instance
    from ..data.roster import Roster
    from .model import Model

#: CP-SAT's staged search as ``race`` calls it: (workers, stop, on_progress) -> Result.
CpSat = Callable[[int, threading.Event | None, Callable[[Progress], None] | None], Result]


# --------------------------------------------------------------------------------------------
# The race: CP-SAT's staged search and HiGHS side by side, behind ``teamsolver.solve``.

#: ``backend="auto"`` races HiGHS only on one-round plans with at most this many seat variables
#: (benchmarks/results/engine-levers.md, lever 5): on the city preset (7,447 seats) HiGHS finds
#: nothing better than CP-SAT's roster in 20 s, and the race costs CP-SAT a worker.
RACE_MAX_SEATS = 5_000
#: ... and only with a time limit of at least this many seconds: HiGHS's process starts
#: 0.5–1 s after the race does, and at 5 s the race ended behind CP-SAT with both workers on
#: every seed of year-300-1r (lever 5); without a time limit it was not measured.
RACE_MIN_TIME_S = 10.0
#: Seconds ``race`` waits for HiGHS after the time limit beside CP-SAT, and alone. HiGHS usually
#: stops within 0.1–0.7 s of its limit, but not always (year preset, one round, seed 1, 4.5 s
#: limit on busy cores: 20.1 s once, 4.9 and 5.2 s in two other runs).
GRACE_S = 1.0
GRACE_ALONE_S = 5.0
#: Beside CP-SAT, HiGHS gets this share of the time left, so that its roster usually arrives
#: before the time limit even when it overruns its own (CP-SAT's roster comes back otherwise).
HIGHS_SHARE = 0.9


def races(
    instance: Instance, model: Model, *, workers: int | None, time_limit: float | None
) -> bool:
    """Whether ``backend="auto"`` races HiGHS against CP-SAT: a one-round plan, a time limit
    of at least ``RACE_MIN_TIME_S``, at least 2 workers (HiGHS takes one of them;
    ``workers=1`` stays CP-SAT alone and deterministic) and at most ``RACE_MAX_SEATS`` seat
    variables."""
    return (
        time_limit is not None
        and time_limit >= RACE_MIN_TIME_S
        and len(instance.rounds) == 1
        and (workers or default_workers()) >= 2
        and len(model.x) <= RACE_MAX_SEATS
    )


def race(
    instance: Instance,
    model: Model,
    *,
    judged: Instance,
    deadline: float | None,
    workers: int | None,
    seed: int,
    on_progress: Callable[[Progress], None] | None,
    stop: threading.Event | None,
    build_s: float,
    initial: Roster | None,
    cp_sat: CpSat | None,
) -> Result:
    """HiGHS in a child process beside ``cp_sat`` (CP-SAT's staged search, called with one
    worker fewer, its own stop event and progress callback), or, with ``cp_sat=None``, HiGHS
    alone (the greedy roster ``initial`` is kept if HiGHS finds nothing better). Returns the
    roster with the lower objective (measured by the independent scorer on ``judged``; CP-SAT's
    on a tie) and the larger of the two lower bounds; ``OPTIMAL`` when that roster meets that
    bound. The child is ended when CP-SAT proves its answer, on ``stop``, or at the deadline
    plus the grace, and is always reaped before ``race`` returns. A HiGHS roster that breaks a
    hard rule is dropped; a child that fails or answers garbage leaves CP-SAT's roster (and
    ``stats["highs_failed"]``, ``stats["highs_error"]``). Raises :class:`~.linear.Unsupported`
    (before any search) when the linear form cannot express the model.
    """
    start = time.perf_counter()
    workers = workers or default_workers()
    halt = threading.Event()  # ends CP-SAT: the user's stop, or HiGHS proved its answer
    child = _Child(halt)  # the interpreter starts while the form and the hint are made
    finished = threading.Event()
    cp: Result | None = None
    try:
        form = form_of(model)
        hint = None
        if initial is not None:
            seats = chosen_of(instance, model, initial)
            if seats is not None:
                hint = _complete_values(model, seats, seed, deadline, stop)
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and cp_sat is not None:
            left *= HIGHS_SHARE
        highs_deadline = None if left is None else time.monotonic() + left
        child.send({"form": form, "deadline": highs_deadline, "seed": seed, "hint": hint})

        def watch() -> None:  # the user's stop reaches CP-SAT, whatever HiGHS does
            assert stop is not None
            while not finished.is_set():
                if stop.wait(0.05):
                    halt.set()
                    return

        if stop is not None:
            threading.Thread(target=watch, daemon=True).start()
        if cp_sat is not None:
            cp = cp_sat(max(1, workers - 1), halt, on_progress)
        stopped = stop is not None and stop.is_set()
        if not stopped and (cp is None or cp.status not in ("OPTIMAL", "INFEASIBLE")):
            grace = GRACE_S if cp_sat is not None else GRACE_ALONE_S
            wait_until = None if deadline is None else deadline + grace
            while not child.done.wait(0.05):
                if (stop is not None and stop.is_set()) or (
                    wait_until is not None and time.perf_counter() > wait_until
                ):
                    break
    finally:
        finished.set()
        child.end()
    return _combine(
        instance,
        judged,
        model,
        form,
        cp,
        child.outcome,
        initial,
        start=start,
        build_s=build_s,
        workers=workers,
        seed=seed,
        stop=stop,
        child=child,
        on_progress=on_progress,
    )


def child_command() -> list[str]:
    """The command of the HiGHS child: this interpreter running ``highs.py`` as a script
    (``-P``: nothing of the caller's folder or of this package shadows a module), given this
    process's pid so that it dies with this process (:func:`.highs.die_with`)."""
    return [sys.executable, "-P", str(Path(__file__).with_name("highs.py")), str(os.getpid())]


class _Child:
    """One HiGHS child process (:mod:`teamsolver.engine.highs`) and what it reported.

    ``done`` is set once the child has answered or exited; ``outcome`` is its checked answer,
    ``error`` what went wrong (None when it was ended on purpose before answering), ``halt`` is
    set when its answer is proven (optimal or infeasible)."""

    def __init__(self, halt: threading.Event) -> None:
        self.halt = halt
        self.done = threading.Event()
        self.outcome: MipOutcome | None = None
        self.error: str | None = None
        self.killed = False
        self.columns = 0
        self.opened = time.monotonic()
        self.sent: float | None = None
        self.started: float | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.reader: threading.Thread | None = None
        try:
            self.proc = subprocess.Popen(
                child_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError, TypeError) as exc:  # e.g. no sys.executable (embedded)
            self.error = f"the HiGHS process did not start: {exc}"
            self.done.set()

    def send(self, job: dict[str, Any]) -> None:
        """Hand the job to the child (in a thread: a large form fills the pipe) and read its
        answer as it comes."""
        if self.proc is None:
            return
        self.columns = len(job["form"]["cols"]["lb"])
        self.sent = time.monotonic()
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        threading.Thread(target=_write, args=(self.proc.stdin, data), daemon=True).start()
        self.reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            for line in stream:
                try:
                    message = json.loads(line)
                    event = message["event"]
                    if event == "start":
                        self.started = float(message["at"])
                    elif event == "done":
                        self.outcome = outcome_of(message["outcome"], self.columns)
                        if self.outcome.status in ("OPTIMAL", "INFEASIBLE"):
                            self.halt.set()
                        return
                    else:
                        self.error = str(message.get("error", message))[:300]
                        return
                except (ValueError, KeyError, TypeError) as exc:
                    self.error = f"unreadable answer from HiGHS: {exc}"[:300]
                    return
            code = self.proc.wait() if self.proc is not None else None
            if not self.killed:
                self.error = f"the HiGHS process ended without an answer (exit code {code})"
        finally:
            stream.close()
            self.done.set()

    def end(self) -> None:
        """Kill the child if it still runs, and reap it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.killed = not self.done.is_set()
            self.proc.kill()
        self.proc.wait()
        if self.sent is None and self.proc.stdin is not None:  # else the writer closes it
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        if self.reader is not None:
            self.reader.join(timeout=5)  # the pipe is closed: it ends at once
        elif self.proc.stdout is not None:
            self.proc.stdout.close()

    def stats(self) -> dict[str, int | str]:
        """What the race's ``stats`` say about the child: ``highs_start_ms`` (from starting
        the process to HiGHS starting), ``highs_late_ms`` (from handing over the job to HiGHS
        starting: what the process costs against a thread), ``highs_killed``,
        ``highs_failed``/``highs_error``."""
        out: dict[str, int | str] = {"highs_finished": int(self.outcome is not None)}
        if self.started is not None:
            out["highs_start_ms"] = round(1000 * (self.started - self.opened))
            if self.sent is not None:
                out["highs_late_ms"] = round(1000 * max(0.0, self.started - self.sent))
        if self.killed:
            out["highs_killed"] = 1
        if self.error is not None:
            out["highs_failed"] = 1
            out["highs_error"] = self.error
        return out


def _write(stream: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(OSError, ValueError):  # the child may be ended first
        try:
            stream.write(data)
        finally:
            stream.close()


def _complete_values(
    model: Model,
    seats: dict[tuple[int, int], tuple[int, int, int]],
    seed: int,
    deadline: float | None,
    stop: threading.Event | None,
) -> list[int] | None:
    """Every variable of ``model`` completed from ``seats`` (CP-SAT's stage 2), the complete
    solution hint HiGHS needs (it drops partial ones), or None if that fails in time."""
    solver = complete_solution(model, seats, seed, deadline, stop, False)
    return None if solver is None else [int(v) for v in solver.response_proto.solution]


def _engine_parts(model: Model, values: Sequence[int]) -> tuple[dict[str, int], dict[str, int]]:
    """The model's goal values and rule costs (``Model.parts``) at ``values``, as
    ``solve_model`` reads them from CP-SAT (empty if a part holds more than literals)."""
    goals: dict[str, int] = {}
    costs: dict[str, int] = {}
    for key, part in model.parts.items():
        value = part.constant
        for var, coeff in zip(part.vars, part.coeffs, strict=True):
            index = getattr(var, "index", None)  # a literal; a sum has none
            if not isinstance(index, int):
                return {}, {}  # not read here: the scorer's values stand alone
            value += coeff * (values[index] if index >= 0 else 1 - values[-index - 1])
        if key in GOAL_IDS:
            goals[key] = value
        elif value:
            costs[key] = value
    return goals, costs


def _combine(
    instance: Instance,
    judged: Instance,
    model: Model,
    form: dict[str, Any],
    cp: Result | None,
    out: MipOutcome | None,
    initial: Roster | None,
    *,
    start: float,
    build_s: float,
    workers: int,
    seed: int,
    stop: threading.Event | None,
    child: _Child,
    on_progress: Callable[[Progress], None] | None,
) -> Result:
    """The race's result: the better roster of the two sides, the larger bound. A HiGHS roster
    that wins is passed to ``on_progress`` (HiGHS reports its rosters only at the end)."""
    wall = time.perf_counter() - start
    stats: dict[str, int | str] = (
        dict(cp.stats)
        if cp is not None
        else {
            "variables": len(model.cp.proto.variables),
            "constraints": len(model.cp.proto.constraints),
            "seat_variables": len(model.x),
        }
    )
    stats.update(child.stats())
    if cp is None:  # HiGHS alone: the greedy roster was at hand from the start
        stats["greedy_first"] = int(initial is not None)
    # (scored objective, solver objective, roster, backend), best first
    candidates: list[tuple[int, int | None, Roster, str]] = []
    if cp is not None and cp.has_roster:
        candidates.append(
            (objective(judged, cp.roster, model.baseline), cp.objective, cp.roster, "cp-sat")
        )
    if out is not None and out.values is not None:
        try:
            highs_roster = make_roster(instance, chosen(form, out.values))
            clean = not hard_violations(judged, check(judged, highs_roster))
        except (ValueError, KeyError, IndexError):  # values no roster can come from
            clean = False
        if clean:
            scored = objective(judged, highs_roster, model.baseline)
            candidates.append((scored, out.objective, highs_roster, "highs"))
        else:
            stats["highs_rejected"] = 1
    if cp is None and initial is not None:
        candidates.append((objective(judged, initial, model.baseline), None, initial, "greedy"))
    candidates.sort(key=lambda c: c[0])  # stable: CP-SAT before HiGHS before greedy on a tie
    highs_bound = None if out is None else out.bound
    if highs_bound is not None and candidates and highs_bound > candidates[0][0] + 1e-6:
        highs_bound = None  # above a checked roster's objective: not a bound
        stats["highs_rejected"] = 1
    bounds = [b for b in (cp.bound if cp else None, highs_bound) if b is not None]
    bound = max(bounds) if bounds else None
    base = cp or Result(status="UNKNOWN", build_time_s=build_s, workers=1, seed=seed)
    solutions = (cp.solutions if cp else 0) + (len(out.improving) if out else 0)
    common = {
        "bound": bound,
        "wall_time_s": wall,
        "search_time_s": wall,
        "interrupted": stop is not None and stop.is_set(),
        "solutions": solutions,
        "workers": workers,  # CP-SAT's workers and HiGHS's thread
    }
    if not candidates:
        infeasible = (cp is not None and cp.status == "INFEASIBLE") or (
            out is not None and out.status == "INFEASIBLE"
        )
        status: Status = "INFEASIBLE" if infeasible else "UNKNOWN"
        return base.model_copy(update={**common, "status": status, "stats": stats})
    scored, solver_objective, roster, backend = candidates[0]
    stats["backend"] = backend
    proven = bound is not None and scored <= math.ceil(bound - 1e-6)
    own_optimal = (backend == "cp-sat" and cp is not None and cp.status == "OPTIMAL") or (
        backend == "highs" and out is not None and out.status == "OPTIMAL"
    )
    status = "OPTIMAL" if proven or own_optimal else "FEASIBLE"
    if backend == "cp-sat":
        assert cp is not None
        return cp.model_copy(update={**common, "status": status, "stats": stats})
    goals: dict[str, int] = {}
    costs: dict[str, int] = {}
    if backend == "highs":
        assert out is not None and out.values is not None
        goals, costs = _engine_parts(model, out.values)
        if on_progress is not None:
            on_progress(
                Progress(
                    objective=scored,
                    bound=-math.inf if bound is None else bound,
                    elapsed_s=wall,
                    solutions=solutions,
                )
            )
    first = [t for t in (cp.first_solution_s if cp else None,) if t is not None]
    if out is not None and out.improving:
        first.append(out.improving[0][0])
    if cp is None and initial is not None:
        first.append(0.0)
    return base.model_copy(
        update={
            **common,
            "status": status,
            "objective": solver_objective if solver_objective is not None else scored,
            "roster": roster,
            "engine_goals": goals,
            "rule_costs": costs,
            "first_solution_s": min(first) if first else None,
            "stats": stats,
        }
    )
