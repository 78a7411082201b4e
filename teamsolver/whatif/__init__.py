"""What-if: re-solve a changed instance moving as few people as possible.

:func:`whatif` applies a scenario (:mod:`teamsolver.whatif.scenario`) to an instance, re-solves
it with the ``stability`` goal against a baseline roster ranked above every other goal
(:func:`stability_first`), and returns the new roster with its diff
(:mod:`teamsolver.whatif.diff`). :mod:`.sweep` runs many scenarios at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..audit import check
from ..data.errors import InputError, Problem, raise_if_errors
from ..data.instance import Instance, Pin
from ..data.result import Progress, Result
from ..data.roster import Roster
from ..data.settings import RELAXABLE_RULES
from ..i18n.phrase import Listed, Phrase, Shown
from ..limits import ObjectiveTooLarge, objective_problem
from ..rules.base import Rule
from ..score import judge, reference_rating, strength, weighted_parts
from ..solver import solve
from ..validation import validate_instance
from .diff import RosterDiff, roster_diff
from .scenario import Scenario, apply_scenario

#: What problems of ``freeze`` are pinned to: the command-line option.
FREEZE = "--freeze"


def goal_range_bound(instance: Instance) -> int:
    """An upper bound of how far the weighted goals other than ``stability`` can differ
    between any two rosters of ``instance`` (docs/measures.md gives each goal's measure).

    Every member holds at most one seat per round, so a round has at most ``n`` seats (``n``
    active members) and the plan at most ``T = rounds × n``. Per goal, with its weight:
    ``strength-balance`` ≤ Σ rounds 2·seats·D (D: the largest |s(m) − μ|), ``development`` ≤
    T, ``workload-balance`` ≤ n·r(r−1)/2, ``rating`` ≤ 2·T·max|rating − ρ| (its value lies
    between −T·max and +T·max), ``affinity`` ≤ Σ|score|, ``complementarity`` ≤ T·(most
    specialties + 1), ``mix`` ≤ attributes·T.
    """
    obj = instance.rules.objective
    active = [m for m in instance.members if m.status == "active"]
    n = len(active)
    seats = {
        r: min(n, sum(g.size_max if g.size_max is not None else n for g in instance.groups_in(r)))
        for r in instance.rounds
    }
    total = sum(seats.values())
    rho = reference_rating(instance)
    strengths = [strength(m, rho) for m in active]
    mu = (2 * sum(strengths) + n) // (2 * n) if n else 0
    spread = max((abs(s - mu) for s in strengths), default=0)
    rating = max(
        (abs((m.rating if m.rating is not None else rho) - rho) for m in active), default=0
    )
    rounds = len(instance.rounds)
    several = [r for r in instance.rounds if len(instance.groups_in(r)) > 1]
    bounds = {
        "strength-balance": sum(2 * seats[r] * spread for r in several),
        "development": total,
        "workload-balance": n * rounds * (rounds - 1) // 2,
        "rating": 2 * total * rating,  # a sum of terms between −rating and +rating
        "affinity": sum(abs(a.score) for a in instance.affinity),
        "complementarity": total * (max((len(m.specialties) for m in active), default=0) + 1),
        "mix": len(obj.mix_attributes) * sum(seats[r] for r in several),
    }
    return sum(obj.weight(goal) * bound for goal, bound in bounds.items())


def stability_first(instance: Instance) -> Instance:
    """The instance with ``stability`` weighted above every other goal.

    With F = :func:`goal_range_bound` + 1, the weight of ``stability`` (at least 1) and of every
    rule are multiplied by F: one change more then always costs more than any gain the other
    goals can bring, while a soft rule's cost keeps its price against a change (``weight`` 1000
    against ``stability`` 100 by default: bending the rule once costs as much as 10 changes).
    """
    factor = goal_range_bound(instance) + 1
    rules = instance.rules
    # model_copy, not validation: the scaled weights may exceed the cap on what a planner
    # types (settings.MAX_WEIGHT); solve() checks that the objective stays exact.
    updates: dict[str, Any] = {
        "objective": rules.objective.model_copy(
            update={"stability": max(1, rules.objective.stability) * factor}
        )
    }
    for rule_id in RELAXABLE_RULES:
        setting = rules.rule(rule_id)
        assert isinstance(setting, Rule)
        updates[rule_id.replace("-", "_")] = setting.model_copy(
            update={"weight": setting.weight * factor}
        )
    return instance.model_copy(update={"rules": rules.model_copy(update=updates)})


def freeze_pins(instance: Instance, baseline: Roster, groups: Iterable[str]) -> Instance:
    """Pins that keep each of ``groups`` exactly as in ``baseline``: its members in their roles
    (``require``) and nobody else (``forbid``). Raises :class:`InputError` for a group the
    instance lacks."""
    frozen = list(dict.fromkeys(groups))
    unknown = [g for g in frozen if g not in instance.group_by_id]
    if unknown:
        known = Listed(instance.group_by_id)
        raise InputError(
            [
                Problem(
                    phrase=Phrase("problem.whatif.unknown_group", group=Shown(g), known=known),
                    file=FREEZE,
                )
                for g in unknown
            ]
        )
    pins: list[Pin] = list(instance.pins)
    for gid in frozen:
        seats = {s.member: s.role for s in baseline.seats if s.group == gid}
        pins.extend(Pin(member=m, group=gid, kind="require", role=r) for m, r in seats.items())
        pins.extend(
            Pin(member=m.id, group=gid, kind="forbid")
            for m in instance.members
            if m.id not in seats
        )
    return instance.model_copy(update={"pins": tuple(pins)})


#: ``solve(instance, time_limit)``: one search, with the baseline and options bound.
SolveFn = Callable[[Instance, float | None], Result]


def neighbourhood(instance: Instance, baseline: Roster) -> Instance | None:
    """The instance with every baseline seat pinned (``require``, same role) except in the
    groups the changes touch: groups where the baseline breaks a hard rule of ``instance``
    (every group of the round for a violation of a whole round). None when a violation
    concerns the whole plan, or when no seat would stay pinned."""
    touched: set[str] = set()
    for v in check(instance, baseline):
        if v.rule != "roster" and instance.rules.mode(v.rule) != "hard":
            continue
        if v.group is not None:
            touched.add(v.group)
        elif v.round is not None:
            touched.update(g.id for g in instance.groups_in(v.round))
        else:
            return None
    keep = [s for s in baseline.seats if s.group in instance.group_by_id and s.group not in touched]
    if not keep:
        return None
    pins = (
        *instance.pins,
        *(Pin(member=s.member, group=s.group, kind="require", role=s.role) for s in keep),
    )
    return instance.model_copy(update={"pins": pins})


class PlanProgress:
    """The progress of a what-if said in the plan's own terms, for ``relay``.

    The search minimises :func:`stability_first`'s scaled objective, whose numbers mean nothing
    to a planner (city, two members out: 1,334,710,278), and runs in two steps
    (:func:`solve_whatif`), the second starting again from scratch. Each roster is passed on
    with its objective in the changed instance's own weights (the objective the result then
    shows) and no bound (a bound of the scaled search says nothing about it), and only when it
    is better in the search's own order than every roster passed on before: the live line and
    the service's chart never go back to a worse roster in step 2. A progress without the
    engine's parts (no baseline) is passed on as it is.
    """

    def __init__(self, changed: Instance, relay: Callable[[Progress], None] | None):
        self.rules = changed.rules
        self.relay = relay
        self.best: int | None = None  # the scaled objective of the last roster passed on
        self.solutions = 0

    def __call__(self, p: Progress) -> None:
        if p.goals is None or p.rule_costs is None:
            if self.relay is not None:
                self.relay(p)
            return
        if self.best is not None and p.objective >= self.best:
            return
        self.best = p.objective
        self.solutions += 1
        own = sum(weighted_parts(self.rules, p.goals, p.rule_costs).values())
        if self.relay is not None:
            self.relay(
                p.model_copy(
                    update={"objective": own, "bound": -math.inf, "solutions": self.solutions}
                )
            )


def solve_whatif(
    changed: Instance, baseline: Roster, *, time_limit: float | None, solve: SolveFn
) -> Result:
    """Search ``stability_first(changed)`` in two steps, keeping the better roster.

    1. The neighbourhood (:func:`neighbourhood`): only the groups the changes touch are open;
       with most seats pinned this is a small model, solved in at most half the time.
    2. The whole instance, with the time left; CP-SAT starts it from scratch, so on a large
       instance it may not reach the neighbourhood's roster in time.

    The result is the roster with the lower objective (under the stability-first weights);
    ``OPTIMAL`` only when step 2 proved it. A search interrupted in step 1 (Ctrl-C) ends there.
    """
    weighted = stability_first(changed)
    try:
        return _two_steps(weighted, baseline, time_limit=time_limit, solve=solve)
    except ObjectiveTooLarge as exc:  # name the planner's weights, not the scaled ones
        problem = objective_problem(exc.worst, weighted, original=changed)
        assert problem is not None
        raise ObjectiveTooLarge(problem, exc.worst) from None


def _two_steps(
    weighted: Instance, baseline: Roster, *, time_limit: float | None, solve: SolveFn
) -> Result:
    start = time.perf_counter()
    near: Result | None = None
    pinned = neighbourhood(weighted, baseline)
    if pinned is not None:
        try:
            near = solve(pinned, None if time_limit is None else time_limit / 2)
        except ObjectiveTooLarge:
            raise
        except InputError:  # the pins cannot all hold (a member required twice): skip step 1
            near = None
        if near is not None and near.interrupted:
            return near
        if near is not None and not near.has_roster:
            near = None
    left = None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - start))
    full = solve(weighted, left)
    wall = time.perf_counter() - start
    if near is None or (
        full.has_roster and full.objective is not None and full.objective <= (near.objective or 0)
    ):
        return full.model_copy(update={"wall_time_s": wall})
    status = "OPTIMAL" if full.status == "OPTIMAL" else "FEASIBLE"
    return near.model_copy(
        update={"status": status, "wall_time_s": wall, "interrupted": full.interrupted}
    )


class WhatIf(BaseModel):
    """The outcome of a what-if: the changed instance, the solve and the diff (None without a
    roster)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    scenario: str
    instance: Instance
    result: Result
    diff: RosterDiff | None


