"""``party-branch``: every group has at least ``min`` party members, so that it can form a
temporary party branch.

Every group g counts ``max(0, min − P)``, P = seats of g held by ``party_member`` members.
"""

from __future__ import annotations

from ..audit import Context, Violation, attribute_minimum

RULE_ID = "party-branch"


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.party_branch.min
    return attribute_minimum(
        ctx,
        RULE_ID,
        "party_member",
        need,
        "party member",
        f"a temporary party branch needs at least {need}",
    )
