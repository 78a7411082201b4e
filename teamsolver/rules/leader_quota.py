"""``leader-quota``: exactly ``leaders`` leader seats per group, each held by a ``can_lead``
member.

Every group g with L seats of role ``leader`` counts ``|L − g.leaders|``, plus 1 per leader seat
whose member (in the pool) has ``can_lead`` false.
"""

from __future__ import annotations

from ..audit import Context, Violation, ids, plural

RULE_ID = "leader-quota"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        leaders = [s.member for s in ctx.by_group[group.id] if s.role == "leader"]
        n = len(leaders)
        if n != group.leaders:
            named = f" ({ids(leaders)})" if leaders else ""
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    members=tuple(leaders),
                    count=abs(n - group.leaders),
                    message=f"group {group.id} has {plural(n, 'leader')}{named}; "
                    f"it needs exactly {group.leaders}",
                )
            )
        for mid in leaders:
            member = ctx.members.get(mid)
            if member is not None and not member.can_lead:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=group.id,
                        members=(mid,),
                        message=f"member {mid} leads group {group.id} but is not in the "
                        "leader pool (can_lead is false)",
                    )
                )
    return out
