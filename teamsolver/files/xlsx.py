"""One XLSX workbook: a sheet per table and a ``rules`` sheet of dotted ``key``/``value`` rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..errors import Problem
from ..instance import REQUIRED_TABLES, TABLES, Instance
from ..settings import dotted_to_nested
from ..tables import map_headers, required_columns, table_name
from ..values import is_blank
from . import Raw, RawRules, RawTable
from .cells import rules_rows, table_grid


def read_raw(path: Path) -> Raw:
    raw = Raw(source=path.name, table_word="sheet")
    try:
        _read_book(path, raw)
    except OSError as exc:
        raw.problems.append(
            Problem(message=f"cannot read the file: {exc.strerror or exc}", file=path.name)
        )
        raw.unreadable = True
    except Exception:  # a damaged workbook can fail in many ways inside openpyxl
        raw.problems.append(Problem(message=_not_a_workbook(path), file=path.name))
        raw.unreadable = True
    return raw


def _not_a_workbook(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: old .xls, or an encrypted .xlsx
        return (
            "an old .xls workbook or a password-protected one; save it as .xlsx "
            "(Excel Workbook) without a password"
        )
    return "not an Excel workbook, or a damaged one; save it from Excel or LibreOffice as .xlsx"


def _read_book(path: Path, raw: Raw) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            table = table_name(sheet.title)
            label = f"{path.name}, sheet {sheet.title}"
            if table is None:
                raw.problems.append(
                    Problem(
                        message=f"sheet {sheet.title!r} is not a table "
                        "teamsolver reads and is ignored",
                        file=label,
                        severity="warning",
                    )
                )
                continue
            if table in raw.tables or (table == "rules" and raw.rules is not None):
                raw.problems.append(
                    Problem(
                        message=f"a second sheet for table {table!r} is ignored",
                        file=label,
                        severity="warning",
                    )
                )
                continue
            grid = [
                (n, list(row))
                for n, row in enumerate(sheet.iter_rows(values_only=True), 1)
                if any(v is not None and str(v).strip() for v in row)
            ]
            if not grid:
                if table in REQUIRED_TABLES:
                    raw.problems.append(
                        Problem(
                            message="the sheet is empty; expected a header row",
                            file=label,
                            table=table,
                            row=1,
                        )
                    )
                continue
            header_row, header = grid[0]
            if table == "rules":
                raw.rules = _rules(header_row, header, grid[1:], label, raw.problems)
                continue
            columns, problems = map_headers(table, header, label)
            raw.problems.extend(p.model_copy(update={"row": header_row}) for p in problems)
            rows = [
                (n, {c: row[j] for j, c in enumerate(columns) if c and j < len(row)})
                for n, row in grid[1:]
            ]
            missing = frozenset(required_columns(table)) - set(columns)
            raw.tables[table] = RawTable(label, rows, missing=missing)
    finally:
        book.close()


def _rules(
    header_row: int,
    header: list[Any],
    rows: list[tuple[int, list[Any]]],
    label: str,
    problems: list[Problem],
) -> RawRules | None:
    """Settings from a sheet of ``key``/``value`` rows; an empty value keeps the default."""
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    names = [{"键": "key", "值": "value"}.get(n, n) for n in names]
    if "key" not in names or "value" not in names:
        problems.append(
            Problem(
                message="the rules sheet needs columns 'key' and 'value'",
                file=label,
                table="rules",
                row=header_row,
            )
        )
        return None
    k, v = names.index("key"), names.index("value")
    pairs: list[tuple[str, Any, int]] = []
    for n, row in rows:
        key = row[k] if k < len(row) else None
        value = row[v] if v < len(row) else None
        if is_blank(key):
            if not is_blank(value):
                problems.append(
                    Problem(
                        message="a value without a key; expected a dotted key like "
                        "'party-branch.min'",
                        file=label,
                        table="rules",
                        row=n,
                        column="key",
                    )
                )
            continue
        if not is_blank(value):
            pairs.append((str(key).strip(), value, n))
    nested, found = dotted_to_nested(pairs, label)
    problems.extend(found)
    where = {(key.rpartition(".")[0], key.rpartition(".")[2]): n for key, _, n in pairs}

    def line_of(section: str, key: str | None) -> int | None:
        if key is None:
            return next((n for (s, _), n in where.items() if s == section), None)
        return where.get((section, key))

    return RawRules(nested, label, line_of, "row", sheet=True)


def write(instance: Instance, path: Path) -> None:
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for table in TABLES:
        grid = table_grid(instance, table)
        if grid is not None:
            sheets.append((table, *grid))
    sheets.append(("rules", ["key", "value"], [list(kv) for kv in rules_rows(instance.rules)]))
    write_book(path, sheets)


def write_book(path: Path, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    """Write sheets of (title, header, rows) atomically: bold frozen headers, sized columns,
    and every text cell stored as text, so that ``=…`` from the input is never a formula.

    A normal (not write-only) workbook records each sheet's dimension, which lets openpyxl read
    it back in one pass instead of two.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    for n, (title, header, rows) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(row)
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        for i, name in enumerate(header):
            width = max(
                [
                    _display_width(name),
                    *(_display_width(r[i]) for r in rows[:200] if i < len(r) and r[i] is not None),
                ]
            )
            sheet.column_dimensions[_letter(i)].width = min(max(width + 2, 8), 60)
    with atomic_path(path, ".xlsx") as tmp:
        book.save(tmp)


def _display_width(value: Any) -> int:
    """Columns a value takes on screen: wide (CJK) characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))
