"""``attribute-quota``: per group, at least or at most n members with a given attribute value.

``quotas`` lists bounds, each ``ATTRIBUTE=VALUE>=N`` or ``ATTRIBUTE=VALUE<=N`` (``;`` between
them in a cell), e.g. ``gender=F>=1; birth_decade=1990<=2``. ATTRIBUTE is one of ``gender``,
``birth_decade`` (``birth_year // 10 * 10``), ``full_time``, ``party_member``,
``newly_promoted`` (values ``true``/``false``), ``unit`` (home unit) and ``zone`` (home unit's
zone) — the values of the ``mix`` goal. Every group g counts, per bound,
``max(0, N − c(g))`` for ``>=`` and ``max(0, c(g) − N)`` for ``<=``, where c(g) = seats of g whose
member has that value; a member without a value (no gender given, no zone) has none. Seats of
members not in the pool have no attributes. Without any bound the rule asks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from pydantic import field_validator

from ..data.values import StrList
from ..i18n.phrase import NOTHING, Count, Listed, Phrase, PhraseError, Shown, Words
from .base import (
    MEMBER_ATTRIBUTES,
    Candidate,
    Context,
    Counting,
    Rule,
    Seating,
    Violation,
    Where,
    add_one,
    attribute_value,
    group_at,
    outsider,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "attribute-quota"

_BOUND = re.compile(
    r"^\s*(?P<attr>[A-Za-z_]+)\s*=\s*(?P<value>[^<>=]+?)\s*(?P<op>>=|<=)\s*(?P<n>\d+)\s*$"
)


@dataclass(frozen=True)
class Quota:
    """One bound: at least (``>=``) or at most (``<=``) ``n`` seats of members whose
    ``attribute`` has ``value``, in every group."""

    attribute: str
    value: str
    op: Literal[">=", "<="]
    n: int

    @property
    def key(self) -> str:
        """The bound as written, normalised: ``gender=F>=1`` (names its rule instances)."""
        return f"{self.attribute}={self.value}{self.op}{self.n}"

    @property
    def kind(self) -> tuple[str, str]:
        return (
            f"member with {self.attribute} {self.value}",
            f"members with {self.attribute} {self.value}",
        )

    def many(self, n: int) -> Count:
        """``n`` members with the value, in words (``2 members with gender F``)."""
        return Count("phrase.count.member-with", n, attribute=self.attribute, value=self.value)


def parse_quota(text: str) -> Quota:
    found = _BOUND.match(text)
    if found is None:
        raise PhraseError(Phrase("problem.attribute-quota.bound", text=Shown(text)))
    attribute = found["attr"]
    if attribute not in MEMBER_ATTRIBUTES:
        raise PhraseError(
            Phrase(
                "problem.attribute-quota.attribute",
                text=Shown(text),
                attribute=Shown(attribute),
                valid=Listed(MEMBER_ATTRIBUTES),
            )
        )
    op: Literal[">=", "<="] = ">=" if found["op"] == ">=" else "<="
    return Quota(attribute, found["value"], op, int(found["n"]))


class Settings(Rule):
    quotas: StrList = ()

    @field_validator("quotas")
    @classmethod
    def _bounds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(parse_quota(text).key for text in value)

    @cached_property
    def bounds(self) -> tuple[Quota, ...]:
        return tuple(parse_quota(text) for text in self.quotas)


def _bound(instance: Instance, key: str | None) -> Quota | None:
    return next((q for q in instance.rules.attribute_quota.bounds if q.key == key), None)


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    inst = ctx.instance
    for q in ctx.rules.attribute_quota.bounds:
        for group in inst.groups:
            have = sum(
                1
                for s in ctx.by_group[group.id]
                if s.member in ctx.members
                and attribute_value(inst, ctx.members[s.member], q.attribute) == q.value
            )
            off = q.n - have if q.op == ">=" else have - q.n
            if off > 0:
                words = Phrase(
                    f"violation.attribute-quota.{'at-least' if q.op == '>=' else 'at-most'}",
                    group=group.id,
                    n=q.many(have),
                    need=q.n,
                )
                out.append(
                    Violation.of(RULE_ID, words, round=group.round, group=group.id, count=off)
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 5


def counting(item: Where, instance: Instance) -> Counting | None:
    """A ``>=`` bound needs at least n members with the value in the group."""
    q = _bound(instance, item.other)
    if q is None or q.op != ">=" or item.group is None:
        return None
    g = instance.group_by_id[item.group]
    says = Phrase("explain.attribute-quota.at-least", group=group_at(g), n=q.many(q.n), key=q.key)
    return Counting(
        lambda m: attribute_value(instance, m, q.attribute) == q.value, q.many, q.n, says
    )


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [
        Where(RULE_ID, g.round, g.id, other=q.key)
        for q in instance.rules.attribute_quota.bounds
        if q.op == ">=" and q.n > 0
    ]


def sentence(item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
    q = _bound(ctx.instance, item.other)
    assert q is not None and item.group is not None
    if q.op == ">=":
        return ctx.count_sentence(item, core)
    g = ctx.instance.group_by_id[item.group]
    return Phrase("explain.attribute-quota.at-most", group=group_at(g), n=q.many(q.n), key=q.key)


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    inst = ctx.instance
    q = _bound(inst, item.other)
    if q is None:
        return []
    bounds = list(inst.rules.attribute_quota.quotas)
    step = -1 if q.op == ">=" else 1
    moved = Quota(q.attribute, q.value, q.op, q.n + step)
    changed = [moved.key if b == q.key else b for b in bounds]
    out: list[Candidate] = [
        (
            Phrase(
                f"suggest.attribute-quota.{'lower' if step < 0 else 'raise'}",
                key=q.key,
                moved=moved.key,
            ),
            (
                set_change(
                    "rules", RULE_ID, "quotas", [b for b in changed if not b.endswith(">=0")]
                ),
            ),
        )
    ]
    fields = {
        "gender": {"gender": q.value},
        "birth_decade": {"birth_year": int(q.value)} if q.value.isdigit() else None,
        "full_time": {"full_time": q.value == "true"},
        "party_member": {"party_member": q.value == "true"},
        "newly_promoted": {"newly_promoted": q.value == "true"},
    }.get(q.attribute)
    if q.op == ">=" and fields is not None:
        word = f"member with {q.attribute} {q.value}"
        said = add_one("member-with", attribute=q.attribute, value=q.value)
        out.append((said, outsider(inst, word, **fields)))
    return out


def inputs(v: Inputs) -> None:
    """Per ``>=`` bound: above ``size_max`` in a group, or more than the members available with
    the value in a round; a value no member has at all is said too."""
    inst = v.instance
    for q in inst.rules.attribute_quota.bounds:
        if q.op != ">=" or q.n <= 0:
            continue
        for i, g in enumerate(inst.groups):
            cap = v.cap(g)
            if cap is not None and q.n > cap:
                phrase = Phrase("problem.attribute-quota.cap", key=q.key, cap=cap)
                v.rule(RULE_ID, "groups", i, "size_max", phrase)
        if not v.pool:
            continue
        known = sorted(
            {x for m in v.active if (x := attribute_value(inst, m, q.attribute)) is not None}
        )
        for round_id in inst.rounds:
            need = q.n * len(inst.groups_in(round_id))
            have = sum(attribute_value(inst, m, q.attribute) == q.value for m in v.free(round_id))
            have += v.slack
            if need > have:
                values = (
                    Phrase("problem.attribute-quota.values", values=Listed(known))
                    if q.value not in known
                    else NOTHING
                )
                v.rule(
                    RULE_ID,
                    "groups",
                    v.first_row[round_id],
                    None,
                    Phrase(
                        "problem.attribute-quota.round",
                        where=v.where(round_id),
                        need=Count(
                            "problem.n.with_value", need, attribute=q.attribute, value=q.value
                        ),
                        key=q.key,
                        have=Count("problem.n.only_available", have),
                        note=v.note,
                        values=values,
                    ),
                )


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    inst = m.instance
    for q in m.rules.attribute_quota.bounds:
        has = [attribute_value(inst, member, q.attribute) == q.value for member in inst.members]
        for gi, g in enumerate(inst.groups):
            seats = [i for mi, i in zip(m.by_group[gi], m.group_index[gi], strict=True) if has[mi]]
            where = Where(RULE_ID, g.round, g.id, other=q.key)
            if q.op == ">=":
                m.at_least(RULE_ID, where, m.ones(seats), q.n, len(seats))
            else:
                m.at_most(RULE_ID, where, m.ones(seats), q.n, len(seats))


# -- the greedy planner's desk check -----------------------------------------------------
def _kind(q: Quota) -> str:
    return f"@{q.attribute}={q.value}"


class _Seating(Seating):
    def __init__(self, planner: Greedy, bounds: tuple[Quota, ...]):
        self.p = planner
        inst = planner.inst
        self.at_least = [q for q in bounds if q.op == ">="]
        self.at_most = [(_kind(q), q.n) for q in bounds if q.op == "<="]
        self.kind_of = [
            frozenset(_kind(q) for q in bounds if attribute_value(inst, m, q.attribute) == q.value)
            for m in planner.members
        ]

    def kinds(self, mi: int) -> Iterable[str]:
        return self.kind_of[mi]

    def allows(self, mi: int, gi: int, role: str) -> bool:
        have = self.p.have[gi]
        mine = self.kind_of[mi]
        return not any(kind in mine and have.get(kind, 0) >= n for kind, n in self.at_most)

    def wants(self, gi: int) -> dict[str, int]:
        have = self.p.have[gi]
        out: dict[str, int] = {}
        for q in self.at_least:
            short = q.n - have.get(_kind(q), 0)
            if short > 0:
                out[_kind(q)] = max(out.get(_kind(q), 0), short)
        return out


def seating(planner: Greedy) -> Seating | None:
    """At-least bounds: the planner seats the members with the value each group lacks (kind
    ``@ATTRIBUTE=VALUE``); at-most bounds: no seat beyond the bound."""
    bounds = planner.rules.attribute_quota.bounds
    if planner.rules.mode(RULE_ID) == "off" or not bounds:
        return None
    return _Seating(planner, bounds)
