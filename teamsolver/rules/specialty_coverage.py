"""``specialty-coverage``: every group has the specialists it ``requires``.

Every group g and every ``specialty:n`` of ``g.requires`` counts ``max(0, n − c)``, where c is
the number of seats of g whose member has that specialty (a member counts for each specialty
they have).
"""

from __future__ import annotations

from ..audit import Context, Violation, plural

RULE_ID = "specialty-coverage"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        if not group.requires:
            continue
        specialties = [
            ctx.members[s.member].specialties
            for s in ctx.by_group[group.id]
            if s.member in ctx.members
        ]
        for specialty, need in group.requires:
            have = sum(1 for held in specialties if specialty in held)
            if have < need:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=group.id,
                        count=need - have,
                        message=f"group {group.id} has {plural(have, 'member')} with specialty "
                        f"{specialty}; it needs at least {need}",
                    )
                )
    return out
