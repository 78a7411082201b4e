"""``one-seat-per-round`` (always hard): a member holds at most one seat per round.

For every round r and member m with k = |{seats of m in r}| > 1, the violation counts k − 1.
A seat listed twice in the same group counts as two seats. The round of a seat is its group's.
"""

from __future__ import annotations

from collections import defaultdict

from ..audit import Context, Violation, ids

RULE_ID = "one-seat-per-round"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for round_id in ctx.rounds:
        groups_of: dict[str, list[str]] = defaultdict(list)
        for seat in ctx.by_round[round_id]:
            groups_of[seat.member].append(seat.group)
        for member, groups in groups_of.items():
            k = len(groups)
            if k > 1:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=round_id,
                        group=groups[1],
                        members=(member,),
                        count=k - 1,
                        message=f"member {member} holds {k} seats in round {round_id} "
                        f"(groups {ids(groups)}); a member holds at most one seat per round",
                    )
                )
    return out
