"""Run CP-SAT on a :class:`~teamsolver.engine.model.Model` and read the roster back."""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from ..audit import check, hard_violations
from ..data.instance import Instance, relaxed
from ..data.result import Progress, Result, Status
from ..data.roster import Roster, Seat
from ..data.settings import GOAL_IDS
from ..rules.mentoring import assign_mentors
from . import lpguide
from .greedy import plan
from .model import Model, set_hint
from .symmetry import canonical
from .tiebreak import tie_break

STATUS: dict[int, Status] = {
    int(cp_model.OPTIMAL): "OPTIMAL",
    int(cp_model.FEASIBLE): "FEASIBLE",
    int(cp_model.INFEASIBLE): "INFEASIBLE",
    int(cp_model.UNKNOWN): "UNKNOWN",
    int(cp_model.MODEL_INVALID): "UNKNOWN",
}


def default_workers() -> int:
    """One CP-SAT worker per core, at most 8 (more workers than cores only slow it down)."""
    return max(1, min(8, os.cpu_count() or 1))


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Keeps the last solution's seats and reports each improving one."""

    def __init__(
        self,
        model: Model,
        start: float,
        on_progress: Callable[[Progress], None] | None,
        stop: threading.Event | None,
    ):
        super().__init__()
        self.model = model
        self.start = start
        self.on_progress = on_progress
        self.stop = stop
        self.solutions = 0
        self.first_s: float | None = None
        #: A lower bound of the whole model known from elsewhere (the LP's): reported when it
        #: is better, and instead of the solver's while it searches a restricted model, whose
        #: own bound proves nothing about the whole one.
        self.known_bound: float | None = None
        self.restricted = False

    def on_solution_callback(self) -> None:
        self.solutions += 1
        elapsed = time.perf_counter() - self.start
        if self.first_s is None:
            self.first_s = elapsed
        if self.on_progress is not None:
            bound = float(self.best_objective_bound)
            if self.known_bound is not None and (self.restricted or self.known_bound > bound):
                bound = self.known_bound
            # With a baseline (what-if), the parts too: the progress is then said in the plan's
            # own weights (whatif.PlanProgress), not the stability-first ones searched.
            goals, costs = (
                self.model.part_values(self.value)
                if self.model.baseline is not None
                else (None, None)
            )
            self.on_progress(
                Progress(
                    objective=int(self.objective_value),
                    bound=bound,
                    elapsed_s=elapsed,
                    solutions=self.solutions,
                    goals=goals,
                    rule_costs=costs,
                )
            )
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


#: Models with at least this many seat variables are solved in stages (see :func:`solve_model`).
STAGED_FROM = 500


#: Seconds CP-SAT needs per model variable before it can report anything: to load and
#: propagate fixed seats (stage 2), and to load and presolve lightly (stage 3). Measured on the
#: province preset (860k variables, 2 busy cores): 9 s for stage 2, more than 24 s for stage 3.
LOAD_S_PER_VARIABLE = 1e-5
PRESOLVE_S_PER_VARIABLE = 3e-5


def load_time(model: Model, per_variable: float | None = None) -> float:
    """A floor on the seconds a solve of ``model`` takes before it can report anything
    (``per_variable`` default: :data:`LOAD_S_PER_VARIABLE`, read when called)."""
    if per_variable is None:
        per_variable = LOAD_S_PER_VARIABLE
    return max(1.0, per_variable * len(model.cp.proto.variables))


#: Models with at least this many variables get a light presolve (see :func:`light_presolve`),
#: and so does any search with less than ``LIGHT_PRESOLVE_BELOW_S`` seconds left (city preset,
#: 5 s: the full presolve took the whole limit and the search never improved the greedy roster;
#: with a light one it did on 3 seeds out of 3; at 30 s the two are level).
LIGHT_PRESOLVE_FROM = 50_000
LIGHT_PRESOLVE_BELOW_S = 20.0


