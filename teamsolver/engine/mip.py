"""HiGHS through OR-Tools' MathOpt, in-process, on the linear form of the engine's model.

:func:`solve_highs` hands the rows of :func:`teamsolver.engine.linear.export` (the CP-SAT model of
:class:`~teamsolver.engine.model.Model` as integer linear rows: the same variables, the same
feasible points, the same objective with its offset) to HiGHS as a MIP, and reads back the seats
and roles of its best solution and its dual bound, a valid lower bound of the teamsolver
objective.

What MathOpt 9.15 offers for HiGHS, checked against the installed package
(``ortools/math_opt/solvers/highs_solver.cc``) and measured here:

- one thread: ``threads`` is refused as a MathOpt parameter, so it goes in as the HiGHS option
  ``threads=1``; ``random_seed`` and the time limit are passed through;
- ``mathopt.solve`` releases the GIL while HiGHS runs: a Python thread beside it kept running at
  full speed, so HiGHS in a thread really runs alongside CP-SAT;
- the solve **cannot be interrupted**: HiGHS ignores MathOpt's interrupter, and an exception
  raised in the message callback aborts the process. :func:`solve_highs` therefore always runs
  to its own time limit; :func:`race` does not wait for it after ``stop``, but its thread is
  not a daemon: a process that exits while HiGHS runs aborts, so the interpreter waits;
- no solution callback (HiGHS ignores MathOpt's callback registration): HiGHS's rosters come
  only at the end. The log lines do arrive while HiGHS runs, and each improving-solution line
  carries the new objective and bound (kept in :attr:`MipOutcome.improving`); they are not
  passed on as progress, since a reported objective must be one whose roster can come back;
- a solution hint is used only when it gives every variable a value (HiGHS ``setSolution``);
  partial hints are dropped silently.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..result import Progress, Result, Status

if TYPE_CHECKING:
    from ..instance import Instance
    from ..roster import Roster
    from .model import Model

#: CP-SAT's staged search as ``race`` calls it: (workers, stop, on_progress) -> Result.
CpSat = Callable[[int, threading.Event | None, Callable[[Progress], None] | None], Result]

#: An improving-solution line of the HiGHS MIP log: a source letter, node counts, then the
#: best bound and the best solution (``Src Proc. InQueue | Leaves Expl. | BestBound BestSol``).
_IMPROVING = re.compile(r"^\s*([A-Za-z])\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s")


@dataclass
class MipOutcome:
    """What HiGHS found: ``status`` (``OPTIMAL``, ``FEASIBLE``, ``INFEASIBLE``, ``UNKNOWN``),
    ``objective`` (HiGHS's value of its solution, offset included) and ``values`` (one per
    column of the linear form) when it has a solution, ``bound`` (its dual bound) when finite,
    ``seconds`` spent in the solve, ``improving`` the (seconds, objective, bound) of each
    improving-solution log line."""

    status: str
    objective: int | None = None
    bound: float | None = None
    values: list[int] | None = None
    seconds: float = 0.0
    improving: list[tuple[float, int, float | None]] = field(default_factory=list)


def model_proto(form: dict[str, Any]) -> Any:
    """A MathOpt ``ModelProto`` of the linear form (ids are the column and row indices)."""
    from ortools.math_opt import model_pb2

    proto = model_pb2.ModelProto(name=str(form.get("name") or "teamsolver"))
    cols, rows, obj = form["cols"], form["rows"], form["objective"]
    n = len(cols["lb"])
    variables = proto.variables
    variables.ids.extend(range(n))
    variables.lower_bounds.extend(-math.inf if v is None else float(v) for v in cols["lb"])
    variables.upper_bounds.extend(math.inf if v is None else float(v) for v in cols["ub"])
    variables.integers.extend([True] * n)
    proto.objective.maximize = False
    proto.objective.offset = float(obj["offset"])
    nonzero = [(j, c) for j, c in enumerate(obj["cost"]) if c]
    proto.objective.linear_coefficients.ids.extend(j for j, _ in nonzero)
    proto.objective.linear_coefficients.values.extend(float(c) for _, c in nonzero)
    m = len(rows["lb"])
    cons = proto.linear_constraints
    cons.ids.extend(range(m))
    cons.lower_bounds.extend(-math.inf if v is None else float(v) for v in rows["lb"])
    cons.upper_bounds.extend(math.inf if v is None else float(v) for v in rows["ub"])
    start = rows["start"]
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(i for i in range(m) for _ in range(start[i + 1] - start[i]))
    matrix.column_ids.extend(rows["index"])  # sorted within each row by the export
    matrix.coefficients.extend(float(v) for v in rows["value"])
    return proto


def solve_highs(
    form: dict[str, Any],
    *,
    time_limit: float | None,
    seed: int = 0,
    hint: Sequence[int] | None = None,
) -> MipOutcome:
    """Solve the linear form with HiGHS (one thread) until optimal or ``time_limit`` seconds.

    ``hint``: a value for every column (e.g. a complete greedy roster). HiGHS stops only at
    optimality or at its time limit (MathOpt cannot interrupt it).
    """
    from ortools.math_opt.python import mathopt

    model = mathopt.Model.from_model_proto(model_proto(form))
    params = mathopt.SolveParameters(random_seed=seed)
    if time_limit is not None:
        params.time_limit = timedelta(seconds=max(0.01, time_limit))
    params.relative_gap_tolerance = 0.0  # HiGHS's default 1e-4 would call a gap "optimal"
    params.absolute_gap_tolerance = 0.99  # integer costs: a gap below 1 is closed
    params.highs.int_options["threads"] = 1
    model_params = mathopt.ModelSolveParameters()
    if hint is not None:
        variables = list(model.variables())
        if len(hint) == len(variables):
            model_params.solution_hints.append(
                mathopt.SolutionHint(
                    variable_values={v: float(x) for v, x in zip(variables, hint, strict=True)}
                )
            )
    improving: list[tuple[float, int, float | None]] = []
    start = time.perf_counter()

    def lines(batch: Sequence[str]) -> None:
        for line in batch:
            seen = _improving(line)
            if seen is None:
                continue
            objective, bound = seen
            elapsed = time.perf_counter() - start
            if not improving or objective < improving[-1][1]:
                improving.append((elapsed, objective, bound))

    result = mathopt.solve(
        model, mathopt.SolverType.HIGHS, params=params, model_params=model_params, msg_cb=lines
    )
    seconds = time.perf_counter() - start
    reason = result.termination.reason
    bound = _finite(result.termination.objective_bounds.dual_bound)
    if reason == mathopt.TerminationReason.INFEASIBLE:
        return MipOutcome("INFEASIBLE", seconds=seconds, improving=improving)
    if not result.has_primal_feasible_solution():
        return MipOutcome("UNKNOWN", bound=bound, seconds=seconds, improving=improving)
    values = result.variable_values()
    by_id = [0] * len(values)
    for var, value in values.items():
        by_id[var.id] = round(value)
    status = "OPTIMAL" if reason == mathopt.TerminationReason.OPTIMAL else "FEASIBLE"
    return MipOutcome(
        status,
        objective=round(result.objective_value()),
        bound=bound,
        values=by_id,
        seconds=seconds,
        improving=improving,
    )


def _improving(line: str) -> tuple[int, float | None] | None:
    """(objective, bound) of an improving-solution line of the HiGHS log, else None."""
    match = _IMPROVING.match(line)
    if match is None:
        return None
    try:
        bound, best = float(match.group(2)), float(match.group(3))
    except ValueError:
        return None
    if not math.isfinite(best):
        return None
    return round(best), _finite(bound)


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) and abs(v) < 1e30 else None


# --------------------------------------------------------------------------------------------
# The race: CP-SAT's staged search and HiGHS side by side, behind ``teamsolver.solve``.

#: ``backend="auto"`` races HiGHS only on one-round plans with at most this many seat variables
#: (benchmarks/results/engine-levers.md, lever 5): on the city preset (7,447 seats) HiGHS finds
#: nothing better than CP-SAT's roster in 20 s, and the race costs CP-SAT a worker.
RACE_MAX_SEATS = 5_000
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
    (HiGHS cannot be interrupted), at least 2 workers (HiGHS takes one of them; ``workers=1``
    stays CP-SAT alone and deterministic) and at most ``RACE_MAX_SEATS`` seat variables."""
    from .solve import default_workers

    return (
        time_limit is not None
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
    """HiGHS in a thread beside ``cp_sat`` (CP-SAT's staged search, called with one worker
    fewer, its own stop event and progress callback), or, with ``cp_sat=None``, HiGHS alone
    (the greedy roster ``initial`` is kept if HiGHS finds nothing better). Returns the roster
    with the lower objective (measured by the independent scorer on ``judged``; CP-SAT's on a
    tie) and the larger of the two lower bounds; ``OPTIMAL`` when that roster meets that bound.
    A HiGHS roster that breaks a hard rule is dropped. Raises :class:`~.linear.Unsupported`
    (before any search) when the linear form cannot express the model.
    """
    from .linear import export
    from .solve import chosen_of, default_workers

    start = time.perf_counter()
    workers = workers or default_workers()
    form = export(model)
    hint = None
    if initial is not None:
        seats = chosen_of(instance, model, initial)
        if seats is not None:
            hint = _complete_values(model, seats, seed, deadline, stop)
    halt = threading.Event()  # ends CP-SAT: the user's stop, or HiGHS proved its answer
    done = threading.Event()
    box: dict[str, Any] = {}
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and cp_sat is not None:
        left *= HIGHS_SHARE

    def highs() -> None:
        try:
            box["out"] = solve_highs(
                form,
                time_limit=left,
                seed=seed,
                hint=hint,
            )
        except Exception as exc:  # reported in stats; CP-SAT's roster still comes back
            box["error"] = exc
        finally:
            if box.get("out") is not None and box["out"].status in ("OPTIMAL", "INFEASIBLE"):
                halt.set()
            done.set()

    def watch() -> None:
        assert stop is not None
        while not done.is_set() and not finished.is_set():
            if stop.wait(0.05):
                halt.set()
                return

    finished = threading.Event()
    # Not a daemon: the interpreter waits for HiGHS at exit (HiGHS's time limit at the latest);
    # a process that exits while HiGHS runs aborts ("terminate called without an active
    # exception", seen in the test suite).
    threading.Thread(target=highs, name="teamsolver-highs", daemon=False).start()
    if stop is not None:
        threading.Thread(target=watch, daemon=True).start()
    cp: Result | None = None
    try:
        if cp_sat is not None:
            cp = cp_sat(max(1, workers - 1), halt, on_progress)
        stopped = stop is not None and stop.is_set()
        if not stopped and (cp is None or cp.status not in ("OPTIMAL", "INFEASIBLE")):
            grace = GRACE_S if cp_sat is not None else GRACE_ALONE_S
            wait_until = None if deadline is None else deadline + grace
            while not done.wait(0.05):
                if (stop is not None and stop.is_set()) or (
                    wait_until is not None and time.perf_counter() > wait_until
                ):
                    break
    finally:
        finished.set()
    out: MipOutcome | None = box.get("out") if done.is_set() else None
    return _combine(
        instance,
        judged,
        model,
        form,
        cp,
        out,
        initial,
        start=start,
        build_s=build_s,
        workers=workers,
        seed=seed,
        stop=stop,
        error=box.get("error"),
        on_progress=on_progress,
    )


def _complete_values(
    model: Model,
    seats: dict[tuple[int, int], tuple[int, int, int]],
    seed: int,
    deadline: float | None,
    stop: threading.Event | None,
) -> list[int] | None:
    """Every variable of ``model`` completed from ``seats`` (CP-SAT's stage 2), the complete
    solution hint HiGHS needs (it drops partial ones), or None if that fails in time."""
    from .solve import _complete

    solver = _complete(model, seats, seed, deadline, stop, False)
    return None if solver is None else [int(v) for v in solver.response_proto.solution]


def _engine_parts(model: Model, values: Sequence[int]) -> tuple[dict[str, int], dict[str, int]]:
    """The model's goal values and rule costs (``Model.parts``) at ``values``, as
    ``solve_model`` reads them from CP-SAT (empty if a part holds more than literals)."""
    from ..settings import GOAL_IDS

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
    error: Exception | None,
    on_progress: Callable[[Progress], None] | None,
) -> Result:
    """The race's result: the better roster of the two sides, the larger bound. A HiGHS roster
    that wins is passed to ``on_progress`` (HiGHS reports its rosters only at the end)."""
    from ..audit import check, hard_violations
    from ..score import objective
    from .linear import chosen
    from .solve import make_roster

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
    stats["highs_finished"] = int(out is not None)
    if cp is None:  # HiGHS alone: the greedy roster was at hand from the start
        stats["greedy_first"] = int(initial is not None)
    if error is not None:
        stats["highs_failed"] = 1
    bounds = [b for b in (cp.bound if cp else None, out.bound if out else None) if b is not None]
    bound = max(bounds) if bounds else None
    # (scored objective, solver objective, roster, backend), best first
    candidates: list[tuple[int, int | None, Roster, str]] = []
    if cp is not None and cp.has_roster:
        candidates.append(
            (objective(judged, cp.roster, model.baseline), cp.objective, cp.roster, "cp-sat")
        )
    highs_roster: Roster | None = None
    if out is not None and out.values is not None:
        highs_roster = make_roster(instance, chosen(form, out.values))
        if hard_violations(judged, check(judged, highs_roster)):
            stats["highs_rejected"] = 1
        else:
            scored = objective(judged, highs_roster, model.baseline)
            candidates.append((scored, out.objective, highs_roster, "highs"))
    if cp is None and initial is not None:
        candidates.append((objective(judged, initial, model.baseline), None, initial, "greedy"))
    candidates.sort(key=lambda c: c[0])  # stable: CP-SAT before HiGHS before greedy on a tie
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
