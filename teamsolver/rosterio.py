"""Roster files (SPEC §5): read any roster a planner made, write one a planner can open.

A roster file has one row per seat. Reading needs at least the columns ``group``, ``member`` and
``role`` (``round`` and ``mentor`` are optional; other columns are ignored); headers may be in
Chinese. Writing gives ``round, group, member, role, mentor`` followed by readable columns
(``name``, ``unit``, ``specialties``, ``experience``). CSV, XLSX or JSON by the extension.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from .atomic import write_text
from .errors import InputError, Problem
from .files.cells import escape, unescape
from .files.csvdir import decode
from .instance import Instance
from .roster import Roster, Seat
from .values import is_blank

COLUMNS = ("round", "group", "member", "role", "mentor")
READABLE = ("name", "unit", "specialties", "experience")
ALIASES = {
    "轮次": "round",
    "巡察组": "group",
    "组": "group",
    "成员": "member",
    "编号": "member",
    "工号": "member",
    "角色": "role",
    "职务": "role",
    "导师": "mentor",
    "带教": "mentor",
}
ROLE_WORDS = {
    "leader": "leader",
    "组长": "leader",
    "deputy": "deputy",
    "副组长": "deputy",
    "member": "member",
    "组员": "member",
    "成员": "member",
    "": "member",
}


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".json"):
        return suffix[1:]
    raise InputError(
        [Problem(message="expected a .csv, .xlsx or .json roster file", file=str(path))]
    )


# -- reading ---------------------------------------------------------------------------------
def read_roster(
    path: str | os.PathLike[str],
    instance: Instance | None = None,
    *,
    encoding: str | None = None,
    strict_ids: bool = True,
) -> Roster:
    """Read a roster. With ``instance``: fill missing rounds from the groups and, if
    ``strict_ids``, report unknown member and group ids as input problems (with their rows).
    Raises :class:`InputError` listing every problem."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(message="no such file", file=str(path))])
    kind = _format(path)
    problems: list[Problem] = []
    if kind == "json":
        rows, label, word = _json_rows(path, problems)
    else:
        rows, label, word = (
            _xlsx_rows(path, problems) if kind == "xlsx" else _csv_rows(path, encoding, problems)
        )
    seats: list[Seat] = []
    for number, raw in rows:
        seat = _seat(raw, number, label, word, instance, problems)
        if seat is not None:
            seats.append(seat)
    if instance is not None and strict_ids:
        _check_ids(seats, rows, instance, label, word, problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return Roster(seats=tuple(seats))


def _header(raw_header: list[Any], label: str, problems: list[Problem]) -> list[str | None]:
    names: list[str | None] = []
    for h in raw_header:
        text = "" if h is None else str(h).strip()
        key = ALIASES.get(text, text.lower())
        names.append(key if key in COLUMNS else None)
    for col in ("group", "member"):
        if col not in names:
            problems.append(
                Problem(
                    message=f"required column {col!r} is missing; a roster needs "
                    "group, member and role (round and mentor are optional)",
                    file=label,
                    row=1,
                    column=col,
                )
            )
    if "role" not in names:
        problems.append(
            Problem(
                message="required column 'role' is missing; a roster needs "
                "group, member and role (round and mentor are optional)",
                file=label,
                row=1,
                column="role",
            )
        )
    return names


def _csv_rows(
    path: Path, encoding: str | None, problems: list[Problem]
) -> tuple[list[tuple[int, dict[str, Any]]], str, str]:
    text, problem = decode(path.read_bytes(), path.name, encoding)
    if text is None:
        problems.append(problem or Problem(message="unreadable", file=path.name))
        return [], path.name, "row"
    records = list(csv.reader(io.StringIO(text, newline="")))
    return _grid(records, path.name, problems), path.name, "row"


def _grid(
    records: list[list[Any]], label: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]]:
    start = next((i for i, rec in enumerate(records) if any(not is_blank(c) for c in rec)), None)
    if start is None:
        problems.append(
            Problem(message="the roster is empty; expected a header row", file=label, row=1)
        )
        return []
    names = _header(records[start], label, problems)
    rows = []
    for i in range(start + 1, len(records)):
        rec = records[i]
        if all(is_blank(c) for c in rec):
            continue
        values = {n: rec[j] for j, n in enumerate(names) if n is not None and j < len(rec)}
        rows.append(
            (i + 1, {k: unescape(v) if isinstance(v, str) else v for k, v in values.items()})
        )
    return rows


def _xlsx_rows(
    path: Path, problems: list[Problem]
) -> tuple[list[tuple[int, dict[str, Any]]], str, str]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        problems.append(
            Problem(message="cannot open the workbook; expected an .xlsx file", file=path.name)
        )
        return [], path.name, "row"
    try:
        sheets = book.worksheets
        sheet = next((s for s in sheets if s.title.lower() in ("roster", "名单")), sheets[0])
        label = f"{path.name}, sheet {sheet.title}"
        records = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _grid(records, label, problems), label, "row"