def light_presolve(solver: cp_model.CpSolver) -> None:
    """No probing, one presolve pass, no symmetry detection. On the year preset (120k
    variables, 2 workers) the full presolve alone outlasted a 20 s limit, so the search never
    started; probing was the largest part of it. A light one leaves the search time to improve
    the complete hint (benchmarks/results/engine-levers.md)."""
    params = solver.parameters
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    params.symmetry_level = 0


def make_solver(workers: int, seed: int, time_limit: float | None, log: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    if time_limit is not None:
        params.max_time_in_seconds = max(0.01, float(time_limit))
    params.log_search_progress = log
    params.catch_sigint_signal = False  # the caller decides what Ctrl-C means (see ``stop``)
    return solver


def _run(
    solver: cp_model.CpSolver,
    cp: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None,
    stop: threading.Event | None,
) -> int:
    """``solver.solve`` that ends early when ``stop`` is set, even between solutions."""
    done = threading.Event()
    if stop is not None:
        if stop.is_set():
            return int(cp_model.UNKNOWN)

        def relay() -> None:
            while not done.is_set():
                if stop.wait(0.05):
                    solver.stop_search()
                    return

        threading.Thread(target=relay, daemon=True).start()
    try:
        return int(solver.solve(cp, callback))
    finally:
        done.set()


Chosen = dict[tuple[int, int], tuple[int, int, int]]


def chosen_values(solver: cp_model.CpSolver, model: Model) -> Chosen:
    """(member, group) -> (1, leader, deputy) for every seat taken in the solver's solution."""
    return {
        key: (
            1,
            solver.value(model.lead[key]) if key in model.lead else 0,
            solver.value(model.dep[key]) if key in model.dep else 0,
        )
        for key, v in model.x.items()
        if solver.value(v)
    }


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.perf_counter()


#: The greedy planner's last roster and (a weak reference to) its instance: the feasibility
#: phase (:mod:`.feasibility`) repairs the roster :func:`greedy_roster` refused without
#: planning it again (0.5–2 s at 2,000 members).
_last_plan: tuple[weakref.ref[Instance], Roster] | None = None


def greedy_plan(instance: Instance) -> Roster:
    """The greedy planner's roster of ``instance``, checked or not (planned once per instance
    when asked again right after :func:`greedy_roster`)."""
    global _last_plan
    last = _last_plan
    if last is not None and last[0]() is instance:
        return last[1]
    roster = plan(instance)
    _last_plan = (weakref.ref(instance), roster)
    return roster


def greedy_roster(instance: Instance, relax: bool = False) -> Roster | None:
    """The greedy planner's roster (:mod:`.greedy`) if it passes the independent checker
    (under the relaxed rules with ``relax``), else None. Pure Python: it needs no model, so
    :func:`teamsolver.solve` runs it before building one (a roster in seconds even with
    thousands of members, where the model takes longer to build)."""
    roster = greedy_plan(instance)
    judged = relaxed(instance) if relax else instance
    if not roster.seats or hard_violations(judged, check(judged, roster)):
        return None
    return roster


def chosen_of(instance: Instance, model: Model, roster: Roster) -> Chosen | None:
    """The seats and roles of ``roster`` in ``model``'s indices (None: a seat or role the
    model has no variable for)."""
    m_index = {m.id: i for i, m in enumerate(instance.members)}
    g_index = {g.id: i for i, g in enumerate(instance.groups)}
    chosen: Chosen = {}
    for seat in roster.seats:
        mi, gi = m_index.get(seat.member), g_index.get(seat.group)
        if mi is None or gi is None or (mi, gi) not in model.x:
            return None
        key = (mi, gi)
        lead, dep = seat.role == "leader", seat.role == "deputy"
        if (lead and key not in model.lead) or (dep and key not in model.dep):
            return None
        chosen[key] = (1, int(lead), int(dep))
    return chosen


def complete_solution(
    model: Model,
    chosen: Chosen,
    seed: int,
    deadline: float | None,
    stop: threading.Event | None,
    log: bool,
) -> cp_model.CpSolver | None:
    """Every variable of ``model`` completed from the seats and roles of ``chosen`` (fixed by a
    hint that CP-SAT must follow; propagation fills in the rest), or None if that fails in time.

    The seats are fixed in ``model`` itself, not in a copy: the hint is cleared again before
    returning, so the model is unchanged. A copy of the province model (860k variables) took
    390 MB and pushed the peak of a 60 s solve past 2 GB (benchmarks/results/engine-levers.md).
    """
    left = _left(deadline)
    if left is not None and left < load_time(model):
        return None  # loading the model alone takes that long: keep the seats as they are
    proto = model.cp.proto
    set_hint(proto, *model.seat_values(chosen))
    # Propagation from fixed seats ends fast on small models; a huge one needs its time
    # (province, 860k variables: 9 s), and without the complete hint the search is hopeless.
    completer = make_solver(1, seed, left, log)
    completer.parameters.fix_variables_to_their_hinted_value = True
    try:
        code = _run(completer, model.cp, None, stop)
    finally:
        proto.clear_solution_hint()
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return completer


def _first_roster(
    instance: Instance,
    model: Model,
    workers: int,
    seed: int,
    deadline: float | None,
    stop: threading.Event | None,
    log: bool,
    start: Roster | None = None,
) -> tuple[int, Chosen | None, cp_model.CpSolver | None, bool]:
    """Stages 1 and 2: any roster that satisfies the hard rules, then every variable of the
    full model completed from it (a complete hint; a partial one helps CP-SAT little).

    Stage 1 takes ``start`` (the greedy planner's roster, which passed the checker) when the
    model has its seats (seconds even with thousands of members, and a good roster); otherwise
    it solves the hard rules alone (soft rules and goals left out: they never forbid a roster)
    and stops at the first roster. Stage 2 fixes the seats and roles of that roster in the full
    model (a hint CP-SAT must follow, cleared afterwards) and lets propagation fill in the rest.
    Returns the stage-1 status, its roster, a solver whose values complete it (indices of
    ``model``) if stage 2 ended in time, and whether the roster is the greedy planner's.
    """
    if start is not None:
        if model.symmetric:
            start = canonical(model, start)  # the same roster up to labels, in the break's order
        chosen = chosen_of(instance, model, start)
        if chosen is not None:
            # The checker accepted it: it stays the roster to beat even if completing it fails.
            completed = complete_solution(model, chosen, seed, deadline, stop, log)
            return int(cp_model.FEASIBLE), chosen, completed, True
    feasible = Model(
        instance, model.baseline, relax=model.relax, goals=False, facts=model.facts, stop=stop
    )
    if feasible.stopped:
        return int(cp_model.UNKNOWN), None, None, False
    solver = make_solver(workers, seed, _left(deadline), log)
    solver.parameters.stop_after_first_solution = True
    if workers == 1:
        # A lone worker with the LP relaxation can take many times longer to find any roster
        # (year preset: none in 30 s, against 3 s without it); several workers include a
        # worker without LP anyway.
        solver.parameters.linearization_level = 0
    code = _run(solver, feasible.cp, None, stop)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, None, None, False
    chosen = chosen_values(solver, feasible)
    completed = complete_solution(model, chosen, seed, deadline, stop, log)
    return int(cp_model.FEASIBLE), chosen, completed, False


def _hint(model: Model, values: list[int]) -> None:
    """Make ``values`` (one per variable) the model's complete hint."""
    set_hint(model.cp.proto, range(len(values)), values)


def _lp_guided(
    model: Model,
    first: Chosen,
    workers: int,
    seed: int,
    deadline: float | None,
    stop: threading.Event | None,
    log: bool,
    watcher: _Watcher,
) -> tuple[cp_model.CpSolver | None, float | None]:
    """The LP-guided stage (:mod:`teamsolver.engine.lpguide`): CP-SAT on the model with the
    seats outside the LP support (and outside the first roster) held at 0, from the complete
    hint. Its solver if it found a roster (a roster of the whole model), else None; and the LP
    bound if the LP was solved."""
    left = _left(deadline)
    if not lpguide.applies(model, left) or (stop is not None and stop.is_set()):
        return None, None
    assert left is not None
    support = lpguide.lp_support(model, left * lpguide.LP_SHARE, stop)
    if support is None:
        return None, None
    keep, lp_bound = support
    left = _left(deadline)
    if left is None or left < 1.0 or (stop is not None and stop.is_set()):
        return None, lp_bound
    solver = make_solver(workers, seed, left * lpguide.SEARCH_SHARE, log)
    watcher.known_bound, watcher.restricted = lp_bound, True
    try:
        code = _run(solver, lpguide.restricted(model, keep | set(first)), watcher, stop)
    finally:
        watcher.restricted = False  # the whole search's bounds are its own (or the LP's)
    return (solver if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None), lp_bound


def solve_model(
    instance: Instance,
    model: Model,
    *,
    deadline: float | None,
    workers: int | None,
    seed: int,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    build_s: float = 0.0,
    log: bool = False,
    initial: Roster | None = None,
) -> Result:
    """Solve until ``deadline`` (a ``time.perf_counter()`` instant; None: until optimal).

    Large models go in three stages (first roster, complete hint, optimisation); whatever the
    later stages fail to improve in time, the roster of an earlier stage is kept. ``initial``: a
    checker-clean roster found before (:func:`greedy_roster`), the first stage's roster if
    the model has its seats; ``first_solution_s`` is then 0 (it was at hand from the start).
    A model whose build was stopped (:attr:`Model.stopped`) is not solved: ``initial`` is
    returned (UNKNOWN without it).
    """
    workers = workers or default_workers()
    start = time.perf_counter()
    watcher = _Watcher(model, start, on_progress, stop)
    code: int | None = None
    first: Chosen | None = None
    completed: cp_model.CpSolver | None = None
    known_bound: float | None = None  # a lower bound of the whole model found on the way
    lp_guided = False
    greedy_first = False
    if model.stopped:
        # Stopped while the model was built: it is incomplete, keep the roster found before.
        code = int(cp_model.UNKNOWN if initial is None else cp_model.FEASIBLE)
        greedy_first = initial is not None
        watcher.first_s = 0.0 if greedy_first else None
    elif len(model.x) >= STAGED_FROM:
        code1, first, completed, greedy_first = _first_roster(
            instance, model, workers, seed, deadline, stop, log, initial
        )
        if first is None:
            code = code1  # no roster at all: INFEASIBLE, or UNKNOWN when time ran out
        else:
            watcher.first_s = 0.0 if greedy_first else time.perf_counter() - start
            if completed is not None:
                # The complete hint, written straight into the proto (one call, not one a var).
                _hint(model, list(completed.response_proto.solution))
                guided, known_bound = _lp_guided(
                    model, first, workers, seed, deadline, stop, log, watcher
                )
                if guided is not None:
                    lp_guided = True
                    completed = guided  # a better roster: the hint, and the one to fall back to
                    _hint(model, list(guided.response_proto.solution))
    solver: cp_model.CpSolver | None = None
    left = _left(deadline)
    # Loading a large model into CP-SAT alone takes seconds: with less time left than that,
    # keep the roster already found rather than overrun the time limit.
    if code is None and (
        first is None or left is None or left > load_time(model, PRESOLVE_S_PER_VARIABLE)
    ):
        solver = make_solver(workers, seed, left, log)
        if len(model.cp.proto.variables) >= LIGHT_PRESOLVE_FROM or (
            left is not None and left < LIGHT_PRESOLVE_BELOW_S
        ):
            light_presolve(solver)
        code = _run(solver, model.cp, watcher, stop)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver = None
        elif (
            completed is not None
            and code == cp_model.FEASIBLE
            and completed.objective_value < solver.objective_value
        ):
            # The search ended on a worse roster than its hint (it did not follow the hint in
            # time): keep the earlier roster, and the bound the search proved.
            known_bound = max(
                -math.inf if known_bound is None else known_bound, solver.best_objective_bound
            )
            solver = None
    if solver is None and first is not None:
        # The optimisation found nothing better in time: keep the earlier roster.
        code, solver = int(cp_model.FEASIBLE), completed
    elif solver is None and initial is not None and code != cp_model.INFEASIBLE:
        # A small (unstaged) model whose search found nothing in time: the greedy roster,
        # checker-clean, is better than none.
        code, greedy_first = int(cp_model.FEASIBLE), True
        watcher.first_s = 0.0
    values = solver  # the solver whose roster is read: the tie-break's among tied optima
    if solver is not None and code == cp_model.OPTIMAL and solver is not completed:
        values = (
            tie_break(
                model,
                solver,
                deadline=deadline,
                stop=stop,
                seed=seed,
                run=lambda s, cp: _run(s, cp, None, stop),
            )
            or solver
        )
    wall = time.perf_counter() - start
    status = STATUS.get(int(code if code is not None else cp_model.UNKNOWN), "UNKNOWN")
    roster = Roster()
    goals: dict[str, int] = {}
    costs: dict[str, int] = {}
    objective: int | None = None
    bound: float | None = None
    if status in ("OPTIMAL", "FEASIBLE"):
        if solver is not None and values is not None:
            roster = make_roster(instance, chosen_values(values, model))
            objective = round(solver.objective_value)
            # A stage-2 (or LP-guided) solver searched part of the model: its "bound" proves
            # nothing. The LP bound of the whole model does.
            bound = None if solver is completed else float(solver.best_objective_bound)
            if known_bound is not None and (bound is None or known_bound > bound):
                bound = float(known_bound)
            if bound is not None and objective is not None and bound >= objective:
                status = "OPTIMAL"
            for key, part in model.parts.items():
                value = int(values.value(part.expr())) if part.vars else part.constant
                if key in GOAL_IDS:
                    goals[key] = value
                elif value:
                    costs[key] = value
        elif first is not None:
            roster = make_roster(instance, first)
        else:
            assert initial is not None
            roster = initial
    return Result(
        status=status,
        objective=objective,
        bound=bound,
        wall_time_s=wall,
        build_time_s=build_s,
        search_time_s=wall,
        first_solution_s=watcher.first_s,
        roster=roster,
        engine_goals=goals,
        rule_costs=costs,
        solutions=watcher.solutions,
        workers=workers,
        seed=seed,
        interrupted=stop is not None and stop.is_set(),
        stats={
            "variables": len(model.cp.proto.variables),
            "constraints": len(model.cp.proto.constraints),
            "seat_variables": len(model.x),
            "greedy_first": int(greedy_first),
            "lp_guided": int(lp_guided),
        },
    )


def make_roster(instance: Instance, chosen: dict[tuple[int, int], tuple[int, int, int]]) -> Roster:
    """Seats with roles, and a mentor for every new member (experienced, same group, ≤ k each)."""
    members, groups = instance.members, instance.groups
    rounds = {r: i for i, r in enumerate(instance.rounds)}
    exp_rules = instance.rules.experience
    k = instance.rules.mentoring.max_new_per_experienced
    seat_rounds: dict[int, list[int]] = defaultdict(list)
    for mi, gi in chosen:
        seat_rounds[mi].append(rounds[groups[gi].round])

    def experience(mi: int, ri: int) -> int:
        return members[mi].rounds_served + sum(1 for r in seat_rounds[mi] if r < ri)

    by_group: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (mi, gi), (_, lead, dep) in chosen.items():
        role = "leader" if lead else "deputy" if dep else "member"
        by_group[gi].append((mi, role))
    seats: list[Seat] = []
    order = {"leader": 0, "deputy": 1, "member": 2}
    for gi in sorted(by_group, key=lambda g: (rounds[groups[g].round], g)):
        g = groups[gi]
        ri = rounds[g.round]
        here = sorted(by_group[gi], key=lambda p: (order[p[1]], members[p[0]].id))
        assigned = assign_mentors(
            [(members[mi].id, experience(mi, ri)) for mi, _ in here],
            k,
            exp_rules.experienced_min,
            exp_rules.new_max,
        )
        for mi, role in here:
            seats.append(
                Seat(
                    round=g.round,
                    group=g.id,
                    member=members[mi].id,
                    role=role,
                    mentor=assigned.get(members[mi].id),
                )
            )
    return Roster(seats=tuple(seats))
