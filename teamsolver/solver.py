"""``teamsolver.solve``: the library entry point of the engine."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

from .data.errors import raise_if_errors
from .data.instance import Instance, relaxed
from .data.result import Progress, Result
from .data.roster import Roster
from .limits import ObjectiveTooLarge, objective_problem, search_args, size_problem, worst_objective
from .score import judge
from .validation import validate_instance

if TYPE_CHECKING:
    from .engine.model import Model

Backend = Literal["auto", "cp-sat", "highs"]
BACKENDS: tuple[Backend, ...] = ("auto", "cp-sat", "highs")


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int = 0,
    baseline: Roster | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    relax: bool = False,
    backend: Backend = "auto",
    solutions: int | None = None,
) -> Result:
    """Find the best roster of ``instance`` that respects every hard rule.

    - ``time_limit``: seconds, model building included (None: until proven optimal).
    - ``workers``: CP-SAT threads (None: one per core, at most 8).
    - ``seed``: the same instance, seed and ``workers=1`` give the same roster.
    - ``baseline``: a roster to stay close to (the ``stability`` goal).
    - ``on_progress``: receives each improving roster.
    - ``stop``: set it from another thread to end the search and keep the best roster so far.
    - ``relax``: make every relaxable hard rule soft (and validate the input that way).
    - ``backend``: ``"cp-sat"`` (the staged CP-SAT search), ``"highs"`` (HiGHS, one thread,
      through OR-Tools' MathOpt, on the same model written as linear rows) or ``"auto"``:
      CP-SAT alone, except for one-round plans of at most 5,000 seat variables solved with a
      time limit of 10 s or more and ``workers >= 2``, where HiGHS races CP-SAT with one
      worker fewer (see ``teamsolver.engine.mip.races``). A race returns the better roster
      and the larger of the two lower bounds; ``stats["backend"]`` names the search whose
      roster came back. HiGHS runs in a child process (MathOpt cannot interrupt it), killed
      on ``stop``, when CP-SAT proves the optimum, or shortly after the time limit: none
      outlives ``solve``. A HiGHS process that fails leaves CP-SAT's roster
      (``stats["highs_failed"]``). ``workers=1`` under ``"auto"`` is CP-SAT alone, so the
      same seed still gives the same roster. With a time limit, multi-round plans and
      one-round plans of more than 5,000 seat variables are searched by the decomposition
      layer (``engine/lns.py``, docs/engine.md) under ``"auto"`` and ``"cp-sat"``. When the
      greedy roster breaks a hard rule (tight plans), the feasibility phase repairs it first
      (``engine/feasibility.py``; ``stats["feasibility_*"]``) and either search starts from
      its roster; cut by the time limit or ``stop`` on a plan of the decomposition layer, the
      result is UNKNOWN.
    - ``solutions``: stop after this many improving rosters (CP-SAT's; ``"auto"`` then does
      not race). With ``workers=1`` and no time limit this is a deterministic limit: the
      same instance and seed give the same roster on any machine, however busy.

    Raises ``ValueError`` for an argument out of range (a time limit of 0 or less, fewer than
    one worker, a seed outside 0…2^31 − 1), and :class:`~teamsolver.data.errors.InputError` for an
    instance that cannot be solved as given: problems found by validation, a plan too large
    for the machine's memory, or weights so large that the objective would overflow.
    """
    # The engine imports OR-Tools (0.5 s): `teamsolver check`, validation and --help never
    # pay for it; and it is imported here, before the timed part of the solve begins.
    from .engine.feasibility import first_roster, noted
    from .engine.linear import Unsupported
    from .engine.lns import solve_by_parts
    from .engine.mip import race, races
    from .engine.model import Model
    from .engine.solve import default_workers, greedy_roster, solve_model

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    search_args(time_limit=time_limit, workers=workers, seed=seed, solutions=solutions)
    if time_limit == math.inf:
        time_limit = None
    if solutions is not None:
        if backend == "highs":
            raise ValueError("solutions counts CP-SAT's rosters: use backend 'cp-sat' or 'auto'")
        backend = "cp-sat"
        stop = stop or threading.Event()
        on_progress = _stop_after(solutions, on_progress, stop)
    start = time.perf_counter()
    deadline = None if time_limit is None else start + time_limit
    judged = relaxed(instance) if relax else instance
    raise_if_errors(validate_instance(judged))
    raise_if_errors(p for p in [size_problem(instance)] if p is not None)
    # The greedy roster first: pure Python, no model needed, so a first roster is at hand
    # before the (much longer, at thousands of members) model build.
    greedy_start = time.perf_counter()
    initial = greedy_roster(instance, relax)
    greedy_s = time.perf_counter() - greedy_start
    # A greedy roster that breaks a hard rule (tight plans): the feasibility phase repairs it
    # (engine/feasibility.py), and its roster starts either search.
    phase_start = time.perf_counter()
    repaired = (
        None
        if initial is not None
        else first_roster(
            instance,
            relax=relax,
            time_limit=time_limit,
            deadline=deadline,
            stop=stop,
            seed=seed,
            baseline=baseline,
        )
    )
    phase_s = time.perf_counter() - phase_start
    if repaired is not None and repaired.roster is not None:
        initial = repaired.roster
    first_roster_s = None if initial is None else time.perf_counter() - start
    if repaired is not None and repaired.spent:
        # Cut by the time limit or stop on a large plan: no other search could start in time.
        unknown = Result(
            status="UNKNOWN",
            build_time_s=greedy_start - start,
            search_time_s=phase_s,
            workers=workers or default_workers(),
            seed=seed,
            interrupted=stop is not None and stop.is_set(),
        )
        return noted(_scored(unknown, judged, baseline, start, greedy_s, None), repaired, None)
    # Large and multi-round plans under a time limit: a search of small sub-models from the
    # greedy roster (engine/lns.py, docs/engine.md); None where the monolithic model is used.
    decomposed = (
        None
        if backend == "highs"
        else solve_by_parts(
            instance,
            baseline=baseline,
            relax=relax,
            time_limit=time_limit,
            deadline=deadline,
            workers=workers,
            seed=seed,
            initial=initial,
            on_progress=on_progress,
            stop=stop,
            validated_s=greedy_start - start,
        )
    )
    if decomposed is not None:
        scored = _scored(decomposed, judged, baseline, start, greedy_s, first_roster_s, solutions)
        return noted(scored, repaired, first_roster_s)
    model = Model(instance, baseline, relax=relax, stop=stop)
    build_s = time.perf_counter() - start - greedy_s - phase_s
    if not model.stopped:
        worst = worst_objective(_objective_terms(model), int(model.cp.proto.objective.offset))
        too_large = objective_problem(worst, judged)
        if too_large is not None:
            raise ObjectiveTooLarge(too_large, worst)

    def cp_sat(
        workers: int | None,
        stop: threading.Event | None,
        on_progress: Callable[[Progress], None] | None,
    ) -> Result:
        return solve_model(
            instance,
            model,
            deadline=deadline,
            workers=workers,
            seed=seed,
            on_progress=on_progress,
            stop=stop,
            build_s=build_s,
            initial=initial,
        )

    result: Result | None = None
    stats: dict[str, int | str] = {"backend": "cp-sat"}
    # A model whose build was stopped is incomplete: no linear form of it; the CP-SAT path
    # returns the roster found before the build.
    if not model.stopped and (
        backend == "highs"
        or (backend == "auto" and races(instance, model, workers=workers, time_limit=time_limit))
    ):
        try:
            result = race(
                instance,
                model,
                judged=judged,
                deadline=deadline,
                workers=workers,
                seed=seed,
                on_progress=on_progress,
                stop=stop,
                build_s=build_s,
                initial=initial,
                cp_sat=cp_sat if backend == "auto" else None,
            )
        except Unsupported:  # the linear form cannot express the model
            if backend == "highs":
                raise
            stats["highs_unsupported"] = 1
    if result is None:
        result = cp_sat(workers, stop, on_progress)
        result = result.model_copy(update={"stats": {**result.stats, **stats}})
    scored = _scored(result, judged, baseline, start, greedy_s, first_roster_s, solutions)
    return noted(scored, repaired, first_roster_s)


def _scored(
    result: Result,
    judged: Instance,
    baseline: Roster | None,
    start: float,
    greedy_s: float,
    first_roster_s: float | None,
    solutions: int | None = None,
) -> Result:
    """``result`` with its times since ``start``, and its roster's violations, goals and
    objective measured by the independent checker and scorer. A search stopped by the
    ``solutions`` limit was not interrupted: it ended where it was asked to."""
    if solutions is not None and result.interrupted and result.solutions >= solutions:
        result = result.model_copy(update={"interrupted": False})
    if result.stats.get("greedy_first") != 1:
        first_roster_s = (
            None
            if result.first_solution_s is None
            else greedy_s + result.build_time_s + result.first_solution_s
        )
    timing = {"greedy_time_s": greedy_s, "first_roster_s": first_roster_s}
    if not result.has_roster:
        return result.model_copy(update={"wall_time_s": time.perf_counter() - start, **timing})
    judgement = judge(judged, result.roster, baseline)
    return result.model_copy(
        update={
            "violations": list(judgement.soft),
            "rule_costs": judgement.rule_costs,
            "goals": judgement.goals,
            "objective": judgement.objective,
            "solver_objective": result.objective,
            "wall_time_s": time.perf_counter() - start,
            **timing,
        }
    )


def _stop_after(
    solutions: int, relay: Callable[[Progress], None] | None, stop: threading.Event
) -> Callable[[Progress], None]:
    """A progress callback that sets ``stop`` at the ``solutions``-th improving roster."""

    def progress(p: Progress) -> None:
        if relay is not None:
            relay(p)
        if p.solutions >= solutions:
            stop.set()

    return progress


def _objective_terms(model: Model) -> Iterator[tuple[int, int, int]]:
    """(coefficient, lowest, highest value) of each variable of the model's objective."""
    proto = model.cp.proto
    for ref, c in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        domain = proto.variables[ref if ref >= 0 else -ref - 1].domain
        low, high = int(domain[0]), int(domain[-1])
        yield (int(c), low, high) if ref >= 0 else (int(c), -high, -low)
