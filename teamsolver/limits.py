"""Limits that keep a search within what CP-SAT can count and the machine can hold.

- :func:`search_args`: the library's search arguments (``time_limit``, ``workers``, ``seed``,
  ``solutions``) are checked before anything runs; a wrong one raises ``ValueError``.
- ``settings.MAX_WEIGHT`` and ``settings.MAX_SCORE`` bound every weight and affinity score at
  load.
- :func:`objective_problem`: the worst case of a built objective must stay exact in a double
  (CP-SAT reports objectives as doubles), which a plan with big weights can still exceed, and
  what-if's stability-first weights multiply the weights by the size of the plan.
- :func:`size_problem`: a plan whose model cannot fit in memory is refused before it is built.

Plain Python: no ortools here (the objective's terms are handed in as numbers).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

from .data.errors import InputError, Problem
from .data.instance import Instance
from .data.settings import GOAL_IDS, RELAXABLE_RULES
from .i18n.phrase import Phrase
from .rules.base import Rule

#: The largest objective value (in absolute terms) a search may reach: 2^53, the largest
#: integer up to which every integer is exact as a double (CP-SAT's objective_value).
MAX_OBJECTIVE = 2**53
#: CP-SAT's random seed is a 32-bit integer.
MAX_SEED = 2**31 - 1


def search_args(
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int = 0,
    solutions: int | None = None,
) -> None:
    """Raise ``ValueError`` for a search argument the engine cannot use as meant.

    ``time_limit``: None or infinity (until proven) or a number of seconds above 0; ``workers``:
    None (one per core) or a whole number ≥ 1; ``seed``: a whole number from 0 to 2^31 − 1;
    ``solutions``: None or a whole number ≥ 1.
    """
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
            raise ValueError(
                f"time_limit must be a number of seconds or None, got {type(time_limit).__name__}"
            )
        if math.isnan(time_limit) or time_limit <= 0:
            raise ValueError(
                f"time_limit must be a number of seconds above 0 (None or infinity: no "
                f"limit), got {time_limit!r}"
            )
    _whole("workers", workers, 1, None, optional=True)
    _whole("seed", seed, 0, MAX_SEED, optional=False)
    _whole("solutions", solutions, 1, None, optional=True)


def _whole(name: str, value: object, low: int, high: int | None, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        none = " or None" if optional else ""
        raise ValueError(f"{name} must be a whole number{none}, got {value!r}")
    if value < low or (high is not None and value > high):
        span = f"from {low} to {high:,}" if high is not None else f"of at least {low}"
        raise ValueError(f"{name} must be a whole number {span}, got {value!r}")


def weights(instance: Instance) -> dict[str, int]:
    """Every weight in force by its settings key (``recusal.weight``, ``objective.rating``)."""
    rules = instance.rules
    out: dict[str, int] = {}
    for r in RELAXABLE_RULES:
        setting = rules.rule(r)
        if setting.mode == "soft" and isinstance(setting, Rule):
            out[f"{r}.weight"] = setting.weight
    out.update({f"objective.{g}": rules.objective.weight(g) for g in GOAL_IDS})
    return out


def worst_objective(terms: Iterable[tuple[int, int, int]], offset: int) -> int:
    """The largest |objective| over every assignment of a linear objective whose terms are
    (coefficient, lowest value, highest value) of each variable."""
    high = low = offset
    for c, lo, hi in terms:
        a, b = c * lo, c * hi
        high += max(a, b)
        low += min(a, b)
    return max(abs(high), abs(low))


def objective_problem(
    worst: int, instance: Instance, original: Instance | None = None
) -> Problem | None:
    """A located problem when an objective can reach beyond :data:`MAX_OBJECTIVE`.

    ``instance`` is the one solved; ``original`` the planner's, when the solved one carries
    scaled weights (what-if's stability-first weights): the key named is the planner's
    largest weight, and the value allowed for it is scaled down in proportion.
    """
    if worst <= MAX_OBJECTIVE:
        return None
    own = weights(original or instance)
    key, value = max(own.items(), key=lambda kv: kv[1])
    allowed = max(1, value * MAX_OBJECTIVE // worst)
    what = Phrase(f"problem.limits.{'whatif' if original is not None else 'objective'}")
    return Problem(
        phrase=Phrase(
            "problem.limits.weights",
            what=what,
            worst=worst,
            most=MAX_OBJECTIVE,
            key=key,
            value=value,
            allowed=allowed,
        ),
        file="rules",
        column=key,
    )


class ObjectiveTooLarge(InputError):
    """An objective that can reach beyond :data:`MAX_OBJECTIVE`; ``worst`` is how far."""

    def __init__(self, problem: Problem, worst: int):
        super().__init__([problem])
        self.worst = worst


#: Bytes of memory per seat variable at the peak of a monolithic solve, measured on the
#: province preset (7,000 members × 100 groups: 860k variables, 1.8 GB peak;
#: benchmarks/results/engine-levers.md, lever 1) with a margin for the presolve.
BYTES_PER_SEAT = 3_000


def available_memory() -> int | None:
    """Bytes of memory available to this process now (Linux ``MemAvailable``), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def size_problem(instance: Instance, memory: int | None = None) -> Problem | None:
    """A problem when the monolithic model of ``instance`` would not fit in ``memory`` bytes
    (default: what is available now), with the figures; None when it fits or memory is
    unknown."""
    memory = available_memory() if memory is None else memory
    if memory is None:
        return None
    # An upper bound of the seat variables: every active member in every group (recusal and
    # pins remove some; they are not counted here, which takes no time).
    active = sum(1 for m in instance.members if m.status == "active")
    seats = active * len(instance.groups)
    need = seats * BYTES_PER_SEAT
    if need <= 0.8 * memory:
        return None
    return Problem(
        phrase=Phrase(
            "problem.limits.size",
            seats=seats,
            active=active,
            groups=len(instance.groups),
            need=_gb(need),
            memory=_gb(memory),
        ),
    )


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"
