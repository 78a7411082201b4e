"""Tables as grids of cells for the CSV and XLSX writers, and spreadsheet-formula escaping."""

from __future__ import annotations

from typing import Any

from ..data.instance import REQUIRED_TABLES, TABLES, Instance
from ..data.settings import Rules
from ..data.values import format_requires

#: A cell that starts with one of these is a formula to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def unescape(text: str) -> str:
    """Undo :func:`escape`: drop the apostrophe put before a formula-like value."""
    if text[:1] == "'" and text[1:2] and text[1] in (*FORMULA_STARTS, "'"):
        return text[1:]
    return text


def escape(text: str) -> str:
    """Prefix an apostrophe so that Excel shows ``=…`` as text; :func:`unescape` reverses it."""
    if text.startswith(FORMULA_STARTS) or unescape(text) != text:
        return "'" + text
    return text


def table_grid(instance: Instance, table: str) -> tuple[list[str], list[list[Any]]] | None:
    """Header and rows of ``table`` (None when an optional table is empty).

    Required columns always appear; an optional column appears when some row departs from its
    default. Lists and requirements become ``;``-joined text; numbers and booleans stay native.
    """
    rows = getattr(instance, table)
    if not rows and table not in REQUIRED_TABLES:
        return None
    model = TABLES[table]
    dumped = [r.model_dump(mode="python", exclude_defaults=True) for r in rows]
    used = set().union(*(d.keys() for d in dumped)) if dumped else set()
    columns = [name for name, f in model.model_fields.items() if f.is_required() or name in used]
    grid: list[list[Any]] = []
    for row in rows:
        out: list[Any] = []
        for col in columns:
            value = getattr(row, col)
            if col == "requires":
                value = format_requires(value)
            elif isinstance(value, tuple):
                value = ";".join(value)
            out.append(value)
        grid.append(out)
    return columns, grid


def rules_rows(rules: Rules) -> list[tuple[str, Any]]:
    """Non-default settings as (dotted key, value); lists joined with ``;``, None as unbounded."""
    out: list[tuple[str, Any]] = []
    for section, body in rules.to_dict().items():
        for key, value in body.items():
            if value is None:
                value = "unbounded"
            elif isinstance(value, list):
                value = ";".join(value)
            out.append((f"{section}.{key}", value))
    return out
