"""``deputy-quota``: between ``deputies_min`` and ``deputies_max`` deputy seats per group, each
held by a ``can_deputy`` member.

Every group g with D seats of role ``deputy`` counts
``max(0, deputies_min − D) + max(0, D − deputies_max)``, plus 1 per deputy seat whose member
(in the pool) has ``can_deputy`` false.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..text import ids, plural
from .base import (
    OUTSIDE,
    Candidate,
    Context,
    Counting,
    RoleSeats,
    Rule,
    Seating,
    Violation,
    Where,
    able_to_hold,
    group_at,
    outsider,
    role_quota,
    role_quota_sentence,
    set_change,
)

if TYPE_CHECKING:
    from ..data.instance import Group, Instance
    from ..engine.greedy import Greedy
    from ..engine.model import Model
    from ..explainer.words import Context as Words
    from ..validation import Inputs

RULE_ID = "deputy-quota"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        deputies = [s.member for s in ctx.by_group[group.id] if s.role == "deputy"]
        n = len(deputies)
        short = max(0, group.deputies_min - n)
        surplus = max(0, n - group.deputies_max)
        if short or surplus:
            named = f" ({ids(deputies)})" if deputies else ""
            needs = []
            if short:
                needs.append(f"at least {group.deputies_min}")
            if surplus:
                needs.append(f"at most {group.deputies_max}")
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    members=tuple(deputies),
                    count=short + surplus,
                    message=f"group {group.id} has {plural(n, 'deputy', 'deputies')}{named}; "
                    f"it needs {' and '.join(needs)}",
                )
            )
        for mid in deputies:
            member = ctx.members.get(mid)
            if member is not None and not member.can_deputy:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=group.id,
                        members=(mid,),
                        message=f"member {mid} is a deputy of group {group.id} but is not in "
                        "the deputy pool (can_deputy is false)",
                    )
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 3


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs ``deputies_min`` to ``deputies_max`` members who can be deputy."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    if g.deputies_min == g.deputies_max:
        says = f"{group_at(g)} needs exactly {plural(g.deputies_min, 'deputy', 'deputies')}"
    else:
        says = f"{group_at(g)} needs {g.deputies_min} to {g.deputies_max} deputies"
    return Counting(
        lambda m: m.can_deputy,
        ("member who can be deputy", "members who can be deputy"),
        g.deputies_min,
        says,
        role="deputy",
    )


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: Words, core: Sequence[Where]) -> str:
    return role_quota_sentence(item, ctx, core, "deputy", "be deputy")


def suggestions(item: Where, ctx: Words) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    if g is None:
        return []
    if item.member:
        return [able_to_hold(item.member, "can_deputy")]
    out: list[Candidate] = []
    if g.deputies_min > 0:
        out.append(
            (
                f"lower deputies_min of {g.id} from {g.deputies_min} to {g.deputies_min - 1}",
                (set_change("groups", g.id, "deputies_min", g.deputies_min - 1),),
            )
        )
    out.append(
        (
            f"raise deputies_max of {g.id} from {g.deputies_max} to {g.deputies_max + 1}",
            (set_change("groups", g.id, "deputies_max", g.deputies_max + 1),),
        )
    )
    out.append(
        (
            f"add one experienced member who can be deputy, {OUTSIDE}",
            outsider(ctx.instance, "deputy", can_deputy=True),
        )
    )
    return out


def inputs(v: Inputs) -> None:
    """Per round: more deputies (Σ deputies_min) than available members who can be deputy."""
    if not v.pool:
        return
    for round_id in v.instance.rounds:
        deputies = sum(g.deputies_min for g in v.instance.groups_in(round_id))
        can_deputy = sum(m.can_deputy for m in v.free(round_id)) + v.slack
        if deputies > can_deputy:
            v.rule(
                RULE_ID,
                "groups",
                v.first_row[round_id],
                "deputies_min",
                f"{v.where(round_id)} needs at least {plural(deputies, 'deputy', 'deputies')} "
                f"but only {plural(can_deputy, 'available member')} can be deputy{v.note}",
            )


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    role_quota(m, RULE_ID, m.dep, lambda g: (g.deputies_min, g.deputies_max), "can_deputy")


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> Seating | None:
    """At least ``deputies_min`` deputies per group (the planner seats that many), at most
    ``deputies_max``, from members who ``can_deputy``."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    return RoleSeats(planner, "deputy", "can_deputy", lambda g: (g.deputies_min, g.deputies_max))
