"""Why-not questions: why is a member not in a group (or in any group) of a roster?

Either hard rules forbid the seat (said as the rule instances that do), or the seat is allowed
and the answer is what forcing it costs: the best roster with the member pinned there, goal by
goal, against the given roster.
"""

from __future__ import annotations

import time

from ..engine.model import Where
from ..errors import TeamsolverError
from ..instance import Group, Instance, Pin
from ..roster import Roster
from ..score import GOAL_SENSE, objective, score
from ..settings import GOAL_IDS
from .core import explain
from .report import CoreItem, GoalCost, WhyNot
from .words import Context, sentence


def why_not(
    instance: Instance,
    roster: Roster,
    member: str,
    group: str | None = None,
    *,
    time_limit: float = 60.0,
    workers: int | None = None,
    seed: int = 0,
) -> WhyNot:
    """Why ``member`` is not in ``group`` (None: in any group) of ``roster``.

    Groups the member can never sit in (eligibility, recusal, a forbid pin) are said at once.
    For each other group (at most as many as ``time_limit`` allows), the instance is re-solved
    with a require pin: no roster means hard rules forbid it (the conflict with the pin is
    given); otherwise the cheapest such roster is compared with ``roster`` goal by goal.
    """
    from ..solver import solve

    start = time.perf_counter()
    if member not in instance.member_by_id:
        raise TeamsolverError(f"unknown member {member!r} (expected an id from members)")
    if group is not None and group not in instance.group_by_id:
        raise TeamsolverError(f"unknown group {group!r} (expected an id from groups)")
    m = instance.member_by_id[member]
    groups = [instance.group_by_id[group]] if group else list(instance.groups)
    seats = [s for s in roster.seats if s.member == member and (group is None or s.group == group)]
    if seats:
        where = ", ".join(f"{s.group} ({s.round}) as {s.role}" for s in seats)
        return WhyNot(
            member=member, group=group, status="seated", message=f"{member} sits in {where}."
        )
    ctx = Context(instance)
    reasons: list[CoreItem] = []
    open_groups: list[Group] = []
    for g in groups:
        why = ctx.barred(m, g)
        if why is None:
            open_groups.append(g)
        else:
            reasons.append(_static(ctx, member, g, why))
    best: tuple[int, Group, object] | None = None
    unknown = False
    for i, g in enumerate(open_groups):
        left = start + time_limit - time.perf_counter()
        if left <= 0:
            unknown = True
            break
        share = left / (len(open_groups) - i)
        pinned = instance.model_copy(
            update={"pins": (*instance.pins, Pin(member=member, group=g.id, kind="require"))}
        )
        result = solve(pinned, time_limit=share, workers=workers, seed=seed)
        if result.has_roster:
            assert result.objective is not None
            if best is None or result.objective < best[0]:
                best = (result.objective, g, result)
        elif result.status == "INFEASIBLE":
            conflict = explain(pinned, time_limit=max(1.0, share), suggest=False, seed=seed)
            pin = Where("pins", g.round, g.id, member)
            items = [c for c in conflict.core if (c.rule, c.round, c.group, c.member) != _key(pin)]
            head = CoreItem(
                rule="pins",
                round=g.round,
                group=g.id,
                member=member,
                message=f"seating {member} in {g.id} conflicts with these rules",
            )
            reasons.extend([head, *items])
        else:
            unknown = True
    where = group or "any group"
    if best is None:
        if unknown:
            return WhyNot(
                member=member,
                group=group,
                status="UNKNOWN",
                message=f"No answer for {member} in {where} within the time limit of "
                f"{time_limit:g} s; allow more time with --time-limit.",
                reasons=tuple(reasons),
            )
        return WhyNot(
            member=member,
            group=group,
            status="forbidden",
            message=f"Hard rules forbid {member} in {where}:\n"
            + "\n".join(f"- [{r.rule}] {r.message}" for r in reasons),
            reasons=tuple(reasons),
        )
    from ..result import Result

    _, g, forced = best
    assert isinstance(forced, Result)
    given_goals = score(instance, roster)
    weights = instance.rules.objective
    costs = []
    for goal in GOAL_IDS:
        w = weights.weight(goal)
        before, after = given_goals[goal], forced.goals.get(goal, 0)
        sign = 1 if GOAL_SENSE[goal] == "min" else -1
        costs.append(
            GoalCost(
                goal=goal, weight=w, given=before, forced=after, cost=sign * w * (after - before)
            )
        )
    given_obj = objective(instance, roster)
    assert forced.objective is not None
    delta = forced.objective - given_obj
    lines = [
        f"{member} may sit in {g.id} (round {g.round}): no hard rule forbids it. The best roster "
        f"found with {member} pinned there has objective {forced.objective} against "
        f"{given_obj} for the given roster ({'+' if delta >= 0 else ''}{delta}; lower is "
        "better)."
    ]
    changed = [c for c in costs if c.cost or c.given != c.forced]
    if changed:
        lines.append("Goal by goal (weight × change; positive = worse):")
        lines += [
            f"- {c.goal}: {c.given} → {c.forced} (weight {c.weight}, {c.cost:+d})" for c in changed
        ]
    if forced.status != "OPTIMAL":
        lines.append("(That roster is not proven best: the difference is an upper bound.)")
    if group is None and len(open_groups) > 1:
        lines.append(f"{g.id} is the cheapest of the {len(open_groups)} groups tried.")
    return WhyNot(
        member=member,
        group=group,
        status="allowed",
        message="\n".join(lines),
        reasons=tuple(reasons),
        forced_group=g.id,
        objective_given=given_obj,
        objective_forced=forced.objective,
        goals=tuple(costs),
        rule_costs=dict(forced.rule_costs),
    )


def _key(w: Where) -> tuple[str | None, ...]:
    return (w.rule, w.round, w.group, w.member)


def _static(ctx: Context, member: str, g: Group, why: str) -> CoreItem:
    """The fixed fact that keeps ``member`` out of ``g`` as a rule instance."""
    if "recused" in why:
        w = Where("recusal", g.round, g.id, member)
        return CoreItem(
            rule="recusal", round=g.round, group=g.id, member=member, message=sentence(w, ctx, [w])
        )
    rule = "pins" if "pin" in why else "eligibility"
    return CoreItem(rule=rule, round=g.round, group=g.id, member=member, message=f"{why} ({g.id})")
