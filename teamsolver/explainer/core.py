"""``teamsolver.explain``: an irreducible conflict, in words, with verified suggestions."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict

from ..data.errors import InputError, raise_if_errors
from ..data.instance import Instance, relaxed
from ..engine.conflict import SAT, UNKNOWN, UNSAT, Oracle, feasible, first_conflict, shrink
from ..i18n.phrase import Join, Phrase, Saying, Words
from ..limits import search_args
from ..rules import RULE_BY_ID, RULES
from ..rules.base import Where
from ..solver import solve
from ..validation import validate_instance
from .report import CoreItem, Explanation, Suggestion
from .suggest import apply_changes, candidates
from .words import Context, sentence

#: Suggestions printed at most (each one verified by a re-solve).
MAX_SUGGESTIONS = 6
#: Share of the time limit for finding and shrinking the conflict; the rest verifies suggestions.
CORE_SHARE = 0.6


def explain(
    instance: Instance,
    *,
    time_limit: float | None = 60.0,
    workers: int | None = None,
    seed: int = 0,
    suggest: bool = True,
) -> Explanation:
    """Why ``instance`` has no roster: an irreducible set of rule instances that cannot hold
    together, each in words with its numbers, and the smallest changes that make the plan
    possible, each verified by a re-solve.

    Requirements larger than the members a group can ever have are read off the input without
    solving. Otherwise :func:`teamsolver.solve` first looks for a roster (status ``FEASIBLE``
    when it finds one, within the whole time limit as ``solve`` would); when it proves there
    is none, every hard constraint of a relaxable rule and every pin is guarded by an
    assumption literal; CP-SAT's sufficient assumptions give a conflict, and a deletion filter
    shrinks it until dropping any item leaves the rest satisfiable. Within ``time_limit``
    seconds (``math.inf``: no limit); when the time runs out while shrinking,
    ``irreducible`` is False. ``workers``: CP-SAT threads (None: as ``solve`` when looking for a
    roster, one per core; one for the conflict and the suggestions).
    """
    time_limit = math.inf if time_limit is None else time_limit  # None: no limit, as in solve
    search_args(time_limit=time_limit, workers=workers, seed=seed)
    start = time.perf_counter()
    deadline = start + time_limit
    # Rules that a requirement cannot meet are this function's business, not bad input.
    raise_if_errors(validate_instance(relaxed(instance)))
    ctx = Context(instance)
    found = obvious(ctx)
    solves = 0
    more: tuple[Words, ...] = ()
    if found:
        core, proven, found_by = found[0], True, "input"
        more = tuple(_summary(ctx, c) for c in found[1:])
    else:
        # A roster first, as ``solve`` finds one (the whole time limit: without a conflict
        # there is nothing to shrink or suggest); its proof of infeasibility, when it gives
        # one, spares the conflict search its first check of the whole plan.
        verdict, solves = roster_first(instance, time_limit, workers, seed)
        workers = workers or 1
        now = time.perf_counter()
        if verdict == UNSAT:
            core_deadline = now + (deadline - now) * (CORE_SHARE if suggest else 1.0)
        else:
            core_deadline = start + time_limit * (CORE_SHARE if suggest else 1.0)
        first: list[Where] = []
        oracle: Oracle | None = None
        if verdict == UNSAT or (verdict == UNKNOWN and now < core_deadline):
            oracle = Oracle(instance, workers=workers, seed=seed)
            verdict, first = first_conflict(oracle, core_deadline, known_unsat=verdict == UNSAT)
        if verdict != UNSAT or oracle is None:
            solves += oracle.solves if oracle is not None else 0
            status = "FEASIBLE" if verdict == SAT else "UNKNOWN"
            verdict_words = (
                Phrase("explain.feasible")
                if verdict == SAT
                else Phrase("explain.unknown", limit=time_limit)
            )
            return Explanation.said(
                verdict_words,
                status=status,
                solves=solves,
                wall_time_s=time.perf_counter() - start,
            )
        core, proven = shrink(oracle, first, core_deadline)
        core = _ordered(core)
        found_by = "solver"
        solves += oracle.solves
    items = tuple(_item(w, ctx, core) for w in core)
    suggestions: tuple[Suggestion, ...] = ()
    if suggest:
        suggestions, used = _suggestions(instance, ctx, core, deadline, workers or 1, seed)
        solves += used
    return Explanation.said(
        _said(items, proven, found_by, suggest),
        status="INFEASIBLE",
        core=items,
        suggestions=suggestions,
        irreducible=proven,
        found_by=found_by,
        solves=solves,
        wall_time_s=time.perf_counter() - start,
    ).with_more(more)


def roster_first(
    instance: Instance, time_limit: float, workers: int | None, seed: int
) -> tuple[str, int]:
    """Whether :func:`teamsolver.solve` finds a roster of ``instance`` within ``time_limit``
    (stopping at the first one): ``SAT``; ``UNSAT`` when it proves there is none; ``UNKNOWN``
    when time ran out, or when ``solve`` rejects the input (a requirement the hard rules can
    never meet: the conflict search shows it). With the number of solves run (0 or 1)."""
    first = threading.Event()
    try:
        result = solve(
            instance,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            on_progress=lambda _: first.set(),
            stop=first,
            backend="cp-sat",  # explanations reason about CP-SAT's search
        )
    except InputError:
        return UNKNOWN, 0
    if result.has_roster:
        return SAT, 1
    return (UNSAT if result.status == "INFEASIBLE" else UNKNOWN), 1


# -- conflicts read off the input ------------------------------------------------------------
def obvious(ctx: Context) -> list[list[Where]]:
    """Every group requirement (at least k members of a kind: each rule's ``requirements``) that
    exceeds the members of that kind who may sit in the group, as an irreducible conflict: the
    requirement plus just enough of the recusals and forbid pins that keep the others out
    (freeing any one of them, or dropping the requirement, leaves a satisfiable set)."""
    inst = ctx.instance
    rules = inst.rules
    hard_recusal = rules.mode("recusal") == "hard"
    found: list[list[Where]] = []
    for g in inst.groups:
        for rule in RULES:
            if rules.mode(rule.RULE_ID) != "hard":
                continue
            for item in rule.requirements(g, inst):
                counting = rule.counting(item, inst)
                assert counting is not None
                free, _ = ctx.candidates(g, counting.counts)
                if len(free) >= counting.need:
                    continue
                # Eligible members kept out by a rule that a planner may relax.
                held: list[Where] = []
                for m in inst.members:
                    if (
                        not counting.counts(m)
                        or m.status != "active"
                        or g.round in m.unavailable_rounds
                    ):
                        continue
                    if hard_recusal and ctx.recusal_reasons(m, g):
                        held.append(Where("recusal", g.round, g.id, m.id))
                    elif (m.id, g.id) in ctx.forbidden:
                        held.append(Where("pins", g.round, g.id, m.id))
                if counting.role is not None:
                    # Pinned to the role without the ability: held out by the quota itself.
                    held += [
                        Where(item.rule, g.round, g.id, m.id)
                        for m in inst.members
                        if not counting.counts(m)
                        and ctx.required.get((m.id, g.id)) == counting.role
                        and ctx.barred(m, g) is None
                    ]
                keep = max(0, len(free) + len(held) - counting.need + 1)
                found.append([item, *held[:keep]])
    return found


# -- words -----------------------------------------------------------------------------------
def _ordered(core: list[Where]) -> list[Where]:
    """Requirements of groups first (in group order), then the rules that hold members back."""

    def key(w: Where) -> tuple[int, str, str, str]:
        return (RULE_BY_ID[w.rule].RANK, w.round or "", w.group or "", w.member or "")

    return sorted(core, key=key)


def _item(w: Where, ctx: Context, core: list[Where]) -> CoreItem:
    return CoreItem.said(sentence(w, ctx, core), **asdict(w))


def _summary(ctx: Context, core: list[Where]) -> Words:
    return sentence(core[0], ctx, core)


def _message(items: tuple[CoreItem, ...], proven: bool, found_by: str, suggest: bool) -> str:
    """The explanation in English (:func:`_said`)."""
    return _said(items, proven, found_by, suggest).render()


def _said(items: tuple[CoreItem, ...], proven: bool, found_by: str, suggest: bool) -> Words:
    """The explanation in words: the head, a line per rule instance, what it means."""
    one = len(items) == 1
    how = Phrase("explain.head.input") if found_by == "input" else ""
    head = (
        Phrase("explain.head.one", how=how)
        if one
        else Phrase("explain.head.many", n=len(items), how=how)
    )
    if not proven:
        tail = Phrase("explain.tail.cut")
    else:
        end = Phrase("explain.tail.verified" if suggest else "explain.tail.end")
        tail = Phrase("explain.tail.one" if one else "explain.tail.many", end=end)
    lines = [
        Phrase("explain.line", i=i, rule=it.rule, said=Saying(it)) for i, it in enumerate(items, 1)
    ]
    return Join([head, *lines, tail], "newline")


# -- suggestions -----------------------------------------------------------------------------
def _suggestions(
    instance: Instance,
    ctx: Context,
    core: list[Where],
    deadline: float,
    workers: int,
    seed: int,
) -> tuple[tuple[Suggestion, ...], int]:
    """Candidate edits of every core item, kept when a re-solve finds a roster with them
    (scope ``plan``); when none does, those that at least lift this conflict (``conflict``)."""
    seen: set[tuple[object, ...]] = set()
    plan: list[Suggestion] = []
    partial: list[Suggestion] = []
    solves = 0
    for w in core:
        for text, changes in candidates(w, ctx):
            key = tuple(c.model_dump_json() for c in changes if c.table != "units")
            if key in seen:
                continue
            seen.add(key)
            left = deadline - time.perf_counter()
            if left <= 0 or len(plan) >= MAX_SUGGESTIONS:
                break
            try:
                changed = apply_changes(instance, changes)
            except (ValueError, KeyError, StopIteration):
                continue
            if any(p.severity == "error" for p in validate_instance(relaxed(changed))):
                continue
            verdict = feasible(changed, min(left, 20.0), workers, seed)
            solves += 1
            if verdict == SAT:
                plan.append(Suggestion.said(text, changes=changes, scope="plan"))
            elif verdict != UNKNOWN and not plan and len(partial) < MAX_SUGGESTIONS:
                left = deadline - time.perf_counter()
                if left <= 0:
                    continue
                oracle = Oracle(changed, workers=workers, seed=seed)
                lifted, _ = oracle.check(_around(core, oracle.items), min(left, 20.0), fixed=True)
                solves += oracle.solves
                if lifted == SAT:
                    partial.append(Suggestion.said(text, changes=changes, scope="conflict"))
    return tuple(plan or partial), solves


def _around(core: list[Where], items: list[Where]) -> list[Where]:
    """The rule instances of the groups, and of the members outside groups, that ``core``
    concerns: a change lifts the conflict when these can all hold with it (so that lowering a
    requirement by one does not count as lifting it while recusals still block it)."""
    groups = {w.group for w in core if w.group is not None}
    members = {w.member for w in core if w.member is not None}
    return [
        w
        for w in items
        if w.group in groups or (w.group is None and (w.member in members or w in core))
    ]
