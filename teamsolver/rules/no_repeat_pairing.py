"""``no-repeat-pairing``: two members share a group at most once, counting the recent past.

An *occasion* of a pair {a, b} is a group both sit in: a group of the plan, or a past group
within ``lookback`` rounds (a ``history`` row of a and one of b with the same ``group`` and
``rounds_ago``, ``rounds_ago ≤ lookback``; any when unbounded). Every two occasions of a pair of
which at least one is in the plan count 1, so a pair sharing t groups of the plan and h past
groups counts ``t·(t − 1)/2 + t·h``.

Each plan group where a pair meets again is one violation, reported at that group, whose count
is the number of the pair's earlier occasions (plan groups of earlier rounds, and past groups).
Pairs are formed only within groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import TYPE_CHECKING

from pydantic import Field

from ..data.values import Int, OptInt
from ..i18n.phrase import Count, Ids, Phrase, Words
from .base import (
    MAX_WEIGHT,
    Candidate,
    Context,
    Counting,
    Mode,
    Rule,
    Seating,
    Violation,
    Where,
    changed,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Lin, Model, Var
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "no-repeat-pairing"


class Settings(Rule):
    mode: Mode = "soft"
    weight: Int = Field(50, ge=0, le=MAX_WEIGHT)
    lookback: OptInt = Field(None, ge=1)


def check(ctx: Context) -> list[Violation]:
    lookback = ctx.rules.no_repeat_pairing.lookback
    past: dict[str, frozenset[tuple[str, int]]] = {}

    def past_of(member: str) -> frozenset[tuple[str, int]]:
        if member not in past:
            past[member] = ctx.past_groups(member, lookback)
        return past[member]

    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    out: list[Violation] = []
    order = sorted(ctx.instance.groups, key=lambda g: ctx.round_index[g.round])
    for group in order:
        for a, b in combinations(sorted(ctx.members_in[group.id]), 2):
            earlier = shared[(a, b)]
            common = sorted(past_of(a) & past_of(b), key=lambda k: (k[1], k[0]))
            occasions = [
                Phrase("violation.no-repeat-pairing.group", group=g, round=ctx.groups[g].round)
                for g in earlier
            ]
            occasions += [
                Phrase(
                    "violation.no-repeat-pairing.past",
                    group=pg,
                    ago=Count("phrase.count.round", ago),
                )
                for pg, ago in common
            ]
            earlier.append(group.id)
            if not occasions:
                continue
            words = Phrase(
                "violation.no-repeat-pairing.again",
                a=a,
                b=b,
                group=group.id,
                round=group.round,
                before=Ids(occasions),
            )
            out.append(
                Violation.of(
                    RULE_ID,
                    words,
                    round=group.round,
                    group=group.id,
                    members=(a, b),
                    count=len(occasions),
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


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    other = item.other or ""
    if "@-" in other:
        # ``other`` names a past group as GROUP@-AGO (written by ``encode``: its own data).
        past, ago = other.split("@-")
        return Phrase("explain.no-repeat-pairing.past", past=past, ago=ago, group=item.group)
    return Phrase("explain.no-repeat-pairing.groups", other=other, group=item.group)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    lookback = ctx.instance.rules.no_repeat_pairing.lookback
    out: list[Candidate] = []
    if item.other and "@-" in item.other and lookback is not None and lookback > 1:
        out.append(
            (
                changed("lower", "no-repeat-pairing.lookback", lookback, lookback - 1),
                (set_change("rules", RULE_ID, "lookback", lookback - 1),),
            )
        )
    out.append(
        (
            Phrase("suggest.no-repeat-pairing.soft"),
            (set_change("rules", RULE_ID, "mode", "soft"),),
        )
    )
    return out


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    if m.mode("no-repeat-pairing") == "off":
        return
    inst = m.instance
    rule = m.rules.no_repeat_pairing
    groups = inst.groups
    sizes = [m.seat_cap(gi) for gi in range(len(groups))]
    # Plan with plan: members shared by two groups of different rounds.
    shared: dict[tuple[int, int], list[Var]] = defaultdict(list)
    round_of = m.facts.round_of
    for mi, gis in m.by_member.items() if len(m.facts.rounds) > 1 else ():
        for a, g1 in enumerate(gis):
            for g2 in gis[a + 1 :]:
                if round_of[g1] == round_of[g2]:
                    continue
                w = m.cp.new_bool_var("")
                m.cp.add(w >= m.x[(mi, g1)] + m.x[(mi, g2)] - 1)
                shared[(min(g1, g2), max(g1, g2))].append(w)
    for (g1, g2), ws in shared.items():
        most = min(len(ws), sizes[g1], sizes[g2])
        g = groups[g2]
        _pair_penalty(
            m,
            Where("no-repeat-pairing", g.round, g.id, other=groups[g1].id),
            m.sum(ws),
            most,
        )
    # Plan with history: members of one past group seated together again.
    index = {member.id: i for i, member in enumerate(inst.members)}
    past: dict[tuple[int, str], set[int]] = defaultdict(set)
    for h in inst.history:
        if h.member in index and (rule.lookback is None or h.rounds_ago <= rule.lookback):
            past[(h.rounds_ago, h.group)].add(index[h.member])
    for (ago, pg), members in past.items():
        if len(members) < 2:
            continue
        # The groups where at least two of them have a seat variable, through the members'
        # own groups (a province has 300 past groups × 100 groups: 30,000 empty sums before).
        seated: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for mi in members:
            for gi in m.by_member.get(mi, ()):
                seated[gi].append((mi, gi))
        for gi in sorted(seated):
            pairs, g = seated[gi], groups[gi]
            most = min(len(pairs), sizes[gi])
            _pair_penalty(
                m,
                Where("no-repeat-pairing", g.round, g.id, other=f"{pg}@-{ago}"),
                m.total(pairs),
                most,
            )


def _pair_penalty(m: Model, where: Where, overlap: Lin, most: int) -> None:
    """Pairs among ``overlap`` shared members, C(o, 2): at most 1 shared (hard) or a cost."""
    if most <= 1:
        return
    if m.mode("no-repeat-pairing") == "hard":
        m.post(where, m.cp.add(overlap <= 1))
        return
    m.parts["no-repeat-pairing"].add(m.convex_pairs(overlap, most))


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    """Earlier occasions (history) and plan groups of the members seated in each group, so
    that the pair-repeat count of a candidate costs one look-up per occasion of its own."""

    def __init__(self, planner: Greedy, weight: int):
        self.p = planner
        self.weight = weight
        nrp = planner.rules.no_repeat_pairing
        self.past: dict[int, set[tuple[int, str]]] = defaultdict(set)
        for h in planner.inst.history:
            mi = planner.index.get(h.member)
            if mi is not None and (nrp.lookback is None or h.rounds_ago <= nrp.lookback):
                self.past[mi].add((h.rounds_ago, h.group))
        n = len(planner.groups)
        self.group_past: list[dict[tuple[int, str], int]] = [defaultdict(int) for _ in range(n)]
        self.group_plan: list[dict[int, int]] = [defaultdict(int) for _ in range(n)]

    def repeats(self, mi: int, gi: int) -> int:
        """Earlier occasions mi shares with the members already in gi (new pair repeats)."""
        past, plan = self.group_past[gi], self.group_plan[gi]
        n = sum(past.get(o, 0) for o in self.past.get(mi, ()))
        return n + sum(plan.get(g, 0) for g in set(self.p.member_groups[mi]))

    def seated(self, mi: int, gi: int, role: str) -> None:
        for o in self.past.get(mi, ()):
            self.group_past[gi][o] += 1
        # mi now sits in gi: gi is one more plan group of a member of each of mi's groups, and
        # each of mi's groups (gi too) one more plan group of a member of gi.
        mine = self.p.member_groups[mi]
        for g in mine:
            self.group_plan[g][gi] += 1
        for g in [*mine, gi]:
            self.group_plan[gi][g] += 1


class _Hard(_Seating):
    def allows(self, mi: int, gi: int, role: str) -> bool:
        return not self.repeats(mi, gi)


class _Soft(_Seating):
    def cost(self, mi: int, gi: int) -> int:
        return self.weight * self.repeats(mi, gi)


def seating(planner: Greedy) -> Seating | None:
    """Hard: no seat that repeats a pair. Soft: the planner weighs each repeat's weight in its
    choice (it may bend this rule, and only this one, on purpose)."""
    nrp = planner.rules.no_repeat_pairing
    if nrp.mode == "off":
        return None
    return _Hard(planner, 0) if nrp.mode == "hard" else _Soft(planner, nrp.weight)
