"""The LP-guided neighbourhood: a stage between the first roster and the whole search.

The LP relaxation of the model (its linear form, solved by GLOP through OR-Tools' MathOpt, in
this process) puts weight on a few hundred of the thousands of allowed seats; the seats it
leaves at 0 are rarely in good rosters. CP-SAT then searches the model with every other seat
held at 0 (the first roster's seats are kept, so its complete hint stays valid): a model of
~500 seats instead of ~7,500 on the city preset, which CP-SAT improves far faster than the
whole one. Every roster of the restricted model is a roster of the whole model (the
restriction only fixes seats to 0), so its best one becomes the hint of the whole search,
which may still use any seat. This is the "relaxation induced neighbourhood" idea of MIP
solvers (Danna, Rothberg and Le Pape, 2005) with the LP support as the neighbourhood.
"""

from __future__ import annotations

import datetime
import math
import threading

from ortools.sat.python import cp_model

from .highs import column_values, model_proto
from .linear import Unsupported, form_of
from .model import Model

#: Models up to this many variables get the stage (city: 13k; the LP of the one-round year
#: plan, 122k variables, takes longer than the time it could save).
MAX_VARIABLES = 50_000
#: ... when at least this many seconds are left after the first roster.
MIN_LEFT_S = 8.0
#: Share of the time left that the LP may take, and that the restricted search may take after it.
LP_SHARE = 0.5
SEARCH_SHARE = 0.6
#: A seat whose LP value is above this stays open.
SUPPORT_EPS = 1e-6


def applies(model: Model, left: float | None) -> bool:
    """Whether to run the stage: a one-round plan, a time limit with enough time left, and a
    model small enough for its LP to pay (no deadline: the whole search runs to optimality
    anyway). Multi-round plans are left out: on the university preset (10 rounds) the stage
    made the 10 s roster worse on 3 seeds of 3 (the LP spreads experience over rounds)."""
    return (
        left is not None
        and left >= MIN_LEFT_S
        and len(model.facts.rounds) == 1
        and len(model.cp.proto.variables) <= MAX_VARIABLES
        and not model.guarded
    )


#: How often the watcher of :func:`lp_support` looks at its ``stop`` event.
STOP_POLL_S = 0.05


def lp_support(
    model: Model, time_limit: float, stop: threading.Event | None = None
) -> tuple[set[tuple[int, int]], int] | None:
    """The seats (member index, group index) with a positive value in the LP optimum, and the
    LP bound (the LP optimum rounded up: the objective is integral, so no roster is below it);
    None when the LP does not end optimal in ``time_limit`` seconds, is stopped by ``stop``
    (GLOP ends within a fraction of a second of it: the city's 9 s LP ended 0.06 s after an
    interrupt), or the model has no linear form."""
    # MathOpt (0.3 s to import) only when an LP is solved.
    from ortools.math_opt.python import mathopt
    from ortools.util.python.solve_interrupter import SolveInterrupter

    try:
        form = form_of(model)
    except Unsupported:
        return None
    lp = mathopt.Model.from_model_proto(model_proto(form, integer=False))
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(0.01, time_limit)), threads=1
    )
    interrupter = SolveInterrupter()
    finished = threading.Event()

    def watch(stop: threading.Event) -> None:
        while not finished.wait(STOP_POLL_S):
            if stop.is_set():
                interrupter.interrupt()
                return

    watcher = None
    if stop is not None:
        watcher = threading.Thread(target=watch, args=(stop,), name="lp-stop", daemon=True)
        watcher.start()
    try:
        result = mathopt.solve(lp, mathopt.SolverType.GLOP, params=params, interrupter=interrupter)
    finally:
        finished.set()
        if watcher is not None:
            watcher.join()
    if result.termination.reason != mathopt.TerminationReason.OPTIMAL:
        return None
    by_id = column_values(result)
    keep = {(mi, gi) for col, mi, gi, _, _ in form["seats"] if by_id[col] > SUPPORT_EPS}
    return keep, math.ceil(result.objective_value() - 1e-6)


def restricted(model: Model, keep: set[tuple[int, int]]) -> cp_model.CpModel:
    """A copy of the model (hint included) with every seat outside ``keep`` held at 0."""
    copy = model.cp.clone()
    variables = copy.proto.variables
    for key, var in model.x.items():
        if key not in keep:
            domain = variables[var.index].domain
            domain.clear()
            domain.extend([0, 0])
    return copy
