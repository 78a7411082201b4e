"""``rotation``: nobody serves too often or without rest.

With cap(m) = ``m.max_rounds`` if set, else ``max_rounds``, every member m counts

- ``max(0, seats(m) − cap(m))``, seats(m) = seats of m in the whole plan (none when unbounded);
- 1 per two consecutive rounds i < j of the plan in which m holds a seat, with
  ``j − i − 1 < min_rest`` (rounds of rest between them).

Seats before the plan (``history``) are not counted.
"""

from __future__ import annotations

from itertools import pairwise

from ..audit import Context, Violation, plural

RULE_ID = "rotation"


def check(ctx: Context) -> list[Violation]:
    settings = ctx.rules.rotation
    out: list[Violation] = []
    for mid, seats in ctx.by_member.items():
        member = ctx.members.get(mid)
        own = member.max_rounds if member is not None else None
        cap = own if own is not None else settings.max_rounds
        if cap is not None and len(seats) > cap:
            whose = " (their max_rounds)" if own is not None else ""
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=ctx.rounds[ctx.seat_rounds(mid)[-1]],
                    members=(mid,),
                    count=len(seats) - cap,
                    message=f"member {mid} holds {plural(len(seats), 'seat')} in the plan; "
                    f"at most {cap} are allowed{whose}",
                )
            )
        if settings.min_rest <= 0:
            continue
        rounds = ctx.seat_rounds(mid)
        for i, j in pairwise(rounds):
            rest = j - i - 1
            if rest < settings.min_rest:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=ctx.rounds[j],
                        members=(mid,),
                        message=f"member {mid} sits in rounds {ctx.rounds[i]} and "
                        f"{ctx.rounds[j]} with {plural(rest, 'round')} of rest between; "
                        f"at least {settings.min_rest} {'is' if settings.min_rest == 1 else 'are'}"
                        " needed",
                    )
                )
    return out
