"""One JSON document: a key per table (a list of objects) plus ``rules`` (nested settings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..atomic import write_text
from ..errors import Problem
from ..instance import TABLES, Instance
from ..settings import _nearest
from . import Raw, RawRules, RawTable

KEYS = (*TABLES, "rules")


def read_raw(path: Path) -> Raw:
    file = path.name
    raw = Raw(source=file)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raw.problems.append(
            Problem(
                message=f"cannot decode the file as UTF-8 (byte {exc.start + 1}); "
                "a JSON document must be UTF-8",
                file=file,
            )
        )
        raw.unreadable = True
        return raw
    except json.JSONDecodeError as exc:
        raw.problems.append(
            Problem(
                message=f"not valid JSON: {exc.msg} (column {exc.colno})",
                file=file,
                row=exc.lineno,
                row_word="line",
            )
        )
        raw.unreadable = True
        return raw
    except OSError as exc:
        raw.problems.append(
            Problem(message=f"cannot read the file: {exc.strerror or exc}", file=file)
        )
        raw.unreadable = True
        return raw
    except RecursionError:
        raw.problems.append(Problem(message="not valid JSON: nested too deeply", file=file))
        raw.unreadable = True
        return raw
    if not isinstance(doc, dict):
        raw.problems.append(
            Problem(
                message=f"expected a JSON object with one key per table ({', '.join(KEYS)})",
                file=file,
            )
        )
        raw.unreadable = True
        return raw
    for key, value in doc.items():
        if key == "rules":
            if not isinstance(value, dict):
                raw.problems.append(
                    Problem(
                        message="expected an object of rule settings, "
                        'e.g. {"party-branch": {"min": 2}}',
                        file=f"{file}, rules",
                        table="rules",
                    )
                )
            else:
                raw.rules = RawRules(value, f"{file}, rules", None, "line")
            continue
        if key not in TABLES:
            if key.startswith("$"):  # "$schema" and the like
                continue
            raw.problems.append(
                Problem(
                    message=f"unknown key {key!r}{_nearest(key, KEYS)}; expected {', '.join(KEYS)}",
                    file=f"{file}, {key}",
                )
            )
            continue
        label = f"{file}, {key}"
        if not isinstance(value, list):
            raw.problems.append(
                Problem(message="expected a list of objects, one per row", file=label, table=key)
            )
            continue
        rows: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(value, 1):
            if not isinstance(item, dict):
                raw.problems.append(
                    Problem(
                        message="expected an object", file=label, table=key, row=i, row_word="item"
                    )
                )
                continue
            rows.append((i, item))
        raw.tables[key] = RawTable(label, rows, "item")
    return raw


def dumps(instance: Instance) -> str:
    """The JSON document, one table row per line so that it reads and diffs well."""
    doc = instance.to_document()
    parts = []
    for key, value in doc.items():
        if isinstance(value, list):
            rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in value)
            body = f"[\n{rows}\n ]" if value else "[]"
        else:
            body = json.dumps(value, ensure_ascii=False)
        parts.append(f" {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write(instance: Instance, path: Path) -> None:
    write_text(path, dumps(instance))
