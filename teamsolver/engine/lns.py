"""A search of small sub-models: large-neighbourhood search (LNS) over a complete roster.

The design is in ``docs/engine.md``. In short: a *sub-model* is the engine's own
:class:`~.model.Model`, built on restricted facts. Every group of the plan is in it, but a
*fixed* group has as its candidates only the members the current roster seats there (seats and
roles fixed), and a *free* group its allowed members (on large plans: a short list of them, see
:mod:`.shortlist`). No rule is written twice: a roster of a sub-model is a roster of the plan,
and the sub-model's objective is the plan's objective of that roster.

On a one-round plan the sub-model is *local* (:mod:`.local`): only the free groups, the groups
at the extremes of the balance goals and their members, the rest of the plan a constant.

The loop frees a neighbourhood (a window of consecutive rounds, or a few groups of one round),
re-solves its sub-model from the current roster (the hint; on one-round plans completed with
the auxiliary variables at their best), and keeps the result when it is better. The size of
each kind of neighbourhood adapts (a sub-model solved to optimality grows the next one of its
kind, one cut by its limit shrinks it) and so does the choice of kind (the kinds that improved
the roster are drawn more often). On a multi-round plan a rolling horizon
comes first: round by round, each round solved with the earlier rounds fixed and the later ones
left out. With ``workers=1`` and no deadline (``max_iterations``, or a ``stop`` set by a
solution count), the whole search is deterministic: a seeded RNG, sub-solves with one worker and
a deterministic limit, and an adaptation that reads only their status.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from ..audit import check, hard_violations
from ..data.instance import Instance, relaxed
from ..data.result import Progress, Result
from ..data.roster import Roster
from . import local, lpguide
from .local import fix_seats
from .lpguide import MIN_LEFT_S
from .mip import RACE_MAX_SEATS
from .model import Model, model_mode, set_hint
from .prep import Facts, prepare
from .shortlist import ShortList
from .solve import (
    Chosen,
    _run,
    chosen_values,
    default_workers,
    light_presolve,
    make_roster,
    make_solver,
)

#: Multi-round plans with fewer allowed (member, group) pairs than this stay with the
#: monolithic model (it proves small plans optimal); one-round plans up to the size where
#: HiGHS races CP-SAT too (the staged search, its LP-guided stage and the race are better
#: there). City (7,447 pairs) at 30 s, loaded machine: LNS −2,752 / −2,806 (seeds 0 / 1)
#: against the staged search's −2,350 / −1,475.
MULTI_ROUND_FROM = 500
ONE_ROUND_FROM = RACE_MAX_SEATS + 1

#: The widest window of consecutive rounds a "rounds" neighbourhood frees, and the most
#: candidate pairs it may free: university (180 a round) gets windows of 1–3 rounds (seeds
#: 0 / 1 at 30 s: 24 / 139 against 339 / 266 with single rounds), year (~960 a round after
#: short lists) single rounds (windows of up to 3: −1,385 against −2,294, seed 0). One run
#: each, loaded machine.
ROUNDS_MAX = 3
WINDOW_PAIRS = 1_500

#: Free groups of a "groups" neighbourhood: the first size, and the largest.
GROUPS_START = 3.0
GROUPS_MAX = 16

#: A free group with more candidates than this gets a short list (:mod:`.shortlist`).
POOL_CAP = 120

#: Seconds of one sub-solve (deterministic time with one worker), and its bounds. Small
#: sub-models improve most in their first second (university, one round free: 5,514 → 4,577
#: in 0.35 s, 4,520 at 4.7 s, not proven in 6 s): many short sub-solves beat a few long ones.
SUB_LIMIT = 1.0
SUB_LIMIT_MIN, SUB_LIMIT_MAX = 0.3, 5.0
#: The same for local models (one-round plans, :mod:`.local`), and their first number of free
#: groups: cheaper steps, more of them. Province seed 0, 20 s from the greedy roster (load
#: 5–7, one run each): 1 s and 3 groups −22,085 (17 steps); 0.5 s −22,672; 0.3 s −22,546;
#: 0.3 s and 2 groups −22,815; 0.2 s (at least 0.1) and 2 groups −23,002 (55 steps).
LOCAL_SUB_LIMIT, LOCAL_SUB_LIMIT_MIN = 0.2, 0.1
LOCAL_GROUPS_START = 2.0
#: Seconds for a complete roster's evaluation (every seat fixed: presolve alone solves it),
#: and for a round of the rolling horizon without a deadline.
EVALUATE_LIMIT = 10.0
ROLLING_LIMIT = 2.0

#: One-round plans with at most this many allowed pairs also get the LP bound of the whole
#: model (:func:`.lpguide.lp_support`), solved by GLOP in a thread beside the search (it leaves
#: the GIL: the loop's longest pause was 0.07 s while city's LP ran, 6 s on busy cores).
LP_BOUND_MAX_PAIRS = 20_000

#: The LP gets this share of the time left, at most ``LP_MAX_S``, and is waited for this long
#: at the end of the search (then stopped).
LP_TIME_SHARE = 0.9
LP_MAX_S = 20.0
LP_WAIT_S = 0.5

#: Share of the time the rolling horizon of a multi-round plan may take.
ROLLING_SHARE = 0.3
#: A rolling-horizon round with more allowed pairs than this is not tried (too large a model).
ROLLING_MAX_PAIRS = 30_000


def applies(instance: Instance, facts: Facts, time_limit: float | None) -> bool:
    """Whether :func:`solve_lns` replaces the monolithic search: a time limit (the monolithic
    model is the proof path), and a multi-round plan of at least ``MULTI_ROUND_FROM`` allowed
    pairs or a one-round plan of at least ``ONE_ROUND_FROM``."""
    if time_limit is None:
        return False
    pairs = sum(len(a) for a in facts.allowed)
    if len(facts.rounds) > 1:
        return pairs >= MULTI_ROUND_FROM
    return pairs >= ONE_ROUND_FROM


#: A roster's objective in a model and the values of its parts (goals, rule costs).
Value = tuple[int, dict[str, int], dict[str, int]]


@dataclass
class Kind:
    """One kind of neighbourhood and its adaptive state."""

    name: str
    size: float
    low: float
    high: float
    weight: float = 1.0
    tried: int = 0
    improved: int = 0


@dataclass
class Incumbent:
    """The best roster so far: its seats, its objective and the model's values of its parts."""

    chosen: Chosen
    objective: int
    goals: dict[str, int] = field(default_factory=dict)
    costs: dict[str, int] = field(default_factory=dict)


