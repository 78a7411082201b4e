"""Reading and writing instances: a folder of CSV files, one XLSX workbook, or one JSON document.

All three readers produce the same raw form (:class:`RawTable` per table plus a rules dict);
:func:`read` turns it into an :class:`~teamsolver.data.instance.Instance` and collects every
problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.errors import InputError, Problem
from ..data.instance import REQUIRED_TABLES, TABLES, Instance, TableOrigin, relaxed
from ..data.settings import Rules, parse_rules
from ..i18n.phrase import NOTHING, Listed, Phrase, Shown
from ..validation import ANY_ID, validate_instance
from . import csvdir, jsondoc, xlsx
from .raw import Raw, read_rules_file
from .tables import parse_rows


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
        ".csv": Phrase("problem.file.csv_folder"),
        ".xls": Phrase("problem.file.save_xlsx"),
        ".et": Phrase("problem.file.save_xlsx"),
    }.get(suffix, NOTHING)
    raise InputError(
        [
            Problem(
                phrase=Phrase("problem.file.format", name=Shown(path.name), hint=hint),
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
    path = Path(path)
    if not path.exists():
        return LoadResult(None, [Problem(phrase=Phrase("problem.file.no_path"), file=str(path))])
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
    Raises :class:`~teamsolver.data.errors.InputError` listing every problem.
    """
    result = read(path, encoding=encoding, rules=rules, relax=relax)
    if result.errors or result.instance is None:
        raise InputError(result.problems)
    return result.instance


def build(raw: Raw, *, relax: bool = False) -> LoadResult:
    """Typed rows, rules and cross-table checks from raw tables.

    Rows with a bad cell still take part in the checks between tables (see
    :class:`~teamsolver.files.tables.ParsedTable`), so one pass reports every problem; rows that
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
                            phrase=Phrase(
                                f"problem.file.required_{raw.table_word}",
                                table=Shown(table),
                                tables=Listed(REQUIRED_TABLES),
                            ),
                            table=table,
                            file=raw.source or table,
                        )
                    )
            continue
        parsed = parse_rows(table, rt.rows, rt.file, rt.row_word, rt.missing, rt.headers)
        problems.extend(parsed.problems)
        tables[table] = tuple(parsed.rows)
        # constructed as given: a sheet's Label stays one, for problems in other languages
        origin[table] = TableOrigin.model_construct(
            file=rt.file, rows=tuple(parsed.numbers), row_word=rt.row_word, headers=rt.headers
        )
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
        judged = relaxed(instance).with_origin(origin)
        problems.extend(validate_instance(judged, broken))
    else:
        problems.extend(validate_instance(instance, broken))
    problems = list(dict.fromkeys(problems))
    ok = not any(p.severity == "error" for p in problems)
    return LoadResult(instance if ok else None, problems)


def save(instance: Instance, path: str | os.PathLike[str], *, bom: bool = False) -> None:
    """Write ``instance`` as a CSV folder, an ``.xlsx`` workbook or a ``.json`` document.

    The format follows the path (a folder when it has no suffix). Files are written atomically.
    ``bom``: CSV files start with a UTF-8 byte-order mark, so that Excel shows Chinese text
    (other formats ignore it).
    """
    path = Path(path)
    kind = format_of(path)
    if kind == "csv":
        csvdir.write(instance, path, bom=bom)
    else:
        {"xlsx": xlsx.write, "json": jsondoc.write}[kind](instance, path)
