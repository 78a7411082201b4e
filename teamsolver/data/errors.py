"""Problems found in input, each pinned to the file, row and column a planner can open."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .values import show

Severity = Literal["error", "warning"]


class Problem(BaseModel):
    """One thing wrong with the input.

    ``file`` is what the user opens (``members.csv``, ``plan.xlsx, sheet members``,
    ``plan.json``, ``rules.toml``); ``row`` is the row number as a spreadsheet shows it (the
    header is row 1), or the 1-based item number in a JSON list, or the line in a TOML file;
    ``column`` is the column header, JSON field or rule key. ``rule`` is the rule id when the
    problem is a requirement that rule cannot meet (an error when the rule is hard, a warning
    when it is soft), else None.
    """

    model_config = ConfigDict(frozen=True)

    message: str
    file: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    severity: Severity = "error"
    rule: str | None = None
    row_word: str = "row"

    def where(self) -> str:
        parts = [self.file or (self.table or "input")]
        if self.row is not None:
            parts.append(f"{self.row_word} {self.row}")
        if self.column is not None:
            word = {"row": "column ", "item": "field "}.get(self.row_word, "")
            parts.append(f"{word}{self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.where()}: {prefix}{self.message}"


def plain_message(err: Mapping[str, Any], *, echo: bool = True) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in a planner's words.

    The message says what is expected and, when ``echo`` is true, what was found. Pass
    ``echo=False`` for personal data (a name), which must not be repeated in messages.
    """
    kind = str(err["type"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    got = f", got {show(err.get('input'))}" if echo else ""
    if kind == "missing":
        return "a value is required here"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "expected a number " + msg.removeprefix("Input should be ") + got
    if msg.startswith("Input should be "):
        return "expected " + msg.removeprefix("Input should be ") + got
    if not echo:
        return msg.split(", got ", 1)[0]
    return msg


class TeamsolverError(Exception):
    """Base class of the errors teamsolver raises on purpose."""


class InputError(TeamsolverError):
    """The input cannot be used; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the input"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in errors))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