class LpBound:
    """The LP bound of the whole model, solved in a thread beside the search (a valid lower
    bound: the LP relaxation of the same model, rounded up). The thread never outlives the
    solve: :meth:`result` and :meth:`close` stop the LP and wait for its thread (a GLOP solve
    left running at interpreter exit aborted the process with "terminate called ...")."""

    def __init__(self, model: Model, time_limit: float):
        self.value: int | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._solve, args=(model, time_limit), name="lp-bound", daemon=True
        )
        self.thread.start()

    def _solve(self, model: Model, time_limit: float) -> None:
        found = lpguide.lp_support(model, time_limit, self.stop)
        if found is not None:
            self.value = found[1]

    def result(self, wait: float) -> int | None:
        """The bound, waiting at most ``wait`` seconds for the LP, which is then stopped (None:
        not solved)."""
        self.thread.join(wait)
        self.close()
        return self.value

    def close(self) -> None:
        """Stop the LP and wait for its thread (it ends within a fraction of a second)."""
        self.stop.set()
        self.thread.join()


def seats_by_group(chosen: Chosen, n_groups: int) -> list[list[int]]:
    seated: list[list[int]] = [[] for _ in range(n_groups)]
    for mi, gi in chosen:
        seated[gi].append(mi)
    return seated


def sub_model(
    instance: Instance,
    facts: Facts,
    baseline: Roster | None,
    relax: bool,
    chosen: Chosen,
    free: set[int],
    candidates: dict[int, list[int]] | None = None,
) -> Model:
    """The model of ``instance`` with every group outside ``free`` fixed to its seats in
    ``chosen`` (roles too), and each free group open to ``candidates[gi]`` (default: every
    member allowed there). The rules and goals are :class:`Model`'s own."""
    seated = seats_by_group(chosen, len(instance.groups))
    allowed = [
        sorted((candidates or {}).get(gi, facts.allowed[gi])) if gi in free else sorted(seated[gi])
        for gi in range(len(instance.groups))
    ]
    model = Model(instance, baseline, relax=relax, facts=replace(facts, allowed=allowed))
    fix_seats(model, chosen, free)
    return model


