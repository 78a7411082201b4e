"""Problems found in input, each pinned to the file, row and column a planner can open."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning"]


class Problem(BaseModel):
    """One thing wrong with the input.

    ``file`` is what the user opens (``members.csv``, ``plan.xlsx, sheet members``,
    ``plan.json``, ``rules.toml``); ``row`` is the row number as a spreadsheet shows it (the
    header is row 1), or the 1-based item number in a JSON list, or the line in a TOML file;
    ``column`` is the column header, JSON field or rule key.
    """

    model_config = ConfigDict(frozen=True)

    message: str
    file: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    severity: Severity = "error"
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
