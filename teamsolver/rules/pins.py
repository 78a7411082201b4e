"""``pins`` (always hard): planners' pins hold.

Every ``require`` pin (m, g, role) counts 1 unless m holds a seat in g, with role ``role`` when
the pin gives one. Every ``forbid`` pin (m, g) counts 1 when m holds a seat in g; a forbid pin
forbids the whole group, whatever its role (as validation warns). Each pin row counts on its own.
"""

from __future__ import annotations

from ..audit import Context, Violation, ids

RULE_ID = "pins"


def check(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for pin in ctx.instance.pins:
        group = ctx.groups.get(pin.group)
        round_id = group.round if group is not None else None
        roles = [s.role for s in ctx.by_member.get(pin.member, ()) if s.group == pin.group]
        if pin.kind == "require":
            if not roles:
                as_role = f" as {pin.role}" if pin.role else ""
                message = (
                    f"member {pin.member} is pinned to group {pin.group}{as_role} "
                    "but holds no seat there"
                )
            elif pin.role is not None and pin.role not in roles:
                message = (
                    f"member {pin.member} is pinned to group {pin.group} as {pin.role} "
                    f"but sits there as {ids(roles)}"
                )
            else:
                continue
        elif roles:
            message = f"member {pin.member} is pinned out of group {pin.group} but sits there"
        else:
            continue
        out.append(
            Violation(
                rule=RULE_ID,
                round=round_id,
                group=pin.group,
                members=(pin.member,),
                message=message,
            )
        )
    return out
