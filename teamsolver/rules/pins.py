"""``pins`` (always hard): planners' pins hold.

Every ``require`` pin (m, g, role) counts 1 unless m holds a seat in g, with role ``role`` when
the pin gives one. Every ``forbid`` pin (m, g) counts 1 when m holds a seat in g; a forbid pin
forbids the whole group, whatever its role (as validation warns). Each pin row counts on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n.phrase import Ids, Phrase, Words
from .base import AlwaysRule, Candidate, Change, Context, Counting, Violation, Where

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

RULE_ID = "pins"


Settings = AlwaysRule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for pin in ctx.instance.pins:
        group = ctx.groups.get(pin.group)
        round_id = group.round if group is not None else None
        roles = [s.role for s in ctx.by_member.get(pin.member, ()) if s.group == pin.group]
        if pin.kind == "require":
            if not roles:
                message = (
                    Phrase("violation.pins.absent", member=pin.member, group=pin.group)
                    if pin.role is None
                    else Phrase(
                        "violation.pins.absent-as",
                        member=pin.member,
                        group=pin.group,
                        role=Phrase(f"role.{pin.role}"),
                    )
                )
            elif pin.role is not None and pin.role not in roles:
                message = Phrase(
                    "violation.pins.other-role",
                    member=pin.member,
                    group=pin.group,
                    role=Phrase(f"role.{pin.role}"),
                    roles=Ids([Phrase(f"role.{r}") for r in roles]),
                )
            else:
                continue
        elif roles:
            message = Phrase("violation.pins.forbidden", member=pin.member, group=pin.group)
        else:
            continue
        out.append(
            Violation.of(RULE_ID, message, round=round_id, group=pin.group, members=(pin.member,))
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
    assert item.group is not None and item.member is not None
    if (item.member, item.group) in ctx.forbidden:
        return Phrase("explain.pins.forbids", member=item.member, group=item.group)
    role = ctx.required.get((item.member, item.group))
    if role is None:
        return Phrase("explain.pins.requires", member=item.member, group=item.group)
    return Phrase(
        "explain.pins.requires-as",
        member=item.member,
        group=item.group,
        role=Phrase(f"role.{role}"),
    )


def suggestions(item: Where, ctx: WordsContext) -> list[Candidate]:
    if item.group is None or item.member is None:
        return []
    kind = "forbid" if (item.member, item.group) in ctx.forbidden else "require"
    return [
        (
            Phrase(f"suggest.pins.drop-{kind}", member=item.member, group=item.group),
            (Change(op="remove", table="pins", key=f"{item.member}@{item.group}"),),
        )
    ]


def inputs(v: Inputs) -> None:
    """Nothing: the input alone never shows this rule impossible (validation checks its ids)."""


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    inst = m.instance
    for (mi, gi), role in m.required.items():
        g, member = inst.groups[gi], inst.members[mi]
        where = Where("pins", g.round, g.id, member.id)
        m.post(where, m.cp.add(m.x[(mi, gi)] == 1))
        if role == "leader":
            m.post(where, m.cp.add(m.lead[(mi, gi)] == 1))
        elif role == "deputy":
            m.post(where, m.cp.add(m.dep[(mi, gi)] == 1))
        elif role == "member":
            for table in (m.lead, m.dep):
                if (mi, gi) in table:
                    m.post(where, m.cp.add(table[(mi, gi)] == 0))


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> None:
    """None: the planner seats every ``require`` pin first, whatever the checks say, and a
    ``forbid`` pin's member is not on the group's candidate list
    (:func:`teamsolver.engine.prep.prepare`)."""
    return None
