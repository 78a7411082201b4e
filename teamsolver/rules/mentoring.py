"""``mentoring``: new members learn beside experienced ones.

With k = ``max_new_per_experienced`` and experience counted at the start of the group's round
(``rounds_served`` plus earlier rounds of the plan with a seat), every group g counts

- ``max(0, N − k · E)``, N = seats of new members (experience ≤ ``new_max``), E = seats of
  experienced members (experience ≥ ``experienced_min``);
- 1 per seat whose stated ``mentor`` is the member itself, or is not an experienced member
  holding a seat in g (a mentor stated for a member who is not new is checked the same way);
- per mentor validly stated by more than k seats of g: the excess (number of those seats − k).

An empty ``mentor`` is never a violation by itself: when the first term is 0, mentors can be
given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from ..data.values import Int
from ..i18n.phrase import Count, Ids, Phrase, Words
from .base import (
    Candidate,
    Context,
    Counting,
    Rule,
    Seating,
    Violation,
    Where,
    add_one,
    changed,
    listed,
    outsider,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "mentoring"


class Settings(Rule):
    max_new_per_experienced: Int = Field(1, ge=0)


def check(ctx: Context) -> list[Violation]:
    k = ctx.rules.mentoring.max_new_per_experienced
    experienced_min = ctx.rules.experience.experienced_min
    out: list[Violation] = []
    for group in ctx.instance.groups:
        seats = ctx.by_group[group.id]
        round_id = group.round
        new = [s.member for s in seats if ctx.is_new(s.member, round_id)]
        experienced = sum(1 for s in seats if ctx.is_experienced(s.member, round_id))
        excess = max(0, len(new) - k * experienced)
        if excess:
            words = Phrase(
                "violation.mentoring.too-many-new",
                group=group.id,
                n=Count("phrase.count.new-member", len(new)),
                ids=Ids(new),
                experienced=Count("phrase.count.experienced-member", experienced),
                k=k,
                excess=Count("violation.mentoring.excess", excess),
            )
            out.append(
                Violation.of(
                    RULE_ID,
                    words,
                    round=round_id,
                    group=group.id,
                    members=tuple(new),
                    count=excess,
                )
            )
        mentees: dict[str, list[str]] = defaultdict(list)
        for seat in seats:
            mentor = seat.mentor
            if mentor is None:
                continue
            who = {"mentor": mentor, "member": seat.member, "group": group.id}
            if mentor == seat.member:
                problem = Phrase("violation.mentoring.self", **who)
            elif mentor not in ctx.members:
                problem = Phrase("violation.mentoring.not-in-pool", **who)
            elif mentor not in ctx.members_in[group.id]:
                problem = Phrase("violation.mentoring.elsewhere", **who)
            elif not ctx.is_experienced(mentor, round_id):
                problem = Phrase(
                    "violation.mentoring.inexperienced",
                    experience=ctx.experience(mentor, round_id),
                    need=experienced_min,
                    **who,
                )
            else:
                mentees[mentor].append(seat.member)
                continue
            out.append(
                Violation.of(
                    RULE_ID,
                    problem,
                    round=round_id,
                    group=group.id,
                    members=(seat.member, mentor),
                )
            )
        for mentor, of in mentees.items():
            if len(of) > k:
                words = Phrase(
                    "violation.mentoring.too-many-mentees",
                    mentor=mentor,
                    n=Count("phrase.count.member", len(of)),
                    group=group.id,
                    ids=Ids(of),
                    k=k,
                )
                out.append(
                    Violation.of(
                        RULE_ID,
                        words,
                        round=round_id,
                        group=group.id,
                        members=(mentor, *of),
                        count=len(of) - k,
                    )
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 6


def counting(item: Where, instance: Instance) -> Counting | None:
    """None: this rule needs no number of members of a kind."""
    return None


def requirements(g: Group, instance: Instance) -> list[Where]:
    """None: this rule makes no demand that the input alone can show impossible."""
    return []


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    assert item.group is not None
    g = ctx.instance.group_by_id[item.group]
    k = ctx.instance.rules.mentoring.max_new_per_experienced
    new, _ = ctx.candidates(g, ctx.new)
    exp, _ = ctx.candidates(g, ctx.experienced)
    return Phrase(
        "explain.mentoring.ratio",
        group=g.id,
        k=k,
        new=Count("phrase.count.new-member", len(new)),
        new_ids=listed(m.id for m in new),
        experienced=Count("phrase.count.experienced-member", len(exp)),
        experienced_ids=listed(m.id for m in exp),
    )


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    if item.group is None:
        return []
    k = ctx.instance.rules.mentoring.max_new_per_experienced
    return [
        (
            changed("raise", "mentoring.max_new_per_experienced", k, k + 1),
            (set_change("rules", "mentoring", "max_new_per_experienced", k + 1),),
        ),
        (add_one("member"), outsider(ctx.instance, "member")),
    ]


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- who mentors whom in a roster the engine writes --------------------------------------------
def assign_mentors(
    seated: Sequence[tuple[str, int]], k: int, experienced_min: int, new_max: int
) -> dict[str, str]:
    """A mentor for every new member of one group, as the engine and the greedy planner write
    rosters: ``seated`` is (member id, experience) in seat order; the experienced members
    mentor, the most experienced first (then by id), each at most ``k`` new members, a new
    member going to the least loaded. A new member left without a mentor (too few) is not in
    the result."""
    experience = dict(seated)
    mentors = sorted(
        (mid for mid, e in seated if e >= experienced_min),
        key=lambda mid: (-experience[mid], mid),
    )
    load = dict.fromkeys(mentors, 0)
    assigned: dict[str, str] = {}
    for mid, e in seated:
        if e > new_max:
            continue
        free = [t for t in mentors if load[t] < k]
        if free:
            best = min(free, key=lambda t: load[t])
            load[best] += 1
            assigned[mid] = best
    return assigned


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    mode = m.mode("mentoring")
    if mode == "off":
        return
    k = m.rules.mentoring.max_new_per_experienced
    for gi, g in enumerate(m.instance.groups):
        new, exp = m.new_and_experienced(gi)
        if not new:
            continue
        # Σ new − k·Σ exp (literals only: _new_and_experienced drops the constants 0).
        excess = (
            [v.index for v in new] + [v.index for v in exp],  # type: ignore[union-attr]
            [1] * len(new) + [-k] * len(exp),
        )
        m.at_most("mentoring", Where("mentoring", g.round, g.id), excess, 0, len(new))


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.p = planner
        self.k = planner.rules.mentoring.max_new_per_experienced
        self.new = [0] * len(planner.groups)
        self.experienced = [0] * len(planner.groups)

    def allows(self, mi: int, gi: int, role: str) -> bool:
        if not self.p.is_new(mi, self.p.round_of[gi]):
            return True
        return self.new[gi] + 1 <= self.k * self.experienced[gi]

    def seated(self, mi: int, gi: int, role: str) -> None:
        ri = self.p.round_of[gi]
        self.new[gi] += self.p.is_new(mi, ri)
        self.experienced[gi] += self.p.is_exp(mi, ri)


def seating(planner: Greedy) -> Seating | None:
    """A new member only where an experienced one already sits for them: never more new members
    than ``max_new_per_experienced`` × experienced ones (mentors are assigned at the end, by
    :func:`assign_mentors`)."""
    return None if planner.rules.mode(RULE_ID) == "off" else _Seating(planner)
