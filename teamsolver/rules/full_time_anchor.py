"""``full-time-anchor``: every group has at least ``min`` full-time members.

Every group g counts ``max(0, min − F)``, F = seats of g held by ``full_time`` members.
"""

from __future__ import annotations

from ..audit import Context, Violation, attribute_minimum

RULE_ID = "full-time-anchor"


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.full_time_anchor.min
    return attribute_minimum(
        ctx,
        RULE_ID,
        "full_time",
        need,
        "full-time member",
        f"it needs at least {need} to anchor its work",
    )
