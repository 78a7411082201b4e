"""``eligibility`` (always hard): only ``active`` members of the pool, never in a round they are
unavailable for.

Every seat (round r, group g, member m) counts 1 when m is not in the pool, or
``m.status != "active"``, or ``r ∈ m.unavailable_rounds`` (1 per seat even if several hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n.phrase import Join, Phrase, Words
from .base import AlwaysRule, Candidate, Context, Counting, Violation, Where

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "eligibility"


Settings = AlwaysRule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for seat in ctx.placed:
        member = ctx.members.get(seat.member)
        where = {"member": seat.member, "group": seat.group, "round": seat.round}
        if member is None:
            words = Phrase("violation.eligibility.not-in-pool", **where)
        else:
            reasons: list[Phrase] = []
            if member.status != "active":
                reasons.append(
                    Phrase(
                        "violation.eligibility.status",
                        status=Phrase(f"phrase.status.{member.status}"),
                    )
                )
            if seat.round in member.unavailable_rounds:
                reasons.append(Phrase("violation.eligibility.unavailable", round=seat.round))
            if not reasons:
                continue
            words = Phrase("violation.eligibility.barred", why=Join(reasons, "and"), **where)
        out.append(
            Violation.of(RULE_ID, words, round=seat.round, group=seat.group, members=(seat.member,))
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
    """A member pinned to a group they can never sit in (not active, or unavailable)."""
    assert item.member is not None and item.group is not None
    inst = ctx.instance
    m = inst.member_by_id[item.member]
    barred = ctx.barred(m, inst.group_by_id[item.group])
    why = (
        barred.text
        if barred is not None and barred.rule == RULE_ID
        else Phrase("explain.eligibility.may-not", member=m.id)
    )
    return Phrase("explain.eligibility.pinned", why=why, group=item.group)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    """None: who is active or available is a fact, not a setting to change."""
    return []


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    """Nothing to add: the model has a seat variable only for an eligible (member, group) pair
    (``Model._variables``; in explain mode a pinned ineligible pair gets a variable held at 0
    under this rule's guard)."""


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> None:
    """None: the planner's candidate lists (:func:`teamsolver.engine.prep.prepare`) hold only
    active members available in the group's round."""
    return None
