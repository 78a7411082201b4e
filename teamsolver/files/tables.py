"""From raw rows (CSV text, XLSX cells, JSON objects) to typed rows, with every problem located.

Headers are matched case-insensitively, ignoring spaces, and may be written in Chinese
(:data:`COLUMN_ALIASES`). Enumerated values accept Chinese words too (:data:`VALUE_ALIASES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..data.errors import Problem, as_phrase, did_you_mean, plain_phrase
from ..data.instance import TABLES, Row
from ..data.values import cell_problem, is_blank, parse_str
from ..i18n.phrase import NOTHING, Listed, Phrase, Shown
from ..text import nearest

#: Chinese (and a few English) spellings of column headers, per table.
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "members": {
        "编号": "id",
        "工号": "id",
        "姓名": "name",
        "单位": "unit",
        "所在单位": "unit",
        "专长": "specialties",
        "专业": "specialties",
        "可任组长": "can_lead",
        "可任副组长": "can_deputy",
        "已巡察轮次": "rounds_served",
        "参加轮次": "rounds_served",
        "专职": "full_time",
        "党员": "party_member",
        "状态": "status",
        "新提拔": "newly_promoted",
        "评分": "rating",
        "最多轮次": "max_rounds",
        "不可参加轮次": "unavailable_rounds",
        "回避单位": "conflict_units",
        "性别": "gender",
        "出生年份": "birth_year",
        "specialty": "specialties",
    },
    "units": {
        "编号": "id",
        "名称": "name",
        "单位名称": "name",
        "上级单位": "parent",
        "片区": "zone",
        "协作区": "zone",
        "最多抽调": "max_drawn",
    },
    "groups": {
        "编号": "id",
        "巡察组": "id",
        "被巡察单位": "targets",
        "巡察对象": "targets",
        "轮次": "round",
        "最少人数": "size_min",
        "最多人数": "size_max",
        "组长人数": "leaders",
        "副组长最少": "deputies_min",
        "副组长最多": "deputies_max",
        "专业要求": "requires",
        "target": "targets",
    },
    "conflicts": {"成员甲": "member_a", "成员乙": "member_b", "原因": "reason"},
    "history": {
        "成员": "member",
        "几轮前": "rounds_ago",
        "巡察组": "group",
        "被巡察单位": "unit",
        "角色": "role",
    },
    "pins": {"成员": "member", "巡察组": "group", "类型": "kind", "角色": "role"},
    "affinity": {"成员": "member", "巡察组": "group", "分值": "score"},
}

#: Chinese words accepted for enumerated values.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "status": {
        "在库": "active",
        "正常": "active",
        "暂停": "suspended",
        "退出": "removed",
        "出库": "removed",
    },
    "role": {
        "组长": "leader",
        "副组长": "deputy",
        "组员": "member",
        "成员": "member",
        "any": "",
        "任意": "",
    },
    "kind": {"必须": "require", "指定": "require", "禁止": "forbid", "排除": "forbid"},
}

#: Chinese names of tables (file stems or sheet names).
TABLE_ALIASES: dict[str, str] = {
    "成员": "members",
    "人才库": "members",
    "单位": "units",
    "巡察组": "groups",
    "回避关系": "conflicts",
    "冲突": "conflicts",
    "历史": "history",
    "指定": "pins",
    "意向": "affinity",
    "规则": "rules",
}


def _norm(text: str) -> str:
    return str(text).strip().lower().replace(" ", "_").replace("-", "_")


def table_name(stem: str) -> str | None:
    """The table a file stem or sheet name stands for, or None."""
    key = _norm(stem)
    if key in TABLES or key == "rules":
        return key
    return TABLE_ALIASES.get(str(stem).strip())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def columns_of(table: str) -> tuple[str, ...]:
    return tuple(TABLES[table].model_fields)


def required_columns(table: str) -> tuple[str, ...]:
    return tuple(n for n, f in TABLES[table].model_fields.items() if f.is_required())


def map_headers(
    table: str, headers: Sequence[Any], file: str
) -> tuple[list[str | None], list[Problem]]:
    """Column index → field name (None for columns teamsolver does not use)."""
    fields = columns_of(table)
    aliases = COLUMN_ALIASES.get(table, {})
    mapped: list[str | None] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(headers):
        if is_blank(raw):
            mapped.append(None)
            continue
        text = str(raw).strip()
        name = aliases.get(text) or aliases.get(_norm(text)) or _norm(text)
        if name not in fields:
            near = nearest(_norm(text), fields, 0.75)
            hint = Phrase("problem.near.semi", near=Shown(near)) if near else NOTHING
            problems.append(
                Problem(
                    phrase=Phrase("problem.header.unused", name=Shown(text), hint=hint),
                    file=file,
                    table=table,
                    row=1,
                    column=text,
                    severity="warning",
                )
            )
            mapped.append(None)
            continue
        if name in seen:
            problems.append(
                Problem(
                    phrase=Phrase(
                        "problem.header.twice", name=Shown(name), first=column_letter(seen[name])
                    ),
                    file=file,
                    table=table,
                    row=1,
                    column=text,
                )
            )
            mapped.append(None)
            continue
        seen[name] = i
        mapped.append(name)
    for col in required_columns(table):
        if col not in seen:
            problems.append(
                Problem(
                    phrase=Phrase(
                        "problem.header.missing",
                        name=Shown(col),
                        table=table,
                        needs=Listed(required_columns(table)),
                    ),
                    file=file,
                    table=table,
                    row=1,
                    column=col,
                )
            )
    return mapped, problems


#: Columns whose values are personal data: a message about a bad value never repeats it.
PERSONAL: frozenset[tuple[str, str]] = frozenset(
    {("members", "name"), ("members", "gender"), ("members", "birth_year")}
)

#: The most permissive value of a column, assumed where a cell is bad so that the rest of the row
#: still takes part in the checks between tables without causing follow-up errors (a member whose
#: ``can_lead`` cell is bad may lead, so "too few leaders" is not reported because of it).
PERMISSIVE: dict[str, dict[str, Any]] = {
    "members": {
        "name": "?",
        "can_lead": True,
        "can_deputy": True,
        "full_time": True,
        "party_member": True,
        "status": "active",
    },
    "groups": {"size_min": 0, "leaders": 0, "deputies_min": 0, "deputies_max": 1_000_000},
    "history": {"rounds_ago": 1},
    "affinity": {"score": 0},
}
#: Optional columns whose default is not permissive: a row with a bad cell there is left out of
#: the checks between tables (its id is still known, so references to it are not reported).
NOT_REPAIRABLE: dict[str, frozenset[str]] = {
    "members": frozenset({"specialties"}),
    "groups": frozenset({"round"}),
}


@dataclass
class ParsedTable:
    """Typed rows of one table and every problem found in them.

    ``rows`` holds every row that could be read, in file order: rows with a bad cell are kept
    with the most permissive value (:data:`PERMISSIVE`) or the default in that cell, for the checks
    between tables; the problems say the instance is unusable anyway. ``failed`` has the id (or
    ``""``) of every row that could not be read at all.
    """

    rows: list[Row] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _repair(table: str, values: dict[str, Any], bad: set[str]) -> Row | None:
    """The row with its bad cells made permissive, or None when that is not possible."""
    model = TABLES[table]
    fixed = {k: v for k, v in values.items() if k not in bad}
    for name in bad:
        if name in PERMISSIVE.get(table, {}):
            fixed[name] = PERMISSIVE[table][name]
        elif name in model.model_fields and (
            model.model_fields[name].is_required() or name in NOT_REPAIRABLE.get(table, ())
        ):
            return None
    try:
        return model.model_validate(fixed)
    except ValidationError:
        return None


def typed_headers(header: Sequence[Any], columns: Sequence[str | None]) -> dict[str, str]:
    """Field → its header as typed, from a header row and :func:`map_headers`' columns."""
    return {name: str(header[j]).strip() for j, name in enumerate(columns) if name is not None}


