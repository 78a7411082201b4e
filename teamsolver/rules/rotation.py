"""``rotation``: nobody serves too often or without rest.

With cap(m) = ``m.max_rounds`` if set, else ``max_rounds``, every member m counts

- ``max(0, seats(m) − cap(m))``, seats(m) = seats of m in the whole plan (none when unbounded);
- 1 per two consecutive rounds i < j of the plan in which m holds a seat, with
  ``j − i − 1 < min_rest`` (rounds of rest between them).

Seats before the plan (``history``) are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field

from ..data.values import Int, OptInt
from ..i18n.phrase import Count, Phrase, Words
from .base import Candidate, Context, Counting, Rule, Seating, Violation, Where, changed, set_change

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "rotation"


class Settings(Rule):
    max_rounds: OptInt = Field(None, ge=0)
    min_rest: Int = Field(0, ge=0)


def check(ctx: Context) -> list[Violation]:
    settings = ctx.rules.rotation
    out: list[Violation] = []
    for mid, seats in ctx.by_member.items():
        member = ctx.members.get(mid)
        own = member.max_rounds if member is not None else None
        cap = own if own is not None else settings.max_rounds
        if cap is not None and len(seats) > cap:
            words = Phrase(
                "violation.rotation.seats" if own is None else "violation.rotation.own-seats",
                member=mid,
                n=Count("violation.rotation.held", len(seats)),
                cap=cap,
            )
            out.append(
                Violation.of(
                    RULE_ID,
                    words,
                    round=ctx.rounds[ctx.seat_rounds(mid)[-1]],
                    members=(mid,),
                    count=len(seats) - cap,
                )
            )
        if settings.min_rest <= 0:
            continue
        rounds = ctx.seat_rounds(mid)
        for i, j in pairwise(rounds):
            rest = j - i - 1
            if rest < settings.min_rest:
                words = Phrase(
                    "violation.rotation.rest",
                    member=mid,
                    first=ctx.rounds[i],
                    then=ctx.rounds[j],
                    rest=Count("phrase.count.round", rest),
                    need=Count("violation.rotation.need", settings.min_rest),
                )
                out.append(Violation.of(RULE_ID, words, round=ctx.rounds[j], members=(mid,)))
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
    inst = ctx.instance
    assert item.member is not None
    m = inst.member_by_id[item.member]
    rot = inst.rules.rotation
    if item.round is None:
        cap = m.max_rounds if m.max_rounds is not None else rot.max_rounds
        return Phrase(
            "explain.rotation.seats", member=m.id, n=Count("violation.rotation.held", cap or 0)
        )
    return Phrase(
        "explain.rotation.rest",
        member=m.id,
        rest=Count("phrase.count.round", rot.min_rest),
        round=item.round,
    )


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    inst = ctx.instance
    if not item.member:
        return []
    m = inst.member_by_id[item.member]
    rot = inst.rules.rotation
    if item.round is None and m.max_rounds is not None:
        return [
            (
                changed("raise", "max_rounds", m.max_rounds, m.max_rounds + 1, of=m.id),
                (set_change("members", m.id, "max_rounds", m.max_rounds + 1),),
            )
        ]
    if item.round is None and rot.max_rounds is not None:
        return [
            (
                changed("raise", "rotation.max_rounds", rot.max_rounds, rot.max_rounds + 1),
                (set_change("rules", RULE_ID, "max_rounds", rot.max_rounds + 1),),
            )
        ]
    if item.round is not None and rot.min_rest > 0:
        return [
            (
                changed("lower", "rotation.min_rest", rot.min_rest, rot.min_rest - 1),
                (set_change("rules", RULE_ID, "min_rest", rot.min_rest - 1),),
            )
        ]
    return []


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    mode = m.mode("rotation")
    if mode == "off":
        return
    inst = m.instance
    rot = m.rules.rotation
    for mi, gis in m.by_member.items():
        member = inst.members[mi]
        rounds = sorted({m.facts.round_of[gi] for gi in gis})
        cap = member.max_rounds if member.max_rounds is not None else rot.max_rounds
        if (cap is None or len(rounds) <= cap) and (rot.min_rest <= 0 or len(rounds) < 2):
            continue  # no row can bind (one round at province: 7,000 members skipped)
        seat = {ri: m.sum(m.seat_in_round(mi, ri)) for ri in rounds}
        if cap is not None:
            m.at_most(
                "rotation",
                Where("rotation", member=member.id),
                m.sum(list(seat.values())),
                cap,
                len(rounds),
            )
        if rot.min_rest <= 0:
            continue
        for a, i in enumerate(rounds):
            for j in rounds[a + 1 :]:
                if j - i - 1 >= rot.min_rest:
                    break
                where = Where("rotation", m.facts.rounds[j], member=member.id)
                if mode == "hard":
                    m.post(where, m.cp.add(seat[i] + seat[j] <= 1))
                else:
                    between = [seat[k] for k in rounds if i < k < j]
                    v = m.cp.new_bool_var("")
                    m.cp.add(v >= seat[i] + seat[j] - 1 - m.sum(between))
                    m.parts["rotation"].add(v)


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.p = planner
        rot = planner.rules.rotation
        self.seat_cap = [
            m.max_rounds if m.max_rounds is not None else rot.max_rounds for m in planner.members
        ]
        self.min_rest = rot.min_rest

    def allows(self, mi: int, gi: int, role: str) -> bool:
        p = self.p
        earlier = p.member_groups.get(mi)
        pinned = p.pinned_rounds.get(mi)
        cap = self.seat_cap[mi]
        if not earlier and not pinned:
            return cap is None or cap > 0
        earlier = earlier or []
        ri = p.round_of[gi]
        later = [r for r in pinned if r > ri] if pinned else []
        if cap is not None and len(earlier) + len(later) >= cap:
            return False
        if not self.min_rest:
            return True
        if any(r - ri - 1 < self.min_rest for r in later):
            return False
        return not earlier or ri - max(p.round_of[gj] for gj in earlier) - 1 >= self.min_rest


def seating(planner: Greedy) -> Seating | None:
    """A member's seats within the plan's cap, counting the rounds a pin will seat them in,
    with ``min_rest`` free rounds after every seat (earlier seats and later pins)."""
    return None if planner.rules.mode(RULE_ID) == "off" else _Seating(planner)
