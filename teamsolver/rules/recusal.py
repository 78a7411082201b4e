"""``recusal``: nobody inspects a unit they are too close to.

A target t of a group in round r (index i_r) is *recused* for member m with home unit u when

- t = u; or
- ``hierarchy`` and t is an ancestor or a descendant of u (by ``units.parent``); or
- t ∈ ``m.conflict_units``; or
- ``own_zone`` and zone(t) = zone(u) ≠ ∅; or, with c = ``reinspect_cooldown`` > 0,
- a ``history`` row of m has unit t and ``rounds_ago + i_r ≤ c`` (rounds of the plan count as
  rounds ago too: in the plan's second round, the round before the plan is 2 rounds ago); or
- m holds a seat in an earlier round i of the plan whose group has target t and i_r − i ≤ c.

Every seat whose group has at least one target recused for its member counts 1.
Seats of members not in the pool are left to ``eligibility``.
"""

from __future__ import annotations

from collections import defaultdict

from ..audit import Context, Violation, plural
from ..instance import Member

RULE_ID = "recusal"


def _reasons(
    ctx: Context,
    member: Member,
    target: str,
    index: int,
    earlier: dict[tuple[str, str], list[int]],
) -> list[str]:
    settings = ctx.rules.recusal
    home = member.unit
    reasons: list[str] = []
    if target == home:
        reasons.append("their own unit")
    elif settings.hierarchy and target in ctx.ancestors(home):
        reasons.append(f"above their unit {home}")
    elif settings.hierarchy and home in ctx.ancestors(target):
        reasons.append(f"part of their unit {home}")
    if target in member.conflict_units:
        reasons.append("one of their conflict units")
    if settings.own_zone and target != home:
        zone = ctx.zone(home)
        if zone is not None and ctx.zone(target) == zone:
            reasons.append(f"in zone {zone}, like their unit {home}")
    cooldown = settings.reinspect_cooldown
    if cooldown > 0:
        last = ctx.last_inspected(member.id, target)
        ago = None if last is None else last + index
        if ago is not None and ago <= cooldown:
            reasons.append(
                f"inspected by them {plural(ago, 'round')} ago "
                f"(cooldown {plural(cooldown, 'round')})"
            )
        for i in earlier.get((member.id, target), ()):
            if i < index and index - i <= cooldown:
                reasons.append(
                    f"inspected by them in round {ctx.rounds[i]} "
                    f"(cooldown {plural(cooldown, 'round')})"
                )
                break
    return reasons


def check(ctx: Context) -> list[Violation]:
    earlier: dict[tuple[str, str], list[int]] = defaultdict(list)
    if ctx.rules.recusal.reinspect_cooldown > 0:
        for seat in ctx.placed:
            if seat.member in ctx.members:
                i = ctx.round_index[seat.round]
                for target in ctx.groups[seat.group].targets:
                    earlier[(seat.member, target)].append(i)
    out: list[Violation] = []
    for seat in ctx.placed:
        member = ctx.members.get(seat.member)
        if member is None:
            continue
        index = ctx.round_index[seat.round]
        found = []
        for target in ctx.groups[seat.group].targets:
            reasons = _reasons(ctx, member, target, index, earlier)
            if reasons:
                found.append(f"unit {target} ({'; '.join(reasons)})")
        if found:
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=seat.round,
                    group=seat.group,
                    members=(seat.member,),
                    message=f"member {seat.member} in group {seat.group} (round {seat.round}) "
                    f"must not inspect {' or '.join(found)}",
                )
            )
    return out
