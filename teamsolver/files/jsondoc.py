"""One JSON document: a key per table (a list of objects) plus ``rules`` (nested settings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..data.errors import Problem
from ..data.instance import TABLES, Instance
from ..data.values import Unreadable
from ..text import did_you_mean
from .atomic import write_text
from .raw import Raw, RawRules, RawTable

KEYS = (*TABLES, "rules")


def loads(text: str) -> Any:
    """:func:`json.loads`, except that ``NaN``, ``Infinity`` and ``-Infinity`` (which JSON does
    not allow, though Python writes and reads them) become :class:`Unreadable` values, to be
    reported where they stand instead of read as empty."""
    return json.loads(
        text,
        parse_constant=lambda name: Unreadable(
            f"{name} is not a number JSON allows; write a number, or null for no value"
        ),
    )


def unreadable_in(value: Any) -> Unreadable | None:
    """The first :class:`Unreadable` in a JSON value, however deep, or None."""
    if isinstance(value, Unreadable):
        return value
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((u for u in map(unreadable_in, inner) if u is not None), None)


def read_raw(path: Path) -> Raw:
    file = path.name
    raw = Raw(source=file)
    try:
        doc = loads(path.read_text(encoding="utf-8-sig"))
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
                raw.rules = RawRules(
                    _rules(value, file, raw.problems), f"{file}, rules", None, "line"
                )
            continue
        if key not in TABLES:
            if key.startswith("$"):  # "$schema" and the like
                continue
            raw.problems.append(
                Problem(
                    message=f"unknown key {key!r}{did_you_mean(key, KEYS)}; "
                    f"expected {', '.join(KEYS)}",
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
            rows.append((i, {k: unreadable_in(v) or v for k, v in item.items()}))
        raw.tables[key] = RawTable(label, rows, "item")
    return raw


def _rules(data: dict[str, Any], file: str, problems: list[Problem]) -> dict[str, Any]:
    """The rule settings without the values that hold ``NaN`` or ``Infinity``, each reported."""
    out: dict[str, Any] = {}
    for section, body in data.items():
        keys = body.items() if isinstance(body, dict) else [(None, body)]
        kept = {}
        for key, value in keys:
            bad = unreadable_in(value)
            if bad is None:
                kept[key] = value
                continue
            where = f"[{section}]" if key is None else f"[{section}] {key}"
            problems.append(
                Problem(
                    message=bad.message,
                    file=f"{file}, rules",
                    table="rules",
                    column=where,
                    row_word="line",
                )
            )
        if isinstance(body, dict):
            out[section] = kept
        elif kept:
            out[section] = body
    return out


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
