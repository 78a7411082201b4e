"""One JSON document: a key per table (a list of objects) plus ``rules`` (nested settings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..data.errors import Problem, as_phrase, cannot_read, did_you_mean
from ..data.instance import TABLES, Instance
from ..data.values import Unreadable
from ..i18n.phrase import Label, Listed, Phrase, Shown
from .atomic import write_text
from .raw import Raw, RawRules, RawTable

KEYS = (*TABLES, "rules")


def loads(text: str) -> Any:
    """:func:`json.loads`, except that ``NaN``, ``Infinity`` and ``-Infinity`` (which JSON does
    not allow, though Python writes and reads them) become :class:`Unreadable` values, to be
    reported where they stand instead of read as empty."""
    return json.loads(
        text,
        parse_constant=lambda name: Unreadable(Phrase("problem.json.constant", name=name)),
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
                phrase=Phrase("problem.json.not_utf8", byte=exc.start + 1),
                file=file,
            )
        )
        raw.unreadable = True
        return raw
    except json.JSONDecodeError as exc:
        raw.problems.append(
            Problem(
                phrase=Phrase("problem.json.invalid", reason=exc.msg, column=exc.colno),
                file=file,
                row=exc.lineno,
                row_word="line",
            )
        )
        raw.unreadable = True
        return raw
    except OSError as exc:
        raw.problems.append(Problem(phrase=cannot_read(exc), file=file))
        raw.unreadable = True
        return raw
    except RecursionError:
        raw.problems.append(Problem(phrase=Phrase("problem.json.too_deep"), file=file))
        raw.unreadable = True
        return raw
    if not isinstance(doc, dict):
        raw.problems.append(
            Problem(
                phrase=Phrase("problem.json.not_object", keys=Listed(KEYS)),
                file=file,
            )
        )
        raw.unreadable = True
        return raw
    rules_label = key_label(file, "rules")
    for key, value in doc.items():
        if key == "rules":
            if not isinstance(value, dict):
                raw.problems.append(
                    Problem(
                        phrase=Phrase("problem.json.rules"),
                        file=rules_label,
                        table="rules",
                    )
                )
            else:
                raw.rules = RawRules(
                    _rules(value, rules_label, raw.problems), rules_label, None, "line"
                )
            continue
        if key not in TABLES:
            if key.startswith("$"):  # "$schema" and the like
                continue
            raw.problems.append(
                Problem(
                    phrase=Phrase(
                        "problem.json.unknown_key",
                        key=Shown(key),
                        hint=did_you_mean(key, KEYS),
                        keys=Listed(KEYS),
                    ),
                    file=key_label(file, key),
                )
            )
            continue
        label = key_label(file, key)
        if not isinstance(value, list):
            raw.problems.append(
                Problem(phrase=Phrase("problem.json.not_list"), file=label, table=key)
            )
            continue
        rows: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(value, 1):
            if not isinstance(item, dict):
                raw.problems.append(
                    Problem(
                        phrase=Phrase("problem.json.not_item"),
                        file=label,
                        table=key,
                        row=i,
                        row_word="item",
                    )
                )
                continue
            rows.append((i, {k: unreadable_in(v) or v for k, v in item.items()}))
        raw.tables[key] = RawTable(label, rows, "item")
    return raw


def key_label(file: str, key: str) -> Label:
    """``plan.json, members``: where the list of a key of a JSON document is."""
    return Label(Phrase("problem.where.json_key", file=file, key=key))


def _rules(data: dict[str, Any], label: str, problems: list[Problem]) -> dict[str, Any]:
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
                    phrase=as_phrase(bad.message),
                    file=label,
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
