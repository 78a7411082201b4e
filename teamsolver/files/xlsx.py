"""One XLSX workbook: a sheet per table and a ``rules`` sheet of dotted ``key``/``value`` rows."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..errors import Problem
from ..instance import TABLES, Instance
from ..settings import dotted_to_nested
from ..tables import map_headers, table_name
from . import Raw, RawRules, RawTable
from .cells import rules_rows, table_grid


def read_raw(path: Path) -> Raw:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    raw = Raw()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raw.problems.append(
            Problem(
                message=f"cannot open the workbook ({type(exc).__name__}); "
                "expected an .xlsx file saved by Excel or LibreOffice",
                file=path.name,
            )
        )
        return raw
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
            grid = [
                (n, list(row))
                for n, row in enumerate(sheet.iter_rows(values_only=True), 1)
                if any(v is not None and str(v).strip() for v in row)
            ]
            if not grid:
                if table in ("members", "units", "groups"):
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
                raw.rules = _rules(header, grid[1:], label, raw.problems)
                continue
            columns, problems = map_headers(table, header, label)
            raw.problems.extend(p.model_copy(update={"row": header_row}) for p in problems)
            rows = [
                (n, {c: row[j] for j, c in enumerate(columns) if c and j < len(row)})
                for n, row in grid[1:]
            ]
            raw.tables[table] = RawTable(label, rows)
    finally:
        book.close()
    return raw


def _rules(
    header: list[Any], rows: list[tuple[int, list[Any]]], label: str, problems: list[Problem]
) -> RawRules | None:
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    names = [{"键": "key", "值": "value"}.get(n, n) for n in names]
    if "key" not in names or "value" not in names:
        problems.append(
            Problem(
                message="the rules sheet needs columns 'key' and 'value'",
                file=label,
                table="rules",
                row=1,
            )
        )
        return None
    k, v = names.index("key"), names.index("value")
    pairs = [
        (str(row[k]), row[v] if v < len(row) else None, n)
        for n, row in rows
        if k < len(row) and row[k] is not None
    ]
    nested, found = dotted_to_nested(pairs, label)
    problems.extend(found)
    where = {(key.rpartition(".")[0], key.rpartition(".")[2]): n for key, _, n in pairs}

    def line_of(section: str, key: str | None) -> int | None:
        if key is None:
            return next((n for (s, _), n in where.items() if s == section), None)
        return where.get((section, key))

    return RawRules(nested, label, line_of, "row")


def write(instance: Instance, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in TABLES:
        grid = table_grid(instance, table)
        if grid is None:
            continue
        columns, rows = grid
        sheet = book.create_sheet(table)
        sheet.freeze_panes = "A2"
        widths = [
            max([len(c), *(len(str(r[i])) for r in rows[:200] if r[i] is not None)])
            for i, c in enumerate(columns)
        ]
        for i, w in enumerate(widths):
            sheet.column_dimensions[_letter(i)].width = min(max(w + 2, 8), 60)
        head = []
        for c in columns:
            cell = WriteOnlyCell(sheet, value=c)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        for row in rows:
            sheet.append([text_cell(sheet, v) for v in row])
    sheet = book.create_sheet("rules")
    sheet.append(["key", "value"])
    for key, value in rules_rows(instance.rules):
        sheet.append([key, text_cell(sheet, value)])
    with atomic_path(path, ".xlsx") as tmp:
        book.save(tmp)


def text_cell(sheet: Any, value: Any) -> Any:
    """A cell whose text is stored as text, so ``=…`` is never taken for a formula."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))
