"""``specialty-coverage``: every group has the specialists it ``requires``.

Every group g and every ``specialty:n`` of ``g.requires`` counts ``max(0, n − c)``, where c is
the number of seats of g whose member has that specialty (a member counts for each specialty
they have).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..data.errors import did_you_mean as suggestion
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
    group_at,
    kind,
    outsider,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "specialty-coverage"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        if not group.requires:
            continue
        specialties = [
            ctx.members[s.member].specialties
            for s in ctx.by_group[group.id]
            if s.member in ctx.members
        ]
        for specialty, need in group.requires:
            have = sum(1 for held in specialties if specialty in held)
            if have < need:
                words = Phrase(
                    "violation.specialty-coverage.short",
                    group=group.id,
                    n=Count("phrase.count.member", have),
                    specialty=specialty,
                    need=need,
                )
                out.append(
                    Violation.of(
                        RULE_ID, words, round=group.round, group=group.id, count=need - have
                    )
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 1


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs ``requires[s]`` members with specialty s."""
    assert item.group is not None
    if item.specialty is None:
        return None
    g = instance.group_by_id[item.group]
    s = item.specialty
    need = dict(g.requires).get(s, 0)
    return Counting(
        lambda m: s in m.specialties,
        kind("specialist", specialty=s),
        need,
        Phrase("explain.specialty-coverage.need", group=group_at(g), need=need, specialty=s),
    )


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id, specialty=s) for s, _ in g.requires]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    return ctx.count_sentence(item, core)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    s = item.specialty
    if g is None or not s:
        return []
    req = dict(g.requires)
    lower = {k: v - 1 if k == s else v for k, v in req.items()}
    lower = {k: v for k, v in lower.items() if v > 0}
    return [
        (
            Phrase(
                "suggest.specialty-coverage.lower",
                specialty=s,
                group=g.id,
                before=req[s],
                after=req[s] - 1,
            ),
            (set_change("groups", g.id, "requires", lower),),
        ),
        (
            add_one("specialist", specialty=s),
            outsider(ctx.instance, f"{s} specialist", specialties=[s]),
        ),
    ]


def inputs(v: Inputs) -> None:
    """Per group: a requirement above ``size_max``, or above the specialists of the pool."""
    groups = v.instance.groups
    for i, g in enumerate(groups):
        cap = v.cap(g)
        for name, n in g.requires:
            if cap is not None and n > cap:
                phrase = Phrase("problem.specialty-coverage.cap", n=n, name=name, cap=cap)
                v.rule(RULE_ID, "groups", i, "requires", phrase)
    if not v.pool:
        return
    specialists: Counter[str] = Counter()
    for m in v.active:
        specialists.update(set(m.specialties))
    for i, g in enumerate(groups):
        for name, n in g.requires:
            have = specialists[name] + v.slack
            if n > have:
                if have:
                    phrase = Phrase(
                        "problem.specialty-coverage.few",
                        n=n,
                        name=name,
                        have=Count("problem.n.active_has", have),
                        note=v.note,
                    )
                else:
                    phrase = Phrase(
                        "problem.specialty-coverage.none",
                        n=n,
                        name=name,
                        note=v.note,
                        hint=suggestion(name, list(specialists), 0.75),
                    )
                v.rule(RULE_ID, "groups", i, "requires", phrase)


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    inst = m.instance
    specialties = [set(member.specialties) for member in inst.members]
    for gi, g in enumerate(inst.groups):
        for name, n in g.requires:
            seats = [
                i
                for mi, i in zip(m.by_group[gi], m.group_index[gi], strict=True)
                if name in specialties[mi]
            ]
            where = Where("specialty-coverage", g.round, g.id, specialty=name)
            m.at_least("specialty-coverage", where, m.ones(seats), n, len(seats))


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.p = planner

    def kinds(self, mi: int) -> Iterable[str]:
        return self.p.members[mi].specialties

    def wants(self, gi: int) -> dict[str, int]:
        have = self.p.have[gi]
        out: dict[str, int] = {}
        for s, n in self.p.groups[gi].requires:
            short = n - have.get(s, 0)
            if short > 0:
                out[s] = out.get(s, 0) + short
        return out


def seating(planner: Greedy) -> Seating | None:
    """The planner seats the specialists each group ``requires``, the scarcest first."""
    return None if planner.rules.mode(RULE_ID) == "off" else _Seating(planner)
