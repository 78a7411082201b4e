"""``unit-draw-cap``: no home unit is stripped of too many staff.

With n(r, u) = seats of round r whose member's home unit is u, and n(g, u) the same within
group g, the rule counts

- per round r and home unit u: ``max(0, n(r, u) − cap(u))``, ``cap(u)`` = ``u.max_drawn`` if
  set, else ``max_per_round`` (no term when both are unbounded);
- per group g and home unit u: ``max(0, n(g, u) − max_per_group)`` (none when unbounded).

Seats of members not in the pool have no home unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..audit import Context, Violation, ids, plural
from ..roster import Seat

RULE_ID = "unit-draw-cap"


def _by_home(ctx: Context, seats: Sequence[Seat]) -> dict[str, list[str]]:
    by_home: dict[str, list[str]] = defaultdict(list)
    for seat in seats:
        member = ctx.members.get(seat.member)
        if member is not None:
            by_home[member.unit].append(seat.member)
    return by_home


def check(ctx: Context) -> list[Violation]:
    settings = ctx.rules.unit_draw_cap
    out: list[Violation] = []
    for round_id in ctx.rounds:
        for unit_id, drawn in _by_home(ctx, ctx.by_round[round_id]).items():
            unit = ctx.units.get(unit_id)
            own = unit.max_drawn if unit is not None else None
            cap = own if own is not None else settings.max_per_round
            if cap is None or len(drawn) <= cap:
                continue
            which = f"unit {unit_id} (its max_drawn)" if own is not None else "one unit"
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=round_id,
                    members=tuple(drawn),
                    count=len(drawn) - cap,
                    message=f"round {round_id} draws {plural(len(drawn), 'member')} from unit "
                    f"{unit_id} ({ids(drawn)}); at most {cap} may be drawn from {which} "
                    "in a round",
                )
            )
    cap = settings.max_per_group
    if cap is None:
        return out
    for group in ctx.instance.groups:
        for unit_id, drawn in _by_home(ctx, ctx.by_group[group.id]).items():
            if len(drawn) > cap:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=group.id,
                        members=tuple(drawn),
                        count=len(drawn) - cap,
                        message=f"group {group.id} has {plural(len(drawn), 'member')} from unit "
                        f"{unit_id} ({ids(drawn)}); at most {cap} may come from one unit",
                    )
                )
    return out
