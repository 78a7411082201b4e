"""One XLSX workbook: a sheet per table and a ``rules`` sheet of dotted ``key``/``value`` rows.

openpyxl's fast (read-only) reader gives each cell's value, or the value Excel saved for a
formula, but not merged ranges, and it reads a formula with no saved value, like an empty cell,
as None. A quick scan of each sheet's XML finds sheets with merged ranges, formulas or error
values; only those are parsed once more (:func:`sheet_marks`) so that a merged range reads as
the planner sees it and a formula with no saved value is refused, never read as empty.

openpyxl is imported inside the functions that use it: it takes about 0.2 s to import, which a
command on CSV or JSON files (and ``--help``) should not pay.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..data.errors import Problem, as_phrase, cannot_read
from ..data.instance import REQUIRED_TABLES, TABLES, Instance
from ..data.settings import dotted_to_nested
from ..data.values import FORBIDDEN_CHARACTERS, Unreadable, cell_problem, is_blank
from ..i18n.phrase import Label, Listed, Phrase, Shown
from .atomic import atomic_path
from .cells import rules_rows, table_grid
from .raw import Raw, RawRules, RawTable
from .tables import column_letter, map_headers, required_columns, table_name, typed_headers

#: A range of cells, 1-based and inclusive: (first row, first column, last row, last column).
CellRange = tuple[int, int, int, int]

#: What makes a sheet worth a second look: a formula (``<f>``, or ``<x:f>`` with a prefix), a
#: merged range or an error value. Each pattern starts with literal text, which keeps the scan
#: of a large sheet fast (one pattern with alternatives is several times slower).
_NEEDS_A_LOOK = tuple(
    re.compile(pattern) for pattern in (rb"<f[\s>/]", rb":f[\s>/]", rb"mergeCell", rb"t=[\"']e")
)
#: An escaped character in a text (OOXML ``ST_Xstring``): Excel writes a vertical tab as
#: ``_x000B_`` and a literal ``_x000B_`` as ``_x005F_x000B_``.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ESCAPED_BYTES = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_FULL_CALC_ON_LOAD = re.compile(rb"fullCalcOnLoad=[\"'](?:1|true)[\"']")
#: Tables with an id column, where two rows cannot share a value.
_KEYED = ("members", "units", "groups")


@dataclass
class SheetMarks:
    """What openpyxl's fast reader does not see in one sheet."""

    merged: list[CellRange] = field(default_factory=list)
    #: (row, column) → why the cell cannot be read as it stands.
    unreadable: dict[tuple[int, int], Phrase] = field(default_factory=dict)
    #: True when some text may hold an escaped character (``_x000B_``).
    escapes: bool = False


def range_ref(cells: CellRange) -> str:
    """``A3:A5`` (``A3`` for a single cell)."""
    r1, c1, r2, c2 = cells
    first = f"{column_letter(c1 - 1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{column_letter(c2 - 1)}{r2}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def sheet_marks(
    archive: zipfile.ZipFile, member: str, escapes: bool = False, stale: bool = False
) -> SheetMarks:
    """Merged ranges, formulas with no saved value and error values of the sheet stored at
    ``member``. ``escapes``: the shared strings hold an escaped character. ``stale``: the
    workbook asks to be recalculated when opened (``fullCalcOnLoad``), as workbooks written by
    programs (openpyxl, XlsxWriter, so pandas) do: their saved values, if any, are placeholders,
    so every formula counts as one with no saved value."""
    data = archive.read(member)
    marks = SheetMarks(escapes=escapes or _ESCAPED_BYTES.search(data) is not None)
    if not any(pattern.search(data) for pattern in _NEEDS_A_LOOK):
        return marks
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    row = col = 0
    for event, elem in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = _local(elem.tag)
        if event == "start":
            if tag == "row":
                row = int(elem.get("r") or row + 1)
                col = 0
            continue
        if tag == "c":
            ref = elem.get("r")
            row, col = coordinate_to_tuple(ref) if ref else (row, col + 1)
            parts = {_local(child.tag): child for child in elem}
            cell = range_ref((row, col, row, col))
            if elem.get("t") == "e":
                error = parts["v"].text if "v" in parts else Phrase("problem.xlsx.an_error")
                how = "formula_error" if "f" in parts else "shows_error"
                marks.unreadable[(row, col)] = Phrase(f"problem.xlsx.{how}", cell=cell, error=error)
            elif "f" in parts and (stale or not _saved(elem.get("t"), parts.get("v"))):
                marks.unreadable[(row, col)] = Phrase("problem.xlsx.unsaved_formula", cell=cell)
            elem.clear()
        elif tag == "mergeCell" and elem.get("ref"):
            c1, r1, c2, r2 = range_boundaries(elem.get("ref"))
            marks.merged.append((r1, c1, r2, c2))
        elif tag == "row":
            elem.clear()
    return marks


