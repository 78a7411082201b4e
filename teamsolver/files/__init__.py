"""Reading and writing instances: a folder of CSV files, one XLSX workbook, or one JSON document.

All three readers produce the same raw form (:class:`RawTable` per table plus a rules dict);
:func:`read` turns it into an :class:`~teamsolver.instance.Instance` and collects every problem.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..instance import REQUIRED_TABLES, TABLES, Instance, TableOrigin
from ..settings import Rules, parse_rules
from ..tables import parse_rows
from ..validation import validate_instance

LineOf = Callable[[str, str | None], int | None]


@dataclass
class RawTable:
    """Rows of one table as read: (row number as the user sees it, {field: raw value})."""

    file: str
    rows: list[tuple[int, dict[str, Any]]]
    row_word: str = "row"


@dataclass
class RawRules:
    data: dict[str, Any]
    file: str
    line_of: LineOf | None = None
    row_word: str = "line"


@dataclass
class Raw:
    tables: dict[str, RawTable] = field(default_factory=dict)
    rules: RawRules | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class LoadResult:
    """An instance (None when there were errors) and every problem found, warnings included."""

    instance: Instance | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def format_of(path: Path) -> str:
    """``csv`` (a folder), ``xlsx`` or ``json``, from the path."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".json":
        return "json"
    if path.is_dir() or suffix == "":
        return "csv"
    raise InputError(
        [
            Problem(
                message=f"cannot tell the format of {path.name!r}: expected a folder of CSV files, "
                "an .xlsx workbook or a .json document",
                file=str(path),
            )
        ]
    )


def read(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    rules: str | os.PathLike[str] | None = None,
) -> LoadResult:
    """Read an instance and report every problem (errors and warnings) instead of raising."""
    from . import csvdir, jsondoc, xlsx

    path = Path(path)
    if not path.exists():
        return LoadResult(None, [Problem(message="no such file or folder", file=str(path))])
    try:
        kind = format_of(path)
    except InputError as exc:
        return LoadResult(None, exc.problems)
    if kind == "csv":
        raw = csvdir.read_raw(path, encoding)
    else:
        raw = xlsx.read_raw(path) if kind == "xlsx" else jsondoc.read_raw(path)
    if rules is not None:
        raw.rules = read_rules_file(Path(rules), raw.problems)
    return build(raw)


def load(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    rules: str | os.PathLike[str] | None = None,
) -> Instance:
    """Load an instance from a CSV folder, an ``.xlsx`` workbook or a ``.json`` document.

    ``encoding`` forces the encoding of CSV files (default: UTF-8 with or without BOM, else
    GB18030). ``rules`` replaces the instance's own rules with a ``rules.toml`` file.
    Raises :class:`~teamsolver.errors.InputError` listing every problem.
    """
    result = read(path, encoding=encoding, rules=rules)
    if result.errors or result.instance is None:
        raise InputError(result.problems)
    return result.instance


def build(raw: Raw) -> LoadResult:
    """Typed rows, rules and cross-table checks from raw tables."""
    problems = list(raw.problems)
    tables: dict[str, Any] = {}
    origin: dict[str, TableOrigin] = {}
    broken: dict[str, set[str]] = {}
    for table in TABLES:
        rt = raw.tables.get(table)
        if rt is None:
            if table in REQUIRED_TABLES and not any(p.table == table for p in problems):
                problems.append(
                    Problem(
                        message=f"the required table {table!r} is missing "
                        f"(an instance needs {', '.join(REQUIRED_TABLES)})",
                        table=table,
                        file=table,
                    )
                )
            continue
        rows, numbers, row_problems = parse_rows(table, rt.rows, rt.file, rt.row_word)
        problems.extend(row_problems)
        tables[table] = tuple(rows)
        origin[table] = TableOrigin(file=rt.file, rows=tuple(numbers), row_word=rt.row_word)
        failed = {p.row for p in row_problems}
        broken[table] = {str(values.get("id")) for n, values in rt.rows if n in failed}
    rules = Rules()
    if raw.rules is not None:
        rules, rule_problems = parse_rules(
            raw.rules.data, raw.rules.file, raw.rules.line_of, raw.rules.row_word
        )
        problems.extend(rule_problems)
    if any(t not in tables for t in REQUIRED_TABLES):
        return LoadResult(None, problems)
    instance = Instance(**tables, rules=rules).with_origin(origin)
    problems.extend(validate_instance(instance, broken))
    ok = not any(p.severity == "error" for p in problems)
    return LoadResult(instance if ok else None, problems)


def toml_line_finder(text: str) -> LineOf:
    """A function giving the line of ``[section] key`` in a TOML text (for messages)."""
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]

    def line_of(section: str, key: str | None) -> int | None:
        in_section = False
        section_line = None
        for number, line in enumerate(lines, 1):
            if line.startswith("["):
                name = line.strip("[] ").strip('"').strip("'")
                in_section = name == section
                if in_section:
                    section_line = number
                    if key is None:
                        return number
                continue
            if in_section and key is not None:
                left = line.split("=", 1)[0].strip().strip('"').strip("'")
                if left == key:
                    return number
        return section_line

    return line_of


def read_rules_file(path: Path, problems: list[Problem]) -> RawRules | None:
    """Read a ``rules.toml``; decoding problems are added to ``problems``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(message="no such rules file", file=str(path)))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(message="expected a UTF-8 text file", file=path.name))
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(message=f"not valid TOML: {exc}", file=path.name))
        return None
    return RawRules(data, path.name, toml_line_finder(text))


def save(instance: Instance, path: str | os.PathLike[str]) -> None:
    """Write ``instance`` as a CSV folder, an ``.xlsx`` workbook or a ``.json`` document.

    The format follows the path (a folder when it has no suffix). Files are written atomically.
    """
    from . import csvdir, jsondoc, xlsx

    path = Path(path)
    kind = format_of(path)
    {"csv": csvdir.write, "xlsx": xlsx.write, "json": jsondoc.write}[kind](instance, path)
