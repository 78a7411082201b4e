"""Reading and writing instances: a folder of CSV files, one XLSX workbook, or one JSON document.

All three readers produce the same raw form (:class:`RawTable` per table plus a rules dict);
:func:`read` turns it into an :class:`~teamsolver.instance.Instance` and collects every problem.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..instance import REQUIRED_TABLES, TABLES, Instance, TableOrigin
from ..settings import Rules, parse_rules
from ..tables import parse_rows
from ..validation import ANY_ID, validate_instance

LineOf = Callable[[str, str | None], int | None]


@dataclass
class RawTable:
    """Rows of one table as read: (row number as the user sees it, {field: raw value})."""

    file: str
    rows: list[tuple[int, dict[str, Any]]]
    row_word: str = "row"
    #: Required columns the header lacks (already reported; not reported again per row).
    missing: frozenset[str] = frozenset()


@dataclass
class RawRules:
    data: dict[str, Any]
    file: str
    line_of: LineOf | None = None
    row_word: str = "line"
    #: True for a ``rules`` sheet of ``key``/``value`` rows (problems name those columns).
    sheet: bool = False


@dataclass
class Raw:
    """What a reader found. ``source`` names the workbook or document (None for a folder, whose
    reader reports missing files itself); ``table_word`` is how a table is called there."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    rules: RawRules | None = None
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    table_word: str = "table"
    #: True when the source could not be read at all: missing tables are then not reported.
    unreadable: bool = False


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
    hint = {
        ".csv": "; for CSV, give the folder that holds members.csv, units.csv and groups.csv",
        ".xls": "; save the workbook as .xlsx (Excel Workbook) first",
        ".et": "; save the workbook as .xlsx (Excel Workbook) first",
    }.get(suffix, "")
    raise InputError(
        [
            Problem(
                message=f"cannot tell the format of {path.name!r}: expected a folder of CSV files, "
                f"an .xlsx workbook or a .json document{hint}",
                file=str(path),
            )
        ]
    )


def read(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    rules: str | os.PathLike[str] | None = None,
    relax: bool = False,
) -> LoadResult:
    """Read an instance and report every problem (errors and warnings) instead of raising.

    ``relax``: judge requirements as if every relaxable rule were soft (for ``solve --relax``).
    """
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
    return build(raw, relax=relax)


def load(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    rules: str | os.PathLike[str] | None = None,
    relax: bool = False,
) -> Instance:
    """Load an instance from a CSV folder, an ``.xlsx`` workbook or a ``.json`` document.

    ``encoding`` forces the encoding of CSV files (default: UTF-8 with or without BOM, else
    GB18030). ``rules`` replaces the instance's own rules with a ``rules.toml`` file.
    Raises :class:`~teamsolver.errors.InputError` listing every problem.
    """
    result = read(path, encoding=encoding, rules=rules, relax=relax)
    if result.errors or result.instance is None:
        raise InputError(result.problems)
    return result.instance


def build(raw: Raw, *, relax: bool = False) -> LoadResult:
    """Typed rows, rules and cross-table checks from raw tables.

    Rows with a bad cell still take part in the checks between tables (see
    :class:`~teamsolver.tables.ParsedTable`), so one pass reports every problem; rows that
    cannot be read at all are passed on as ``broken`` so that they cause no follow-up errors.
    """
    problems = list(raw.problems)
    tables: dict[str, Any] = {}
    origin: dict[str, TableOrigin] = {}
    broken: dict[str, list[str]] = {}
    for table in TABLES:
        rt = raw.tables.get(table)
        if rt is None:
            if table in REQUIRED_TABLES:
                broken[table] = [ANY_ID]
                if not raw.unreadable and not any(p.table == table for p in problems):
                    problems.append(
                        Problem(
                            message=f"the required {raw.table_word} {table!r} is missing "
                            f"(an instance needs {', '.join(REQUIRED_TABLES)})",
                            table=table,
                            file=raw.source or table,
                        )
                    )
            continue
        parsed = parse_rows(table, rt.rows, rt.file, rt.row_word, rt.missing)
        problems.extend(parsed.problems)
        tables[table] = tuple(parsed.rows)
        origin[table] = TableOrigin(file=rt.file, rows=tuple(parsed.numbers), row_word=rt.row_word)
        broken[table] = parsed.failed
    rules = Rules()
    if raw.rules is not None:
        rules, rule_problems = parse_rules(
            raw.rules.data,
            raw.rules.file,
            raw.rules.line_of,
            raw.rules.row_word,
            sheet=raw.rules.sheet,
        )
        problems.extend(rule_problems)
    for table in REQUIRED_TABLES:
        tables.setdefault(table, ())
    instance = Instance(**tables, rules=rules).with_origin(origin)
    if relax:
        from ..solver import relaxed

        judged = relaxed(instance).with_origin(origin)
        problems.extend(validate_instance(judged, broken))
    else:
        problems.extend(validate_instance(instance, broken))
    problems = list(dict.fromkeys(problems))
    ok = not any(p.severity == "error" for p in problems)
    return LoadResult(instance if ok else None, problems)


def toml_line_finder(text: str) -> LineOf:
    """A function giving the line of ``[section] key`` in a TOML text (for messages).

    A section with no key gives the line of its ``[section]`` header, or of a ``section = …``
    or ``section.key = …`` line written at the top level.
    """
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]

    def unquote(name: str) -> str:
        return name.strip().strip('"').strip("'")

    def line_of(section: str, key: str | None) -> int | None:
        current: str | None = None
        section_line = None
        for number, line in enumerate(lines, 1):
            if line.startswith("["):
                current = unquote(line.strip("[] "))
                if current == section and section_line is None:
                    section_line = number
                    if key is None:
                        return number
                continue
            left = line.split("=", 1)[0] if "=" in line else None
            if left is None:
                continue
            parts = [unquote(p) for p in left.split(".")]
            if current is None and parts[0] == section:
                if key is None or parts[1:] == [key]:
                    return number
            elif current == section and key is not None and parts == [key]:
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
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                message=f"cannot decode the file as UTF-8 (byte {exc.start + 1}); save it as UTF-8",
                file=path.name,
            )
        )
        return None
    except OSError as exc:
        problems.append(
            Problem(message=f"cannot read the rules file: {exc.strerror or exc}", file=str(path))
        )
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = str(exc), None
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        end = re.search(r"\s*\(at end of document\)$", message)
        if at is not None:
            message, line = f"{message[: at.start()]} (column {at.group(2)})", int(at.group(1))
            if message.startswith("Invalid value"):
                message += '; text needs quotes (mode = "soft"), true/false and numbers do not'
        elif end is not None:
            message, line = (
                f"{message[: end.start()]} at the end of the file",
                len(text.splitlines()),
            )
        problems.append(
            Problem(message=f"not valid TOML: {message}", file=path.name, row=line, row_word="line")
        )
        return None
    return RawRules(data, path.name, toml_line_finder(text))


def save(instance: Instance, path: str | os.PathLike[str], *, bom: bool = False) -> None:
    """Write ``instance`` as a CSV folder, an ``.xlsx`` workbook or a ``.json`` document.

    The format follows the path (a folder when it has no suffix). Files are written atomically.
    ``bom``: CSV files start with a UTF-8 byte-order mark, so that Excel shows Chinese text
    (other formats ignore it).
    """
    from . import csvdir, jsondoc, xlsx

    path = Path(path)
    kind = format_of(path)
    if kind == "csv":
        csvdir.write(instance, path, bom=bom)
    else:
        {"xlsx": xlsx.write, "json": jsondoc.write}[kind](instance, path)
