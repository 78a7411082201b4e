"""``leader-quota``: exactly ``leaders`` leader seats per group, each held by a ``can_lead``
member.

Every group g with L seats of role ``leader`` counts ``|L − g.leaders|``, plus 1 per leader seat
whose member (in the pool) has ``can_lead`` false.
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

RULE_ID = "leader-quota"


Settings = Rule


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for group in ctx.instance.groups:
        leaders = [s.member for s in ctx.by_group[group.id] if s.role == "leader"]
        n = len(leaders)
        if n != group.leaders:
            named = f" ({ids(leaders)})" if leaders else ""
            out.append(
                Violation(
                    rule=RULE_ID,
                    round=group.round,
                    group=group.id,
                    members=tuple(leaders),
                    count=abs(n - group.leaders),
                    message=f"group {group.id} has {plural(n, 'leader')}{named}; "
                    f"it needs exactly {group.leaders}",
                )
            )
        for mid in leaders:
            member = ctx.members.get(mid)
            if member is not None and not member.can_lead:
                out.append(
                    Violation(
                        rule=RULE_ID,
                        round=group.round,
                        group=group.id,
                        members=(mid,),
                        message=f"member {mid} leads group {group.id} but is not in the "
                        "leader pool (can_lead is false)",
                    )
                )
    return out


# -- in words: explanations, suggestions, what the input alone shows impossible ----------
#: Where this rule's instances come in an explanation (group requirements first).
RANK = 2


def counting(item: Where, instance: Instance) -> Counting | None:
    """The group needs exactly ``leaders`` members who can lead."""
    assert item.group is not None
    g = instance.group_by_id[item.group]
    return Counting(
        lambda m: m.can_lead,
        ("member who can lead", "members who can lead"),
        g.leaders,
        f"{group_at(g)} needs exactly {plural(g.leaders, 'leader')}",
        role="leader",
    )


def requirements(g: Group, instance: Instance) -> list[Where]:
    return [Where(RULE_ID, g.round, g.id)]


def sentence(item: Where, ctx: Words, core: Sequence[Where]) -> str:
    return role_quota_sentence(item, ctx, core, "leader", "lead")


def suggestions(item: Where, ctx: Words) -> list[Candidate]:
    g = ctx.instance.group_by_id.get(item.group or "")
    if g is None:
        return []
    if item.member:
        return [able_to_hold(item.member, "can_lead")]
    out: list[Candidate] = []
    if g.leaders > 1:
        out.append(
            (
                f"lower leaders of {g.id} from {g.leaders} to {g.leaders - 1}",
                (set_change("groups", g.id, "leaders", g.leaders - 1),),
            )
        )
    out.append(
        (
            f"add one experienced member who can lead, {OUTSIDE}",
            outsider(ctx.instance, "leader", can_lead=True),
        )
    )
    return out


def inputs(v: Inputs) -> None:
    """Per round: more leaders than available members who can lead."""
    if not v.pool:
        return
    for round_id in v.instance.rounds:
        leaders = sum(g.leaders for g in v.instance.groups_in(round_id))
        can_lead = sum(m.can_lead for m in v.free(round_id)) + v.slack
        if leaders > can_lead:
            v.rule(
                RULE_ID,
                "groups",
                v.first_row[round_id],
                "leaders",
                f"{v.where(round_id)} needs {plural(leaders, 'leader')} but only "
                f"{plural(can_lead, 'available member')} can lead{v.note}",
            )


# -- CP-SAT encoding (through the model builder: this module never imports ortools) -----
def encode(m: Model) -> None:
    role_quota(m, RULE_ID, m.lead, lambda g: (g.leaders, g.leaders), "can_lead")


# -- the greedy planner's desk check -----------------------------------------------------
def seating(planner: Greedy) -> Seating | None:
    """Each group's ``leaders``, from members who ``can_lead``, and no more."""
    if planner.rules.mode(RULE_ID) == "off":
        return None
    return RoleSeats(planner, "leader", "can_lead", lambda g: (g.leaders, g.leaders))