def _saved(kind: str | None, value: ElementTree.Element | None) -> bool:
    """True when a formula cell holds a saved value: a ``<v>`` with text, or an empty one for
    a text result (openpyxl writes an empty ``<v/>`` for a number it never computed)."""
    return value is not None and (bool(value.text) or kind in ("str", "s", "inlineStr"))


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _escape(text: str) -> str:
    """Text as a workbook can store it: a character XML forbids becomes ``_x000B_``, and a
    literal ``_x000B_`` is kept by escaping its underscore, as Excel does."""
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: "_x005F" + m.group(0), text)
    return FORBIDDEN_CHARACTERS.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def read_grid(sheet: Any, marks: SheetMarks) -> list[list[Any]]:
    """Every row of ``sheet`` from row 1 and column A, as the planner sees it: escaped
    characters decoded, and each cell of ``marks.unreadable`` as an :class:`Unreadable`."""
    grid = [list(row) for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]
    if marks.escapes:
        grid = [[_unescape(v) if isinstance(v, str) else v for v in row] for row in grid]
    for (r, c), message in marks.unreadable.items():
        _put(grid, r, c, Unreadable(message))
    return grid


def _put(grid: list[list[Any]], r: int, c: int, value: Any) -> None:
    while len(grid) < r:
        grid.append([])
    line = grid[r - 1]
    if len(line) < c:
        line.extend([None] * (c - len(line)))
    line[c - 1] = value


def first_filled(grid: Sequence[Sequence[Any]]) -> int | None:
    """The 1-based number of the first row with a value, or None."""
    return next((n for n, row in enumerate(grid, 1) if any(map(filled, row))), None)


def filled(value: Any) -> bool:
    """True for a cell that holds something: a value, or one that cannot be read."""
    return isinstance(value, Unreadable) or not is_blank(value)


def header_cells(
    grid: list[list[Any]], header_row: int, label: str, problems: list[Problem]
) -> list[Any]:
    """The header row; a header cell that cannot be read is reported and taken as empty."""
    header = list(grid[header_row - 1])
    for j, value in enumerate(header):
        if isinstance(value, Unreadable):
            problems.append(Problem(phrase=as_phrase(value.message), file=label, row=header_row))
            header[j] = None
    return header


def apply_merges(
    grid: list[list[Any]],
    merged: Sequence[CellRange],
    header_row: int,
    used: Sequence[str | None],
    key: str | None,
    label: str,
    problems: list[Problem],
) -> None:
    """Give every cell of a merged range the value of its top-left cell, which is what the
    planner sees there. A merged range that cannot mean that is refused instead: one that takes
    in the header row, one across two columns teamsolver reads, or one over several rows of the
    ``key`` column (those rows would share one id); its cells become :class:`Unreadable`."""
    for cells in merged:
        r1, c1, r2, c2 = cells
        if r2 < header_row:
            continue
        ref = range_ref(cells)
        names = [name for c in range(c1, c2 + 1) if c <= len(used) and (name := used[c - 1])]
        if r1 <= header_row:
            problems.append(
                Problem(
                    phrase=Phrase("problem.xlsx.merged_header", cells=ref),
                    file=label,
                    row=header_row,
                )
            )
            continue
        if len(names) > 1:
            value: Any = Unreadable(
                Phrase("problem.xlsx.merged_columns", cells=ref, columns=Listed(names))
            )
        elif names and names[0] == key and r2 > r1:
            value = Unreadable(
                Phrase("problem.xlsx.merged_rows", cells=ref, first=r1, last=r2, key=key)
            )
        else:
            top = grid[r1 - 1] if r1 <= len(grid) else []
            value = top[c1 - 1] if c1 <= len(top) else None
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                _put(grid, r, c, value)


def read_raw(path: Path) -> Raw:
    raw = Raw(source=path.name, table_word="sheet")
    try:
        _read_book(path, raw)
    except OSError as exc:
        raw.problems.append(Problem(phrase=cannot_read(exc), file=path.name))
        raw.unreadable = True
    except Exception:  # a damaged workbook can fail in many ways inside openpyxl
        raw.problems.append(Problem(phrase=_not_a_workbook(path), file=path.name))
        raw.unreadable = True
    return raw


def _not_a_workbook(path: Path) -> Phrase:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: old .xls, or an encrypted .xlsx
        return Phrase("problem.xlsx.old_or_locked")
    return Phrase("problem.xlsx.not_a_workbook")


class Workbook:
    """An open workbook: openpyxl's fast reader, and the archive for :func:`sheet_marks`."""

    def __init__(self, path: Path):
        # openpyxl (0.2 s to import) only when a workbook is read or written.
        from openpyxl import load_workbook

        self.book = load_workbook(path, read_only=True, data_only=True)
        self.archive = zipfile.ZipFile(path)
        try:
            strings = self.archive.read("xl/sharedStrings.xml")
        except KeyError:
            strings = b""
        self.escapes = _ESCAPED_BYTES.search(strings) is not None
        try:
            workbook = self.archive.read("xl/workbook.xml")
        except KeyError:
            workbook = b""
        self.stale = _FULL_CALC_ON_LOAD.search(workbook) is not None

    @property
    def sheets(self) -> list[Any]:
        return list(self.book.worksheets)

    def marks(self, sheet: Any) -> SheetMarks:
        # The read-only sheet knows where its XML is stored (openpyxl keeps it since 2.4).
        return sheet_marks(self.archive, sheet._worksheet_path, self.escapes, self.stale)

    def close(self) -> None:
        self.book.close()
        self.archive.close()


