"""A deterministic choice among tied optimal rosters.

A plan often has several rosters of the same, optimal objective (``tiny`` has several).
Which one CP-SAT returns depends on its search path, which depends on the time limit (a
short limit gets a light presolve), on the number of workers and on the machine: the same
plan could show a different roster from one run to the next, and an example in a manual
could not be reproduced. :func:`tie_break` fixes the objective at the proven optimum and
minimises a second, fixed order over the seats and roles, so that the roster returned is the
optimum that comes first in that order whatever path found the first optimum.

The order gives every (member, group, seat or role) a weight from a hash of their ids (CRC-32,
the same on every machine and Python; not ``hash()``, which is salted per process), so it
does not depend on the order of the rows in the files either. Distinct rosters rarely tie
in this order; when the second search is not proven within its budget, the roster it has is
still one of the optima.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable

from ortools.sat.python import cp_model

from .model import Model, set_hint

#: The second search's budget in CP-SAT's deterministic time (about a second of one core's
#: work; the same on every machine), at least, or as much as the first search took.
TIE_BREAK_DETERMINISTIC_S = 1.0


def order_weight(*ids: str) -> int:
    """A fixed weight in −1,000…1,000 (never 0) for the seat or role named by ``ids``."""
    h = zlib.crc32("\x1f".join(ids).encode("utf-8"))
    w = h % 2001 - 1000
    return w if w else 1001


def tie_break(
    model: Model,
    solver: cp_model.CpSolver,
    *,
    deadline: float | None,
    stop: threading.Event | None,
    seed: int,
    run: Callable[[cp_model.CpSolver, cp_model.CpModel], int],
) -> cp_model.CpSolver | None:
    """Among the rosters whose objective equals ``solver``'s (proven optimal), the first in
    the fixed order: a solver holding it, or None when no time is left or it finds nothing
    (the caller keeps ``solver``'s roster). ``run`` runs a search and honours ``stop``."""
    left = None if deadline is None else deadline - time.perf_counter()
    if (left is not None and left <= 0.05) or (stop is not None and stop.is_set()):
        return None
    cp = model.cp.clone()
    proto = cp.proto
    solution = list(solver.response_proto.solution)
    objective = proto.objective
    refs, coeffs = list(objective.vars), list(objective.coeffs)
    optimum = sum(
        c * (solution[r] if r >= 0 else -solution[-r - 1])
        for r, c in zip(refs, coeffs, strict=True)
    )
    fixed = proto.constraints.add().linear
    fixed.vars.extend(refs)
    fixed.coeffs.extend(coeffs)
    fixed.domain.extend([optimum, optimum])
    proto.clear_objective()
    members, groups = model.instance.members, model.instance.groups
    terms: list[tuple[int, int]] = []
    for tag, variables in (("seat", model.x), ("leader", model.lead), ("deputy", model.dep)):
        for (mi, gi), var in variables.items():
            if isinstance(var, cp_model.IntVar):
                terms.append((var.index, order_weight(tag, members[mi].id, groups[gi].id)))
    terms.sort()
    proto.objective.vars.extend(i for i, _ in terms)
    proto.objective.coeffs.extend(w for _, w in terms)
    set_hint(proto, range(len(solution)), solution)
    second = cp_model.CpSolver()
    params = second.parameters
    params.num_workers = 1  # one worker: the same path on every machine
    params.random_seed = seed
    params.max_deterministic_time = max(
        TIE_BREAK_DETERMINISTIC_S, float(solver.response_proto.deterministic_time)
    )
    if left is not None:
        params.max_time_in_seconds = left
    code = run(second, cp)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return second
