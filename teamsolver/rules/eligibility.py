"""``eligibility`` (always hard): only ``active`` members of the pool, never in a round they are
unavailable for.

Every seat (round r, group g, member m) counts 1 when m is not in the pool, or
``m.status != "active"``, or ``r ∈ m.unavailable_rounds`` (1 per seat even if several hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .base import AlwaysRule, Candidate, Context, Counting, Violation, Where

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as Words
    from ..validation import Inputs

RULE_ID = "eligibility"


Settings = AlwaysRule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for seat in ctx.placed:
        member = ctx.members.get(seat.member)
        where = f"member {seat.member} in group {seat.group} (round {seat.round})"
        if member is None:
            message = f"{where} is not in the pool"
        else:
            reasons = []
            if member.status != "active":
                reasons.append(f"is {member.status}")
            if seat.round in member.unavailable_rounds:
                reasons.append(f"is unavailable in round {seat.round}")
            if not reasons:
                continue
            message = f"{where} {' and '.join(reasons)}; only active, available members may sit"
        out.append(
            Violation(
                rule=RULE_ID,
                round=seat.round,
                group=seat.group,
                members=(seat.member,),
                message=message,
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


def sentence(item: Where, ctx: Words, core: Sequence[Where]) -> str:
    """A member pinned to a group they can never sit in (not active, or unavailable)."""
    assert item.member is not None and item.group is not None
    inst = ctx.instance
    m = inst.member_by_id[item.member]
    barred = ctx.barred(m, inst.group_by_id[item.group])
    why = barred.text if barred is not None and barred.rule == RULE_ID else f"{m.id} may not sit"
    return f"{why} ({item.group})"


def suggestions(item: Where, ctx: Words) -> list[Candidate]:
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