def _hint(model: Model, chosen: Chosen) -> None:
    """The seats and roles of ``chosen`` as the model's hint (0 for every other seat)."""
    set_hint(model.cp.proto, *model.seat_values(chosen))


class Search:
    """The LNS loop over one plan (see the module's docstring)."""

    def __init__(
        self,
        instance: Instance,
        *,
        facts: Facts,
        baseline: Roster | None,
        relax: bool,
        workers: int,
        seed: int,
        deadline: float | None,
        stop: threading.Event | None,
        on_progress: Callable[[Progress], None] | None,
        log: bool = False,
    ):
        self.instance = instance
        self.facts = facts
        self.baseline = baseline
        self.relax = relax
        self.workers = workers
        self.seed = seed
        self.deadline = deadline
        self.stop = stop
        self.on_progress = on_progress
        self.log = log
        self.rng = random.Random(seed)
        self.start = time.perf_counter()
        self.solutions = 0
        self.iterations = 0
        self.rolled = 0  # rounds the rolling horizon solved
        self.short_listed = False
        self.local = local.applies(facts)  # sub-models over the free groups only
        self.sub_limit = LOCAL_SUB_LIMIT if self.local else SUB_LIMIT
        self.sub_min = LOCAL_SUB_LIMIT_MIN if self.local else SUB_LIMIT_MIN
        rounds = len(facts.rounds)
        per_round = max(len(g) for g in facts.groups_of_round)
        self.kinds: list[Kind] = []
        if rounds > 1:
            # Windows of consecutive rounds up to ROUNDS_MAX, as long as they stay small.
            pairs = max(
                sum(min(len(facts.allowed[gi]), POOL_CAP) for gi in gis)
                for gis in facts.groups_of_round
            )
            widest = float(max(1, min(ROUNDS_MAX, rounds - 1, WINDOW_PAIRS // max(1, pairs))))
            self.kinds.append(Kind("rounds", widest, 1.0, widest))
        if per_round > 1:
            high = float(min(per_round, GROUPS_MAX))
            first = LOCAL_GROUPS_START if self.local else GROUPS_START
            self.kinds.append(Kind("groups", min(first, high), 2.0, high))
        self.shortlist = ShortList(instance, facts, baseline)
        self.lp: LpBound | None = None  # the LP bound of the whole model, if one is solved

    # -- time ---------------------------------------------------------------------------------
    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def stopped(self) -> bool:
        left = self.left()
        return (self.stop is not None and self.stop.is_set()) or (left is not None and left < 0.2)

    # -- one sub-solve -------------------------------------------------------------------------
    def solve_sub(
        self, model: Model, hint: Chosen | None, limit: float
    ) -> tuple[int, cp_model.CpSolver]:
        """CP-SAT on a sub-model for ``limit`` seconds, never past the deadline, from the
        seats of ``hint`` (None: the model's hint as it is). With one worker the limit is
        deterministic time (CP-SAT's units, about seconds on an idle core), so that the
        search does not depend on the machine's speed; otherwise wall time."""
        if hint is not None:
            _hint(model, hint)
        left = self.left()
        wall = None if self.workers == 1 else limit
        if left is not None:
            wall = left if wall is None else min(wall, left)
        solver = make_solver(self.workers, self.seed + self.iterations, wall, self.log)
        light_presolve(solver)
        if self.workers == 1:
            solver.parameters.max_deterministic_time = limit
        code = _run(solver, model.cp, None, self.stop)
        return code, solver

    def fixed(self, model: Model, chosen: Chosen, timed: bool = True) -> cp_model.CpSolver | None:
        """CP-SAT on ``model`` with the seats and roles of ``chosen`` fixed (a hint it must
        follow; presolve alone solves it): every auxiliary variable at its best. None if
        ``chosen`` breaks a rule of the model (or the solve was stopped, or cut by the
        deadline when ``timed``)."""
        _hint(model, chosen)
        solver = make_solver(1, self.seed, self.left() if timed else None, False)
        solver.parameters.fix_variables_to_their_hinted_value = True
        solver.parameters.max_deterministic_time = EVALUATE_LIMIT
        try:
            code = _run(solver, model.cp, None, self.stop)
        finally:
            model.cp.proto.clear_solution_hint()
        return solver if code == cp_model.OPTIMAL else None

    def exact(self, model: Model, chosen: Chosen) -> Value | None:
        """The objective of ``chosen`` in ``model`` with every auxiliary variable at its best
        (:meth:`fixed`), and the values of the parts. A roster found short of optimality may
        carry loose auxiliary variables (balance, pairing): year, a rolling round at −944 by
        the solver's value, −1,622 exactly."""
        solver = self.fixed(model, chosen)
        if solver is None:
            return None
        goals, costs = model.part_values(solver.value)
        return round(solver.objective_value), goals, costs

    def evaluate(self, chosen: Chosen) -> Incumbent | None:
        """The model's objective of a complete roster (every group fixed), or None if the
        roster breaks a rule of the model."""
        model = sub_model(self.instance, self.facts, self.baseline, self.relax, chosen, set())
        if any(
            key not in model.x or (lead and key not in model.lead) or (dep and key not in model.dep)
            for key, (_, lead, dep) in chosen.items()
        ):
            return None
        # Not cut by the deadline: a start roster found late (the greedy's, on a busy machine)
        # is still the roster to return, and its evaluation is a presolve.
        solver = self.fixed(model, chosen, timed=False)
        if solver is None:
            return None
        goals, costs = model.part_values(solver.value)
        return Incumbent(chosen, round(solver.objective_value), goals, costs)

    def report(self, best: Incumbent) -> None:
        self.solutions += 1
        bound = None if self.lp is None else self.lp.value
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    objective=best.objective,
                    # A neighbourhood's bound proves nothing: the LP's, or none.
                    bound=-math.inf if bound is None else float(bound),
                    elapsed_s=time.perf_counter() - self.start,
                    solutions=self.solutions,
                    goals=None if self.baseline is None else best.goals,
                    rule_costs=None if self.baseline is None else best.costs,
                )
            )

    # -- rolling horizon ------------------------------------------------------------------------
    def rolling(self, start: Incumbent) -> Incumbent | None:
        """Round by round, each round solved with the earlier rounds fixed (as found) and the
        later rounds left out; the start roster's seats of the round are the hint. None if a
        round is too large. A round that finds no roster in its time ends it: the later rounds
        are then the start roster's."""
        inst, facts = self.instance, self.facts
        rounds = len(facts.rounds)
        if any(
            sum(len(facts.allowed[gi]) for gi in gis) > ROLLING_MAX_PAIRS
            for gis in facts.groups_of_round
        ):
            return None
        left = self.left()
        budget = None if left is None else left * ROLLING_SHARE
        began = time.perf_counter()
        chosen: Chosen = {}
        for ri in range(rounds):
            if self.stopped():
                return None
            kept = [gi for r in range(ri + 1) for gi in facts.groups_of_round[r]]
            keep = set(kept)
            index = {gi: i for i, gi in enumerate(sorted(keep))}
            part = inst.model_copy(update={"groups": tuple(inst.groups[gi] for gi in sorted(keep))})
            part_facts = prepare(part, facts.recusal_mode)
            sub_chosen = {(mi, index[gi]): v for (mi, gi), v in chosen.items()}
            hint = {
                (mi, index[gi]): v
                for (mi, gi), v in start.chosen.items()
                if facts.round_of[gi] == ri
            }
            free = {index[gi] for gi in facts.groups_of_round[ri]}
            model = sub_model(part, part_facts, self.baseline, self.relax, sub_chosen, free)
            limit = ROLLING_LIMIT
            if budget is not None:
                limit = max(0.3, (budget - (time.perf_counter() - began)) / (rounds - ri))
            code, solver = self.solve_sub(model, {**sub_chosen, **hint}, limit)
            if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break  # no roster of this round in its time: the start's rounds from here on
            back = sorted(keep)
            chosen = {(mi, back[gi]): v for (mi, gi), v in chosen_values(solver, model).items()}
            self.rolled = ri + 1
        if not self.rolled:
            return None
        # The later rounds as the start roster has them (none once every round is solved);
        # evaluate() refuses the combination if it breaks a rule across rounds.
        later = {k: v for k, v in start.chosen.items() if facts.round_of[k[1]] >= self.rolled}
        return self.evaluate({**chosen, **later})

    # -- neighbourhoods -------------------------------------------------------------------------
    def pick(self) -> Kind:
        total = sum(k.weight for k in self.kinds)
        draw = self.rng.random() * total
        for kind in self.kinds:
            draw -= kind.weight
            if draw <= 0:
                return kind
        return self.kinds[-1]

    def neighbourhood(self, kind: Kind, chosen: Chosen) -> tuple[set[int], dict[int, list[int]]]:
        """The free groups of a neighbourhood of ``kind``, and the candidates of each."""
        facts = self.facts
        rounds = len(facts.rounds)
        if kind.name == "rounds":
            # A width up to the kind's size: single rounds and windows of 2–3 rounds.
            width = self.rng.randint(1, max(1, min(rounds, round(kind.size))))
            first = self.rng.randrange(rounds - width + 1)
            free = {gi for r in range(first, first + width) for gi in facts.groups_of_round[r]}
        else:
            ri = self.rng.randrange(rounds)
            gis = facts.groups_of_round[ri]
            k = max(1, min(len(gis), round(kind.size)))
            free = set(self.rng.sample(gis, k))
        return free, self.candidates(free, chosen)

    def candidates(self, free: set[int], chosen: Chosen) -> dict[int, list[int]]:
        """Per free group, its allowed members not seated in a fixed group of its round; a
        short list of them when there are more than ``POOL_CAP`` (:mod:`.shortlist`)."""
        round_of = self.facts.round_of
        taken: dict[int, set[int]] = {}
        mine: dict[int, set[int]] = {}
        for mi, gi in chosen:
            if gi in free:
                mine.setdefault(gi, set()).add(mi)
            else:
                taken.setdefault(round_of[gi], set()).add(mi)
        out: dict[int, list[int]] = {}
        for gi in free:
            busy = taken.get(round_of[gi], set())
            pool = [mi for mi in self.facts.allowed[gi] if mi not in busy]
            if len(pool) > POOL_CAP:
                self.short_listed = True
                pool = self.shortlist.pick(gi, pool, mine.get(gi, set()), POOL_CAP, self.rng)
                # The members of the other free groups of the round may move here.
                allowed = self.shortlist.allowed_set(gi)
                extra = {
                    mi
                    for g2 in free
                    if g2 != gi and round_of[g2] == round_of[gi]
                    for mi in mine.get(g2, ())
                    if mi in allowed
                }
                pool = sorted(set(pool) | extra)
            out[gi] = pool
        return out

    def adapt(self, kind: Kind, code: int, improved: bool) -> None:
        """Adapt to the outcome of a sub-solve (its status only, so that one worker stays
        deterministic): a neighbourhood solved to optimality without a gain grows the next of
        its kind and shortens the sub-solves; one cut by its limit without a gain shrinks it
        and lengthens them. Kinds that improve the roster are drawn more often."""
        kind.tried += 1
        kind.improved += improved
        if improved and code == cp_model.OPTIMAL:
            kind.size = min(kind.high, kind.size + 0.25)  # room for a larger one
        elif not improved:
            if code == cp_model.OPTIMAL:
                kind.size = min(kind.high, kind.size + 0.5)
                self.sub_limit = max(self.sub_min, self.sub_limit * 0.9)
            else:
                kind.size = max(kind.low, kind.size - 0.25)
                self.sub_limit = min(SUB_LIMIT_MAX, self.sub_limit * 1.1)
        kind.weight = max(0.1, 0.8 * kind.weight + 0.2 * (2.0 if improved else 0.5))

    def attempt(
        self,
        free: set[int],
        candidates: dict[int, list[int]],
        base: Incumbent,
    ) -> tuple[int, Incumbent | None]:
        """Solve the neighbourhood (``free`` groups, their ``candidates``) of ``base``: the
        sub-solve's status, and the roster found if it is better than ``base`` (its exact
        objective: an overstated incumbent would let a worse roster in). One-round plans get
        a local model (:mod:`.local`)."""
        if self.local:
            return self.attempt_local(free, candidates, base)
        model = sub_model(
            self.instance, self.facts, self.baseline, self.relax, base.chosen, free, candidates
        )
        _hint(model, base.chosen)
        code, found = self.improve(model, base.chosen, base.objective)
        return code, None if found is None else Incumbent(found[0], *found[1])

    def improve(
        self, model: Model, hint: Chosen, objective: int
    ) -> tuple[int, tuple[Chosen, Value] | None]:
        """Solve ``model`` from its hint (the roster ``hint``, of value ``objective`` in it):
        the status, and the roster found with its exact value if that is lower."""
        code, solver = self.solve_sub(model, None, self.sub_limit)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return code, None
        chosen = chosen_values(solver, model)
        if chosen == hint:
            return code, None
        found: Value | None = None
        if code == cp_model.OPTIMAL:
            found = (round(solver.objective_value), *model.part_values(solver.value))
        else:
            found = self.exact(model, chosen)
        if found is None or found[0] >= objective:
            return code, None
        return code, (chosen, found)

    def attempt_local(
        self, free: set[int], candidates: dict[int, list[int]], base: Incumbent
    ) -> tuple[int, Incumbent | None]:
        """:meth:`attempt` on a local model: the roster found is better than ``base`` by the
        difference of their local objectives (exact: both with their auxiliary variables at
        their best). The hint is complete: ``base``'s seats with the auxiliary variables at
        their best (:meth:`fixed`). With the seats alone CP-SAT completed the rest worse
        (province, 3 groups free: its first roster −20,976 against the hint's −21,286; 10
        groups free, not back to −21,286 in 1 s). Multi-round sub-models keep the seats'
        hint: there the extra solve of the whole plan's sub-model cost more than it gave
        (year and university at 30 s, load 7–11: worse on 4 seeds of 6)."""
        part = local.local_model(
            self.instance, self.facts, self.baseline, self.relax, base.chosen, free, candidates
        )
        model = part.model
        hint = part.inside(base.chosen)
        before = self.fixed(model, hint)
        if before is None:  # stopped, or past the deadline
            return int(cp_model.UNKNOWN), None
        solution = before.response_proto.solution
        set_hint(model.cp.proto, range(len(solution)), solution)
        code, improved = self.improve(model, hint, round(before.objective_value))
        if improved is None:
            return code, None
        found, (objective, goals1, costs1) = improved
        goals0, costs0 = model.part_values(before.value)
        chosen = {k: v for k, v in base.chosen.items() if k[1] not in free}
        chosen.update(part.outside(found))
        goals = {
            key: base.goals.get(key, 0) + goals1.get(key, 0) - goals0.get(key, 0)
            for key in {*base.goals, *goals1}
        }
        costs = {
            key: base.costs.get(key, 0) + costs1.get(key, 0) - costs0.get(key, 0)
            for key in {*base.costs, *costs1, *costs0}
        }
        return code, Incumbent(
            chosen,
            base.objective + objective - round(before.objective_value),
            goals,
            {key: value for key, value in costs.items() if value},
        )

    def run(self, start: Incumbent, max_iterations: int | None = None) -> Incumbent:
        """LNS from ``start`` until the deadline, ``stop`` or ``max_iterations``."""
        best = start
        if len(self.facts.rounds) > 1 and not self.stopped():
            rolled = self.rolling(start)
            if rolled is not None and rolled.objective < best.objective:
                best = rolled
                self.report(best)
        while not self.stopped() and self.kinds:
            if max_iterations is not None and self.iterations >= max_iterations:
                break
            kind = self.pick()
            free, candidates = self.neighbourhood(kind, best.chosen)
            code, found = self.attempt(free, candidates, best)
            self.iterations += 1
            if found is not None:
                best = found
                self.report(best)
            self.adapt(kind, code, found is not None)
        return best


def chosen_from(instance: Instance, roster: Roster) -> Chosen | None:
    """The seats and roles of ``roster`` in the instance's indices (None: an unknown id, or a
    member seated twice in one group)."""
    m_index = {m.id: i for i, m in enumerate(instance.members)}
    g_index = {g.id: i for i, g in enumerate(instance.groups)}
    chosen: Chosen = {}
    for seat in roster.seats:
        mi, gi = m_index.get(seat.member), g_index.get(seat.group)
        if mi is None or gi is None or (mi, gi) in chosen:
            return None
        chosen[(mi, gi)] = (1, int(seat.role == "leader"), int(seat.role == "deputy"))
    return chosen


def solve_lns(
    instance: Instance,
    *,
    facts: Facts,
    starts: Sequence[Roster | None],
    baseline: Roster | None,
    relax: bool,
    deadline: float | None,
    workers: int,
    seed: int,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    build_s: float = 0.0,
    max_iterations: int | None = None,
    log: bool = False,
    lp: LpBound | None = None,
) -> Result | None:
    """The LNS search from the best of ``starts`` (checker-clean rosters: the greedy's, the
    baseline); None when no start roster fits the model (the caller then solves the monolithic
    model). The result is FEASIBLE with no bound: a neighbourhood's bound proves nothing about
    the plan. ``stats``: ``lns`` 1, ``lns_iterations``, ``lns_rolling`` (the rolling horizon ran),
    ``candidates`` (``all``, or ``short list, not proven sufficient``). ``lp``: the LP bound
    solved beside the search, reported once known (``stats["lp_bound"]``)."""
    search = Search(
        instance,
        facts=facts,
        baseline=baseline,
        relax=relax,
        workers=workers,
        seed=seed,
        deadline=deadline,
        stop=stop,
        on_progress=on_progress,
        log=log,
    )
    start: Incumbent | None = None
    first = -1  # which of ``starts`` the search starts from
    for i, roster in enumerate(starts):
        chosen = None if roster is None else chosen_from(instance, roster)
        found = None if chosen is None else search.evaluate(chosen)
        if found is not None and (start is None or found.objective < start.objective):
            start, first = found, i
    if start is None:
        return None
    search.lp = lp
    search.report(start)  # the first roster, as CP-SAT reports its hinted one
    best = search.run(start, max_iterations)
    bound = None if lp is None else lp.result(LP_WAIT_S)
    wall = time.perf_counter() - search.start
    return Result(
        status="OPTIMAL" if bound is not None and bound >= best.objective else "FEASIBLE",
        objective=best.objective,
        bound=None if bound is None else float(bound),
        wall_time_s=wall,
        build_time_s=build_s,
        search_time_s=wall,
        first_solution_s=0.0,
        roster=make_roster(instance, best.chosen),
        engine_goals=best.goals,
        rule_costs=best.costs,
        solutions=search.solutions,
        workers=workers,
        seed=seed,
        interrupted=stop is not None and stop.is_set(),
        stats={
            "backend": "cp-sat",
            "greedy_first": int(first == 0),
            "lns": 1,
            "lns_iterations": search.iterations,
            "lns_rolling": search.rolled,
            "lp_bound": int(bound is not None),
            "candidates": "short list, not proven sufficient" if search.short_listed else "all",
            "seat_variables": sum(len(a) for a in facts.allowed),
        },
    )


def keeps_hard_rules(instance: Instance, roster: Roster | None, relax: bool) -> bool:
    """Whether ``roster`` breaks no hard rule of ``instance`` (as relaxed with ``relax``),
    by the independent checker."""
    if roster is None:
        return False
    judged = relaxed(instance) if relax else instance
    return not hard_violations(judged, check(judged, roster))


def solve_by_parts(
    instance: Instance,
    *,
    baseline: Roster | None,
    relax: bool,
    time_limit: float | None,
    deadline: float | None,
    workers: int | None,
    seed: int,
    initial: Roster | None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    validated_s: float = 0.0,
) -> Result | None:
    """The LNS search where it applies (:func:`applies`), from the greedy roster ``initial``
    or the ``baseline``, whichever is better; None where it does not apply or neither roster
    fits (the caller then builds and solves the monolithic model). ``validated_s``: the
    seconds spent validating the input, counted in ``build_time_s`` as for the model."""
    if time_limit is None or (initial is None and baseline is None):
        return None
    began = time.perf_counter()
    facts = prepare(instance, model_mode(instance.rules, "recusal", relax=relax))
    if not applies(instance, facts, time_limit):
        return None
    lp: LpBound | None = None
    left = None if deadline is None else deadline - time.perf_counter()
    if (
        len(facts.rounds) == 1
        and sum(len(a) for a in facts.allowed) <= LP_BOUND_MAX_PAIRS
        and left is not None
        and left >= MIN_LEFT_S
    ):
        model = Model(instance, baseline, relax=relax, facts=facts, stop=stop)
        if not model.stopped and lpguide.applies(model, left):
            lp = LpBound(model, min(LP_MAX_S, left * LP_TIME_SHARE))
    try:
        return solve_lns(
            instance,
            facts=facts,
            # A baseline from before a change may break a hard rule now (a member out): no start.
            starts=[initial, baseline if keeps_hard_rules(instance, baseline, relax) else None],
            baseline=baseline,
            relax=relax,
            deadline=deadline,
            workers=workers or default_workers(),
            seed=seed,
            on_progress=on_progress,
            stop=stop,
            build_s=validated_s + time.perf_counter() - began,
            lp=lp,
        )
    finally:
        if lp is not None:
            lp.close()