def parse_rows(
    table: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    file: str,
    row_word: str = "row",
    missing: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> ParsedTable:
    """Validate rows given as (row number, {field: raw value}); blank cells take defaults.

    An :class:`~teamsolver.data.values.Unreadable` cell is reported with its own message and treated
    like a bad cell (never as blank, so it never takes the default).

    ``missing`` names required columns absent from the header: that is reported once, by the
    header check, not again in every row. ``headers``: each column's header as typed
    (:attr:`~teamsolver.files.raw.RawTable.headers`).
    """
    headers = headers or {}
    model = TABLES[table]
    fields = columns_of(table)
    aliases = {f: VALUE_ALIASES[f] for f in model.model_fields if f in VALUE_ALIASES}
    missing = set(missing)
    out = ParsedTable()
    for number, raw in rows:
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        for key, value in raw.items():
            problem = cell_problem(value)
            if problem is not None:
                unreadable.add(key)
                out.problems.append(
                    Problem(
                        phrase=as_phrase(problem),
                        file=file,
                        table=table,
                        row=number,
                        column=key,
                        header=headers.get(key),
                        row_word=row_word,
                    )
                )
                continue
            if is_blank(value):
                continue
            if key in aliases and isinstance(value, str):
                value = value.strip()
                value = aliases[key].get(value, value.lower())
                if value == "":
                    continue
            values[key] = value
        bad = set(unreadable)
        try:
            row = model.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                if column is not None:
                    bad.add(column)
                if err["type"] == "missing" and (column in missing or column in unreadable):
                    continue
                if err["type"] == "extra_forbidden":
                    message = Phrase(
                        "problem.field.unknown",
                        name=Shown(column),
                        hint=did_you_mean(_norm(str(column)), fields, 0.6),
                        table=table,
                        fields=Listed(fields),
                    )
                else:
                    message = plain_phrase(err, echo=(table, column) not in PERSONAL)
                out.problems.append(
                    Problem(
                        phrase=message,
                        file=file,
                        table=table,
                        row=number,
                        column=column,
                        header=headers.get(column or ""),
                        row_word=row_word,
                    )
                )
        if bad:
            repaired = _repair(table, values, bad)
            if repaired is None:
                out.failed.append(_id_text(values.get("id")))
                continue
            row = repaired
        out.rows.append(row)
        out.numbers.append(number)
    return out


def _id_text(value: Any) -> str:
    """An id as :func:`teamsolver.data.values.parse_str` would read it, or "" when it is not
    text."""
    try:
        return "" if value is None else parse_str(value)
    except ValueError:
        return ""
