"""``one-seat-per-round`` (always hard): a member holds at most one seat per round.

For every round r and member m with k = |{seats of m in r}| > 1, the violation counts k − 1.
A seat listed twice in the same group counts as two seats. The round of a seat is its group's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n.phrase import Ids, Phrase, Words
from .base import AlwaysRule, Candidate, Context, Counting, Seating, Violation, Where

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "one-seat-per-round"


Settings = AlwaysRule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for round_id in ctx.rounds:
        groups_of: dict[str, list[str]] = defaultdict(list)
        for seat in ctx.by_round[round_id]:
            groups_of[seat.member].append(seat.group)
        for member, groups in groups_of.items():
            k = len(groups)
            if k > 1:
                words = Phrase(
                    "violation.one-seat-per-round.seats",
                    member=member,
                    k=k,
                    round=round_id,
                    groups=Ids(groups),
                )
                out.append(
                    Violation.of(
                        RULE_ID,
                        words,
                        round=round_id,
                        group=groups[1],
                        members=(member,),
                        count=k - 1,
                    )
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 10


def counting(item: Where, instance: Instance) -> Counting | None:
    """None: this rule needs no number of members of a kind."""
    return None


def requirements(g: Group, instance: Instance) -> list[Where]:
    """None: this rule makes no demand that the input alone can show impossible."""
    return []


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    """Never in a conflict (the rule is never relaxed, so never guarded); said for
    completeness."""
    return Phrase("explain.one-seat-per-round.one", member=item.member, round=item.round)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    """None: a member holds one seat per round, whatever the plan."""
    return []


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    # Written straight into the proto, literals in the order add_at_most_one keeps.
    constraints = m.cp.proto.constraints
    round_of = m.facts.round_of
    one_round = len(m.facts.rounds) == 1
    for mi, gis in m.by_member.items():
        if one_round:
            per_round = {0: [m.x[(mi, gi)].index for gi in gis]}
        else:
            per_round = defaultdict(list)
            for gi in gis:
                per_round[round_of[gi]].append(m.x[(mi, gi)].index)
        for literals in per_round.values():
            if len(literals) > 1:
                constraints.add().at_most_one.literals.extend(literals)


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.p = planner  # its ``used_round`` is replaced each round: read it at each call

    def allows(self, mi: int, gi: int, role: str) -> bool:
        return mi not in self.p.used_round


def seating(planner: Greedy) -> Seating:
    """A member seated in a round is not seated again in it."""
    return _Seating(planner)
