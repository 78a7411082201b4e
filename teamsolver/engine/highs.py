"""HiGHS through OR-Tools' MathOpt on the linear form, and the child process that runs it.

This module imports only the standard library and (lazily) MathOpt, never the rest of
teamsolver: :mod:`teamsolver.engine.mip` runs it as a script (``python highs.py``) in a child
process it can kill, because the HiGHS solve itself cannot be interrupted (see below). The child
reads one pickled job on its standard input (``{"form", "deadline", "seed", "hint"}``:
the linear form of :func:`teamsolver.engine.linear.export`, an absolute ``time.monotonic()``
deadline or None, the HiGHS seed, a value for every column or None) and writes JSON lines on its
standard output: ``{"event": "start", "at": monotonic}`` just before HiGHS starts, then one of
``{"event": "done", "outcome": {...}}`` (the fields of :class:`MipOutcome`) or
``{"event": "error", "error": "..."}``. Anything printed by HiGHS itself goes to the child's
standard error, never into that stream.

The child dies with its parent, however the parent ends (even SIGKILL, or ``os._exit`` after a
second Ctrl-C): its command line names the parent's pid (``python highs.py PID``); on Linux it
asks the kernel for SIGKILL when the parent goes (``prctl(PR_SET_PDEATHSIG)``), then checks that
its parent is still that pid (the parent may have died before the request); everywhere a thread
watches the parent pid as well (:func:`die_with`). The kernel's signal comes when the *thread*
that started the child ends: :func:`teamsolver.engine.mip.race` starts and reaps the child in
one call, so its thread outlives the child.

What MathOpt 9.15 offers for HiGHS, checked against the installed package
(``ortools/math_opt/solvers/highs_solver.cc``) and measured:

- one thread: ``threads`` is refused as a MathOpt parameter, so it goes in as the HiGHS option
  ``threads=1``; ``random_seed`` and the time limit are passed through;
- the solve **cannot be interrupted**: HiGHS ignores MathOpt's interrupter, and an exception
  raised in the message callback aborts the process. Hence the child process: ending it is the
  only way to end HiGHS before its time limit;
- no solution callback (HiGHS ignores MathOpt's callback registration): HiGHS's rosters come
  only at the end. The log lines do arrive while HiGHS runs, and each improving-solution line
  carries the new objective and bound (kept in :attr:`MipOutcome.improving`);
- a solution hint is used only when it gives every variable a value (HiGHS ``setSolution``);
  partial hints are dropped silently.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import pickle
import re
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

#: An improving-solution line of the HiGHS MIP log: a source letter, node counts, then the
#: best bound and the best solution (``Src Proc. InQueue | Leaves Expl. | BestBound BestSol``).
_IMPROVING = re.compile(r"^\s*([A-Za-z])\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s")
#: Seconds between two looks of the thread that watches the parent (:func:`die_with`).
WATCH_S = 0.25
#: ``prctl`` option: the signal this process gets when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: The statuses a :class:`MipOutcome` may carry.
STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN")


@dataclass
class MipOutcome:
    """What HiGHS found: ``status`` (one of :data:`STATUSES`), ``objective`` (HiGHS's value of
    its solution, offset included) and ``values`` (one per column of the linear form) when it
    has a solution, ``bound`` (its dual bound) when finite, ``seconds`` spent in the solve,
    ``improving`` the (seconds, objective, bound) of each improving-solution log line."""

    status: str
    objective: int | None = None
    bound: float | None = None
    values: list[int] | None = None
    seconds: float = 0.0
    improving: list[tuple[float, int, float | None]] = field(default_factory=list)


def model_proto(form: dict[str, Any], *, integer: bool = True) -> Any:
    """A MathOpt ``ModelProto`` of the linear form (ids are the column and row indices); with
    ``integer=False`` its LP relaxation."""
    # MathOpt (0.3 s to import) only for HiGHS and the LP, never for a CP-SAT-only solve.
    from ortools.math_opt import model_pb2

    proto = model_pb2.ModelProto(name=str(form.get("name") or "teamsolver"))
    cols, rows, obj = form["cols"], form["rows"], form["objective"]
    n = len(cols["lb"])
    variables = proto.variables
    variables.ids.extend(range(n))
    variables.lower_bounds.extend(-math.inf if v is None else float(v) for v in cols["lb"])
    variables.upper_bounds.extend(math.inf if v is None else float(v) for v in cols["ub"])
    variables.integers.extend([integer] * n)
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


def column_values(result: Any) -> list[float]:
    """A MathOpt result's variable values in column order (the ids :func:`model_proto` gives)."""
    values = result.variable_values()
    by_id = [0.0] * len(values)
    for var, value in values.items():
        by_id[var.id] = value
    return by_id


