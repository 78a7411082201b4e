"""``eligibility`` (always hard): only ``active`` members of the pool, never in a round they are
unavailable for.

Every seat (round r, group g, member m) counts 1 when m is not in the pool, or
``m.status != "active"``, or ``r ∈ m.unavailable_rounds`` (1 per seat even if several hold).
"""

from __future__ import annotations

from ..audit import Context, Violation

RULE_ID = "eligibility"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for seat in ctx.placed:
        member = ctx.members.get(seat.member)
        where = f"member {seat.member} in group {seat.group} (round {seat.round})"
        if member is None:
            message = f"{where} is not in the pool"
        else:
            reasons = []
            if member.status != "active":
                reasons.append(f"is {member.status}")
            if seat.round in member.unavailable_rounds:
                reasons.append(f"is unavailable in round {seat.round}")
            if not reasons:
                continue
            message = f"{where} {' and '.join(reasons)}; only active, available members may sit"
        out.append(
            Violation(
                rule=RULE_ID,
                round=seat.round,
                group=seat.group,
                members=(seat.member,),
                message=message,
            )
        )
    return out
