"""``no-repeat-pairing``: two members share a group at most once, counting the recent past.

An *occasion* of a pair {a, b} is a group both sit in: a group of the plan, or a past group
within ``lookback`` rounds (a ``history`` row of a and one of b with the same ``group`` and
``rounds_ago``, ``rounds_ago ≤ lookback``; any when unbounded). Every two occasions of a pair of
which at least one is in the plan count 1, so a pair sharing t groups of the plan and h past
groups counts ``t·(t − 1)/2 + t·h``.

Each plan group where a pair meets again is one violation, reported at that group, whose count
is the number of the pair's earlier occasions (plan groups of earlier rounds, and past groups).
Pairs are formed only within groups.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from ..audit import Context, Violation, ids, plural

RULE_ID = "no-repeat-pairing"


def check(ctx: Context) -> list[Violation]:
    lookback = ctx.rules.no_repeat_pairing.lookback
    past: dict[str, frozenset[tuple[str, int]]] = {}

    def past_of(member: str) -> frozenset[tuple[str, int]]:
        if member not in past:
            past[member] = ctx.past_groups(member, lookback)
        return past[member]

    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    out: list[Violation] = []
    order = sorted(ctx.instance.groups, key=lambda g: ctx.round_index[g.round])
    for group in order:
        for a, b in combinations(sorted(ctx.members_in[group.id]), 2):
            earlier = shared[(a, b)]
            common = sorted(past_of(a) & past_of(b), key=lambda k: (k[1], k[0]))
            occasions = [f"group {g} (round {ctx.groups[g].round})" for g in earlier]
            occasions += [
                f"past group {pg} ({plural(ago, 'round')} before the plan)" for pg, ago in common
            ]
            earlier.append(group.id)
            if not occasions:
                continue
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    members=(a, b),
                    count=len(occasions),
                    message=f"members {a} and {b} share group {group.id} in round "
                    f"{group.round} after sharing {ids(occasions)}",
                )
            )
    return out
