"""A folder of CSV files, one per table (``members.csv`` …), plus an optional ``rules.toml``."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any

import tomli_w

from ..data.errors import InputError, Problem, cannot_read
from ..data.instance import TABLES, Instance
from ..i18n.phrase import Listed, Phrase, Shown
from .atomic import write_folder
from .cells import escape, table_grid, unescape
from .raw import Raw, RawTable, read_rules_file
from .tables import map_headers, required_columns, table_name, typed_headers


def decode(data: bytes, file: str, encoding: str | None) -> tuple[str | None, Problem | None]:
    """The text of a CSV file, or a problem saying where decoding failed and why.

    Without ``encoding``, a file is UTF-8 when it starts with a byte-order mark or when most of
    its lines that are not plain ASCII are UTF-8: a line that is not is then reported (it was
    likely pasted from a GB18030 file); otherwise the file is GB18030, the encoding Chinese
    Excel uses for "CSV" (a superset of GBK and GB2312).
    """
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), None
        except UnicodeDecodeError as exc:
            return None, _undecodable(data, exc, file, "problem.csv.decode_as", encoding=encoding)
        except LookupError:
            return None, Problem(
                phrase=Phrase("problem.csv.encoding", encoding=Shown(encoding)), file=file
            )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        utf8 = exc
    if data.startswith(codecs.BOM_UTF8):
        return None, _undecodable(data, utf8, file, "problem.csv.bom_not_utf8")
    utf8_lines = bad_lines = 0
    for line in data.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad_lines += 1
    if utf8_lines and utf8_lines >= bad_lines:
        return None, _undecodable(data, utf8, file, "problem.csv.line_not_utf8")
    try:
        return data.decode("gb18030"), None
    except UnicodeDecodeError as exc:
        return None, _undecodable(data, exc, file, "problem.csv.undecodable")


def _undecodable(
    data: bytes, exc: UnicodeDecodeError, file: str, key: str, **values: Any
) -> Problem:
    """The phrase ``key`` (whose ``{byte}`` is the first byte that ``exc`` could not decode) at
    the line of that byte."""
    line = data[: exc.start].count(b"\n") + 1
    phrase = Phrase(key, byte=exc.start + 1, **values)
    return Problem(phrase=phrase, file=file, row=line, row_word="line")


def csv_records(text: str) -> tuple[list[list[str]], int | None]:
    """The records of a CSV text, and the line of a quote that is never closed (None when every
    quote is closed): such a quote makes the rest of the file one value."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    last = line = 1
    for record in reader:
        records.append(record)
        last, line = line, reader.line_num + 1
    if not records or not any(_NEWLINES.search(c) for c in records[-1]):
        return records, None
    tail = "".join(list(io.StringIO(text, newline=""))[last - 1 :])
    try:
        list(csv.reader(io.StringIO(tail, newline=""), strict=True))
    except csv.Error:
        return records, last + sum(len(_NEWLINES.findall(c)) for c in records[-1][:-1])
    return records, None


UNCLOSED_QUOTE = Phrase("problem.csv.unclosed_quote")
_NEWLINES = re.compile(r"\r\n|\r|\n")
#: Separators that spreadsheet programs use in some locales instead of a comma.
OTHER_SEPARATORS = {";": Shown(";"), "\t": Phrase("problem.csv.tab"), "|": Shown("|")}


