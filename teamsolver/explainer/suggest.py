"""The smallest changes that could lift a conflict, and how to apply them to an instance.

Each rule instance of a conflict proposes a few one-step edits (lower a requirement by one,
allow one more draw from a unit, drop a pin, add one member from outside...). ``explain`` keeps
only those that a re-solve shows to work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..engine.model import Where
from ..instance import Instance, Member, Unit
from ..settings import Rules
from .report import Change
from .words import Context

Candidate = tuple[str, tuple[Change, ...]]


def apply_changes(instance: Instance, changes: Iterable[Change]) -> Instance:
    """``instance`` with ``changes`` applied (every row re-validated)."""
    tables: dict[str, list[Any]] = {
        "members": list(instance.members),
        "units": list(instance.units),
        "groups": list(instance.groups),
        "pins": list(instance.pins),
        "conflicts": list(instance.conflicts),
    }
    rules = instance.rules.model_dump(by_alias=True)
    kinds: dict[str, type[Member] | type[Unit]] = {"members": Member, "units": Unit}
    for c in changes:
        if c.table == "rules":
            assert c.key is not None and c.column is not None
            rules[c.key][c.column] = c.value
        elif c.op == "set":
            rows = tables[c.table]
            i = next(i for i, r in enumerate(rows) if r.id == c.key)
            row = rows[i]
            dumped = row.model_dump()
            dumped[str(c.column)] = c.value
            rows[i] = type(row).model_validate(dumped)
        elif c.op == "add":
            tables[c.table].append(kinds[c.table].model_validate(c.value))
        elif c.table == "pins":
            member, _, group = str(c.key).partition("@")
            tables["pins"] = [
                p for p in tables["pins"] if not (p.member == member and p.group == group)
            ]
        elif c.table == "conflicts":
            pair = set(str(c.key).split("&"))
            tables["conflicts"] = [
                r for r in tables["conflicts"] if {r.member_a, r.member_b} != pair
            ]
    update: dict[str, Any] = {t: tuple(rows) for t, rows in tables.items()}
    update["rules"] = Rules.model_validate(rules)
    return instance.model_copy(update=update)


def _set(table: str, key: str, column: str, value: Any) -> Change:
    return Change(op="set", table=table, key=key, column=column, value=value)


def _outsider(ctx: Context, what: str, **fields: Any) -> tuple[Change, ...]:
    """Add one experienced member from a new unit outside every hierarchy and zone."""
    inst = ctx.instance
    taken_m = set(inst.member_by_id)
    taken_u = set(inst.unit_by_id)
    mid = next(f"NEW{i}" for i in range(1, len(taken_m) + 2) if f"NEW{i}" not in taken_m)
    uid = next(f"OUTSIDE{i}" for i in range(1, len(taken_u) + 2) if f"OUTSIDE{i}" not in taken_u)
    row = {
        "id": mid,
        "name": f"new {what}",
        "unit": uid,
        "rounds_served": inst.rules.experience.experienced_min,
        **fields,
    }
    return (
        Change(op="add", table="units", key=uid, value={"id": uid}),
        Change(op="add", table="members", key=mid, value=row),
    )


def candidates(item: Where, ctx: Context) -> list[Candidate]:
    """One-step edits that would lift ``item`` (some may not be enough: they are verified)."""
    inst = ctx.instance
    rules = inst.rules
    g = inst.group_by_id.get(item.group) if item.group else None
    out: list[Candidate] = []
    outside = "from outside the hierarchy (and zone) of every target"

    def add(text: str, *changes: Change) -> None:
        out.append((text, tuple(changes)))

    rule = item.rule
    if g is not None and item.member is None and rule == "group-size":
        if g.size_min > 0:
            add(
                f"lower size_min of {g.id} from {g.size_min} to {g.size_min - 1}",
                _set("groups", g.id, "size_min", g.size_min - 1),
            )
        if g.size_max is not None:
            add(
                f"raise size_max of {g.id} from {g.size_max} to {g.size_max + 1}",
                _set("groups", g.id, "size_max", g.size_max + 1),
            )
        add(f"add one experienced member {outside}", *_outsider(ctx, "member"))
    elif g is not None and rule == "specialty-coverage" and item.specialty:
        s = item.specialty
        req = dict(g.requires)
        lower = {k: v - 1 if k == s else v for k, v in req.items()}
        lower = {k: v for k, v in lower.items() if v > 0}
        add(
            f"lower the {s} requirement of {g.id} from {req[s]} to {req[s] - 1}",
            _set("groups", g.id, "requires", lower),
        )
        add(
            f"add one experienced {s} specialist {outside}",
            *_outsider(ctx, f"{s} specialist", specialties=[s]),
        )
    elif g is not None and rule in ("leader-quota", "deputy-quota") and item.member:
        column = "can_lead" if rule == "leader-quota" else "can_deputy"
        add(
            f"let {item.member} take that role ({column} = true), if they may",
            _set("members", item.member, column, True),
        )
    elif g is not None and rule == "leader-quota":
        if g.leaders > 1:
            add(
                f"lower leaders of {g.id} from {g.leaders} to {g.leaders - 1}",
                _set("groups", g.id, "leaders", g.leaders - 1),
            )
        add(
            f"add one experienced member who can lead, {outside}",
            *_outsider(ctx, "leader", can_lead=True),
        )
    elif g is not None and rule == "deputy-quota":
        if g.deputies_min > 0:
            add(
                f"lower deputies_min of {g.id} from {g.deputies_min} to {g.deputies_min - 1}",
                _set("groups", g.id, "deputies_min", g.deputies_min - 1),
            )
        add(
            f"raise deputies_max of {g.id} from {g.deputies_max} to {g.deputies_max + 1}",
            _set("groups", g.id, "deputies_max", g.deputies_max + 1),
        )
        add(
            f"add one experienced member who can be deputy, {outside}",
            *_outsider(ctx, "deputy", can_deputy=True),
        )
    elif g is not None and rule == "mentoring":
        k = rules.mentoring.max_new_per_experienced
        add(
            f"raise mentoring.max_new_per_experienced from {k} to {k + 1}",
            _set("rules", "mentoring", "max_new_per_experienced", k + 1),
        )
        add(f"add one experienced member {outside}", *_outsider(ctx, "member"))
    elif g is not None and rule == "new-leader-support":
        add(
            f"add one experienced member who can be deputy, {outside}",
            *_outsider(ctx, "deputy", can_deputy=True),
        )
    elif g is not None and rule in ("full-time-anchor", "party-branch"):
        section = rules.full_time_anchor if rule == "full-time-anchor" else rules.party_branch
        add(
            f"lower {rule}.min from {section.min} to {section.min - 1}",
            _set("rules", rule, "min", section.min - 1),
        )
        attr = "full_time" if rule == "full-time-anchor" else "party_member"
        word = "full-time member" if rule == "full-time-anchor" else "party member"
        add(f"add one experienced {word} {outside}", *_outsider(ctx, word, **{attr: True}))
    elif rule == "unit-draw-cap" and item.unit:
        cap = rules.unit_draw_cap
        if g is not None and cap.max_per_group is not None:
            add(
                f"raise unit-draw-cap.max_per_group from {cap.max_per_group} to "
                f"{cap.max_per_group + 1}",
                _set("rules", "unit-draw-cap", "max_per_group", cap.max_per_group + 1),
            )
        elif g is None:
            u = inst.unit_by_id.get(item.unit)
            if u is not None and u.max_drawn is not None:
                add(
                    f"allow one more draw from unit {u.id}: max_drawn {u.max_drawn} to "
                    f"{u.max_drawn + 1}",
                    _set("units", u.id, "max_drawn", u.max_drawn + 1),
                )
            elif cap.max_per_round is not None:
                add(
                    f"raise unit-draw-cap.max_per_round from {cap.max_per_round} to "
                    f"{cap.max_per_round + 1}",
                    _set("rules", "unit-draw-cap", "max_per_round", cap.max_per_round + 1),
                )
    elif rule == "rotation" and item.member:
        m = inst.member_by_id[item.member]
        rot = rules.rotation
        if item.round is None and m.max_rounds is not None:
            add(
                f"raise max_rounds of {m.id} from {m.max_rounds} to {m.max_rounds + 1}",
                _set("members", m.id, "max_rounds", m.max_rounds + 1),
            )
        elif item.round is None and rot.max_rounds is not None:
            add(
                f"raise rotation.max_rounds from {rot.max_rounds} to {rot.max_rounds + 1}",
                _set("rules", "rotation", "max_rounds", rot.max_rounds + 1),
            )
        elif item.round is not None and rot.min_rest > 0:
            add(
                f"lower rotation.min_rest from {rot.min_rest} to {rot.min_rest - 1}",
                _set("rules", "rotation", "min_rest", rot.min_rest - 1),
            )
    elif rule == "member-conflict" and item.member and item.other:
        add(
            f"drop the conflicts row of {item.member} and {item.other}, if it no longer holds",
            Change(op="remove", table="conflicts", key=f"{item.member}&{item.other}"),
        )
    elif rule == "no-repeat-pairing":
        lookback = rules.no_repeat_pairing.lookback
        if item.other and "@-" in item.other and lookback is not None and lookback > 1:
            add(
                f"lower no-repeat-pairing.lookback from {lookback} to {lookback - 1}",
                _set("rules", "no-repeat-pairing", "lookback", lookback - 1),
            )
        add(
            "make no-repeat-pairing soft (its default): repeated pairs then cost, not forbid",
            _set("rules", "no-repeat-pairing", "mode", "soft"),
        )
    elif rule == "recusal" and g is not None and item.member:
        out.extend(_recusal_candidates(item, ctx))
    elif rule == "pins" and g is not None and item.member:
        kind = "forbid" if (item.member, g.id) in ctx.forbidden else "require"
        add(
            f"drop the {kind} pin of {item.member} in {g.id}",
            Change(op="remove", table="pins", key=f"{item.member}@{g.id}"),
        )
    return out


def _recusal_candidates(item: Where, ctx: Context) -> list[Candidate]:
    inst = ctx.instance
    rec = inst.rules.recusal
    assert item.member is not None and item.group is not None
    m = inst.member_by_id[item.member]
    g = inst.group_by_id[item.group]
    why = " ".join(ctx.recusal_reasons(m, g))
    out: list[Candidate] = []
    personal = [t for t in g.targets if t in m.conflict_units]
    if personal:
        keep = [u for u in m.conflict_units if u not in personal]
        out.append(
            (
                f"drop {', '.join(personal)} from the conflict_units of {m.id}, if the conflict "
                "no longer holds",
                (_set("members", m.id, "conflict_units", keep),),
            )
        )
    if "zone" in why and rec.own_zone:
        out.append(
            (
                "allow inspection within one's own zone (recusal.own_zone = false)",
                (_set("rules", "recusal", "own_zone", False),),
            )
        )
    if "under" in why and rec.hierarchy:
        out.append(
            (
                "recuse only a member's own unit, not its parents and children "
                "(recusal.hierarchy = false)",
                (_set("rules", "recusal", "hierarchy", False),),
            )
        )
    if (not why or "inspected" in why) and rec.reinspect_cooldown > 0:
        c = rec.reinspect_cooldown
        out.append(
            (
                f"lower recusal.reinspect_cooldown from {c} to {c - 1}",
                (_set("rules", "recusal", "reinspect_cooldown", c - 1),),
            )
        )
    return out
