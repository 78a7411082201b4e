"""Problems found in input, each pinned to the file, row and column a planner can open."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..i18n import DEFAULT, count, text
from ..i18n.phrase import NOTHING, Label, Listed, Phrase, PhraseError, Shown
from ..text import nearest

Severity = Literal["error", "warning"]


class Problem(BaseModel):
    """One thing wrong with the input.

    ``file`` is what the user opens (``members.csv``, ``plan.xlsx, sheet members``,
    ``plan.json``, ``rules.toml``); ``row`` is the row number as a spreadsheet shows it (the
    header is row 1), or the 1-based item number in a JSON list, or the line in a TOML file;
    ``column`` is the column header, JSON field or rule key. ``rule`` is the rule id when the
    problem is a requirement that rule cannot meet (an error when the rule is hard, a warning
    when it is soft), else None.

    ``phrase`` is the same sentence as data (a catalogue key and its values), for
    :meth:`text`, :meth:`where` and :meth:`render` in another language; give it instead of
    ``message`` (which becomes its English text). It is never part of a JSON dump.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    message: str = ""  # filled from ``phrase`` when not given; one of the two is required
    file: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    severity: Severity = "error"
    rule: str | None = None
    row_word: str = "row"
    phrase: Phrase | None = Field(default=None, exclude=True, repr=False)
    #: ``file`` as a phrase, when it was given as a :class:`~teamsolver.i18n.phrase.Label`.
    place: Phrase | None = Field(default=None, exclude=True, repr=False)
    #: ``column``'s header as the planner typed it (``可任组长`` for ``can_lead``), which the
    #: other languages than English show; English shows ``column``, as it always has.
    header: str | None = Field(default=None, exclude=True, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _message_of_phrase(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "message" not in data:
            if data.get("phrase") is None:
                raise ValueError("a problem needs a message or a phrase")
            data = {**data, "message": data["phrase"].render(DEFAULT)}
        if isinstance(data.get("file"), Label):
            data = {**data, "place": data["file"].phrase}
        return data

    def text(self, lang: str = DEFAULT) -> str:
        """What is wrong, in ``lang``: ``message`` in English, and whenever ``phrase`` does not
        say it (a problem made without one, or a copy whose message was replaced)."""
        if lang == DEFAULT or self.phrase is None or self.phrase.render(DEFAULT) != self.message:
            return self.message
        return self.phrase.render(lang)

    def where(self, lang: str = DEFAULT) -> str:
        """``members.csv, row 4, column can_lead`` (``成员.csv，第 4 行，列“can_lead”``): the
        file, the row, item or line (``row_word``), and the column or field."""
        if self.place is not None and self.place.render(DEFAULT) == self.file:
            parts = [self.place.render(lang)]
        else:
            parts = [self.file or (self.table or text("problem.where.input", lang))]
        if self.row is not None:
            parts.append(text(f"problem.where.{_word(self.row_word)}", lang, n=self.row))
        if self.column is not None:
            word = {"row": "column", "item": "field"}.get(self.row_word, "key")
            name = self.header if self.header and lang != DEFAULT else self.column
            parts.append(text(f"problem.where.{word}", lang, name=name))
        return text("problem.where.sep", lang).join(parts)

    def render(self, lang: str = DEFAULT) -> str:
        """The whole line, ``where: [warning: ]what``, in ``lang``; ``str(problem)`` is English."""
        what = self.text(lang)
        if self.severity == "warning":
            what = text("problem.warning", lang, what=what)
        return text("problem.line", lang, where=self.where(lang), what=what)

    def __str__(self) -> str:
        return self.render(DEFAULT)


def _word(row_word: str) -> str:
    """The catalogue word of ``row_word`` (``row``, ``item`` or ``line``)."""
    if row_word not in ("row", "item", "line"):
        raise ValueError(f"unknown row word {row_word!r}")
    return row_word


def plain_message(err: Mapping[str, Any], *, echo: bool = True) -> str:
    """:func:`plain_phrase` in English."""
    return plain_phrase(err, echo=echo).render(DEFAULT)


def plain_phrase(err: Mapping[str, Any], *, echo: bool = True) -> Phrase:
    """One pydantic error (an item of ``ValidationError.errors()``) in a planner's words, as a
    phrase (``str()`` of it is the English sentence).

    The message says what is expected and, when ``echo`` is true, what was found. Pass
    ``echo=False`` for personal data (a name), which must not be repeated in messages.

    Built from the error's type and context, not from pydantic's English ``msg``: a
    :class:`~teamsolver.i18n.phrase.PhraseError` raised by a parser
    (:mod:`teamsolver.data.values`) carries its own phrase; the checks teamsolver's models
    declare (``ge``, ``le``, a literal) have catalogue keys (``problem.pydantic.*``); any other
    error (none is known to occur) keeps pydantic's English words.
    """
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return Phrase("problem.value.required")
    if kind == "too_short":
        return Phrase("problem.value.empty")
    error = ctx.get("error")
    if isinstance(error, PhraseError):
        return error.sentence(echo)
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "ge" if kind == "greater_than_equal" else "le"
        what = Phrase(f"problem.pydantic.{bound}", **{bound: ctx[bound]})
    elif kind == "literal_error":
        what = Phrase("problem.pydantic.literal", expected=_literal(ctx["expected"]))
    else:  # no model of teamsolver's raises another kind: pydantic's words, as they always were
        msg = str(err["msg"]).removeprefix("Value error, ")
        if kind in ("greater_than", "less_than"):
            msg = "expected a number " + msg.removeprefix("Input should be ")
        elif msg.startswith("Input should be "):
            msg = "expected " + msg.removeprefix("Input should be ")
        else:
            return Phrase("problem.verbatim", text=msg if echo else msg.split(", got ", 1)[0])
        what = Phrase("problem.verbatim", text=msg)
    if not echo:
        return what
    return Phrase("problem.got", what=what, got=Shown(err.get("input")))


def _literal(expected: str) -> Any:
    """The allowed values of a literal (pydantic's ``'hard', 'soft' or 'off'``) as a phrase in
    each language: the quoted values are taken out (they are ids, never translated), pydantic's
    ``or`` is not kept."""
    values = [ast.literal_eval(v) for v in _QUOTED.findall(expected)]
    if not values or not all(isinstance(v, str) for v in values):
        return expected  # not a list of text values: as pydantic wrote it
    if len(values) == 1:
        return Shown(values[0])
    return Phrase(
        "problem.choices.two", items=Listed(values[:-1], shown=True), last=Shown(values[-1])
    )


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def as_phrase(message: str | Phrase) -> Phrase:
    """``message`` as a phrase: text that was never made from the catalogue stays as it is."""
    return message if isinstance(message, Phrase) else Phrase("problem.verbatim", text=message)


def one_of(items: Sequence[Any], *, shown: bool = False) -> Any:
    """``a, b or c`` in each language (``a、b 或 c``); items quoted when ``shown``."""
    if len(items) == 1:
        return Shown(items[0]) if shown else items[0]
    last = Shown(items[-1]) if shown else items[-1]
    return Phrase("problem.choices.two", items=Listed(items[:-1], shown=shown), last=last)


def did_you_mean(word: str, choices: Sequence[str], cutoff: float = 0.5) -> Phrase:
    """`` (did you mean 'recusal'?)`` for a mistyped key, or nothing
    (:func:`teamsolver.text.did_you_mean` as a phrase)."""
    near = nearest(word, choices, cutoff)
    return Phrase("problem.near.paren", near=Shown(near)) if near else NOTHING


def place_of(file: str | None) -> Phrase | None:
    """The phrase of ``file`` when it is a :class:`~teamsolver.i18n.phrase.Label`, for
    ``Problem.model_copy(update={"file": file, "place": place_of(file)})``."""
    return file.phrase if isinstance(file, Label) else None


def cannot_read(exc: OSError) -> Phrase:
    """``cannot read the file: Permission denied`` (the system's reason stays as it says it)."""
    return Phrase("problem.file.cannot_read", reason=exc.strerror or str(exc))


class TeamsolverError(Exception):
    """Base class of the errors teamsolver raises on purpose."""


class InputError(TeamsolverError):
    """The input cannot be used; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(self.render(DEFAULT))

    def render(self, lang: str = DEFAULT) -> str:
        """``3 problems in the input`` and each error on its own line, in ``lang``."""
        head = count("problem.count", len(self.errors), lang)
        return head + "\n" + "\n".join(f"  {p.render(lang)}" for p in self.errors)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
