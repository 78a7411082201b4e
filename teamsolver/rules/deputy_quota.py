"""``deputy-quota``: between ``deputies_min`` and ``deputies_max`` deputy seats per group, each
held by a ``can_deputy`` member.

Every group g with D seats of role ``deputy`` counts
``max(0, deputies_min − D) + max(0, D − deputies_max)``, plus 1 per deputy seat whose member
(in the pool) has ``can_deputy`` false.
"""

from __future__ import annotations

from ..audit import Context, Violation, ids, plural

RULE_ID = "deputy-quota"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        deputies = [s.member for s in ctx.by_group[group.id] if s.role == "deputy"]
        n = len(deputies)
        short = max(0, group.deputies_min - n)
        surplus = max(0, n - group.deputies_max)
        if short or surplus:
            named = f" ({ids(deputies)})" if deputies else ""
            needs = []
            if short:
                needs.append(f"at least {group.deputies_min}")
            if surplus:
                needs.append(f"at most {group.deputies_max}")
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    members=tuple(deputies),
                    count=short + surplus,
                    message=f"group {group.id} has {plural(n, 'deputy', 'deputies')}{named}; "
                    f"it needs {' and '.join(needs)}",
                )
            )
        for mid in deputies:
            member = ctx.members.get(mid)
            if member is not None and not member.can_deputy:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=group.id,
                        members=(mid,),
                        message=f"member {mid} is a deputy of group {group.id} but is not in "
                        "the deputy pool (can_deputy is false)",
                    )
                )
    return out
