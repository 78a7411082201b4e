"""``group-size``: ``size_min`` ≤ seats ≤ ``size_max``.

Every group g with n seats counts ``max(0, size_min − n) + max(0, n − size_max)`` (no upper
term when ``size_max`` is unbounded). A group without any seat has n = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n.phrase import Count, Phrase, Words
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
    group_at,
    kind,
    needs,
    outsider,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "group-size"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        n = len(ctx.by_group[group.id])
        short = max(0, group.size_min - n)
        surplus = max(0, n - group.size_max) if group.size_max is not None else 0
        if not short and not surplus:
            continue
        words = Phrase(
            "violation.group-size.count",
            group=group.id,
            n=Count("phrase.count.seat", n),
            needs=needs(group.size_min if short else None, group.size_max if surplus else None),
        )
        out.append(
            Violation.of(RULE_ID, words, round=group.round, group=group.id, count=short + surplus)
        )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 0


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs at least ``size_min`` members, whoever they are."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    n = Count("phrase.count.member", g.size_min)
    if g.size_max == g.size_min:
        says = Phrase("explain.group-size.exactly", group=group_at(g), n=n)
    elif g.size_max is None:
        says = Phrase("explain.group-size.at-least", group=group_at(g), n=n)
    else:
        says = Phrase("explain.group-size.between", group=group_at(g), n=n, most=g.size_max)
    return Counting(lambda m: True, kind("member"), g.size_min, says)


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    return ctx.count_sentence(item, core)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    if g is None or item.member is not None:
        return []
    out: list[Candidate] = []
    if g.size_min > 0:
        out.append(
            (
                changed("lower", "size_min", g.size_min, g.size_min - 1, of=g.id),
                (set_change("groups", g.id, "size_min", g.size_min - 1),),
            )
        )
    if g.size_max is not None:
        out.append(
            (
                changed("raise", "size_max", g.size_max, g.size_max + 1, of=g.id),
                (set_change("groups", g.id, "size_max", g.size_max + 1),),
            )
        )
    out.append((add_one("member"), outsider(ctx.instance, "member")))
    return out


def inputs(v: Inputs) -> None:
    """Per round: more seats (Σ size_min) than members available."""
    if not v.pool:
        return
    for round_id in v.instance.rounds:
        seats = sum(g.size_min for g in v.instance.groups_in(round_id))
        available = len(v.free(round_id)) + v.slack
        if seats > available:
            v.rule(
                RULE_ID,
                "groups",
                v.first_row[round_id],
                "size_min",
                Phrase(
                    "problem.group-size.round",
                    where=v.where(round_id),
                    seats=Count("problem.n.member", seats),
                    have=Count("problem.n.only_available", available),
                    note=v.note,
                ),
            )


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    for gi, g in enumerate(m.instance.groups):
        members = m.by_group[gi]
        n = m.ones(m.group_index[gi])
        where = Where("group-size", g.round, g.id)
        m.at_least("group-size", where, n, g.size_min, len(members))
        if g.size_max is not None:
            m.at_most("group-size", where, n, g.size_max, len(members))


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.seats = planner.seats
        self.size_max = [g.size_max for g in planner.groups]

    def allows(self, mi: int, gi: int, role: str) -> bool:
        cap = self.size_max[gi]
        return cap is None or len(self.seats[gi]) < cap


def seating(planner: Greedy) -> Seating | None:
    """No seat beyond ``size_max`` (the planner fills every group to ``size_min`` itself)."""
    return None if planner.rules.mode(RULE_ID) == "off" else _Seating(planner)
