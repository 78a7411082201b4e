"""``group-size``: ``size_min`` ≤ seats ≤ ``size_max``.

Every group g with n seats counts ``max(0, size_min − n) + max(0, n − size_max)`` (no upper
term when ``size_max`` is unbounded). A group without any seat has n = 0.
"""

from __future__ import annotations

from ..audit import Context, Violation, plural

RULE_ID = "group-size"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        n = len(ctx.by_group[group.id])
        short = max(0, group.size_min - n)
        surplus = max(0, n - group.size_max) if group.size_max is not None else 0
        if not short and not surplus:
            continue
        needs = []
        if short:
            needs.append(f"at least {group.size_min}")
        if surplus:
            needs.append(f"at most {group.size_max}")
        out.append(
            Violation(
                rule=RULE_ID,
                round=group.round,
                group=group.id,
                count=short + surplus,
                message=f"group {group.id} has {plural(n, 'seat')}; it needs {' and '.join(needs)}",
            )
        )
    return out
