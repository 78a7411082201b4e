"""A feasibility phase for tight plans: a roster when the greedy planner's breaks a hard rule.

On a tight plan (``generate --tighten 1``: exact group sizes, specialists just enough, unit
caps as drawn) the greedy planner leaves a few groups short of a specialty, and CP-SAT on the
hard rules alone finds no roster in 30 s: the plan is close to an exact cover, where CP-SAT's
search is weak and a MIP solver's LP is strong. Measured on the tightened city preset (seed 0,
2 busy cores): CP-SAT on the hard rules, no roster in 30 s (2 or 8 workers, with or without
its LP); HiGHS on the same rules, a roster in 5.5 s; HiGHS on the *lean* model below, 3.9 s.
On the tightened city-2000 plan (96,553 allowed pairs) neither finishes even its presolve in
30 s, so the phase repairs the greedy roster by parts instead:

1. **The lean plan.** The rules the greedy roster breaks become soft with weight 1, every other
   hard rule stays hard, soft rules and goals are switched off (weight 0: not in the model). Its
   model (:class:`~.model.Model`, the engine's own encoding: no rule is written twice) has the
   number of violations of the broken rules as its objective, and a roster of objective 0 is a
   roster of the plan. The greedy roster satisfies every other hard rule (its desk checks), so
   it is a roster of the lean plan.
2. **Repair by parts.** A neighbourhood frees a few groups, the violated ones first, and groups
   holding members with the specialties they need; the rest stay fixed (:func:`.lns.sub_model`:
   the cross-group rules stay exact). HiGHS (one thread, in this process) solves the sub-model
   to its fewest violations; the result is kept if the independent checker counts no more
   violations. The number of free groups adapts: a neighbourhood solved to optimality without
   a gain grows the next, one cut by its limit shrinks it. A small plan's first neighbourhood
   is the whole plan: one HiGHS solve, which also ends the phase when its optimum is above 0
   (no roster exists; the caller's proof and explanation paths take it from there).

The phase returns only a roster the checker accepts (under the plan's own rules), else None.
``teamsolver.solve`` runs it (:func:`first_roster`) when the greedy roster breaks a hard rule,
before either search, which then starts from its roster. Each sub-solve is limited by HiGHS
nodes (deterministic) and, under a deadline, by wall time; HiGHS cannot be interrupted, so
``stop`` is seen between sub-solves (at most ``SUB_LIMIT_S``).
"""

from __future__ import annotations

import datetime
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ..audit import Violation, check, hard_violations
from ..data.instance import Instance, relaxed
from ..data.result import Result
from ..data.roster import Roster
from ..data.settings import GOAL_IDS, RELAXABLE_RULES
from . import lns
from .linear import Unsupported, chosen, export
from .prep import Facts, prepare
from .shortlist import ShortList
from .solve import Chosen, greedy_plan, make_roster
from .symmetry import interchangeable

#: Free groups of the first neighbourhood, and the fewest. Tightened city-2000, seed 1, 2
#: busy cores (load 6–7): 6 groups and pools of 80, a roster at 19.6 s; 4 / 60: 26.3 s;
#: 10 / 150: none in 30 s; 14 / 60: none in 30 s (one run each).
GROUPS_START = 6
GROUPS_MIN = 2
#: A plan with at most this many allowed pairs is first tried whole (one HiGHS solve): the
#: tightened city (7,447 pairs) in 3–4 s, against 5–8 s by parts.
WHOLE_MAX_PAIRS = 10_000
#: A free group with more candidates than this keeps its current members, the members of the
#: other free groups, every candidate with a specialty it requires, and a short list.
POOL_CAP = 80
#: Wall seconds and HiGHS nodes of one sub-solve (tightened city-2000, 6–10 groups free:
#: most solved to optimality in 0.5–2 s on busy cores); a whole plan gets ``WHOLE_LIMIT_S``.
SUB_LIMIT_S = 4.0
WHOLE_LIMIT_S = 10.0
SUB_NODES = 5_000
#: HiGHS overran its time limit by a fifth on busy cores (tightened city, load 12: 8.0 s for
#: a limit of 6.7 s), so it gets this share of the time left.
HIGHS_MARGIN = 0.8
#: Neighbourhoods in a row without fewer violations after which the phase gives up.
STALL = 25


@dataclass
class Repaired:
    """The phase's outcome: ``roster`` (checker-clean) or None, and how it went."""

    roster: Roster | None
    violations: int  # hard violations of the greedy roster (their counts)
    iterations: int = 0
    seconds: float = 0.0
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, violations)
    cut: bool = False  # ended by the deadline or ``stop``, not by a roster, a proof or a stall
    spent: bool = False  # cut on a plan of the decomposition layer: no time for another search

    def stats(self) -> dict[str, int | str]:
        """For ``Result.stats``: the greedy roster's violations, the neighbourhoods solved,
        the phase's milliseconds and whether it found a roster."""
        return {
            "feasibility_violations": self.violations,
            "feasibility_iterations": self.iterations,
            "feasibility_ms": round(1000 * self.seconds),
            "feasibility_roster": int(self.roster is not None),
        }


