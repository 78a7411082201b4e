"""``new-leader-support``: a newly promoted leader has an experienced deputy.

Every group g with a ``leader`` seat held by a ``newly_promoted`` member and no ``deputy`` seat
held by a member who is experienced at the start of g's round counts 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

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
    listed,
    outsider,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "new-leader-support"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    need = ctx.rules.experience.experienced_min
    out: list[Violation] = []
    for group in ctx.instance.groups:
        seats = ctx.by_group[group.id]
        promoted = [
            s.member
            for s in seats
            if s.role == "leader"
            and s.member in ctx.members
            and ctx.members[s.member].newly_promoted
        ]
        if not promoted:
            continue
        if any(s.role == "deputy" and ctx.is_experienced(s.member, group.round) for s in seats):
            continue
        words = Phrase(
            "violation.new-leader-support.alone",
            group=group.id,
            who=Count("violation.new-leader-support.promoted", len(promoted), ids=Ids(promoted)),
            need=need,
        )
        out.append(
            Violation.of(RULE_ID, words, round=group.round, group=group.id, members=tuple(promoted))
        )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 7


def counting(item: Where, instance: Instance) -> Counting | None:
    """None: this rule needs no number of members of a kind."""
    return None


def requirements(g: Group, instance: Instance) -> list[Where]:
    """None: this rule makes no demand that the input alone can show impossible."""
    return []


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    assert item.group is not None
    g = ctx.instance.group_by_id[item.group]
    leads, _ = ctx.candidates(g, lambda m: m.can_lead)
    promoted = [m.id for m in leads if m.newly_promoted]
    support, _ = ctx.candidates(g, lambda m: m.can_deputy and ctx.experienced(m))
    return Phrase(
        "explain.new-leader-support.needs",
        group=g.id,
        leads=Count("phrase.count.member", len(leads)),
        promoted=Count("explain.new-leader-support.promoted", len(promoted)),
        promoted_ids=listed(promoted),
        support=listed(m.id for m in support),
    )


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    if item.group is None:
        return []
    return [(add_one("deputy"), outsider(ctx.instance, "deputy", can_deputy=True))]


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    mode = m.mode("new-leader-support")
    if mode == "off":
        return
    inst = m.instance
    for gi, g in enumerate(inst.groups):
        ri = m.facts.round_of[gi]
        np_leads = [
            m.lead[(mi, gi)]
            for mi in m.by_group[gi]
            if (mi, gi) in m.lead and inst.members[mi].newly_promoted
        ]
        if not np_leads:
            continue
        exp_deps = []
        for mi in m.by_group[gi]:
            if (mi, gi) in m.dep:
                e = m.seat_and(m.dep[(mi, gi)], mi, gi, m.is_experienced(mi, ri), "expdep")
                if not isinstance(e, int) or e:
                    exp_deps.append(e)
        # One variable for the count of experienced deputies, so that each newly promoted
        # leader's constraint has two terms instead of every deputy candidate.
        support = m.cp.new_int_var(0, len(exp_deps), "")
        m.cp.add(support == m.sum(exp_deps))
        where = Where("new-leader-support", g.round, g.id)
        if mode == "hard":
            for lead in np_leads:
                m.post(where, m.cp.add(support >= lead))
        else:
            v = m.cp.new_bool_var("")
            for lead in np_leads:
                m.cp.add(v >= lead - support)
            m.parts["new-leader-support"].add(v)


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.p = planner

    ROLES = ("deputy",)

    def allows(self, mi: int, gi: int, role: str) -> bool:
        p = self.p
        ri = p.round_of[gi]
        seats = p.seats[gi]
        if not any(r == "leader" and p.members[o].newly_promoted for o, r in seats):
            return True
        if any(r == "deputy" and p.is_exp(o, ri) for o, r in seats):
            return True
        return p.is_exp(mi, ri)


def seating(planner: Greedy) -> Seating | None:
    """Where the leader is newly promoted, the first deputy seated is experienced."""
    return None if planner.rules.mode(RULE_ID) == "off" else _Seating(planner)
