"""``new-leader-support``: a newly promoted leader has an experienced deputy.

Every group g with a ``leader`` seat held by a ``newly_promoted`` member and no ``deputy`` seat
held by a member who is experienced at the start of g's round counts 1.
"""

from __future__ import annotations

from ..audit import Context, Violation, ids

RULE_ID = "new-leader-support"


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.experience.experienced_min
    out: list[Violation] = []
    for group in ctx.instance.groups:
        seats = ctx.by_group[group.id]
        promoted = [
            s.member
            for s in seats
            if s.role == "leader"
            and s.member in ctx.members
            and ctx.members[s.member].newly_promoted
        ]
        if not promoted:
            continue
        if any(s.role == "deputy" and ctx.is_experienced(s.member, group.round) for s in seats):
            continue
        out.append(
            Violation(
                rule=RULE_ID,
                round=group.round,
                group=group.id,
                members=tuple(promoted),
                message=f"group {group.id} is led by newly promoted "
                f"{'member' if len(promoted) == 1 else 'members'} {ids(promoted)} "
                f"but has no experienced deputy (experience at least {need})",
            )
        )
    return out
