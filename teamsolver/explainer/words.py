"""Each rule instance of a conflict in a planner's words, with the numbers behind it.

The words of each rule live in its module (``sentence``, and ``counting`` for the rules that
need at least k members of a kind in a group); this module holds what they share: who may sit
where and why not (:class:`Context`), and the sentence of a counting rule
(:meth:`Context.count_sentence`). Members and units are named by id only (names are personal
data); group ids and round ids are not. Lists of ids are cut after :data:`SHOWN` entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..data.instance import Group, Instance, Member
from ..engine.prep import Facts, prepare
from ..i18n.phrase import Count, Join, Phrase, Words
from ..rules import RULE_BY_ID
from ..rules.base import SHOWN, Counting, Where, listed
from ..rules.recusal import Reason

#: Other groups' claims on the same members listed at most per sentence.
SHOWN_CLAIMS = 3

#: The member attribute that a counting rule counts.
Counted = Callable[[Member], bool]


@dataclass(frozen=True)
class Barred:
    """Why a member can never sit in a group by a fixed fact: the rule, and its words."""

    rule: str
    text: Words


class Context:
    """What the sentences need: the instance, who is barred from which group and why."""

    def __init__(self, instance: Instance):
        self.instance = instance
        rules = instance.rules
        hard_recusal = rules.mode("recusal") == "hard"
        unpinned = instance.model_copy(
            update={"pins": tuple(p for p in instance.pins if p.kind != "forbid")}
        )
        self.facts: Facts = prepare(unpinned, "hard" if hard_recusal else "off")
        self.m_index = {m.id: i for i, m in enumerate(instance.members)}
        self.g_index = {g.id: i for i, g in enumerate(instance.groups)}
        self.forbidden = {(p.member, p.group) for p in instance.pins if p.kind == "forbid"}
        self.required = {(p.member, p.group): p.role for p in instance.pins if p.kind == "require"}
        exp = rules.experience
        self.experienced: Counted = lambda m: m.rounds_served >= exp.experienced_min
        self.new: Counted = lambda m: m.rounds_served <= exp.new_max

    # -- who may sit where --------------------------------------------------------------------
    def barred(self, m: Member, g: Group) -> Barred | None:
        """Why ``m`` can never sit in ``g`` by a fixed fact (eligibility, recusal, a forbid
        pin), or None."""
        if m.status != "active":
            status = Phrase(f"phrase.status.{m.status}")
            return Barred(
                "eligibility", Phrase("explain.barred.status", member=m.id, status=status)
            )
        if g.round in m.unavailable_rounds:
            return Barred(
                "eligibility", Phrase("explain.barred.unavailable", member=m.id, round=g.round)
            )
        why = self.recusal_reasons(m, g)
        if why:
            return Barred(
                "recusal",
                Phrase("explain.barred.recused", member=m.id, why=Join(r.phrase() for r in why)),
            )
        if (m.id, g.id) in self.forbidden:
            return Barred("pins", Phrase("explain.barred.pin", member=m.id, group=g.id))
        return None

    def recusal_reasons(self, m: Member, g: Group) -> list[Reason]:
        mi, gi = self.m_index[m.id], self.g_index[g.id]
        return list(self.facts.recused.get((mi, gi), []))

    def candidates(self, g: Group, counted: Counted) -> tuple[list[Member], list[Words]]:
        """Members with the attribute who may sit in ``g``, and why each other one may not."""
        free: list[Member] = []
        barred: list[Words] = []
        for m in self.instance.members:
            if not counted(m):
                continue
            why = self.barred(m, g)
            if why is None:
                free.append(m)
            else:
                barred.append(why.text)
        return free, barred

    # -- the sentence of a counting rule --------------------------------------------------------
    def count_sentence(self, item: Where, core: Sequence[Where]) -> Words:
        """A requirement of at least k members of a kind in a group: what the pool has, who is
        barred from the group and why, who may sit there and which other rules of the conflict
        count on the same members."""
        inst = self.instance
        assert item.group is not None
        g = inst.group_by_id[item.group]
        found = counted_by(item, self)
        assert found is not None
        free, barred = self.candidates(g, found.counts)
        pool = sum(1 for m in inst.members if found.counts(m))
        head = Phrase("explain.count.pool", says=found.says, pool=found.kind(pool))
        others = self._also_needed(item, core, free, found.counts)
        seats: Words = (
            Phrase("explain.count.free", n=len(free), group=g.id, ids=listed(m.id for m in free))
            if free
            else Phrase("explain.count.none-free", group=g.id)
        )
        if others:
            seats = Join([seats, others])
        if not barred:
            return Phrase("explain.count.sentence", head=head, seats=seats)
        return Phrase(
            "explain.count.barred",
            head=head,
            n=len(barred),
            group=g.id,
            why=_cut(barred),
            seats=seats,
        )

    def _also_needed(
        self, item: Where, core: Sequence[Where], free: list[Member], counted: Counted
    ) -> Words | None:
        """Which of ``free`` other counting rules of the conflict (same round) also count on."""
        inst = self.instance
        assert item.group is not None
        g = inst.group_by_id[item.group]
        claims: list[Words] = []
        for other in core:
            if other == item or other.group is None or other.group == item.group:
                continue
            og = inst.group_by_id[other.group]
            if og.round != g.round:
                continue
            found = counted_by(other, self)
            if found is None:
                continue
            o_free, _ = self.candidates(og, found.counts)
            shared = [m.id for m in free if m in o_free]
            if shared:
                claims.append(
                    Count(
                        "explain.count.also",
                        len(shared),
                        ids=listed(shared),
                        group=og.id,
                        need=found.kind(found.need),
                    )
                )
        if not claims:
            return None
        if len(claims) > SHOWN_CLAIMS:
            more = Phrase("explain.count.more-rules", n=len(claims) - SHOWN_CLAIMS)
            claims = [*claims[:SHOWN_CLAIMS], more]
        return Join(claims)


def _cut(reasons: list[Words]) -> Words:
    if len(reasons) <= SHOWN:
        return Join(reasons)
    return Join([*reasons[:SHOWN], Phrase("explain.count.more", n=len(reasons) - SHOWN)])


def counted_by(item: Where, ctx: Context) -> Counting | None:
    """For a rule instance that needs at least k members of a kind in a group: who counts, the
    kind in words, k and the requirement in words; None for other rule instances."""
    if item.group is None or item.member is not None:
        return None
    return RULE_BY_ID[item.rule].counting(item, ctx.instance)


def sentence(item: Where, ctx: Context, core: Sequence[Where]) -> Words:
    """One rule instance of the conflict ``core`` in words (its rule module's ``sentence``)."""
    return RULE_BY_ID[item.rule].sentence(item, ctx, core)
