"""Roster files (SPEC §5): read any roster a planner made, write one a planner can open.

A roster file has one row per seat. Reading needs the columns ``group``, ``member`` and
``role`` (``round`` and ``mentor`` are optional; other columns are ignored). Headers may be in
Chinese (``巡察组``, ``成员``, ``角色``, ...) and roles too (``组长``, ``副组长``, ``组员``); an
empty role is ``member``. Where a ``member`` or ``mentor`` cell is not a member id but the name
of exactly one member of the pool, that member is meant (hand-made rosters often list names).
When several columns could be the member column, an id column (``member``, ``编号``) wins over
a name column (``姓名``).

Writing gives ``round, group, member, role, mentor`` followed by readable columns (``name``,
``unit``, ``specialties``, ``experience``), as CSV, XLSX or JSON by the extension, always
atomically. In CSV every text cell that a spreadsheet would take for a formula gets an apostrophe
(:func:`teamsolver.files.cells.escape`, undone on reading); in XLSX text cells are stored as text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import i18n
from ..data.errors import InputError, Problem, as_phrase, one_of
from ..data.instance import Instance
from ..data.roster import Roster, Seat
from ..data.values import cell_problem, is_blank
from ..i18n.phrase import NOTHING, Label, Listed, Phrase, Shown
from ..summary import group_lines, sheet
from . import jsondoc, xlsx
from .atomic import write_text
from .cells import escape, unescape
from .csvdir import UNCLOSED_QUOTE, csv_records, decode
from .tables import column_letter
from .xlsx import filled, write_book

COLUMNS = ("round", "group", "member", "role", "mentor")
READABLE = ("name", "unit", "specialties", "experience")
REQUIRED = ("group", "member", "role")

#: Header → (field, rank); where several headers name one field, the lowest rank wins, then the
#: leftmost column. English headers match in any case, with ``_``, ``-`` or a space.
ALIASES: dict[str, tuple[str, int]] = {
    "round": ("round", 0),
    "round_id": ("round", 0),
    "轮次": ("round", 1),
    "轮": ("round", 2),
    "group": ("group", 0),
    "group_id": ("group", 0),
    "巡察组": ("group", 1),
    "组别": ("group", 1),
    "组号": ("group", 1),
    "组": ("group", 2),
    "member": ("member", 0),
    "member_id": ("member", 0),
    "成员编号": ("member", 0),
    "编号": ("member", 1),
    "工号": ("member", 1),
    "成员": ("member", 2),
    "人员": ("member", 2),
    "姓名": ("member", 3),
    "role": ("role", 0),
    "角色": ("role", 1),
    "职务": ("role", 1),
    "分工": ("role", 2),
    "mentor": ("mentor", 0),
    "mentor_id": ("mentor", 0),
    "导师": ("mentor", 1),
    "带教": ("mentor", 1),
    "带教人": ("mentor", 1),
}
ROLE_WORDS = {
    "leader": "leader",
    "组长": "leader",
    "deputy": "deputy",
    "deputy leader": "deputy",
    "deputy-leader": "deputy",
    "副组长": "deputy",
    "member": "member",
    "组员": "member",
    "成员": "member",
    "": "member",
}
_SPELLINGS = {
    "group": ("group", "巡察组", "组"),
    "member": ("member", "成员", "编号", "姓名"),
    "role": ("role", "角色", "职务"),
}


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".json"):
        return suffix[1:]
    raise InputError([Problem(phrase=Phrase("problem.roster.format"), file=str(path))])


def _field(header: Any) -> tuple[str, int] | None:
    text = "" if header is None else str(header).strip()
    key = text.lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(text) or ALIASES.get(key)


# -- reading ---------------------------------------------------------------------------------
class _Source:
    """What one roster file holds: rows of {field: raw value}, and where they are."""

    def __init__(self, label: str | Label, word: str = "row"):
        self.label = label
        self.word = word
        self.rows: list[tuple[int, dict[str, Any]]] = []
        #: Required fields the file lacks altogether (reported once, not per row).
        self.missing: set[str] = set()
        #: Each field's header as typed (``角色`` for ``role``), for problems in other languages.
        self.headers: dict[str, str] = {}

    def problem(
        self, message: str | Phrase, row: int | None = None, column: str | None = None
    ) -> Problem:
        return Problem(
            phrase=as_phrase(message),
            file=self.label,
            row=row,
            column=column,
            header=self.headers.get(column or ""),
            row_word=self.word,
        )


def read_roster(
    path: str | os.PathLike[str],
    instance: Instance | None = None,
    *,
    encoding: str | None = None,
    strict_ids: bool = True,
) -> Roster:
    """Read a roster. With ``instance``: fill missing rounds from the groups, read members
    given by name, and, if ``strict_ids``, report unknown member, mentor and group ids as input
    problems (with their rows). Raises :class:`InputError` listing every problem."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(phrase=Phrase("problem.file.missing"), file=str(path))])
    if path.is_dir():
        raise InputError([Problem(phrase=Phrase("problem.roster.folder"), file=str(path))])
    kind = _format(path)
    problems: list[Problem] = []
    if kind == "json":
        source = _json_rows(path, problems)
    elif kind == "xlsx":
        source = _xlsx_rows(path, problems)
    else:
        source = _csv_rows(path, encoding, problems)
    placed: list[tuple[int, Seat]] = []
    for number, raw in source.rows:
        seat = _seat(raw, number, source, instance, problems)
        if seat is not None:
            placed.append((number, seat))
    if instance is not None:
        placed = _resolve(placed, instance, source, problems, strict_ids)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return Roster(seats=tuple(seat for _, seat in placed))