def _json_rows(
    path: Path, problems: list[Problem]
) -> tuple[list[tuple[int, dict[str, Any]]], str, str]:
    label = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(
            Problem(message=f"not a valid JSON document ({exc.__class__.__name__})", file=label)
        )
        return [], label, "item"
    items = doc.get("roster") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        problems.append(
            Problem(
                message="expected a list of seats or an object with a 'roster' list", file=label
            )
        )
        return [], label, "item"
    rows = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    message="expected a seat object",
                    file=f"{label}, roster",
                    row=i,
                    row_word="item",
                )
            )
            continue
        rows.append((i, {k: v for k, v in item.items() if k in COLUMNS}))
    for col in ("group", "member"):
        if rows and all(col not in raw for _, raw in rows):
            problems.append(Problem(message=f"the seats have no {col!r} field", file=label))
    return rows, f"{label}, roster", "item"


def _seat(
    raw: dict[str, Any],
    number: int,
    label: str,
    word: str,
    instance: Instance | None,
    problems: list[Problem],
) -> Seat | None:
    def text(key: str) -> str:
        value = raw.get(key)
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    ok = True
    for key in ("group", "member"):
        if not text(key):
            problems.append(
                Problem(
                    message=f"{key} is empty", file=label, row=number, column=key, row_word=word
                )
            )
            ok = False
    role = ROLE_WORDS.get(text("role").lower(), ROLE_WORDS.get(text("role")))
    if role is None:
        problems.append(
            Problem(
                message=f"expected leader, deputy or member (组长/副组长/组员), "
                f"got {text('role')!r}",
                file=label,
                row=number,
                column="role",
                row_word=word,
            )
        )
        ok = False
    if not ok:
        return None
    round_id = text("round")
    if not round_id and instance is not None:
        group = instance.group_by_id.get(text("group"))
        round_id = group.round if group is not None else ""
    return Seat(
        round=round_id or "?",
        group=text("group"),
        member=text("member"),
        role=role,
        mentor=text("mentor") or None,
    )


def _check_ids(
    seats: list[Seat],
    rows: list[tuple[int, dict[str, Any]]],
    instance: Instance,
    label: str,
    word: str,
    problems: list[Problem],
) -> None:
    numbers = [n for n, _ in rows]
    for seat, number in zip(seats, numbers, strict=False):
        if seat.member not in instance.member_by_id:
            problems.append(
                Problem(
                    message=f"unknown member {seat.member!r} (not in the pool)",
                    file=label,
                    row=number,
                    column="member",
                    row_word=word,
                )
            )
        if seat.group not in instance.group_by_id:
            problems.append(
                Problem(
                    message=f"unknown group {seat.group!r}",
                    file=label,
                    row=number,
                    column="group",
                    row_word=word,
                )
            )
        if seat.mentor is not None and seat.mentor not in instance.member_by_id:
            problems.append(
                Problem(
                    message=f"unknown mentor {seat.mentor!r} (not in the pool)",
                    file=label,
                    row=number,
                    column="mentor",
                    row_word=word,
                )
            )


# -- writing ---------------------------------------------------------------------------------
def seat_rows(instance: Instance, roster: Roster) -> tuple[list[str], list[list[Any]]]:
    """SPEC §5 columns, then readable ones; values as they should appear in a sheet."""
    index = {r: i for i, r in enumerate(instance.rounds)}
    rounds_of: dict[str, list[int]] = {}
    for seat in roster.seats:
        rounds_of.setdefault(seat.member, []).append(index.get(seat.round, 0))
    rows: list[list[Any]] = []
    for seat in roster.seats:
        m = instance.member_by_id.get(seat.member)
        here = index.get(seat.round, 0)
        experience = (
            None
            if m is None
            else m.rounds_served + sum(1 for r in rounds_of[seat.member] if r < here)
        )
        rows.append(
            [
                seat.round,
                seat.group,
                seat.member,
                seat.role,
                seat.mentor or "",
                "" if m is None else m.name,
                "" if m is None else m.unit,
                "" if m is None else ";".join(m.specialties),
                experience,
            ]
        )
    return [*COLUMNS, *READABLE], rows


def write_roster(
    instance: Instance,
    roster: Roster,
    path: str | os.PathLike[str],
    *,
    bom: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write atomically as CSV (``bom``: with a byte-order mark for Excel), XLSX or JSON."""
    path = Path(path)
    kind = _format(path)
    header, rows = seat_rows(instance, roster)
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                ["" if v is None else v if isinstance(v, int) else escape(str(v)) for v in row]
            )
        write_text(path, out.getvalue(), encoding="utf-8-sig" if bom else "utf-8")
    elif kind == "json":
        doc = {"roster": [dict(zip(header, row, strict=True)) for row in rows], **(extra or {})}
        write_text(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    else:
        _write_xlsx(instance, roster, header, rows, path)


def _write_xlsx(
    instance: Instance, roster: Roster, header: list[str], rows: list[list[Any]], path: Path
) -> None:
    from .files.xlsx import write_book
    from .summary import group_lines

    sheets = [("roster", header, rows)]
    summary = group_lines(instance, roster)
    if summary:
        sheets.append(("summary", list(summary[0]), [list(r.values()) for r in summary]))
    write_book(path, sheets)
