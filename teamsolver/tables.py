"""From raw rows (CSV text, XLSX cells, JSON objects) to typed rows, with every problem located.

Headers are matched case-insensitively, ignoring spaces, and may be written in Chinese
(:data:`COLUMN_ALIASES`). Enumerated values accept Chinese words too (:data:`VALUE_ALIASES`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from .errors import Problem
from .instance import TABLES, Row
from .values import is_blank

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
            near = difflib.get_close_matches(_norm(text), fields, n=1, cutoff=0.75)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append(
                Problem(
                    message=f"column {text!r} is not used by teamsolver and is ignored{hint}",
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
                    message=f"column {name!r} appears twice (also column {seen[name] + 1})",
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
                    message=f"required column {col!r} is missing; {table} needs "
                    f"{', '.join(required_columns(table))}",
                    file=file,
                    table=table,
                    row=1,
                    column=col,
                )
            )
    return mapped, problems


def _message(err: Any) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    kind = err["type"]
    if kind == "missing":
        return "a value is required here"
    if kind == "literal_error":
        return "expected " + msg.removeprefix("Input should be ")
    if kind == "too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal"):
        return (
            "expected a number " + msg.removeprefix("Input should be ") + f", got {err['input']!r}"
        )
    return msg


def parse_rows(
    table: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    file: str,
    row_word: str = "row",
) -> tuple[list[Row], list[int], list[Problem]]:
    """Validate rows given as (row number, {field: raw value}); blank cells take defaults.

    Returns the typed rows, their row numbers, and every problem found.
    """
    model = TABLES[table]
    aliases = {f: VALUE_ALIASES[f] for f in model.model_fields if f in VALUE_ALIASES}
    out: list[Row] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for number, raw in rows:
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if is_blank(value):
                continue
            if key in aliases and isinstance(value, str):
                value = value.strip()
                value = aliases[key].get(value, value.lower())
                if value == "":
                    continue
            values[key] = value
        try:
            out.append(model.model_validate(values))
            numbers.append(number)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                if err["type"] == "extra_forbidden":
                    message = (
                        f"unknown field {column!r}; {table} has {', '.join(columns_of(table))}"
                    )
                else:
                    message = _message(err)
                problems.append(
                    Problem(
                        message=message,
                        file=file,
                        table=table,
                        row=number,
                        column=column,
                        row_word=row_word,
                    )
                )
    return out, numbers, problems
