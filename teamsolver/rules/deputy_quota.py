"""``deputy-quota``: between ``deputies_min`` and ``deputies_max`` deputy seats per group, each
held by a ``can_deputy`` member.

Every group g with D seats of role ``deputy`` counts
``max(0, deputies_min − D) + max(0, D − deputies_max)``, plus 1 per deputy seat whose member
(in the pool) has ``can_deputy`` false.
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
    needs,
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

RULE_ID = "deputy-quota"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        deputies = [s.member for s in ctx.by_group[group.id] if s.role == "deputy"]
        n = len(deputies)
        short = max(0, group.deputies_min - n)
        surplus = max(0, n - group.deputies_max)
        if short or surplus:
            words = Phrase(
                "violation.deputy-quota.count",
                group=group.id,
                n=Count("phrase.count.deputy", n),
                named=named(deputies),
                needs=needs(
                    group.deputies_min if short else None,
                    group.deputies_max if surplus else None,
                ),
            )
            out.append(
                Violation.of(
                    RULE_ID,
                    words,
                    round=group.round,
                    group=group.id,
                    members=tuple(deputies),
                    count=short + surplus,
                )
            )
        for mid in deputies:
            member = ctx.members.get(mid)
            if member is not None and not member.can_deputy:
                words = Phrase("violation.deputy-quota.unable", member=mid, group=group.id)
                out.append(
                    Violation.of(RULE_ID, words, round=group.round, group=group.id, members=(mid,))
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 3


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs ``deputies_min`` to ``deputies_max`` members who can be deputy."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    if g.deputies_min == g.deputies_max:
        says = Phrase(
            "explain.deputy-quota.exactly",
            group=group_at(g),
            n=Count("phrase.count.deputy", g.deputies_min),
        )
    else:
        says = Phrase(
            "explain.deputy-quota.between",
            group=group_at(g),
            least=g.deputies_min,
            most=g.deputies_max,
        )
    return Counting(
        lambda m: m.can_deputy,
        kind("can-deputy"),
        g.deputies_min,
        says,
        role="deputy",
    )


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    return role_quota_sentence(item, ctx, core, "deputy")


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    if g is None:
        return []
    if item.member:
        return [able_to_hold(item.member, "can_deputy")]
    out: list[Candidate] = []
    if g.deputies_min > 0:
        out.append(
            (
                changed("lower", "deputies_min", g.deputies_min, g.deputies_min - 1, of=g.id),
                (set_change("groups", g.id, "deputies_min", g.deputies_min - 1),),
            )
        )
    out.append(
        (
            changed("raise", "deputies_max", g.deputies_max, g.deputies_max + 1, of=g.id),
            (set_change("groups", g.id, "deputies_max", g.deputies_max + 1),),
        )
    )
    out.append((add_one("deputy"), outsider(ctx.instance, "deputy", can_deputy=True)))
    return out


def inputs(v: Inputs) -> None:
    """Per round: more deputies (Σ deputies_min) than available members who can be deputy."""
    role_quota_inputs(v, RULE_ID, "deputies_min", _bounds, "can_deputy", "deputy")


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def _bounds(g: Group) -> tuple[int, int]:
    """The fewest and most deputies of group ``g`` (the encoding's and the planner's)."""
    return (g.deputies_min, g.deputies_max)


def encode(m: Model) -> None:
    role_quota(m, RULE_ID, m.dep, _bounds, "can_deputy")


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> Seating | None:
    """At least ``deputies_min`` deputies per group (the planner seats that many), at most
    ``deputies_max``, from members who ``can_deputy``."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    return RoleSeats(planner, "deputy", "can_deputy", _bounds)