def _csv_rows(path: Path, encoding: str | None, problems: list[Problem]) -> _Source:
    source = _Source(path.name)
    text, problem = decode(path.read_bytes(), path.name, encoding)
    if text is None:
        problems.append(
            problem or Problem(phrase=Phrase("problem.roster.unreadable"), file=path.name)
        )
        return source
    records, unclosed = csv_records(text)
    if unclosed is not None:
        problems.append(
            Problem(phrase=UNCLOSED_QUOTE, file=path.name, row=unclosed, row_word="line")
        )
        return source
    head = next((r for r in records if any(not is_blank(c) for c in r)), None)
    if head is not None and len(head) == 1:
        # A sheet saved with another separator (Excel in many locales uses ';'), or tabs.
        for sep in ("\t", ";"):
            if sep in head[0]:
                records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
                break
    _grid(records, source, problems)
    return source


def _grid(records: list[list[Any]], source: _Source, problems: list[Problem]) -> None:
    start = next((i for i, rec in enumerate(records) if any(map(filled, rec))), None)
    if start is None:
        problems.append(source.problem(Phrase("problem.roster.empty"), row=1))
        return
    header = list(records[start])
    for j, cell in enumerate(header):
        message = cell_problem(cell)
        if message is not None:
            problems.append(source.problem(message, row=start + 1, column=column_letter(j)))
            header[j] = None
    columns = _header(header, start + 1, source, problems)
    source.headers = {f: str(header[j]).strip() for f, j in columns.items()}
    for i in range(start + 1, len(records)):
        rec = records[i]
        if not any(map(filled, rec)):
            continue
        values = {f: rec[j] for f, j in columns.items() if j < len(rec)}
        source.rows.append(
            (i + 1, {k: unescape(v) if isinstance(v, str) else v for k, v in values.items()})
        )


def _header(
    cells: Sequence[Any], row: int, source: _Source, problems: list[Problem]
) -> dict[str, int]:
    """Field → column index; the missing required fields are reported with what was found."""
    best: dict[str, tuple[int, int]] = {}
    for j, cell in enumerate(cells):
        hit = _field(cell)
        if hit is not None and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], j)
    named = [str(c).strip() for c in cells if not is_blank(c)]
    found = Listed(named, shown=True) if named else Phrase("problem.roster.none")
    for col in REQUIRED:
        if col not in best:
            source.missing.add(col)
            problems.append(
                source.problem(
                    Phrase(
                        "problem.roster.missing_column",
                        name=Shown(col),
                        found=found,
                        column=col,
                        spellings=one_of(_SPELLINGS[col]),
                    ),
                    row=row,
                    column=col,
                )
            )
    return {f: j for f, (_, j) in best.items()}


def _xlsx_rows(path: Path, problems: list[Problem]) -> _Source:
    """The roster sheet of a workbook as the planner sees it: merged cells (a group's cell
    merged over its seats) give their value to every cell, and a formula with no saved value
    is a problem, never an empty cell (see :mod:`teamsolver.files.xlsx`)."""
    from openpyxl.utils.exceptions import InvalidFileException  # 0.2 s: workbooks only

    try:
        book = xlsx.Workbook(path)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        problems.append(
            Problem(
                phrase=Phrase("problem.roster.workbook"),
                file=path.name,
            )
        )
        return _Source(path.name)
    try:
        # The sheet named roster (名单), else the first whose header names a group and a
        # member column, else the first sheet.
        sheets = sorted(book.sheets, key=lambda s: s.title.lower() not in ("roster", "名单"))
        sheet = sheets[0]
        for candidate in sheets:
            head = next(
                (r for r in candidate.iter_rows(values_only=True) if any(map(filled, r))), ()
            )
            if {hit[0] for hit in map(_field, head) if hit is not None} >= {"group", "member"}:
                sheet = candidate
                break
        source = _Source(Label(Phrase("problem.where.sheet", file=path.name, sheet=sheet.title)))
        marks = book.marks(sheet)
        records = xlsx.read_grid(sheet, marks)
    finally:
        book.close()
    start = xlsx.first_filled(records)
    if start is not None and marks.merged:
        used = [None if (hit := _field(c)) is None else hit[0] for c in records[start - 1]]
        xlsx.apply_merges(records, marks.merged, start, used, "member", source.label, problems)
    _grid(records, source, problems)
    return source


