"""``group-size``: ``size_min`` ≤ seats ≤ ``size_max``.

Every group g with n seats counts ``max(0, size_min − n) + max(0, n − size_max)`` (no upper
term when ``size_max`` is unbounded). A group without any seat has n = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..text import plural
from .base import (
    OUTSIDE,
    Candidate,
    Context,
    Counting,
    Rule,
    Seating,
    Violation,
    Where,
    group_at,
    outsider,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as Words
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
        needs = []
        if short:
            needs.append(f"at least {group.size_min}")
        if surplus:
            needs.append(f"at most {group.size_max}")
        out.append(
            Violation(
                rule=RULE_ID,
                round=group.round,
                group=group.id,
                count=short + surplus,
                message=f"group {group.id} has {plural(n, 'seat')}; it needs {' and '.join(needs)}",
            )
        )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 0


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs at least ``size_min`` members, whoever they are."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    if g.size_max == g.size_min:
        says = f"{group_at(g)} needs exactly {plural(g.size_min, 'member')}"
    else:
        top = "" if g.size_max is None else f" and at most {g.size_max}"
        says = f"{group_at(g)} needs at least {plural(g.size_min, 'member')}{top}"
    return Counting(lambda m: True, ("member", "members"), g.size_min, says)


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: Words, core: Sequence[Where]) -> str:
    return ctx.count_sentence(item, core)


def suggestions(item: Where, ctx: Words) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    if g is None or item.member is not None:
        return []
    out: list[Candidate] = []
    if g.size_min > 0:
        out.append(
            (
                f"lower size_min of {g.id} from {g.size_min} to {g.size_min - 1}",
                (set_change("groups", g.id, "size_min", g.size_min - 1),),
            )
        )
    if g.size_max is not None:
        out.append(
            (
                f"raise size_max of {g.id} from {g.size_max} to {g.size_max + 1}",
                (set_change("groups", g.id, "size_max", g.size_max + 1),),
            )
        )
    out.append((f"add one experienced member {OUTSIDE}", outsider(ctx.instance, "member")))
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
                f"{v.where(round_id)} needs at least {plural(seats, 'member')} but only "
                f"{available} {'is' if available == 1 else 'are'} available{v.note}",
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
