"""``unit-draw-cap``: no home unit is stripped of too many staff.

With n(r, u) = seats of round r whose member's home unit is u, and n(g, u) the same within
group g, the rule counts

- per round r and home unit u: ``max(0, n(r, u) − cap(u))``, ``cap(u)`` = ``u.max_drawn`` if
  set, else ``max_per_round`` (no term when both are unbounded);
- per group g and home unit u: ``max(0, n(g, u) − max_per_group)`` (none when unbounded).

Seats of members not in the pool have no home unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from ..data.values import OptInt
from ..i18n.phrase import Count, Ids, Phrase, Words
from .base import (
    Candidate,
    Context,
    Counting,
    Rule,
    Seating,
    Violation,
    Where,
    changed,
    listed,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..data.roster import Seat
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "unit-draw-cap"


class Settings(Rule):
    max_per_round: OptInt = Field(None, ge=0)
    max_per_group: OptInt = Field(2, ge=0)


def _by_home(ctx: Context, seats: Sequence[Seat]) -> dict[str, list[str]]:
    by_home: dict[str, list[str]] = defaultdict(list)
    for seat in seats:
        member = ctx.members.get(seat.member)
        if member is not None:
            by_home[member.unit].append(seat.member)
    return by_home


def check(ctx: Context) -> list[Violation]:
    settings = ctx.rules.unit_draw_cap
    out: list[Violation] = []
    for round_id in ctx.rounds:
        for unit_id, drawn in _by_home(ctx, ctx.by_round[round_id]).items():
            unit = ctx.units.get(unit_id)
            own = unit.max_drawn if unit is not None else None
            cap = own if own is not None else settings.max_per_round
            if cap is None or len(drawn) <= cap:
                continue
            which = (
                Phrase("violation.unit-draw-cap.own", unit=unit_id)
                if own is not None
                else Phrase("violation.unit-draw-cap.any")
            )
            words = Phrase(
                "violation.unit-draw-cap.round",
                round=round_id,
                n=Count("phrase.count.member", len(drawn)),
                unit=unit_id,
                ids=Ids(drawn),
                cap=cap,
                which=which,
            )
            out.append(
                Violation.of(
                    RULE_ID, words, round=round_id, members=tuple(drawn), count=len(drawn) - cap
                )
            )
    cap = settings.max_per_group
    if cap is None:
        return out
    for group in ctx.instance.groups:
        for unit_id, drawn in _by_home(ctx, ctx.by_group[group.id]).items():
            if len(drawn) > cap:
                words = Phrase(
                    "violation.unit-draw-cap.group",
                    group=group.id,
                    n=Count("phrase.count.member", len(drawn)),
                    unit=unit_id,
                    ids=Ids(drawn),
                    cap=cap,
                )
                out.append(
                    Violation.of(
                        RULE_ID,
                        words,
                        round=group.round,
                        group=group.id,
                        members=tuple(drawn),
                        count=len(drawn) - cap,
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
    assert item.unit is not None
    rules = inst.rules
    drawn = [m.id for m in inst.members if m.unit == item.unit and m.status == "active"]
    active = {"active": len(drawn), "ids": listed(drawn)}
    if item.group is not None:
        cap = rules.unit_draw_cap.max_per_group
        return Phrase(
            "explain.unit-draw-cap.group",
            n=Count("phrase.count.member", cap or 0),
            unit=item.unit,
            group=item.group,
            **active,
        )
    u = inst.unit_by_id.get(item.unit)
    limit = u.max_drawn if u is not None and u.max_drawn is not None else None
    limit = limit if limit is not None else rules.unit_draw_cap.max_per_round
    return Phrase(
        "explain.unit-draw-cap.round",
        n=Count("phrase.count.member", limit or 0),
        unit=item.unit,
        round=item.round,
        **active,
    )


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    inst = ctx.instance
    if not item.unit:
        return []
    cap = inst.rules.unit_draw_cap
    if item.group is not None:
        if cap.max_per_group is None:
            return []
        return [
            (
                changed(
                    "raise",
                    "unit-draw-cap.max_per_group",
                    cap.max_per_group,
                    cap.max_per_group + 1,
                ),
                (set_change("rules", RULE_ID, "max_per_group", cap.max_per_group + 1),),
            )
        ]
    u = inst.unit_by_id.get(item.unit)
    if u is not None and u.max_drawn is not None:
        return [
            (
                Phrase(
                    "suggest.unit-draw-cap.one-more",
                    unit=u.id,
                    before=u.max_drawn,
                    after=u.max_drawn + 1,
                ),
                (set_change("units", u.id, "max_drawn", u.max_drawn + 1),),
            )
        ]
    if cap.max_per_round is not None:
        return [
            (
                changed(
                    "raise",
                    "unit-draw-cap.max_per_round",
                    cap.max_per_round,
                    cap.max_per_round + 1,
                ),
                (set_change("rules", RULE_ID, "max_per_round", cap.max_per_round + 1),),
            )
        ]
    return []


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    if m.mode("unit-draw-cap") == "off":
        return
    inst = m.instance
    cap = m.rules.unit_draw_cap
    units = inst.unit_by_id
    unit_of = [member.unit for member in inst.members]
    # Seats by (round, unit): member and proto index of each seat variable.
    per_round: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for gi, g in enumerate(inst.groups):
        ri = m.facts.round_of[gi]
        per_group: dict[str, list[int]] = defaultdict(list)
        for mi, i in zip(m.by_group[gi], m.group_index[gi], strict=True):
            unit = unit_of[mi]
            per_group[unit].append(i)
            per_round[(ri, unit)].append((mi, i))
        if cap.max_per_group is not None:
            for unit, seats in per_group.items():
                if len(seats) <= cap.max_per_group:
                    continue  # never more than the cap: no row (at_most would drop it)
                m.at_most(
                    "unit-draw-cap",
                    Where("unit-draw-cap", g.round, g.id, unit=unit),
                    m.ones(seats),
                    cap.max_per_group,
                    len(seats),
                )
    for (ri, unit), pairs in per_round.items():
        u = units.get(unit)
        limit = u.max_drawn if u is not None and u.max_drawn is not None else cap.max_per_round
        if limit is None:
            continue
        members = {mi for mi, _ in pairs}
        if len(members) <= limit:
            continue
        m.at_most(
            "unit-draw-cap",
            Where("unit-draw-cap", m.facts.rounds[ri], unit=unit),
            m.ones([i for _, i in pairs]),
            limit,
            len(members),
        )


# -- the greedy planner's desk check -----------------------------------------------------
class _Seating(Seating):
    def __init__(self, planner: Greedy):
        self.p = planner
        cap = planner.rules.unit_draw_cap
        self.per_group = cap.max_per_group
        self.per_round: dict[str, int | None] = {
            u.id: u.max_drawn for u in planner.inst.units if u.max_drawn is not None
        }
        self.default = cap.max_per_round
        self.unit_of = [m.unit for m in planner.members]
        self.in_group: list[dict[str, int]] = [defaultdict(int) for _ in planner.groups]
        self.in_round: list[dict[str, int]] = [defaultdict(int) for _ in planner.inst.rounds]

    def allows(self, mi: int, gi: int, role: str) -> bool:
        unit = self.unit_of[mi]
        if self.per_group is not None and self.in_group[gi].get(unit, 0) >= self.per_group:
            return False
        cap = self.per_round.get(unit, self.default)
        return cap is None or self.in_round[self.p.round_of[gi]].get(unit, 0) < cap

    def seated(self, mi: int, gi: int, role: str) -> None:
        unit = self.unit_of[mi]
        self.in_group[gi][unit] += 1
        self.in_round[self.p.round_of[gi]][unit] += 1


def seating(planner: Greedy) -> Seating | None:
    """No more members of one home unit in a group than ``max_per_group``, nor in a round than
    the unit's ``max_drawn`` (else ``max_per_round``)."""
    return None if planner.rules.mode(RULE_ID) == "off" else _Seating(planner)
