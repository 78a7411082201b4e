"""``full-time-anchor``: every group has at least ``min`` full-time members.

Every group g counts ``max(0, min − F)``, F = seats of g held by ``full_time`` members.
"""

from __future__ import annotations

from ..audit import Context, Violation, plural

RULE_ID = "full-time-anchor"


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.full_time_anchor.min
    out: list[Violation] = []
    for group in ctx.instance.groups:
        have = sum(
            1
            for s in ctx.by_group[group.id]
            if s.member in ctx.members and ctx.members[s.member].full_time
        )
        if have < need:
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    count=need - have,
                    message=f"group {group.id} has {plural(have, 'full-time member')}; "
                    f"it needs at least {need} to anchor its work",
                )
            )
    return out
