"""``recusal``: nobody inspects a unit they are too close to.

A target t of a group in round r (index i_r) is *recused* for member m with home unit u when

- t = u; or
- ``hierarchy`` and t is an ancestor or a descendant of u (by ``units.parent``); or
- t ∈ ``m.conflict_units``; or
- ``own_zone`` and zone(t) = zone(u) ≠ ∅; or, with c = ``reinspect_cooldown`` > 0,
- a ``history`` row of m has unit t and ``rounds_ago + i_r ≤ c`` (rounds of the plan count as
  rounds ago too: in the plan's second round, the round before the plan is 2 rounds ago); or
- m holds a seat in an earlier round i of the plan whose group has target t and i_r − i ≤ c.

Every seat whose group has at least one target recused for its member counts 1.
Seats of members not in the pool are left to ``eligibility``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..data.values import Bool, Int
from ..i18n.phrase import Count, Join, Listed, Phrase, Words
from .base import Candidate, Context, Counting, Rule, Seating, Violation, Where, changed, set_change

if TYPE_CHECKING:
    from ..data.instance import Group, Instance, Member
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "recusal"

#: Why a member may not inspect a group, as data: words are made from it (``Reason.phrase``),
#: suggestions read its ``kind``; nothing parses the sentence back.
ReasonKind = Literal[
    "own-unit", "target-under-unit", "unit-under-target", "zone", "conflict-unit", "history"
]


@dataclass(frozen=True)
class Reason:
    """One static reason (known before solving) that ``target`` is recused for a member:

    - ``own-unit``: the target is their own unit;
    - ``target-under-unit`` / ``unit-under-target``: the target lies under their unit ``unit``,
      or their unit ``unit`` under the target (``hierarchy``);
    - ``zone``: the target is in their own zone ``zone`` (``own_zone``);
    - ``conflict-unit``: one of their ``conflict_units``;
    - ``history``: they inspected it ``ago`` rounds before the plan (``reinspect_cooldown``).
    """

    kind: ReasonKind
    target: str
    unit: str | None = None
    zone: str | None = None
    ago: int | None = None

    def words(self) -> str:
        """The reason in English."""
        return self.phrase().render()

    def phrase(self) -> Phrase:
        """The reason in words (any language)."""
        ago = Count("phrase.count.round", self.ago or 0)
        return Phrase(
            f"explain.recusal.{self.kind}",
            target=self.target,
            unit=self.unit or "",
            zone=self.zone or "",
            ago=ago,
        )


class Settings(Rule):
    hierarchy: Bool = True
    own_zone: Bool = False
    reinspect_cooldown: Int = Field(0, ge=0)


def _reasons(
    ctx: Context,
    member: Member,
    target: str,
    index: int,
    earlier: dict[tuple[str, str], list[int]],
) -> list[Phrase]:
    settings = ctx.rules.recusal
    home = member.unit
    reasons: list[Phrase] = []
    if target == home:
        reasons.append(Phrase("violation.recusal.own-unit"))
    elif settings.hierarchy and target in ctx.ancestors(home):
        reasons.append(Phrase("violation.recusal.above", unit=home))
    elif settings.hierarchy and home in ctx.ancestors(target):
        reasons.append(Phrase("violation.recusal.under", unit=home))
    if target in member.conflict_units:
        reasons.append(Phrase("violation.recusal.conflict-unit"))
    if settings.own_zone and target != home:
        zone = ctx.zone(home)
        if zone is not None and ctx.zone(target) == zone:
            reasons.append(Phrase("violation.recusal.zone", zone=zone, unit=home))
    cooldown = settings.reinspect_cooldown
    if cooldown > 0:
        wait = Count("phrase.count.round", cooldown)
        last = ctx.last_inspected(member.id, target)
        ago = None if last is None else last + index
        if ago is not None and ago <= cooldown:
            reasons.append(
                Phrase("violation.recusal.history", ago=Count("phrase.count.round", ago), wait=wait)
            )
        for i in earlier.get((member.id, target), ()):
            if i < index and index - i <= cooldown:
                reasons.append(Phrase("violation.recusal.earlier", round=ctx.rounds[i], wait=wait))
                break
    return reasons


def check(ctx: Context) -> list[Violation]:
    earlier: dict[tuple[str, str], list[int]] = defaultdict(list)
    if ctx.rules.recusal.reinspect_cooldown > 0:
        for seat in ctx.placed:
            if seat.member in ctx.members:
                i = ctx.round_index[seat.round]
                for target in ctx.groups[seat.group].targets:
                    earlier[(seat.member, target)].append(i)
    out: list[Violation] = []
    for seat in ctx.placed:
        member = ctx.members.get(seat.member)
        if member is None:
            continue
        index = ctx.round_index[seat.round]
        found = []
        for target in ctx.groups[seat.group].targets:
            reasons = _reasons(ctx, member, target, index, earlier)
            if reasons:
                found.append(Phrase("violation.recusal.target", unit=target, why=Join(reasons)))
        if found:
            words = Phrase(
                "violation.recusal.seat",
                member=seat.member,
                group=seat.group,
                round=seat.round,
                targets=Join(found, "or"),
            )
            out.append(
                Violation.of(
                    RULE_ID, words, round=seat.round, group=seat.group, members=(seat.member,)
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
    inst = ctx.instance
    assert item.group is not None and item.member is not None
    g = inst.group_by_id[item.group]
    m = inst.member_by_id[item.member]
    why = [r.phrase() for r in ctx.recusal_reasons(m, g)]
    if not why:
        cooldown = inst.rules.recusal.reinspect_cooldown
        why = [Phrase("explain.recusal.cooldown", group=g.id, cooldown=cooldown)]
    return Phrase("explain.recusal.may-not", member=m.id, unit=m.unit, group=g.id, why=Join(why))


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    inst = ctx.instance
    rec = inst.rules.recusal
    if item.member is None or item.group is None:
        return []
    m = inst.member_by_id[item.member]
    g = inst.group_by_id[item.group]
    kinds = {r.kind for r in ctx.recusal_reasons(m, g)}
    out: list[Candidate] = []
    personal = [t for t in g.targets if t in m.conflict_units]
    if personal:
        keep = [u for u in m.conflict_units if u not in personal]
        out.append(
            (
                Phrase(
                    "suggest.recusal.conflict-units",
                    units=Listed(personal),
                    member=m.id,
                ),
                (set_change("members", m.id, "conflict_units", keep),),
            )
        )
    if "zone" in kinds and rec.own_zone:
        out.append(
            (
                Phrase("suggest.recusal.own-zone"),
                (set_change("rules", "recusal", "own_zone", False),),
            )
        )
    if kinds & {"target-under-unit", "unit-under-target"} and rec.hierarchy:
        out.append(
            (
                Phrase("suggest.recusal.hierarchy"),
                (set_change("rules", "recusal", "hierarchy", False),),
            )
        )
    # No static reason: the cooldown within the plan (an earlier round) keeps them out.
    if (not kinds or "history" in kinds) and rec.reinspect_cooldown > 0:
        c = rec.reinspect_cooldown
        out.append(
            (
                changed("lower", "recusal.reinspect_cooldown", c, c - 1),
                (set_change("rules", "recusal", "reinspect_cooldown", c - 1),),
            )
        )
    return out


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    """Static recusal is in the variables; here: soft costs and cooldown within the plan."""
    mode = m.mode("recusal")
    if mode == "off":
        return
    inst = m.instance
    if mode == "soft":
        for (mi, gi), _ in m.facts.recused.items():
            if (mi, gi) in m.x:
                m.parts["recusal"].add(m.x[(mi, gi)])
    cooldown = m.rules.recusal.reinspect_cooldown
    if cooldown <= 0 or len(m.facts.rounds) < 2:
        return
    targets = [set(g.targets) for g in inst.groups]
    for mi, gis in m.by_member.items():
        for g2 in gis:
            r2 = m.facts.round_of[g2]
            if (mi, g2) in m.facts.recused:
                continue  # already a violation (or no variable) for static reasons
            earlier = [
                g1
                for g1 in gis
                if 0 < r2 - m.facts.round_of[g1] <= cooldown and targets[g1] & targets[g2]
            ]
            if not earlier:
                continue
            x2 = m.x[(mi, g2)]
            g = inst.groups[g2]
            if mode == "hard":
                for g1 in earlier:
                    m.post(
                        Where("recusal", g.round, g.id, inst.members[mi].id),
                        m.cp.add(m.x[(mi, g1)] + x2 <= 1),
                    )
            else:
                v = m.cp.new_bool_var("")
                for g1 in earlier:
                    m.cp.add(v >= m.x[(mi, g1)] + x2 - 1)
                m.parts["recusal"].add(v)


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy, cooldown: int):
        self.p = planner
        self.cooldown = cooldown
        self.targets = [frozenset(g.targets) for g in planner.groups]

    def allows(self, mi: int, gi: int, role: str) -> bool:
        p = self.p
        earlier = p.member_groups.get(mi)
        if not earlier:
            return True
        ri = p.round_of[gi]
        targets = self.targets[gi]
        return not any(
            0 < ri - p.round_of[gj] <= self.cooldown and targets & self.targets[gj]
            for gj in earlier
        )


def seating(planner: Greedy) -> Seating | None:
    """The cooldown within the plan: a member who inspects a unit in one round does not inspect
    it again within ``reinspect_cooldown`` rounds. The rest of the rule (own unit, hierarchy,
    zone, conflict units, history) keeps members off the planner's candidate lists
    (:func:`teamsolver.engine.prep.prepare`; where the rule is soft, as if it were hard)."""
    rules = planner.rules
    if rules.mode(RULE_ID) == "off" or rules.recusal.reinspect_cooldown <= 0:
        return None
    return _Seating(planner, rules.recusal.reinspect_cooldown)
