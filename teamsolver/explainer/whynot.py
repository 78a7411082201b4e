"""Why-not questions: why is a member not in a group (or in any group) of a roster?

Either hard rules forbid the seat (said as the rule instances that do), or the seat is allowed
and the answer is what forcing it costs: the best roster found with the member there, goal by
goal, against the given roster. That roster is searched from the given one (the swap search of
:mod:`.swaps`, then CP-SAT hinted with its roster), so the price is never above a roster that
one change of the given roster reaches, and the answer carries the roster and its seat changes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Literal

from ..audit import Violation
from ..data.errors import TeamsolverError, did_you_mean
from ..data.instance import Group, Instance, Pin
from ..data.roster import Roster
from ..data.settings import GOAL_IDS
from ..engine.conflict import UNKNOWN, UNSAT, Limits, resolve_from
from ..engine.model import Model
from ..engine.solve import default_workers
from ..i18n.phrase import Count, Join, Listed, Phrase, Saying, Shown, Words
from ..limits import search_args
from ..rules.base import Where
from ..score import judge as judge_roster
from .core import explain
from .report import CoreItem, GoalCost, GroupPrice, SeatMove, WhyNot
from .swaps import MAX_EVALUATIONS, Allowed, Judged, judge, moves, swap_search
from .words import Barred, Context, sentence

#: Share of a group's time for the swap search; CP-SAT from its roster gets the rest.
SWAP_SHARE = 0.5
#: Seat changes listed at most in the message (``moves`` and ``roster`` have them all).
MAX_MOVES = 12


def why_not(
    instance: Instance,
    roster: Roster,
    member: str,
    group: str | None = None,
    *,
    time_limit: float | None = 60.0,
    workers: int | None = None,
    seed: int = 0,
    solutions: int | None = None,
    max_evaluations: int = MAX_EVALUATIONS,
) -> WhyNot:
    """Why ``member`` is not in ``group`` (None: in any group) of ``roster``.

    Groups the member can never sit in (eligibility, recusal, a forbid pin) are said at once.
    Each other group gets a fair share of ``time_limit`` (``math.inf``: no limit; what a
    group leaves unused goes to the next): half for the swap search (:mod:`.swaps`: the given
    roster with the member in the group and one or two other members moved, at most
    ``max_evaluations`` rosters judged by the checker and the scorer), the rest for CP-SAT
    started from its best roster (a complete hint), stopped after ``solutions`` improving
    rosters (None: no limit; with ``workers=1`` a limit that gives the same answer on any
    machine). The cheaper roster of the two is the answer, compared with ``roster`` goal by
    goal; when CP-SAT proves that no roster has the member there, the conflict is given.
    """
    time_limit = math.inf if time_limit is None else time_limit  # None: no limit, as in solve
    search_args(time_limit=time_limit, workers=workers, seed=seed, solutions=solutions)
    start = time.perf_counter()
    if member not in instance.member_by_id:
        raise unknown_id("member", member, instance.member_by_id)
    if group is not None and group not in instance.group_by_id:
        raise unknown_id("group", group, instance.group_by_id)
    m = instance.member_by_id[member]
    groups = [instance.group_by_id[group]] if group else list(instance.groups)
    seats = [s for s in roster.seats if s.member == member and (group is None or s.group == group)]
    if seats:
        where = Listed(
            Phrase("whynot.seat", group=s.group, round=s.round, role=Phrase(f"role.{s.role}"))
            for s in seats
        )
        said = Phrase("whynot.seated", member=member, where=where)
        return WhyNot.said(said, member=member, group=group, status="seated")
    ctx = Context(instance)
    reasons: list[CoreItem] = []
    open_groups: list[Group] = []
    pinned_in = {p.group: p for p in instance.pins if p.kind == "require" and p.member == member}
    for g in groups:
        why = ctx.barred(m, g)
        elsewhere = [
            gid for gid in pinned_in if gid != g.id and instance.group_by_id[gid].round == g.round
        ]
        if why is None and elsewhere:
            said = Phrase("whynot.pinned-elsewhere", member=member, other=elsewhere[0], group=g.id)
            reasons.append(
                CoreItem.said(said, rule="pins", round=g.round, group=elsewhere[0], member=member)
            )
        elif why is None:
            open_groups.append(g)
        else:
            reasons.append(_static(ctx, member, g, why))
    if not open_groups:
        return _forbidden(member, group, reasons)
    model = Model(instance)
    m_index = {p.id: i for i, p in enumerate(instance.members)}
    g_index = {q.id: i for i, q in enumerate(instance.groups)}

    def allowed(mid: str, gid: str, role: str) -> bool:
        key = (m_index.get(mid, -1), g_index.get(gid, -1))
        if key not in model.x:
            return False
        return role == "member" or key in (model.lead if role == "leader" else model.dep)

    given_judged = judge(instance, roster)
    given = given_judged.objective
    found: dict[str, Judged] = {}
    nearby: dict[str, Judged] = {}  # the swap search's best, per group
    prices: list[GroupPrice] = []
    for i, g in enumerate(open_groups):
        left = start + time_limit - time.perf_counter()
        if left <= 0:
            break
        # A fair share of what is left: time a group does not use goes to the next ones.
        share = left / (len(open_groups) - i)
        price, judged, near, conflict = _price(
            instance,
            model,
            roster,
            member,
            g,
            seat=(m_index[member], g_index[g.id]),
            allowed=allowed,
            given=given,
            limits=Limits(
                deadline=time.perf_counter() + share,
                workers=workers or default_workers(),
                seed=seed,
                solutions=solutions,
            ),
            max_evaluations=max_evaluations,
        )
        prices.append(price)
        reasons.extend(conflict)
        if judged is not None:
            found[g.id] = judged
        if near is not None:
            nearby[g.id] = near
    tried = {p.group for p in prices}
    prices += [GroupPrice(group=g.id) for g in open_groups if g.id not in tried]  # no time left
    ranked = sorted(
        prices,
        key=lambda p: (p.price is None, p.price or 0, len(_moves_of(p, found, instance, roster))),
    )
    if not found:
        if any(p.status == "UNKNOWN" for p in prices):
            said = Phrase("whynot.unknown", member=member, where=_where(group), limit=time_limit)
            return WhyNot.said(
                said,
                member=member,
                group=group,
                status="UNKNOWN",
                reasons=tuple(reasons),
                prices=tuple(ranked),
            )
        return _forbidden(member, group, reasons, tuple(ranked))
    best = ranked[0]
    g = instance.group_by_id[best.group]
    forced = found[g.id].roster
    costs = _costs(instance, roster, forced)
    given_obj = sum(c.given_part for c in costs)
    forced_obj = sum(c.forced_part for c in costs)
    delta = forced_obj - given_obj
    changes = moves(instance, roster, forced)
    lines: list[Words] = [
        Phrase(
            "whynot.allowed",
            member=member,
            group=g.id,
            round=g.round,
            forced=forced_obj,
            given=given_obj,
            delta=f"{delta:+d}",
            how=Phrase(f"whynot.how.{best.found_by}"),
            changes=Count("whynot.seat-change", len(changes)),
        )
    ]
    lines += [Phrase("whynot.move-line", move=c.words()) for c in changes[:MAX_MOVES]]
    if len(changes) > MAX_MOVES:
        lines.append(Phrase("whynot.more-moves", n=len(changes) - MAX_MOVES))
    near = nearby.get(g.id)
    near_moves: tuple[SeatMove, ...] = ()
    if near is not None and best.found_by == "re-solve":
        near_moves = moves(instance, roster, near.roster)
        lines.append(
            Phrase(
                "whynot.nearer",
                objective=near.objective,
                delta=f"{near.objective - given_obj:+d}",
                changes=Count("whynot.seat-change", len(near_moves)),
                moves=Join(c.words() for c in near_moves[:MAX_MOVES]),
                cut=Phrase("whynot.cut") if len(near_moves) > MAX_MOVES else "",
            )
        )
    changed = [c for c in costs if c.cost or c.given != c.forced]
    if changed:
        lines.append(Phrase("whynot.goals"))
        lines += [
            Phrase(
                "whynot.goal",
                goal=c.goal,
                given=c.given,
                forced=c.forced,
                weight=c.weight,
                cost=f"{c.cost:+d}",
            )
            for c in changed
        ]
    if not given_judged.clean:
        lines.append(Phrase("whynot.given-broken", n=Count("whynot.violation", given_judged.hard)))
    if delta < 0:
        lines.append(Phrase("whynot.better"))
    if not best.proven:
        lines.append(Phrase("whynot.not-proven"))
    if group is None:
        priced = [p for p in ranked if p.price is not None]
        if len(priced) > 1:
            each = Listed(
                Phrase("whynot.price", group=p.group, price=f"{p.price:+d}") for p in priced
            )
            lines.append(Phrase("whynot.cheapest", group=g.id, n=len(priced), each=each))
        unknown = [p.group for p in ranked if p.status == "UNKNOWN"]
        if unknown:
            lines.append(Phrase("whynot.unknown-groups", member=member, groups=Listed(unknown)))
        if reasons:
            lines.append(Phrase("whynot.keep-out", member=member))
            lines += [Phrase("whynot.reason", rule=r.rule, said=Saying(r)) for r in reasons]
    return WhyNot.said(
        Join(lines, "newline"),
        member=member,
        group=group,
        status="allowed",
        reasons=tuple(reasons),
        forced_group=g.id,
        objective_given=given_obj,
        objective_forced=forced_obj,
        goals=tuple(costs),
        roster=forced,
        moves=changes,
        proven=best.proven,
        found_by=best.found_by,
        prices=tuple(ranked),
        nearby_moves=near_moves,
        objective_nearby=None if not near_moves or near is None else near.objective,
    )


def _price(
    instance: Instance,
    model: Model,
    roster: Roster,
    member: str,
    g: Group,
    *,
    seat: tuple[int, int],
    allowed: Allowed,
    given: int,
    limits: Limits,
    max_evaluations: int,
) -> tuple[GroupPrice, Judged | None, Judged | None, list[CoreItem]]:
    """What seating ``member`` in ``g`` costs, within ``limits``: the swap search first
    (:data:`SWAP_SHARE` of the time), then CP-SAT from its roster (the rest). The price, the
    roster behind it (None: none found), the swap search's best roster and, when hard rules
    forbid the seat, why."""
    begin = time.perf_counter()
    end = limits.deadline
    swaps = swap_search(
        instance,
        roster,
        member,
        g.id,
        allowed=allowed,
        deadline=begin + (end - begin) * SWAP_SHARE,
        max_evaluations=max_evaluations,
    )
    options: list[tuple[Judged, Literal["swaps", "re-solve"]]] = []
    if swaps.best is not None:
        options.append((swaps.best, "swaps"))
    verdict, proven = UNKNOWN, False
    if seat in model.x:
        start = swaps.best or swaps.nearest
        verdict, solved, proven = resolve_from(
            model,
            seat,
            None if start is None else start.roster,
            clean=start is not None and start.clean,
            limits=limits,
        )
        if solved is not None:
            judged = judge(instance, solved)
            if judged.clean:
                options.append((judged, "re-solve"))
            else:
                proven = False  # the checker disagrees with the model: prove nothing
    else:
        verdict = UNSAT  # the model has no such seat: hard rules keep the member out
    if options:
        # The cheapest; on a tie, the roster nearer to the given one (the swaps' first).
        best, by = min(options, key=lambda o: o[0].objective)
        return (
            GroupPrice(
                group=g.id,
                objective=best.objective,
                price=best.objective - given,
                proven=proven,
                found_by=by,
                status="allowed",
                swap_price=None if swaps.best is None else swaps.best.objective - given,
            ),
            best,
            swaps.best,
            [],
        )
    if verdict != UNSAT:
        return GroupPrice(group=g.id), None, None, []
    left = max(1.0, end - time.perf_counter())
    return (
        GroupPrice(group=g.id, status="forbidden"),
        None,
        None,
        _conflict(instance, member, g, left, limits.seed),
    )


def _conflict(
    instance: Instance, member: str, g: Group, time_limit: float, seed: int
) -> list[CoreItem]:
    """Why no roster has ``member`` in ``g``: the conflict of the instance with that pin."""
    pinned = instance.model_copy(
        update={"pins": (*instance.pins, Pin(member=member, group=g.id, kind="require"))}
    )
    conflict = explain(pinned, time_limit=time_limit, suggest=False, seed=seed)
    pin = Where("pins", g.round, g.id, member)
    items = [c for c in conflict.core if (c.rule, c.round, c.group, c.member) != _key(pin)]
    seat_in_conflict = len(items) < len(conflict.core)
    said = Phrase(
        "whynot.conflict.seat" if seat_in_conflict else "whynot.conflict.plan",
        member=member,
        group=g.id,
    )
    head = CoreItem.said(said, rule="pins", round=g.round, group=g.id, member=member)
    return [head, *items]


def _forbidden(
    member: str, group: str | None, reasons: list[CoreItem], prices: tuple[GroupPrice, ...] = ()
) -> WhyNot:
    lines: list[Words] = [Phrase("whynot.reason", rule=r.rule, said=Saying(r)) for r in reasons]
    head = Phrase("whynot.forbidden", member=member, where=_where(group))
    return WhyNot.said(
        Join([head, *lines] if lines else [head, ""], "newline"),
        member=member,
        group=group,
        status="forbidden",
        reasons=tuple(reasons),
        prices=prices,
    )


def _where(group: str | None) -> Words | str:
    """The group asked about, or ``any group``."""
    return group or Phrase("whynot.any-group")


def _moves_of(
    p: GroupPrice, found: dict[str, Judged], instance: Instance, roster: Roster
) -> tuple[SeatMove, ...]:
    return moves(instance, roster, found[p.group].roster) if p.group in found else ()


class UnknownId(TeamsolverError):
    """An id :func:`why_not` was asked about that the instance lacks: which argument
    (``member`` or ``group``) and the words (``phrase``)."""

    def __init__(self, argument: Literal["member", "group"], phrase: Phrase):
        self.argument = argument
        self.phrase = phrase
        super().__init__(phrase.render())


def unknown_id(word: Literal["member", "group"], value: str, known: Iterable[str]) -> UnknownId:
    """``unknown member 'm04' (did you mean 'M04'?) ...``: an id that differs only in case
    first, else the closest id."""
    ids = tuple(known)
    same = [i for i in ids if i.casefold() == value.casefold()]
    hint = Phrase("problem.near.paren", near=Shown(same[0])) if same else did_you_mean(value, ids)
    return UnknownId(word, Phrase(f"problem.whynot.unknown.{word}", id=Shown(value), hint=hint))


def _costs(instance: Instance, given: Roster, forced: Roster) -> list[GoalCost]:
    """Every term of the objective (goals, then soft rules) on both rosters."""
    judged_given = judge_roster(instance, given)
    judged_forced = judge_roster(instance, forced)
    before, after = judged_given.parts, judged_forced.parts
    given_goals, forced_goals = judged_given.goals, judged_forced.goals
    given_rules = _counts(judged_given.violations)
    forced_rules = _counts(judged_forced.violations)
    out = []
    for key in before:
        if key in GOAL_IDS:
            weight = instance.rules.objective.weight(key)
            values = given_goals[key], forced_goals[key]
        else:
            weight = int(instance.rules.rule(key).weight)  # type: ignore[union-attr]
            values = given_rules.get(key, 0), forced_rules.get(key, 0)
        out.append(
            GoalCost(
                goal=key,
                weight=weight,
                given=values[0],
                forced=values[1],
                cost=after[key] - before[key],
                given_part=before[key],
                forced_part=after[key],
            )
        )
    return out


def _counts(violations: Iterable[Violation]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in violations:
        counts[v.rule] = counts.get(v.rule, 0) + v.count
    return counts


def _key(w: Where) -> tuple[str | None, ...]:
    return (w.rule, w.round, w.group, w.member)


def _static(ctx: Context, member: str, g: Group, why: Barred) -> CoreItem:
    """The fixed fact that keeps ``member`` out of ``g`` as a rule instance."""
    if why.rule == "recusal":
        w = Where("recusal", g.round, g.id, member)
        return CoreItem.said(
            sentence(w, ctx, [w]), rule="recusal", round=g.round, group=g.id, member=member
        )
    said = Phrase("whynot.static", why=why.text, group=g.id)
    return CoreItem.said(said, rule=why.rule, round=g.round, group=g.id, member=member)
