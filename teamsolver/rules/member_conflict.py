"""``member-conflict``: the two members of a ``conflicts`` row never share a group.

Every ``conflicts`` row (a, b) with a ≠ b and every group holding a seat of a and a seat of b
counts 1. A row naming one member twice is left to validation. The row's ``reason`` is never
repeated in messages (it may be personal).
"""

from __future__ import annotations

from ..audit import Context, Violation

RULE_ID = "member-conflict"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for row in ctx.instance.conflicts:
        a, b = row.member_a, row.member_b
        if a == b:
            continue
        groups = dict.fromkeys(s.group for s in ctx.by_member.get(a, ()))
        for gid in groups:
            if b in ctx.members_in[gid]:
                group = ctx.groups[gid]
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=gid,
                        members=(a, b),
                        message=f"members {a} and {b} are both in group {gid}, "
                        "but a conflict row keeps them apart",
                    )
                )
    return out
