"""``teamsolver.solve``: the library entry point of the engine."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import raise_if_errors
from .instance import Instance
from .result import Progress, Result
from .roster import Roster
from .validation import validate_instance


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
) -> Result:
    """Find the best roster of ``instance`` that respects every hard rule.

    ``time_limit`` in seconds (None: until proven optimal); ``workers``: CP-SAT threads (None:
    one per core, at most 8); ``seed``: the same instance, seed and ``workers=1`` give the same
    roster. ``baseline``: a roster to stay close to (the ``stability`` goal). ``on_progress``
    receives each improving roster. ``stop``: set it from another thread to end the search early
    and keep the best roster so far. ``relax``: make every relaxable hard rule soft.
    """
    raise_if_errors(validate_instance(instance))
    from .engine.model import Model
    from .engine.solve import solve_model

    start = time.perf_counter()
    model = Model(instance, baseline, relax=relax)
    build_s = time.perf_counter() - start
    result = solve_model(
        instance,
        model,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        on_progress=on_progress,
        stop=stop,
        build_s=build_s,
    )
    if result.has_roster:
        from .audit import check
        from .score import objective, score

        judged = relaxed(instance) if relax else instance
        soft = [v for v in check(judged, result.roster) if judged.rules.mode(v.rule) == "soft"]
        result = result.model_copy(
            update={
                "violations": soft,
                "goals": score(judged, result.roster, baseline),
                "objective": objective(judged, result.roster, baseline),
                "solver_objective": result.objective,
            }
        )
    return result


def relaxed(instance: Instance) -> Instance:
    """The instance with every relaxable hard rule made soft (weights kept)."""
    from .settings import ALWAYS_RULES, RULE_IDS, Rules

    data = instance.rules.model_dump(by_alias=True)
    for rule_id in RULE_IDS:
        if rule_id not in ALWAYS_RULES and data[rule_id]["mode"] == "hard":
            data[rule_id]["mode"] = "soft"
    return instance.model_copy(update={"rules": Rules.model_validate(data)})
