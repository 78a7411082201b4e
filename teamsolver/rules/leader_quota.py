"""``leader-quota``: exactly ``leaders`` leader seats per group, each held by a ``can_lead``
member.

Every group g with L seats of role ``leader`` counts ``|L − g.leaders|``, plus 1 per leader seat
whose member (in the pool) has ``can_lead`` false.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n.phrase import Count, Phrase, Words
from .base import (
    Candidate,
    Context,
    Counting,
    RoleSeats,
    Rule,
    Seating,
    Violation,
    Where,
    able_to_hold,
    add_one,
    changed,
    group_at,
    kind,
    named,
    outsider,
    role_quota,
    role_quota_inputs,
    role_quota_sentence,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "leader-quota"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        leaders = [s.member for s in ctx.by_group[group.id] if s.role == "leader"]
        n = len(leaders)
        if n != group.leaders:
            words = Phrase(
                "violation.leader-quota.count",
                group=group.id,
                n=Count("phrase.count.leader", n),
                named=named(leaders),
                need=group.leaders,
            )
            out.append(
                Violation.of(
                    RULE_ID,
                    words,
                    round=group.round,
                    group=group.id,
                    members=tuple(leaders),
                    count=abs(n - group.leaders),
                )
            )
        for mid in leaders:
            member = ctx.members.get(mid)
            if member is not None and not member.can_lead:
                words = Phrase("violation.leader-quota.unable", member=mid, group=group.id)
                out.append(
                    Violation.of(RULE_ID, words, round=group.round, group=group.id, members=(mid,))
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 2


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs exactly ``leaders`` members who can lead."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    return Counting(
        lambda m: m.can_lead,
        kind("can-lead"),
        g.leaders,
        Phrase(
            "explain.leader-quota.exactly",
            group=group_at(g),
            n=Count("phrase.count.leader", g.leaders),
        ),
        role="leader",
    )


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    return role_quota_sentence(item, ctx, core, "leader")


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    if g is None:
        return []
    if item.member:
        return [able_to_hold(item.member, "can_lead")]
    out: list[Candidate] = []
    if g.leaders > 1:
        out.append(
            (
                changed("lower", "leaders", g.leaders, g.leaders - 1, of=g.id),
                (set_change("groups", g.id, "leaders", g.leaders - 1),),
            )
        )
    out.append((add_one("leader"), outsider(ctx.instance, "leader", can_lead=True)))
    return out


def inputs(v: Inputs) -> None:
    """Per round: more leaders than available members who can lead."""
    role_quota_inputs(v, RULE_ID, "leaders", _bounds, "can_lead", "leader")


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def _bounds(g: Group) -> tuple[int, int]:
    """The fewest and most leaders of group ``g`` (the encoding's and the planner's)."""
    return (g.leaders, g.leaders)


def encode(m: Model) -> None:
    role_quota(m, RULE_ID, m.lead, _bounds, "can_lead")


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> Seating | None:
    """Each group's ``leaders``, from members who ``can_lead``, and no more."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    return RoleSeats(planner, "leader", "can_lead", _bounds)
