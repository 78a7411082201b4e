"""The smallest changes that could lift a conflict, and how to apply them to an instance.

Each rule instance of a conflict proposes a few one-step edits (lower a requirement by one,
allow one more draw from a unit, drop a pin, add one member from outside...): its rule module's
``suggestions``. ``explain`` keeps only those that a re-solve shows to work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..data.instance import Instance, Member, Unit
from ..data.settings import Rules
from ..rules import RULE_BY_ID
from ..rules.base import Candidate, Change, Where
from .words import Context


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


def candidates(item: Where, ctx: Context) -> list[Candidate]:
    """One-step edits that would lift ``item`` (some may not be enough: they are verified);
    each rule module proposes its own (``suggestions``)."""
    return RULE_BY_ID[item.rule].suggestions(item, ctx)