def hidden_warning(sheet: Any, label: str) -> Problem | None:
    """A warning that a sheet teamsolver reads is hidden in Excel, or None."""
    state = getattr(sheet, "sheet_state", "visible")
    if state == "visible":
        return None
    how = "very_hidden" if state == "veryHidden" else "hidden"
    return Problem(
        phrase=Phrase(f"problem.xlsx.{how}", sheet=Shown(sheet.title)),
        file=label,
        severity="warning",
    )


def _read_book(path: Path, raw: Raw) -> None:
    book = Workbook(path)
    try:
        for sheet in book.sheets:
            table = table_name(sheet.title)
            label = Label(Phrase("problem.where.sheet", file=path.name, sheet=sheet.title))
            if table is None:
                raw.problems.append(
                    Problem(
                        phrase=Phrase("problem.xlsx.not_a_table", sheet=Shown(sheet.title)),
                        file=label,
                        severity="warning",
                    )
                )
                continue
            if table in raw.tables or (table == "rules" and raw.rules is not None):
                raw.problems.append(
                    Problem(
                        phrase=Phrase("problem.xlsx.second_sheet", table=Shown(table)),
                        file=label,
                        severity="warning",
                    )
                )
                continue
            hidden = hidden_warning(sheet, label)
            if hidden is not None:
                raw.problems.append(hidden.model_copy(update={"table": table}))
            marks = book.marks(sheet)
            grid = read_grid(sheet, marks)
            header_row = first_filled(grid)
            if header_row is None:
                if table in REQUIRED_TABLES:
                    raw.problems.append(
                        Problem(
                            phrase=Phrase("problem.xlsx.empty"),
                            file=label,
                            table=table,
                            row=1,
                        )
                    )
                continue
            header = header_cells(grid, header_row, label, raw.problems)
            if table == "rules":
                names = _rules_names(header)
                used = [n if n in ("key", "value") else None for n in names]
                apply_merges(grid, marks.merged, header_row, used, "key", label, raw.problems)
                raw.rules = _rules(
                    header_row, names, _rows_below(grid, header_row), label, raw.problems
                )
                continue
            columns, problems = map_headers(table, header, label)
            raw.problems.extend(p.model_copy(update={"row": header_row}) for p in problems)
            key = "id" if table in _KEYED else None
            apply_merges(grid, marks.merged, header_row, columns, key, label, raw.problems)
            cells = [
                (n, {c: row[j] for j, c in enumerate(columns) if c and j < len(row)})
                for n, row in _rows_below(grid, header_row)
            ]
            missing = frozenset(required_columns(table)) - set(columns)
            headers = typed_headers(header, columns)
            raw.tables[table] = RawTable(label, cells, missing=missing, headers=headers)
    finally:
        book.close()


def _rows_below(grid: list[list[Any]], header_row: int) -> list[tuple[int, list[Any]]]:
    """The rows below the header that hold a value, with their numbers."""
    return [
        (n, row) for n, row in enumerate(grid[header_row:], header_row + 1) if any(map(filled, row))
    ]


def _rules_names(header: list[Any]) -> list[str]:
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    return [{"键": "key", "值": "value"}.get(n, n) for n in names]


def _rules(
    header_row: int,
    names: list[str],
    rows: list[tuple[int, list[Any]]],
    label: str,
    problems: list[Problem],
) -> RawRules | None:
    """Settings from a sheet of ``key``/``value`` rows; an empty value keeps the default."""
    if "key" not in names or "value" not in names:
        problems.append(
            Problem(
                phrase=Phrase("problem.xlsx.rules_columns"),
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
        bad = [(c, cell_problem(x)) for c, x in (("key", key), ("value", value))]
        for column, message in bad:
            if message is not None:
                problems.append(
                    Problem(
                        phrase=as_phrase(message), file=label, table="rules", row=n, column=column
                    )
                )
        if any(message is not None for _, message in bad):
            continue
        if is_blank(key):
            if not is_blank(value):
                problems.append(
                    Problem(
                        phrase=Phrase("problem.xlsx.value_without_key"),
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
    and every text cell stored as text, so that ``=…`` from the input is never a formula. A
    character a workbook cannot hold is written escaped (``_x000B_``), as Excel does, so that
    writing never fails; reading gives it back (and refuses it in an instance).

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
        sheet.append([_escape(h) for h in header])
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append([_escape(v) if isinstance(v, str) else v for v in row])
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
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))
