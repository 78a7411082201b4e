"""Why-not questions: why is a member not in a group (or in any group) of a roster?

Either hard rules forbid the seat (said as the rule instances that do), or the seat is allowed
and the answer is what forcing it costs: the best roster with the member pinned there, goal by
goal, against the given roster.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ..audit import check
from ..engine.model import Where
from ..errors import TeamsolverError
from ..instance import Group, Instance, Pin
from ..result import Result
from ..roster import Roster
from ..score import objective_parts, score
from ..settings import GOAL_IDS, _nearest
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
        raise TeamsolverError(unknown_id("member", member, instance.member_by_id))
    if group is not None and group not in instance.group_by_id:
        raise TeamsolverError(unknown_id("group", group, instance.group_by_id))
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
    pinned_in = {p.group: p for p in instance.pins if p.kind == "require" and p.member == member}
    for g in groups:
        why = ctx.barred(m, g)
        elsewhere = [
            gid for gid in pinned_in if gid != g.id and instance.group_by_id[gid].round == g.round
        ]
        if why is None and elsewhere:
            reasons.append(
                CoreItem(
                    rule="pins",
                    round=g.round,
                    group=elsewhere[0],
                    member=member,
                    message=f"a pin requires {member} in {elsewhere[0]}, in the same round as "
                    f"{g.id}, and a member holds one seat per round",
                )
            )
        elif why is None:
            open_groups.append(g)
        else:
            reasons.append(_static(ctx, member, g, why))
    best: tuple[int, Group, Result] | None = None
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
        result = solve(pinned, time_limit=share, workers=workers, seed=seed, backend="cp-sat")
        if result.has_roster:
            assert result.objective is not None
            if best is None or result.objective < best[0]:
                best = (result.objective, g, result)
        elif result.status == "INFEASIBLE":
            conflict = explain(pinned, time_limit=max(1.0, share), suggest=False, seed=seed)
            pin = Where("pins", g.round, g.id, member)
            items = [c for c in conflict.core if (c.rule, c.round, c.group, c.member) != _key(pin)]
            seat_in_conflict = len(items) < len(conflict.core)
            head = CoreItem(
                rule="pins",
                round=g.round,
                group=g.id,
                member=member,
                message=f"seating {member} in {g.id} conflicts with these rules"
                if seat_in_conflict
                else f"the plan has no roster even without seating {member} in {g.id}: "
                "these rules conflict (see teamsolver explain)",
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
    _, g, forced = best
    costs = _costs(instance, roster, forced.roster)
    given_obj = sum(c.given_part for c in costs)
    forced_obj = sum(c.forced_part for c in costs)
    delta = forced_obj - given_obj
    lines = [
        f"{member} may sit in {g.id} (round {g.round}): no hard rule forbids it. The best roster "
        f"found with {member} pinned there has objective {forced_obj} against "
        f"{given_obj} for the given roster ({'+' if delta >= 0 else ''}{delta}; lower is "
        "better)."
    ]
    changed = [c for c in costs if c.cost or c.given != c.forced]
    if changed:
        lines.append("Goal by goal, and soft rule by soft rule (objective change; + = worse):")
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
        objective_forced=forced_obj,
        goals=tuple(costs),
    )


def unknown_id(word: str, value: str, known: Iterable[str]) -> str:
    """``unknown member 'm04' (did you mean 'M04'?) ...``: an id that differs only in case
    first, else the closest id."""
    ids = tuple(known)
    same = [i for i in ids if i.casefold() == value.casefold()]
    hint = f" (did you mean {same[0]!r}?)" if same else _nearest(value, ids)
    return f"unknown {word} {value!r}{hint}; expected an id from {word}s"


def _costs(instance: Instance, given: Roster, forced: Roster) -> list[GoalCost]:
    """Every term of the objective (goals, then soft rules) on both rosters."""
    before = objective_parts(instance, given)
    after = objective_parts(instance, forced)
    given_goals, forced_goals = score(instance, given), score(instance, forced)
    given_rules = _violations(instance, given)
    forced_rules = _violations(instance, forced)
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


def _violations(instance: Instance, roster: Roster) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in check(instance, roster):
        counts[v.rule] = counts.get(v.rule, 0) + v.count
    return counts


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
