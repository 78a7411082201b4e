"""The CP-SAT side of ``explain``: assume every guard, read a conflict, shrink it.

A guarded :class:`~teamsolver.engine.model.Model` enforces each hard constraint of a relaxable
rule (and each pin) only when the literal of its :class:`~teamsolver.engine.model.Where` holds.
Assuming a set of those literals asks "can these rule instances all hold, the rules that always
hold (one seat per round, eligibility) included?".
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from ..engine.model import Model, Where
from ..instance import Instance

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"


class Oracle:
    """Answers satisfiability of sets of rule instances of one instance, counting its solves."""

    def __init__(self, instance: Instance, *, workers: int = 1, seed: int = 0):
        self.model = Model(instance, guarded=True, goals=False)
        self.model.cp.clear_objective()  # type: ignore[no-untyped-call]
        self.workers = workers
        self.seed = seed
        self.solves = 0
        self.where_of = {lit.index: where for where, lit in self.model.guards.items()}

    @property
    def items(self) -> list[Where]:
        return list(self.model.guards)

    def check(self, items: Sequence[Where], time_limit: float) -> tuple[str, list[Where]]:
        """Whether ``items`` can all hold; when they cannot, a subset that cannot either
        (CP-SAT's sufficient assumptions, or ``items`` when it gives none)."""
        cp = self.model.cp
        cp.clear_assumptions()
        cp.add_assumptions([self.model.guards[w] for w in items])
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = self.workers
        params.random_seed = self.seed
        params.max_time_in_seconds = max(0.01, time_limit)
        params.catch_sigint_signal = False
        code = solver.solve(cp)
        self.solves += 1
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return SAT, []
        if code != cp_model.INFEASIBLE:
            return UNKNOWN, []
        core = [self.where_of[i] for i in solver.sufficient_assumptions_for_infeasibility()]
        known = set(items)
        core = [w for w in core if w in known]
        return UNSAT, core or list(items)


def shrink(oracle: Oracle, core: Sequence[Where], deadline: float) -> tuple[list[Where], bool]:
    """A deletion filter: drop each item whose removal leaves the rest unsatisfiable, narrowing
    to the solver's smaller conflict whenever it gives one. Returns the set and whether every
    item was tested (the set is then irreducible); items not tested by ``deadline`` stay."""
    kept: list[Where] = []
    todo = list(core)
    proven = True
    while todo:
        item = todo.pop(0)
        left = deadline - time.perf_counter()
        if left <= 0:
            return [*kept, item, *todo], False
        verdict, smaller = oracle.check(kept + todo, left)
        if verdict == UNSAT:
            # The smaller conflict holds every kept item: without one of them the rest (a
            # superset of it) was satisfiable.
            inside = set(smaller)
            todo = [w for w in todo if w in inside]
        else:
            if verdict == UNKNOWN:
                proven = False
            kept.append(item)
    return kept, proven


def feasible(instance: Instance, time_limit: float, workers: int = 1, seed: int = 0) -> str:
    """Whether ``instance`` has a roster that keeps every hard rule (no goals: the first one
    found will do)."""
    model = Model(instance, goals=False)
    model.cp.clear_objective()  # type: ignore[no-untyped-call]
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    params.max_time_in_seconds = max(0.01, time_limit)
    params.stop_after_first_solution = True
    params.catch_sigint_signal = False
    code = solver.solve(model.cp)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SAT
    return UNSAT if code == cp_model.INFEASIBLE else UNKNOWN
