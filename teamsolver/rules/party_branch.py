"""``party-branch``: every group has at least ``min`` party members, so that it can form a
temporary party branch.

Every group g counts ``max(0, min − P)``, P = seats of g held by ``party_member`` members.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from ..data.values import Int
from ..i18n.phrase import Count, Phrase, Words
from .base import (
    Candidate,
    Context,
    Counting,
    KindMinimum,
    Rule,
    Seating,
    Violation,
    Where,
    attribute_at_least,
    attribute_minimum,
    attribute_minimum_inputs,
    attribute_minimum_suggestions,
    group_at,
    kind,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "party-branch"


class Settings(Rule):
    min: Int = Field(3, ge=0)


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.party_branch.min
    return attribute_minimum(
        ctx,
        RULE_ID,
        "party_member",
        need,
        "party-member",
    )


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 5


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs at least ``party-branch.min`` party members."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    need = instance.rules.party_branch.min
    says = Phrase(
        "explain.party-branch.need", group=group_at(g), n=Count("phrase.count.party-member", need)
    )
    return Counting(lambda m: m.party_member, kind("party-member"), need, says)


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    return ctx.count_sentence(item, core)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    return attribute_minimum_suggestions(
        item, ctx, ctx.instance.rules.party_branch.min, "party_member", "party member"
    )


def inputs(v: Inputs) -> None:
    """Per group: ``min`` above ``size_max``; per round: more than the available party members."""
    attribute_minimum_inputs(v, RULE_ID, v.instance.rules.party_branch.min, "party_member")


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    attribute_at_least(m, RULE_ID, "party_member", m.rules.party_branch.min)


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> Seating | None:
    """The planner seats ``min`` party members in every group (kind ``@party_member``)."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    return KindMinimum(planner, "party_member", planner.rules.party_branch.min)
