"""The CP-SAT side of ``explain``: assume every guard, read a conflict, shrink it.

A guarded :class:`~teamsolver.engine.model.Model` enforces each hard constraint of a relaxable
rule (and each pin) only when the literal of its :class:`~teamsolver.rules.base.Where` holds.
Assuming a set of those literals asks "can these rule instances all hold, the rules that always
hold (one seat per round, eligibility) included?".
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..data.instance import Instance, Pin
from ..data.result import Progress
from ..data.roster import Roster
from ..rules.base import Where
from .model import Model, set_hint
from .solve import (
    STAGED_FROM,
    chosen_of,
    chosen_values,
    complete_solution,
    make_roster,
    make_solver,
    solve_model,
)

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"
#: Seconds given to the one assumption-based solve that reads CP-SAT's own conflict.
ASSUMING_S = 1.0
#: Seconds at most for checking a part of the plan while looking for a first conflict.
PART_S = 5.0


class Oracle:
    """Answers satisfiability of sets of rule instances of one instance, counting its solves.

    Each question works on a copy of the guarded model in which every guard outside the set
    is fixed to false, so that presolve removes those constraints; the guards of the set are
    either assumed (to read CP-SAT's sufficient assumptions) or fixed to true (``fixed``: much
    faster on a large set, as presolve then works on them too, but without a smaller
    conflict).
    """

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

    def check(
        self, items: Sequence[Where], time_limit: float, *, fixed: bool = False
    ) -> tuple[str, list[Where]]:
        """Whether ``items`` can all hold; when they cannot, a subset that cannot either
        (CP-SAT's sufficient assumptions, or ``items`` when it gives none or ``fixed``)."""
        chosen = set(items)
        cp = self.model.cp.clone()
        for where, lit in self.model.guards.items():
            var = cp.get_bool_var_from_proto_index(lit.index)
            if where not in chosen:
                cp.add(var == 0)
            elif fixed:
                cp.add(var == 1)
        if not fixed:
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
        if fixed:
            return UNSAT, list(items)
        core = [self.where_of[i] for i in solver.sufficient_assumptions_for_infeasibility()]
        core = [w for w in core if w in chosen]
        return UNSAT, core or list(items)


def first_conflict(
    oracle: Oracle, deadline: float, *, known_unsat: bool = False
) -> tuple[str, list[Where]]:
    """A conflict to shrink, found quickly: the whole plan is first checked with every guard
    fixed (presolve proves most infeasibilities in seconds where assumptions on thousands of
    literals would not; skipped when ``known_unsat``: a solve already proved it); then the
    rule instances of one group at a time, then of growing prefixes of the groups (with the
    instances that belong to no group), so that the assumption-based solve that reads the
    solver's conflict runs on a small set."""
    items = oracle.items

    def left() -> float:
        return deadline - time.perf_counter()

    if not known_unsat:
        verdict, _ = oracle.check(items, left(), fixed=True)
        if verdict != UNSAT:
            return verdict, []
    groups = list(dict.fromkeys(w.group for w in items if w.group is not None))
    by_group = {g: [w for w in items if w.group == g] for g in groups}
    loose = [w for w in items if w.group is None]
    universe = items
    for g in groups:
        if left() <= 0:
            break
        if oracle.check(by_group[g], min(left(), PART_S), fixed=True)[0] == UNSAT:
            universe = by_group[g]
            break
    else:
        # Across groups: first drop whole rules, then find the smallest prefix of the groups
        # (with the instances that belong to no group) that still cannot hold.
        kept = set(drop_rules(oracle, items, deadline))
        loose = [w for w in loose if w in kept]
        by_group = {g: [w for w in ws if w in kept] for g, ws in by_group.items()}
        low, high = 0, len(groups)  # the prefix of length ``high`` is known to conflict
        while low + 1 < high and left() > 0:
            mid = (low + high) // 2
            prefix = loose + [w for g in groups[:mid] for w in by_group[g]]
            # A prefix not shown to conflict in time counts as one that does not.
            if oracle.check(prefix, min(left(), PART_S), fixed=True)[0] == UNSAT:
                high = mid
            else:
                low = mid
        universe = loose + [w for g in groups[:high] for w in by_group[g]]
    # The solver's own conflict when it comes quickly; the group's instances otherwise.
    verdict, core = oracle.check(universe, min(left(), ASSUMING_S))
    if verdict == UNKNOWN:
        return UNSAT, list(universe)
    return verdict, core


def drop_rules(oracle: Oracle, items: Sequence[Where], deadline: float) -> list[Where]:
    """``items`` without every rule (all its instances at once, largest rule first) whose
    removal leaves the rest in conflict: a conflict seldom involves many rules."""
    todo = list(items)
    families: dict[str, int] = {}
    for w in todo:
        families[w.rule] = families.get(w.rule, 0) + 1
    if len(families) < 2:
        return todo
    for rule in sorted(families, key=lambda r: -families[r]):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        rest = [w for w in todo if w.rule != rule]
        if rest and oracle.check(rest, min(left, PART_S), fixed=True)[0] == UNSAT:
            todo = rest
    return todo


def shrink(oracle: Oracle, core: Sequence[Where], deadline: float) -> tuple[list[Where], bool]:
    """A deletion filter that deletes in chunks: first whole rules (:func:`drop_rules`),
    then chunks of untested items, doubling the chunk after a drop and halving it when the
    drop makes the rest satisfiable (few checks for a small conflict in a large set, about one
    per item for a large one); a single item whose removal
    does is kept (it belongs to every conflict within the set). Checks fix the guards (fast
    under presolve). Returns the set and whether every item was tested (the set is then
    irreducible); items not tested by ``deadline`` stay."""
    kept: list[Where] = []
    todo = drop_rules(oracle, core, deadline)
    proven = True
    chunk = max(1, len(todo) // 2)
    while todo:
        left = deadline - time.perf_counter()
        if left <= 0:
            return [*kept, *todo], False
        part, rest = todo[:chunk], todo[chunk:]
        # A check that runs out of time keeps the chunk (the set stays a conflict, unproven).
        verdict, _ = oracle.check([*kept, *rest], min(left, PART_S), fixed=True)
        if verdict == UNSAT:
            todo = rest
            chunk = max(1, min(2 * chunk, len(todo) // 2))  # dropping works: bolder
        elif chunk > 1:
            chunk //= 2
        else:
            if verdict == UNKNOWN:
                proven = False
            kept.append(part[0])
            todo = rest
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


class _Enough(cp_model.CpSolverSolutionCallback):
    """Stops the search after ``solutions`` improving rosters (None: never)."""

    def __init__(self, solutions: int | None):
        super().__init__()
        self.limit = solutions
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.limit is not None and self.count >= self.limit:
            self.stop_search()


@dataclass(frozen=True)
class Limits:
    """How long one re-solve may search: until ``deadline`` (a ``time.perf_counter()``
    instant; ``math.inf``: none) or ``solutions`` improving rosters (None: no count), with
    ``workers`` CP-SAT threads and ``seed``."""

    deadline: float
    workers: int
    seed: int = 0
    solutions: int | None = None


def resolve_from(
    model: Model, seat: tuple[int, int], start: Roster | None, *, clean: bool, limits: Limits
) -> tuple[str, Roster | None, bool]:
    """The best roster of ``model``'s instance with the seat ``(member, group)`` (indices)
    taken, searched by CP-SAT from ``start`` (a roster with that seat, or None; ``clean``: the
    checker accepts it) within ``limits``.

    A model of at least :data:`~teamsolver.engine.solve.STAGED_FROM` seat variables is solved
    as :func:`teamsolver.solve` solves it, with a require pin, and a clean ``start`` as its
    first roster (the complete hint of its staged search, LP-guided stage included: one CP-SAT
    worker from a hint alone hardly improves a large roster). A smaller one is solved on
    ``model`` itself, the seat taken by narrowing the domain of its variable (one model serves
    every group; domain and hint are restored before returning), every variable hinted from
    ``start`` (its seats and roles alone when it breaks a hard rule: CP-SAT repairs the hint).

    Returns the verdict (``SAT``; ``UNSAT``: no roster has the seat; ``UNKNOWN``), the roster,
    and whether it is proven best.
    """

    if len(model.x) >= STAGED_FROM:
        first = start if clean else None
        return _staged(model.instance, seat, first, limits)
    return _hinted(model, seat, start, limits)


def _staged(
    instance: Instance, seat: tuple[int, int], start: Roster | None, limits: Limits
) -> tuple[str, Roster | None, bool]:
    member, group = instance.members[seat[0]].id, instance.groups[seat[1]].id
    pinned = instance.model_copy(
        update={"pins": (*instance.pins, Pin(member=member, group=group, kind="require"))}
    )
    stop = threading.Event()

    def progress(p: Progress) -> None:
        if limits.solutions is not None and p.solutions >= limits.solutions:
            stop.set()

    result = solve_model(
        pinned,
        Model(pinned),
        deadline=None if math.isinf(limits.deadline) else limits.deadline,
        workers=limits.workers,
        seed=limits.seed,
        on_progress=progress,
        stop=stop,
        initial=start,
    )
    if result.has_roster:
        return SAT, result.roster, result.status == "OPTIMAL"
    return (UNSAT if result.status == "INFEASIBLE" else UNKNOWN), None, False


def _hinted(
    model: Model, seat: tuple[int, int], start: Roster | None, limits: Limits
) -> tuple[str, Roster | None, bool]:

    instance = model.instance
    proto = model.cp.proto
    domain = proto.variables[model.x[seat].index].domain
    saved = list(domain)  # [0, 1]: a Boolean
    for i in range(len(saved)):
        domain[i] = 1
    limit = None if math.isinf(limits.deadline) else limits.deadline
    seed = limits.seed
    try:
        chosen = chosen_of(instance, model, start) if start is not None else None
        completed = None
        if chosen is not None and seat in chosen:
            completed = complete_solution(model, chosen, seed, limit, None, False)
        if completed is not None:
            values = list(completed.response_proto.solution)
            set_hint(proto, range(len(values)), values)
        elif chosen is not None:
            set_hint(proto, *model.seat_values(chosen))
        else:
            proto.clear_solution_hint()
        left = None if limit is None else limit - time.perf_counter()
        solver = make_solver(limits.workers, seed, left, False)
        code = solver.solve(model.cp, _Enough(limits.solutions))
    finally:
        for i, bound in enumerate(saved):
            domain[i] = bound
        proto.clear_solution_hint()
    if code == cp_model.INFEASIBLE:
        return UNSAT, None, False
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return UNKNOWN, None, False
    return SAT, make_roster(instance, chosen_values(solver, model)), code == cp_model.OPTIMAL