def solve_highs(
    form: dict[str, Any],
    *,
    time_limit: float | None,
    seed: int = 0,
    hint: Sequence[int] | None = None,
) -> MipOutcome:
    """Solve the linear form with HiGHS (one thread) until optimal or ``time_limit`` seconds,
    in this process: it returns only at optimality or at the time limit.

    ``hint``: a value for every column (e.g. a complete greedy roster).
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
            seen = improving_line(line)
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
    bound = finite(result.termination.objective_bounds.dual_bound)
    if reason == mathopt.TerminationReason.INFEASIBLE:
        return MipOutcome("INFEASIBLE", seconds=seconds, improving=improving)
    if not result.has_primal_feasible_solution():
        return MipOutcome("UNKNOWN", bound=bound, seconds=seconds, improving=improving)
    by_id = [round(value) for value in column_values(result)]
    status = "OPTIMAL" if reason == mathopt.TerminationReason.OPTIMAL else "FEASIBLE"
    return MipOutcome(
        status,
        objective=round(result.objective_value()),
        bound=bound,
        values=by_id,
        seconds=seconds,
        improving=improving,
    )


def improving_line(line: str) -> tuple[int, float | None] | None:
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
    return round(best), finite(bound)


def finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) and abs(v) < 1e30 else None


def outcome_of(data: Any, columns: int) -> MipOutcome:
    """The :class:`MipOutcome` a child sent (``asdict`` of one, through JSON), checked field by
    field against a form of ``columns`` columns; ValueError says what is wrong."""

    def number(v: Any, what: str) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ValueError(f"{what} is not a finite number: {v!r}")
        return float(v)

    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        raise ValueError("no status")
    values = data.get("values")
    if values is not None and (
        not isinstance(values, list)
        or len(values) != columns
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    ):
        raise ValueError(f"values are not {columns} integers")
    objective = number(data.get("objective"), "objective")
    if (values is None) != (objective is None):
        raise ValueError("values and objective come together")
    if (values is not None) != (data["status"] in ("OPTIMAL", "FEASIBLE")):
        raise ValueError(f"status {data['status']} with{'' if values else 'out'} values")
    improving = []
    for entry in data.get("improving") or []:
        if not isinstance(entry, list) or len(entry) != 3:
            raise ValueError(f"improving entry {entry!r}")
        at, obj, bound = (number(x, "improving entry") for x in entry)
        if at is None or obj is None:
            raise ValueError(f"improving entry {entry!r}")
        improving.append((at, round(obj), bound))
    return MipOutcome(
        str(data["status"]),
        objective=None if objective is None else round(objective),
        bound=number(data.get("bound"), "bound"),
        values=values,
        seconds=number(data.get("seconds"), "seconds") or 0.0,
        improving=improving,
    )


def die_with(parent: int) -> None:
    """End this process (``os._exit``) when the process ``parent`` ends, however it ends.

    On Linux the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``); then, in
    case the parent died before that request, this process ends at once unless its parent is
    still ``parent``. A daemon thread also looks every :data:`WATCH_S` seconds whether the
    parent changed (an orphan is adopted by another process): the way on systems without
    ``prctl``, and a second way on Linux.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the thread below still watches
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_S)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _child() -> None:
    """The child process: one job from stdin, JSON lines to (the original) stdout."""
    if len(sys.argv) > 1:
        die_with(int(sys.argv[1]))
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever HiGHS or a library prints cannot garble the answer

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    try:
        # Imported while the parent still makes the form and the hint.
        from ortools.math_opt.python import mathopt  # noqa: F401

        job = pickle.load(sys.stdin.buffer)
        deadline = job["deadline"]
        send({"event": "start", "at": time.monotonic()})
        outcome = solve_highs(
            job["form"],
            time_limit=None if deadline is None else deadline - time.monotonic(),
            seed=job["seed"],
            hint=job["hint"],
        )
        send({"event": "done", "outcome": asdict(outcome)})
    except Exception as exc:  # reported to the parent, which keeps CP-SAT's roster
        send({"event": "error", "error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    _child()
