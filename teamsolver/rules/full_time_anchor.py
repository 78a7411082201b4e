"""``full-time-anchor``: every group has at least ``min`` full-time members.

Every group g counts ``max(0, min − F)``, F = seats of g held by ``full_time`` members.
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

RULE_ID = "full-time-anchor"


class Settings(Rule):
    min: Int = Field(1, ge=0)


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.full_time_anchor.min
    return attribute_minimum(
        ctx,
        RULE_ID,
        "full_time",
        need,
        "full-time-member",
    )


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 4


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs at least ``full-time-anchor.min`` full-time members."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    need = instance.rules.full_time_anchor.min
    says = Phrase(
        "explain.full-time-anchor.need",
        group=group_at(g),
        n=Count("phrase.count.full-time-member", need),
    )
    return Counting(lambda m: m.full_time, kind("full-time-member"), need, says)


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    return ctx.count_sentence(item, core)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    return attribute_minimum_suggestions(
        item, ctx, ctx.instance.rules.full_time_anchor.min, "full_time", "full-time member"
    )


def inputs(v: Inputs) -> None:
    """Per group: ``min`` above ``size_max``; per round: more than the available full-time."""
    attribute_minimum_inputs(v, RULE_ID, v.instance.rules.full_time_anchor.min, "full_time")


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    attribute_at_least(m, RULE_ID, "full_time", m.rules.full_time_anchor.min)


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> Seating | None:
    """The planner seats ``min`` full-time members in every group (kind ``@full_time``)."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    return KindMinimum(planner, "full_time", planner.rules.full_time_anchor.min)
