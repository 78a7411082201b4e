"""The raw form every reader produces: tables of rows as read, the rules as read, and the
problems found on the way. :func:`teamsolver.files.read` builds an instance from it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data.errors import Problem
from ..i18n.phrase import NOTHING, Phrase

LineOf = Callable[[str, str | None], int | None]


@dataclass
class RawTable:
    """Rows of one table as read: (row number as the user sees it, {field: raw value})."""

    file: str
    rows: list[tuple[int, dict[str, Any]]]
    row_word: str = "row"
    #: Required columns the header lacks (already reported; not reported again per row).
    missing: frozenset[str] = frozenset()
    #: Each column's header as the planner typed it (``可任组长`` for ``can_lead``), for
    #: problems said in another language than English.
    headers: dict[str, str] = field(default_factory=dict)


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
        problems.append(Problem(phrase=Phrase("problem.rules.no_file"), file=str(path)))
        return None
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(phrase=Phrase("problem.rules.not_utf8", byte=exc.start + 1), file=path.name)
        )
        return None
    except OSError as exc:
        problems.append(
            Problem(
                phrase=Phrase("problem.rules.cannot_read", reason=exc.strerror or str(exc)),
                file=str(path),
            )
        )
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's own words stay as they are; where it says the error is goes into ours
        message, line, column, hint = str(exc), None, NOTHING, NOTHING
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        end = re.search(r"\s*\(at end of document\)$", message)
        if at is not None:
            message, line = message[: at.start()], int(at.group(1))
            column = Phrase("problem.toml.column", n=at.group(2))
            if message.startswith("Invalid value"):
                hint = Phrase("problem.toml.quotes")
        elif end is not None:
            message, line = message[: end.start()], len(text.splitlines())
            column = Phrase("problem.toml.at_end")
        phrase = Phrase("problem.toml.invalid", reason=message, column=column, hint=hint)
        problems.append(Problem(phrase=phrase, file=path.name, row=line, row_word="line"))
        return None
    return RawRules(data, path.name, toml_line_finder(text))