def _json_rows(path: Path, problems: list[Problem]) -> _Source:
    source = _Source(path.name, "item")
    try:
        doc = jsondoc.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            Phrase("problem.roster.json_line", line=exc.lineno)
            if isinstance(exc, json.JSONDecodeError)
            else NOTHING
        )
        problems.append(source.problem(Phrase("problem.roster.json", where=where)))
        return source
    items = doc.get("roster") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        problems.append(source.problem(Phrase("problem.roster.json_shape")))
        return source
    source.label = Label(Phrase("problem.where.json_key", file=path.name, key="roster"))
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(source.problem(Phrase("problem.roster.seat"), row=i))
            continue
        fields: dict[str, Any] = {}
        ranks: dict[str, int] = {}
        for key, value in item.items():
            hit = _field(key)
            if hit is not None and (hit[0] not in ranks or hit[1] < ranks[hit[0]]):
                fields[hit[0]], ranks[hit[0]] = value, hit[1]
        seen |= fields.keys()
        source.rows.append((i, fields))
    if source.rows:
        for col in REQUIRED:
            if col not in seen:
                source.missing.add(col)
                problems.append(source.problem(Phrase("problem.roster.no_field", name=Shown(col))))
    return source


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _seat(
    raw: Mapping[str, Any],
    number: int,
    source: _Source,
    instance: Instance | None,
    problems: list[Problem],
) -> Seat | None:
    ok = True
    for key, value in raw.items():
        message = cell_problem(value)
        if message is not None:
            problems.append(source.problem(message, row=number, column=key))
            ok = False
    if not ok:
        return None
    for key in ("group", "member"):
        if key not in source.missing and not _text(raw, key):
            problems.append(
                source.problem(Phrase("problem.roster.empty_cell", key=key), row=number, column=key)
            )
            ok = False
    role_text = _text(raw, "role")
    role = ROLE_WORDS.get(role_text.lower(), ROLE_WORDS.get(role_text))
    if role is None and "role" not in source.missing:
        problems.append(
            source.problem(
                Phrase("problem.got", what=Phrase("problem.roster.role"), got=Shown(role_text)),
                row=number,
                column="role",
            )
        )
    if not ok or role is None or source.missing:
        return None
    group_id = _text(raw, "group")
    round_id = _text(raw, "round")
    if not round_id and instance is not None:
        group = instance.group_by_id.get(group_id)
        round_id = group.round if group is not None else ""
    return Seat(
        round=round_id or "?",
        group=group_id,
        member=_text(raw, "member"),
        role=role,
        mentor=_text(raw, "mentor") or None,
    )