def lean(instance: Instance, broken: set[str]) -> Instance:
    """``instance`` with the hard rules in ``broken`` soft at weight 1, the other soft rules
    and every goal at weight 0 (out of the model): the model's objective counts the
    violations of ``broken``, and the other hard rules hold. The settings are copied, not
    validated again: a caller's weights may be scaled past the input's bounds (the what-if's
    two steps)."""
    rules = instance.rules
    update: dict[str, object] = {}
    for rule_id in RELAXABLE_RULES:
        rule = rules.rule(rule_id)
        if rule.mode == "soft":
            update[rule_id.replace("-", "_")] = rule.model_copy(update={"weight": 0})
        elif rule.mode == "hard" and rule_id in broken:
            update[rule_id.replace("-", "_")] = rule.model_copy(
                update={"mode": "soft", "weight": 1}
            )
    update["objective"] = rules.objective.model_copy(
        update={goal.replace("-", "_"): 0 for goal in GOAL_IDS}
    )
    return instance.model_copy(update={"rules": rules.model_copy(update=update)})


class Repair:
    """Repair by parts of one plan's partial roster (see the module's docstring)."""

    def __init__(
        self,
        instance: Instance,
        judged: Instance,
        start: Roster,
        *,
        deadline: float | None,
        stop: threading.Event | None,
        seed: int,
    ):
        self.instance = instance  # ids and indices
        self.judged = judged  # the rules the roster must meet (relaxed when the caller is)
        self.deadline = deadline
        self.stop = stop
        self.seed = seed
        self.rng = random.Random(seed)
        self.began = time.perf_counter()
        found = hard_violations(judged, check(judged, start))
        self.broken = {v.rule for v in found}
        self.plan = lean(judged, self.broken)
        self.facts: Facts = prepare(self.plan)
        self.allowed = [set(a) for a in self.facts.allowed]
        self.shortlist = ShortList(judged, self.facts, None)
        self.m_index = {m.id: i for i, m in enumerate(instance.members)}
        self.g_index = {g.id: i for i, g in enumerate(instance.groups)}
        # The greedy roster's seats that the lean plan allows (all of them, as it checks
        # eligibility and pins at the desk; a seat it does not allow is left out).
        self.chosen: Chosen = {}
        for seat in start.seats:
            mi, gi = self.m_index.get(seat.member), self.g_index.get(seat.group)
            if mi is not None and gi is not None and mi in self.allowed[gi]:
                role = seat.role
                self.chosen[(mi, gi)] = (1, int(role == "leader"), int(role == "deputy"))
        self.found = self.violations(self.chosen)
        self.outcome = Repaired(None, sum(v.count for v in found))
        self.size = float(GROUPS_START)
        self.specialties = [set(m.specialties) for m in instance.members]
        self.requires = [{s for s, _ in g.requires} for g in instance.groups]

    def applies(self) -> bool:
        """Only rules the lean plan can soften are broken (not pins, eligibility or one seat
        per round, which the greedy planner never breaks)."""
        return bool(self.broken) and self.broken <= set(RELAXABLE_RULES)

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def stopped(self) -> bool:
        left = self.left()
        return (self.stop is not None and self.stop.is_set()) or (left is not None and left < 0.2)

    def violations(self, seats: Chosen) -> list[Violation]:
        """The hard violations of a roster of these seats, by the independent checker."""
        return hard_violations(self.judged, check(self.judged, make_roster(self.instance, seats)))

    # -- neighbourhoods -----------------------------------------------------------------------
    def neighbourhood(self, whole: bool) -> set[int]:
        """Free groups: the violated groups (shuffled), then groups of their rounds that seat
        members with a specialty a free group requires, then others of those rounds."""
        if whole:
            return set(range(len(self.instance.groups)))
        facts = self.facts
        self.seated = lns.seats_by_group(self.chosen, len(self.instance.groups))
        bad: list[int] = []
        for v in self.found:
            gi = self.g_index.get(v.group or "")
            if gi is not None:
                bad.append(gi)
            else:  # a rule of a round or of members: the groups of its members
                for member in v.members:
                    mi = self.m_index.get(member)
                    bad.extend(g for m, g in self.chosen if m == mi)
        bad = sorted(set(bad))
        self.rng.shuffle(bad)
        size = max(GROUPS_MIN, round(self.size))
        free = set(bad[: max(1, size // 2)])
        if not free:
            free = {self.rng.randrange(len(self.instance.groups))}
        rounds = {facts.round_of[gi] for gi in free}
        short = set().union(*(self.short(gi) for gi in free))
        spare = self.spare()
        donors = [gi for gi in range(len(self.instance.groups)) if gi not in free]
        self.rng.shuffle(donors)
        # Groups with spare specialists of what the free groups lack first, then groups with
        # any of them, then the others of the free groups' rounds.
        donors.sort(
            key=lambda gi: (
                -len(short & spare[gi]),
                -len(short & self.held(gi)),
            )
        )
        for gi in donors:
            if len(free) >= size:
                break
            if facts.round_of[gi] in rounds:
                free.add(gi)
        return free

    def counts(self, gi: int) -> dict[str, int]:
        """How many members of group ``gi`` have each specialty, in the current roster."""
        out: dict[str, int] = defaultdict(int)
        for mi in self.seated[gi]:
            for s in self.specialties[mi]:
                out[s] += 1
        return out

    def short(self, gi: int) -> set[str]:
        """The specialties group ``gi`` has fewer of than it requires."""
        have = self.counts(gi)
        return {s for s, n in self.instance.groups[gi].requires if have[s] < n}

    def spare(self) -> list[set[str]]:
        """Per group, the specialties it has more of than it requires (or does not require)."""
        need = [dict(g.requires) for g in self.instance.groups]
        return [
            {s for s, c in self.counts(gi).items() if c > need[gi].get(s, 0)}
            for gi in range(len(self.instance.groups))
        ]

    def held(self, gi: int) -> set[str]:
        return set().union(*(self.specialties[mi] for mi in self.seated[gi]))

    def candidates(self, free: set[int]) -> dict[int, list[int]]:
        """Per free group, its allowed members not seated in a fixed group of its round; past
        ``POOL_CAP``, the members seated anywhere in the free groups, every candidate with a
        specialty the group requires, and a short list (:mod:`.shortlist`)."""
        round_of = self.facts.round_of
        taken: dict[int, set[int]] = defaultdict(set)
        mine: dict[int, set[int]] = defaultdict(set)
        for mi, gi in self.chosen:
            (mine[gi] if gi in free else taken[round_of[gi]]).add(mi)
        moving: dict[int, set[int]] = defaultdict(set)
        for gi in free:
            moving[round_of[gi]] |= mine[gi]
        out: dict[int, list[int]] = {}
        for gi in free:
            busy = taken[round_of[gi]]
            pool = [mi for mi in self.facts.allowed[gi] if mi not in busy]
            if len(pool) > POOL_CAP:
                need = self.requires[gi]
                keep = set(self.shortlist.pick(gi, pool, mine[gi], POOL_CAP, self.rng))
                keep |= {
                    mi for mi in pool if mi in moving[round_of[gi]] or need & self.specialties[mi]
                }
                pool = sorted(keep)
            out[gi] = pool
        return out

    # -- one sub-solve ------------------------------------------------------------------------
    def solve(self, free: set[int], whole: bool) -> tuple[str, Chosen | None]:
        """The lean sub-model with ``free`` open, solved by HiGHS: its status and seats."""
        candidates = None if whole else self.candidates(free)
        model = lns.sub_model(self.plan, self.facts, None, False, self.chosen, free, candidates)
        form = export(model)
        limit = WHOLE_LIMIT_S if whole else SUB_LIMIT_S
        left = self.left()
        status, values = highs(
            form,
            None if left is None else max(0.1, min(limit, HIGHS_MARGIN * left)),
            None if whole else SUB_NODES,
            self.seed + self.outcome.iterations,
        )
        return status, None if values is None else chosen(form, values)

    def run(self, max_iterations: int | None = None) -> Repaired:
        """Repair until no violation is left, ``stop``, the deadline, ``max_iterations``
        neighbourhoods or ``STALL`` neighbourhoods in a row without a gain."""
        out = self.outcome
        count = out.violations
        out.history.append((time.perf_counter() - self.began, count))
        whole = sum(len(a) for a in self.facts.allowed) <= WHOLE_MAX_PAIRS
        stall = 0
        while count > 0 and not self.stopped() and stall < STALL:
            if max_iterations is not None and out.iterations >= max_iterations:
                break
            free = self.neighbourhood(whole)
            try:
                status, seats = self.solve(free, whole)
            except Unsupported:
                break  # no linear form of this plan's model
            out.iterations += 1
            improved = False
            if seats is not None:
                found = self.violations(seats)
                n = sum(v.count for v in found)
                if n <= count:
                    improved = n < count
                    self.chosen, self.found, count = seats, found, n
            if improved:
                stall = 0
                out.history.append((time.perf_counter() - self.began, count))
            else:
                stall += 1
            if whole:
                if status == "OPTIMAL" and count > 0:
                    break  # the whole lean plan has no roster without a violation
                whole = False
                continue
            if status == "OPTIMAL" and not improved:
                self.size = min(len(self.instance.groups), self.size + 1)
            elif status != "OPTIMAL":
                self.size = max(GROUPS_MIN, self.size - 1)
        out.seconds = time.perf_counter() - self.began
        out.cut = count > 0 and self.stopped()
        if count == 0:
            out.roster = make_roster(self.instance, self.chosen)
        return out


def highs(
    form: dict[str, object], time_limit: float | None, nodes: int | None, seed: int
) -> tuple[str, list[int] | None]:
    """HiGHS (one thread, in this process) on a linear form: its status (``OPTIMAL``,
    ``FEASIBLE``, ``INFEASIBLE``, ``UNKNOWN``) and a value per column when it has a solution."""
    from ortools.math_opt.python import mathopt

    from .highs import column_values, model_proto

    model = mathopt.Model.from_model_proto(model_proto(form))
    params = mathopt.SolveParameters(random_seed=seed, node_limit=nodes)
    if time_limit is not None:
        params.time_limit = datetime.timedelta(seconds=time_limit)
    params.relative_gap_tolerance = 0.0
    params.absolute_gap_tolerance = 0.99  # violations are counted in whole units
    params.highs.int_options["threads"] = 1
    result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    reason = result.termination.reason
    if reason == mathopt.TerminationReason.INFEASIBLE:
        return "INFEASIBLE", None
    if not result.has_primal_feasible_solution():
        return "UNKNOWN", None
    status = "OPTIMAL" if reason == mathopt.TerminationReason.OPTIMAL else "FEASIBLE"
    return status, [round(v) for v in column_values(result)]


def repair(
    instance: Instance,
    start: Roster,
    *,
    judged: Instance | None = None,
    deadline: float | None = None,
    stop: threading.Event | None = None,
    seed: int = 0,
    max_iterations: int | None = None,
) -> Repaired | None:
    """A checker-clean roster of ``judged`` (default: ``instance``) repaired from ``start``
    (the greedy planner's roster, which breaks a hard rule), or a :class:`Repaired` without
    one when the repair did not finish; None when the phase does not apply (the roster
    breaks no rule, or one that cannot be made soft). Plans whose members are
    interchangeable are left to the monolithic model's symmetry break (:mod:`.symmetry`)."""
    judged = judged if judged is not None else instance
    if interchangeable(judged):
        return None
    work = Repair(instance, judged, start, deadline=deadline, stop=stop, seed=seed)
    if not work.applies():
        return None
    return work.run(max_iterations)


#: Share of the time left the phase may take: on a plan the decomposition layer searches
#: (the phase's failure leaves too little time for the monolithic model, whose build alone
#: takes seconds at 2,000 members), and on a smaller one (CP-SAT on the hard rules gets the
#: rest; a plan without a roster ends the phase at once, see :meth:`Repair.run`).
SHARE = 0.9
SMALL_SHARE = 0.5


def first_roster(
    instance: Instance,
    *,
    relax: bool,
    time_limit: float | None,
    deadline: float | None,
    stop: threading.Event | None,
    seed: int,
    baseline: Roster | None = None,
    max_iterations: int | None = None,
) -> Repaired | None:
    """The phase on the greedy planner's roster of ``instance`` (planned once: see
    :func:`.solve.greedy_plan`), judged under the relaxed rules with ``relax``, unless the
    ``baseline`` passes the checker (it is a start roster then), within
    ``SHARE`` of the time left on a plan the decomposition layer searches
    (:func:`.lns.applies`; :attr:`Repaired.spent` then says a cut phase left no time for
    another search) and ``SMALL_SHARE`` on a smaller one; None where it does not apply."""
    judged = relaxed(instance) if relax else instance
    if interchangeable(judged) or (
        baseline is not None
        and baseline.seats
        and not hard_violations(judged, check(judged, baseline))
    ):
        return None
    work = Repair(instance, judged, greedy_plan(instance), deadline=None, stop=stop, seed=seed)
    if not work.applies():
        return None
    layer = lns.applies(instance, work.facts, time_limit)
    if deadline is not None:
        share = SHARE if layer else SMALL_SHARE
        work.deadline = time.perf_counter() + share * (deadline - time.perf_counter())
    done = work.run(max_iterations)
    done.spent = layer and done.cut
    return done


def noted(result: Result, repaired: Repaired | None, ready_s: float | None) -> Result:
    """``result`` with the phase's ``stats`` (``greedy_first`` 0: the greedy roster was not
    used) and, when the phase found a roster, ``first_roster_s`` = ``ready_s`` (seconds since
    the call when it was at hand: the search started after it)."""
    if repaired is None:
        return result
    update: dict[str, object] = {"stats": {**result.stats, "greedy_first": 0, **repaired.stats()}}
    if repaired.roster is not None and result.has_roster:
        update["first_roster_s"] = ready_s
    return result.model_copy(update=update)
