"""``member-conflict``: the two members of a ``conflicts`` row never share a group.

Every ``conflicts`` row (a, b) with a ≠ b and every group holding a seat of a and a seat of b
counts 1. A row naming one member twice is left to validation. The row's ``reason`` is never
repeated in messages (it may be personal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n.phrase import Phrase, Words
from .base import Candidate, Change, Context, Counting, Rule, Seating, Violation, Where

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "member-conflict"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for row in ctx.instance.conflicts:
        a, b = row.member_a, row.member_b
        if a == b:
            continue
        groups = dict.fromkeys(s.group for s in ctx.by_member.get(a, ()))
        for gid in groups:
            if b in ctx.members_in[gid]:
                group = ctx.groups[gid]
                words = Phrase("violation.member-conflict.together", a=a, b=b, group=gid)
                out.append(
                    Violation.of(RULE_ID, words, round=group.round, group=gid, members=(a, b))
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
    return Phrase(
        "explain.member-conflict.apart", member=item.member, other=item.other, group=item.group
    )


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    if not (item.member and item.other):
        return []
    return [
        (
            Phrase("suggest.member-conflict.drop", member=item.member, other=item.other),
            (Change(op="remove", table="conflicts", key=f"{item.member}&{item.other}"),),
        )
    ]


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    mode = m.mode("member-conflict")
    if mode == "off":
        return
    inst = m.instance
    index = {member.id: i for i, member in enumerate(inst.members)}
    rows: dict[frozenset[str], int] = {}  # each row counts (measures.md), repeats included
    first: dict[frozenset[str], tuple[str, str]] = {}
    for c in inst.conflicts:
        key = frozenset((c.member_a, c.member_b))
        if c.member_a in index and c.member_b in index and len(key) == 2:
            rows[key] = rows.get(key, 0) + 1
            first.setdefault(key, (c.member_a, c.member_b))
    for key, n in rows.items():
        ida, idb = first[key]
        a, b = index[ida], index[idb]
        for gi in sorted(set(m.by_member.get(a, ())) & set(m.by_member.get(b, ()))):
            g = inst.groups[gi]
            both = m.x[(a, gi)] + m.x[(b, gi)]
            where = Where("member-conflict", g.round, g.id, ida, other=idb)
            if mode == "hard":
                m.post(where, m.cp.add(both <= 1))
            else:
                together = m.cp.new_bool_var("")
                m.cp.add(together >= both - 1)
                m.parts["member-conflict"].add(together, n)


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy, conflicts: dict[int, set[int]]):
        self.seats = planner.seats
        self.conflicts = conflicts

    def allows(self, mi: int, gi: int, role: str) -> bool:
        mine = self.conflicts.get(mi)
        return not (mine and any(o in mine for o, _ in self.seats[gi]))


def seating(planner: Greedy) -> Seating | None:
    """Never two members of a declared conflict in one group."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    conflicts: dict[int, set[int]] = defaultdict(set)
    for c in planner.inst.conflicts:
        a, b = planner.index.get(c.member_a), planner.index.get(c.member_b)
        if a is not None and b is not None and a != b:
            conflicts[a].add(b)
            conflicts[b].add(a)
    return _Seating(planner, dict(conflicts))