def solve_limited(
    instance: Instance,
    *,
    baseline: Roster | None,
    time_limit: float | None,
    workers: int | None,
    seed: int,
    solutions: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """``teamsolver.solve`` on CP-SAT alone, stopping after ``solutions`` improving rosters.

    With ``workers=1`` and no time limit, a solution count is a deterministic limit: the same
    instance and seed give the same roster on any machine, however busy.
    """
    return solve(
        instance,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        baseline=baseline,
        on_progress=on_progress,
        stop=stop,
        backend="cp-sat",  # counts CP-SAT's improving rosters; no HiGHS process beside it
        solutions=solutions,
    )


def prepare(
    instance: Instance, baseline: Roster, scenario: Scenario, freeze: Iterable[str] = ()
) -> Instance:
    """The instance after ``scenario``, with the pins of ``freeze`` (groups kept exactly as in
    ``baseline``), validated: raises :class:`InputError` naming the scenario line or the
    frozen seat of every problem."""
    changed = apply_scenario(instance, scenario)
    if not freeze:
        return changed
    kept = len(changed.pins)
    changed = freeze_pins(changed, baseline, freeze)

    def frozen(p: Problem) -> Problem:
        """A problem of a pin of ``freeze``, said as what freezing its group asks."""
        if p.table != "pins" or p.row is None or p.row <= kept:
            return p
        gid = changed.pins[p.row - 1].group
        what = p.phrase if p.phrase is not None and p.text() == p.phrase.render() else p.message
        phrase = Phrase("problem.whatif.frozen", group=Shown(gid), what=what, gid=gid)
        return p.model_copy(
            update={
                "message": phrase.render(),
                "phrase": phrase,
                "file": FREEZE,
                "place": None,
                "table": None,
                "row": None,
                "column": None,
                "header": None,
            }
        )

    raise_if_errors(frozen(p) for p in validate_instance(changed))
    return changed


def conclude(
    name: str, before: Instance, changed: Instance, baseline: Roster, solved: Result
) -> WhatIf:
    """A what-if from the solve of ``stability_first(changed)``: goals with the changed
    instance's own weights, and the diff against ``baseline`` (whose goals are measured on
    ``before``)."""
    result = rescored(changed, solved, baseline)
    diff = (
        roster_diff(changed, baseline, result.roster, before_instance=before)
        if result.has_roster
        else None
    )
    return WhatIf(scenario=name, instance=changed, result=result, diff=diff)


def whatif(
    instance: Instance,
    baseline: Roster,
    scenario: Scenario,
    *,
    freeze: Iterable[str] = (),
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int = 0,
    solutions: int | None = None,
    **solve_options: Any,
) -> WhatIf:
    """Apply ``scenario`` to ``instance`` and find the roster closest to ``baseline``.

    Among the rosters that keep every hard rule, the one found has the fewest changes against
    ``baseline`` (when proven optimal), then the best soft rules and goals. ``freeze`` names
    groups kept exactly as in the baseline. Goals and objective in the result are those of the
    changed instance with its own weights (the diff has the values before and after).
    ``solutions`` and ``solve_options`` (``on_progress``, ``stop``) as in
    :func:`solve_limited`.
    """
    changed = prepare(instance, baseline, scenario, freeze)
    options = dict(solve_options)
    options["on_progress"] = PlanProgress(changed, options.get("on_progress"))

    def solve(inst: Instance, limit: float | None) -> Result:
        return solve_limited(
            inst,
            baseline=baseline,
            time_limit=limit,
            workers=workers,
            seed=seed,
            solutions=solutions,
            **options,
        )

    solved = solve_whatif(changed, baseline, time_limit=time_limit, solve=solve)
    return conclude(scenario.name, instance, changed, baseline, solved)


def rescored(instance: Instance, result: Result, baseline: Roster | None) -> Result:
    """The result with goals, soft-rule costs and objective measured with ``instance``'s own
    weights (a solve with :func:`stability_first` weights reports scaled ones)."""
    if not result.has_roster:
        return result
    judgement = judge(instance, result.roster, baseline)
    return result.model_copy(
        update={
            "violations": list(judgement.soft),
            "rule_costs": judgement.rule_costs,
            "goals": judgement.goals,
            "objective": judgement.objective,
            "solver_objective": None,
            "bound": None,
        }
    )