def read_csv_table(
    path: Path, table: str, encoding: str | None, problems: list[Problem]
) -> RawTable | None:
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(phrase=cannot_read(exc), file=file, table=table))
        return None
    text, problem = decode(data, file, encoding)
    if problem is not None or text is None:
        problem = problem or Problem(phrase=Phrase("problem.file.unreadable"), file=file)
        problems.append(problem.model_copy(update={"table": table}))
        return None
    try:
        records, unclosed = csv_records(text)
    except csv.Error as exc:
        phrase = Phrase("problem.csv.unreadable", reason=str(exc))
        problems.append(Problem(phrase=phrase, file=file, table=table))
        return None
    if unclosed is not None:
        problems.append(
            Problem(
                phrase=UNCLOSED_QUOTE,
                file=file,
                table=table,
                row=unclosed,
                row_word="line",
            )
        )
        return None
    start = next((i for i, rec in enumerate(records) if any(c.strip() for c in rec)), None)
    if start is None:
        problems.append(Problem(phrase=Phrase("problem.csv.empty"), file=file, table=table, row=1))
        return None
    header = records[start]
    other = next((sep for sep in OTHER_SEPARATORS if len(header) == 1 and sep in header[0]), None)
    if other is not None:
        problems.append(
            Problem(
                phrase=Phrase("problem.csv.separator", separator=OTHER_SEPARATORS[other]),
                file=file,
                table=table,
                row=start + 1,
            )
        )
        return None
    columns, header_problems = map_headers(table, header, file)
    problems.extend(p.model_copy(update={"row": start + 1}) for p in header_problems)
    missing = frozenset(required_columns(table)) - set(columns)
    rows: list[tuple[int, dict[str, Any]]] = []
    for i in range(start + 1, len(records)):
        rec = records[i]
        if not any(c.strip() for c in rec):
            continue
        values = {
            col: unescape(rec[j])
            for j, col in enumerate(columns)
            if col is not None and j < len(rec)
        }
        rows.append((i + 1, values))
    return RawTable(file, rows, missing=missing, headers=typed_headers(header, columns))


def read_raw(path: Path, encoding: str | None = None) -> Raw:
    raw = Raw()
    if not path.is_dir():
        raw.problems.append(
            Problem(
                phrase=Phrase("problem.file.not_instance"),
                file=str(path),
            )
        )
        raw.unreadable = True
        return raw
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raw.problems.append(
                Problem(
                    phrase=Phrase("problem.csv.encoding_option", encoding=Shown(encoding)),
                    file="--encoding",
                )
            )
            raw.unreadable = True
            return raw
    for child in sorted(path.iterdir()):
        if child.suffix.lower() != ".csv" or not child.is_file():
            continue
        table = table_name(child.stem)
        if table is None or table == "rules":
            raw.problems.append(
                Problem(
                    phrase=Phrase(
                        "problem.csv.not_a_table", name=Shown(child.name), tables=Listed(TABLES)
                    ),
                    file=child.name,
                    severity="warning",
                )
            )
            continue
        if table in raw.tables:
            raw.problems.append(
                Problem(
                    phrase=Phrase(
                        "problem.csv.second_file",
                        table=Shown(table),
                        first=raw.tables[table].file,
                    ),
                    file=child.name,
                    severity="warning",
                )
            )
            continue
        rt = read_csv_table(child, table, encoding, raw.problems)
        if rt is not None:
            raw.tables[table] = rt
    for table in ("members", "units", "groups"):
        if table not in raw.tables and not any(p.table == table for p in raw.problems):
            raw.problems.append(
                Problem(
                    phrase=Phrase("problem.csv.no_table"),
                    file=f"{path.name}/{table}.csv",
                    table=table,
                )
            )
    rules = path / "rules.toml"
    if rules.exists():
        raw.rules = read_rules_file(rules, raw.problems)
    return raw


def csv_text(columns: list[str], grid: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in grid:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return escape(str(value))


OWN_FILES = {f"{t}.csv" for t in TABLES} | {"rules.toml"}


def write(instance: Instance, path: Path, *, bom: bool = False) -> None:
    if path.exists() and (
        not path.is_dir() or any(c.name not in OWN_FILES for c in path.iterdir())
    ):
        raise InputError(
            [
                Problem(
                    phrase=Phrase("problem.file.folder_taken"),
                    file=str(path),
                )
            ]
        )
    encoding = "utf-8-sig" if bom else "utf-8"

    def fill(folder: Path) -> None:
        for table in TABLES:
            grid = table_grid(instance, table)
            if grid is not None:
                (folder / f"{table}.csv").write_text(csv_text(*grid), encoding=encoding, newline="")
        data = {
            section: {k: "unbounded" if v is None else v for k, v in body.items()}
            for section, body in instance.rules.to_dict().items()
        }
        if data:
            (folder / "rules.toml").write_text(tomli_w.dumps(data), encoding="utf-8")

    write_folder(path, fill)
