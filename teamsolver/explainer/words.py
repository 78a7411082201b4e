"""Each rule instance of a conflict in a planner's words, with the numbers behind it.

Members and units are named by id only (names are personal data); group ids and round ids are
not. Lists of ids are cut after :data:`SHOWN` entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..engine.model import Where
from ..engine.prep import Facts, prepare
from ..instance import Group, Instance, Member

SHOWN = 8
#: Other groups' claims on the same members listed at most per sentence.
SHOWN_CLAIMS = 3

#: The member attribute that each counting rule counts.
Counted = Callable[[Member], bool]


def ids(items: Iterable[str], shown: int = SHOWN) -> str:
    """``M1, M2 and M3``; a long list ends with ``and 12 more``."""
    items = list(items)
    if not items:
        return "none"
    if len(items) > shown:
        return ", ".join(items[:shown]) + f" and {len(items) - shown} more"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def n(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


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
    def barred(self, m: Member, g: Group) -> str | None:
        """Why ``m`` can never sit in ``g`` by a fixed fact (eligibility, recusal, a forbid
        pin), or None."""
        if m.status != "active":
            return f"{m.id} is {m.status}"
        if g.round in m.unavailable_rounds:
            return f"{m.id} is unavailable in round {g.round}"
        why = self.recusal_reasons(m, g)
        if why:
            return f"{m.id} is recused ({'; '.join(why)})"
        if (m.id, g.id) in self.forbidden:
            return f"{m.id} is forbidden from {g.id} by a pin"
        return None

    def recusal_reasons(self, m: Member, g: Group) -> list[str]:
        mi, gi = self.m_index[m.id], self.g_index[g.id]
        return list(self.facts.recused.get((mi, gi), []))

    def candidates(self, g: Group, counted: Counted) -> tuple[list[Member], list[str]]:
        """Members with the attribute who may sit in ``g``, and why each other one may not."""
        free: list[Member] = []
        barred: list[str] = []
        for m in self.instance.members:
            if not counted(m):
                continue
            why = self.barred(m, g)
            if why is None:
                free.append(m)
            else:
                barred.append(why)
        return free, barred


def counted_by(item: Where, ctx: Context) -> tuple[Counted, tuple[str, str], int] | None:
    """For a rule that needs at least k members of a kind in a group: (who counts, the kind in
    words, singular and plural, k); None for other rules."""
    inst = ctx.instance
    if item.group is None or item.member is not None:
        return None
    g = inst.group_by_id[item.group]
    rules = inst.rules
    if item.rule == "group-size":
        return (lambda m: True), ("member", "members"), g.size_min
    if item.rule == "specialty-coverage" and item.specialty is not None:
        need = dict(g.requires).get(item.specialty, 0)
        s = item.specialty
        return (lambda m: s in m.specialties), (f"{s} specialist", f"{s} specialists"), need
    if item.rule == "leader-quota":
        return (lambda m: m.can_lead), ("member who can lead", "members who can lead"), g.leaders
    if item.rule == "deputy-quota":
        kind = ("member who can be deputy", "members who can be deputy")
        return (lambda m: m.can_deputy), kind, g.deputies_min
    if item.rule == "full-time-anchor":
        return (
            (lambda m: m.full_time),
            ("full-time member", "full-time members"),
            rules.full_time_anchor.min,
        )
    if item.rule == "party-branch":
        return (lambda m: m.party_member), ("party member", "party members"), rules.party_branch.min
    return None


def _count_sentence(item: Where, ctx: Context, core: Sequence[Where]) -> str:
    inst = ctx.instance
    assert item.group is not None
    g = inst.group_by_id[item.group]
    found = counted_by(item, ctx)
    assert found is not None
    counted, kind, _ = found
    free, barred = ctx.candidates(g, counted)
    head = _requirement(item, g, ctx)
    pool = sum(1 for m in inst.members if counted(m))
    parts = [f"{head}; the pool has {n(pool, *kind)}"]
    if barred:
        parts.append(f"{len(barred)} may not sit in {g.id}: " + _cut(barred))
    others = _also_needed(item, ctx, core, free, counted)
    seats = f"{len(free)} may sit in {g.id}" + (f" ({ids(m.id for m in free)})" if free else "")
    parts.append(seats + (f"; {others}" if others else ""))
    return ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if len(parts) > 2 else "")


def _cut(reasons: list[str]) -> str:
    shown = reasons[:SHOWN]
    more = f"; and {len(reasons) - SHOWN} more" if len(reasons) > SHOWN else ""
    return "; ".join(shown) + more


def _requirement(item: Where, g: Group, ctx: Context) -> str:
    rules = ctx.instance.rules
    at = f"Group {g.id} (round {g.round})"
    if item.rule == "group-size":
        if g.size_max == g.size_min:
            return f"{at} needs exactly {n(g.size_min, 'member')}"
        top = "" if g.size_max is None else f" and at most {g.size_max}"
        return f"{at} needs at least {n(g.size_min, 'member')}{top}"
    if item.rule == "specialty-coverage":
        need = dict(g.requires).get(item.specialty or "", 0)
        return f"{at} requires {need} {item.specialty}"
    if item.rule == "leader-quota":
        return f"{at} needs exactly {n(g.leaders, 'leader')}"
    if item.rule == "deputy-quota":
        if g.deputies_min == g.deputies_max:
            return f"{at} needs exactly {n(g.deputies_min, 'deputy', 'deputies')}"
        return f"{at} needs {g.deputies_min} to {g.deputies_max} deputies"
    if item.rule == "full-time-anchor":
        return f"{at} needs at least {n(rules.full_time_anchor.min, 'full-time member')}"
    if item.rule == "party-branch":
        return f"{at} needs at least {n(rules.party_branch.min, 'party member')} for a party branch"
    return at


def _also_needed(
    item: Where, ctx: Context, core: Sequence[Where], free: list[Member], counted: Counted
) -> str:
    """Which of ``free`` other counting rules of the conflict (same round) also count on."""
    inst = ctx.instance
    assert item.group is not None
    g = inst.group_by_id[item.group]
    claims: list[str] = []
    for other in core:
        if other == item or other.group is None or other.group == item.group:
            continue
        og = inst.group_by_id[other.group]
        if og.round != g.round:
            continue
        found = counted_by(other, ctx)
        if found is None:
            continue
        o_counted, o_kind, o_need = found
        o_free, _ = ctx.candidates(og, o_counted)
        shared = [m.id for m in free if m in o_free]
        if shared:
            verb = "counts" if len(shared) == 1 else "count"
            claims.append(
                f"{ids(shared)} also {verb} for {og.id}, which needs {n(o_need, *o_kind)}"
            )
    if len(claims) > SHOWN_CLAIMS:
        more = f"and {len(claims) - SHOWN_CLAIMS} more rules of the conflict"
        claims = [*claims[:SHOWN_CLAIMS], more]
    return "; ".join(claims)


def sentence(item: Where, ctx: Context, core: Sequence[Where]) -> str:
    """One rule instance of the conflict ``core`` in words."""
    inst = ctx.instance
    rules = inst.rules
    g = inst.group_by_id.get(item.group) if item.group else None
    rule = item.rule
    if counted_by(item, ctx) is not None:
        text = _count_sentence(item, ctx, core)
        if rule == "leader-quota" or rule == "deputy-quota":
            assert g is not None
            pinned = [
                mid
                for (mid, gid), role in ctx.required.items()
                if gid == g.id and role == ("leader" if rule == "leader-quota" else "deputy")
            ]
            if pinned:
                text += f"; pinned in that role: {ids(pinned)}"
        return text
    if rule in ("leader-quota", "deputy-quota") and g is not None and item.member is not None:
        able = "lead" if rule == "leader-quota" else "be deputy"
        role = "leader" if rule == "leader-quota" else "deputy"
        return f"{item.member} holds the {role} role in {g.id} by a pin, but cannot {able}"
    if rule == "recusal" and g is not None and item.member is not None:
        m = inst.member_by_id[item.member]
        why = ctx.recusal_reasons(m, g)
        if not why:
            cooldown = rules.recusal.reinspect_cooldown
            why = [
                f"an earlier group of the plan that they may sit in inspects a target of "
                f"{g.id}, within reinspect_cooldown {cooldown}"
            ]
        return f"{m.id} (unit {m.unit}) may not inspect {g.id}: {'; '.join(why)}"
    if rule == "pins" and g is not None and item.member is not None:
        if (item.member, g.id) in ctx.forbidden:
            return f"a pin forbids {item.member} from {g.id}"
        pinned_role = ctx.required.get((item.member, g.id))
        role = pinned_role or ""
        return f"a pin requires {item.member} in {g.id}" + (f" as {role}" if role else "")
    if rule == "member-conflict" and g is not None:
        return f"{item.member} and {item.other} must never share a group (here {g.id})"
    if rule == "mentoring" and g is not None:
        k = rules.mentoring.max_new_per_experienced
        new, _ = ctx.candidates(g, ctx.new)
        exp, _ = ctx.candidates(g, ctx.experienced)
        return (
            f"Group {g.id} may hold at most {k} new member(s) per experienced member; "
            f"at the start of the plan {n(len(new), 'new member')} ({ids(m.id for m in new)}) "
            f"and {n(len(exp), 'experienced member')} ({ids(m.id for m in exp)}) may sit there"
        )
    if rule == "new-leader-support" and g is not None:
        leads, _ = ctx.candidates(g, lambda m: m.can_lead)
        promoted = [m.id for m in leads if m.newly_promoted]
        support, _ = ctx.candidates(g, lambda m: m.can_deputy and ctx.experienced(m))
        return (
            f"a newly promoted leader of {g.id} needs an experienced deputy; of the "
            f"{n(len(leads), 'member')} who can lead there, {len(promoted)} "
            f"{'is' if len(promoted) == 1 else 'are'} newly promoted "
            f"({ids(promoted)}); experienced members who can be deputy there: "
            f"{ids(m.id for m in support)}"
        )
    if rule == "unit-draw-cap" and item.unit is not None:
        drawn = [m.id for m in inst.members if m.unit == item.unit and m.status == "active"]
        if g is not None:
            cap = rules.unit_draw_cap.max_per_group
            return (
                f"at most {n(cap or 0, 'member')} from unit {item.unit} may sit in one group "
                f"({g.id}); the unit has {len(drawn)} active: {ids(drawn)}"
            )
        u = inst.unit_by_id.get(item.unit)
        limit = u.max_drawn if u is not None and u.max_drawn is not None else None
        limit = limit if limit is not None else rules.unit_draw_cap.max_per_round
        return (
            f"at most {n(limit or 0, 'member')} from unit {item.unit} may be drawn in round "
            f"{item.round}; the unit has {len(drawn)} active: {ids(drawn)}"
        )
    if rule == "rotation" and item.member is not None:
        m = inst.member_by_id[item.member]
        if item.round is None:
            cap = m.max_rounds if m.max_rounds is not None else rules.rotation.max_rounds
            return f"{m.id} may hold at most {n(cap or 0, 'seat')} in the plan (rotation)"
        rest = rules.rotation.min_rest
        return (
            f"{m.id} must rest at least {n(rest, 'round')} between two seats, so cannot hold "
            f"a seat in round {item.round} and one in the {n(rest, 'round')} before it"
        )
    if rule == "no-repeat-pairing" and g is not None:
        other = item.other or ""
        if "@-" in other:
            past, ago = other.split("@-")
            return (
                f"at most one member of past group {past} ({ago} round(s) ago) may sit in "
                f"{g.id} (no-repeat-pairing)"
            )
        return f"groups {other} and {g.id} may share at most one member (no-repeat-pairing)"
    where = " ".join(f"{k} {v}" for k, v in vars(item).items() if v is not None and k != "rule")
    return f"{rule}: {where}"