def _resolve(
    placed: list[tuple[int, Seat]],
    instance: Instance,
    source: _Source,
    problems: list[Problem],
    strict_ids: bool,
) -> list[tuple[int, Seat]]:
    """Members and mentors given by name become ids; unknown ids are problems if strict."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for m in instance.members:
        if m.name:
            by_name[m.name.strip()].append(m.id)

    def member_id(value: str, number: int, column: str) -> str:
        if value in instance.member_by_id:
            return value
        ids = by_name.get(value, [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            problems.append(
                source.problem(
                    Phrase(
                        "problem.roster.name_of_many",
                        name=Shown(value),
                        n=len(ids),
                        ids=Listed(ids),
                    ),
                    row=number,
                    column=column,
                )
            )
        elif strict_ids:
            problems.append(
                source.problem(
                    Phrase(f"problem.roster.unknown_{column}", id=Shown(value)),
                    row=number,
                    column=column,
                )
            )
        return value

    out: list[tuple[int, Seat]] = []
    for number, seat in placed:
        member = member_id(seat.member, number, "member")
        mentor = None if seat.mentor is None else member_id(seat.mentor, number, "mentor")
        if strict_ids and seat.group not in instance.group_by_id:
            shown = [g.id for g in instance.groups[:12]]
            more = [Phrase("problem.roster.more")] if len(instance.groups) > 12 else []
            problems.append(
                source.problem(
                    Phrase(
                        "problem.roster.unknown_group",
                        id=Shown(seat.group),
                        groups=Listed([*shown, *more]),
                    ),
                    row=number,
                    column="group",
                )
            )
        if (member, mentor) != (seat.member, seat.mentor):
            seat = seat.model_copy(update={"member": member, "mentor": mentor})
        out.append((number, seat))
    return out


def unknown_ids(instance: Instance, roster: Roster) -> tuple[list[str], list[str]]:
    """Member ids (mentors included) and group ids of ``roster`` that ``instance`` lacks."""
    members = {s.member for s in roster} | {s.mentor for s in roster if s.mentor}
    groups = {s.group for s in roster}
    return (
        sorted(m for m in members if m not in instance.member_by_id),
        sorted(g for g in groups if g not in instance.group_by_id),
    )


# -- writing ---------------------------------------------------------------------------------
def seat_rows(
    instance: Instance, roster: Roster, lang: str = "en"
) -> tuple[list[str], list[list[Any]]]:
    """SPEC §5 columns, then readable ones; values as they should appear in a sheet (the
    experience of a member at the start of the round stays a number). With ``lang``, headers
    and roles are in that language (:mod:`teamsolver.i18n`); :func:`read_roster` reads them
    back (``zh``: 轮次, 巡察组, 成员编号, 角色, 导师; 组长, 副组长, 组员)."""
    roles = i18n.texts("role", lang)
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
                roles[seat.role],
                seat.mentor or "",
                "" if m is None else m.name,
                "" if m is None else m.unit,
                "" if m is None else ";".join(m.specialties),
                experience,
            ]
        )
    return [i18n.text(f"roster.column.{c}", lang) for c in (*COLUMNS, *READABLE)], rows


def write_roster(
    instance: Instance,
    roster: Roster,
    path: str | os.PathLike[str],
    *,
    bom: bool = False,
    extra: Mapping[str, Any] | None = None,
    violations: Sequence[Any] = (),
    lang: str = "en",
) -> None:
    """Write atomically as CSV (``bom``: with a byte-order mark, for Excel), XLSX or JSON.

    ``extra`` (status, objective, goals, ...) goes into the JSON document beside ``roster`` and
    into a ``result`` sheet of the workbook; ``violations`` (soft rules that bend) into a
    ``violations`` list or sheet. A CSV holds the seats only.

    ``lang`` (``en``, ``zh``, see :mod:`teamsolver.i18n`) is the language of the CSV and XLSX
    headers, roles, sheet names and summary sheet; a JSON document keeps its stable field names
    and role ids in every language (it is read by programs). Rule ids, member and group ids are
    never translated; the workbook says the checker's messages in ``lang`` (the JSON document
    keeps them in English).
    """
    path = Path(path)
    kind = _format(path)
    header, rows = seat_rows(instance, roster, "en" if kind == "json" else lang)
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
        seats = [{**dict(zip(header, row, strict=True)), "mentor": row[4] or None} for row in rows]
        doc: dict[str, Any] = {"roster": seats, **(extra or {})}
        if violations:
            doc["violations"] = [_violation_dict(v) for v in violations]
        write_text(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    else:
        _write_xlsx(instance, roster, header, rows, path, extra or {}, violations, lang)


def _violation_dict(v: Any) -> dict[str, Any]:
    data: dict[str, Any] = v.model_dump(mode="json") if hasattr(v, "model_dump") else dict(v)
    return data


def _write_xlsx(
    instance: Instance,
    roster: Roster,
    header: list[str],
    rows: list[list[Any]],
    path: Path,
    extra: Mapping[str, Any],
    violations: Sequence[Any],
    lang: str,
) -> None:
    def title(name: str) -> str:
        return i18n.text(f"roster.sheet.{name}", lang)

    def heads(table: str, *names: str) -> list[str]:
        return [i18n.text(f"roster.{table}.{n}", lang) for n in names]

    sheets: list[tuple[str, list[str], list[list[Any]]]] = [(title("roster"), header, rows)]
    sheets.append((title("summary"), *sheet(group_lines(instance, roster), lang)))
    if violations:
        found = [_violation_dict(v) for v in violations]
        said = [
            v.say(lang) if hasattr(v, "say") else f.get("message")
            for v, f in zip(violations, found, strict=True)
        ]
        sheets.append(
            (
                title("violations"),
                heads("violations", "rule", "round", "group", "members", "count", "message"),
                [
                    [
                        v.get("rule"),
                        v.get("round"),
                        v.get("group"),
                        "; ".join(v.get("members") or ()),
                        v.get("count", 1),
                        message,
                    ]
                    for v, message in zip(found, said, strict=True)
                ],
            )
        )
    if extra:
        facts: list[list[Any]] = []
        for key, value in extra.items():
            if isinstance(value, Mapping):
                facts.extend([f"{key}.{k}", _cell(v)] for k, v in value.items())
            else:
                facts.append([key, _cell(value)])
        sheets.append((title("result"), heads("result", "key", "value"), facts))
    write_book(path, sheets)


def _cell(value: Any) -> Any:
    """A value a sheet holds natively (text, number, boolean or empty)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)
