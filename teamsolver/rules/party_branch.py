"""``party-branch``: every group has at least ``min`` party members, so that it can form a
temporary party branch.

Every group g counts ``max(0, min − P)``, P = seats of g held by ``party_member`` members.
"""

from __future__ import annotations

from ..audit import Context, Violation, plural

RULE_ID = "party-branch"


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.party_branch.min
    out: list[Violation] = []
    for group in ctx.instance.groups:
        have = sum(
            1
            for s in ctx.by_group[group.id]
            if s.member in ctx.members and ctx.members[s.member].party_member
        )
        if have < need:
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    count=need - have,
                    message=f"group {group.id} has {plural(have, 'party member')}; "
                    f"a temporary party branch needs at least {need}",
                )
            )
    return out
