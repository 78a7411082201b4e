"""Instances from requests: an uploaded workbook, JSON document or zip of CSV files, or a JSON
document in the request body; rosters and scenarios the same way.

Nothing a request names is ever opened: the bytes of an upload are written under a fresh
private temporary folder, with a file name made here (the upload's own name only gives the
extension and, cleaned to letters, digits and ``._-``, the label that problems show), read by
the same readers as the command line, and removed. A zip gives only its ``.csv`` files and its
``rules.toml`` (by their base name, whatever folder they sit in), each no larger than
:data:`MAX_UNZIPPED`, so that a small zip cannot fill the disk.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from .. import files
from ..data.errors import InputError, Problem
from ..data.instance import Instance
from ..data.roster import Roster
from ..files import LoadResult
from ..files.rosters import read_roster
from ..i18n.phrase import Phrase, Shown
from ..validation import validate_instance

#: Largest total size of the files taken out of one zip, in bytes.
MAX_UNZIPPED = 200 * 1024 * 1024
#: Extensions of the instance formats an upload may have.
INSTANCE_TYPES = (".xlsx", ".xlsm", ".json", ".zip")
ROSTER_TYPES = (".csv", ".xlsx", ".xlsm", ".json")

T = TypeVar("T")


def label(name: str | None, default: str) -> str:
    """A file name safe to show and to create: the last part of ``name``, reduced to letters,
    digits and ``._-`` (``default`` when nothing is left)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    clean = re.sub(r"[^\w.\-]+", "_", base, flags=re.ASCII).strip("._")
    return clean[:80] if clean else default


@contextmanager
def _scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="teamsolver-upload-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _refused(file: str, message: Phrase) -> LoadResult:
    return LoadResult(None, [Problem(phrase=message, file=file)])


def read_upload(name: str | None, data: bytes) -> LoadResult:
    """The instance in an uploaded file, with every problem found."""
    shown = label(name, "upload.xlsx")
    suffix = PurePosixPath(shown).suffix.lower()
    if suffix not in INSTANCE_TYPES:
        return _refused(shown, Phrase("problem.upload.type"))
    with _scratch() as folder:
        if suffix != ".zip":
            path = folder / shown
            path.write_bytes(data)
            return files.read(path)
        target = folder / PurePosixPath(shown).stem
        target.mkdir()
        problem = _unzip(data, shown, target)
        return files.read(target) if problem is None else LoadResult(None, [problem])


def _unzip(data: bytes, shown: str, target: Path) -> Problem | None:
    """The ``.csv`` files and ``rules.toml`` of a zip, flat in ``target``; a problem if the zip
    cannot be read, holds two files of one name, or unpacks to more than the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return Problem(phrase=Phrase("problem.upload.not_zip"), file=shown)
    total = 0
    with archive:
        for info in archive.infolist():
            base = PurePosixPath(info.filename.replace("\\", "/")).name
            if info.is_dir() or not (base.lower().endswith(".csv") or base == "rules.toml"):
                continue
            safe = label(base, "")
            if not safe or (target / safe).exists():
                return Problem(
                    phrase=Phrase("problem.upload.two_files", name=Shown(base)), file=shown
                )
            total += info.file_size
            if total > MAX_UNZIPPED:
                return Problem(
                    phrase=Phrase("problem.upload.too_large", mb=MAX_UNZIPPED // 2**20),
                    file=shown,
                )
            try:
                with archive.open(info) as src:
                    body = src.read(MAX_UNZIPPED + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                phrase = Phrase("problem.upload.cannot_unpack", name=Shown(base), reason=str(exc))
                return Problem(phrase=phrase, file=shown)
            if len(body) > info.file_size:  # a header that lies about the size
                phrase = Phrase("problem.upload.larger", name=Shown(base))
                return Problem(phrase=phrase, file=shown)
            (target / safe).write_bytes(body)
    return None


def read_document(doc: Any) -> LoadResult:
    """The instance of a JSON document (a request's ``instance``), problems located as in a
    file ``instance.json``."""
    with _scratch() as folder:
        path = folder / "instance.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return files.read(path)


def checked(instance: Instance) -> LoadResult:
    """An instance taken from the store, validated again (as any input is)."""
    problems = validate_instance(instance)
    errors = [p for p in problems if p.severity == "error"]
    return LoadResult(None if errors else instance, problems)


def read_roster_upload(name: str | None, data: bytes, instance: Instance) -> Roster:
    """The roster in an uploaded file (raises :class:`InputError` with its rows)."""
    shown = label(name, "roster.csv")
    if PurePosixPath(shown).suffix.lower() not in ROSTER_TYPES:
        raise InputError([Problem(phrase=Phrase("problem.upload.roster"), file=shown)])
    return _with_file(shown, data, lambda path: read_roster(path, instance))


def read_roster_seats(seats: Any, instance: Instance) -> Roster:
    """A roster given as a JSON list of seats (or ``{"roster": [...]}``), read like a file
    ``roster.json``."""
    text = json.dumps(seats if isinstance(seats, dict) else {"roster": seats}, ensure_ascii=False)
    return _with_file("roster.json", text.encode(), lambda path: read_roster(path, instance))


def _with_file(name: str, data: bytes, read: Callable[[Path], T]) -> T:
    with _scratch() as folder:
        path = folder / name
        path.write_bytes(data)
        return read(path)
