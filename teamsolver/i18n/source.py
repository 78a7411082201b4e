"""The language an instance was written in, for the default of ``--lang``.

The loader keeps where each table came from (:class:`teamsolver.data.instance.TableOrigin`: the file
and row numbers) but not the headers it matched, so :func:`source_lang` looks again at the one
place that tells: the header of the members table (its file or sheet name and its column
names). Chinese when any of them is written in Chinese (``编号, 姓名, 单位``, ``成员.csv``,
a sheet ``人才库``), else English. It reads a header row only, never the whole table, and
never fails: an unreadable source is ``en`` (the loader reports it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..files.csvdir import decode
from ..files.tables import table_name

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_chinese(texts: Iterable[Any]) -> bool:
    """Whether any of ``texts`` holds a CJK ideograph."""
    return any(_CJK.search(str(t)) for t in texts if t is not None)


def source_lang(path: str | os.PathLike[str]) -> str:
    """``zh`` when the members table of the instance at ``path`` has Chinese headers or a
    Chinese table name, else ``en``."""
    path = Path(path)
    try:
        if path.is_dir():
            names = _csv_header(path)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            names = _xlsx_header(path)
        elif path.suffix.lower() == ".json":
            names = _json_header(path)
        else:
            names = []
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile):
        names = []  # a damaged workbook too (BadZipFile): the loader reports it
    return "zh" if has_chinese(names) else "en"


def _csv_header(folder: Path) -> list[Any]:
    for child in sorted(folder.iterdir()):
        if child.suffix.lower() == ".csv" and table_name(child.stem) == "members":
            with open(child, "rb") as fh:
                head = fh.read(64 * 1024).split(b"\n", 1)[0]
            text, _ = decode(head, child.name, None)
            first = next(csv.reader(io.StringIO(text or "")), [])
            return [child.stem, *first]
    return []


def _xlsx_header(path: Path) -> list[Any]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            if table_name(sheet.title) == "members":
                for row in sheet.iter_rows(values_only=True, max_row=20):
                    if any(v is not None for v in row):
                        return [sheet.title, *row]
                return [sheet.title]
    finally:
        book.close()
    return []


def _json_header(path: Path) -> list[Any]:
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(doc, dict):
        return []
    for key, rows in doc.items():
        if table_name(str(key)) == "members" and isinstance(rows, list):
            first = rows[0] if rows and isinstance(rows[0], dict) else {}
            return [key, *first]
    return []
