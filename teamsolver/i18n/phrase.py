"""Sentences made from data: a catalogue key and its values, rendered in a language later.

A :class:`Phrase` is what a located input problem says (:class:`teamsolver.data.errors.Problem`)
kept as data — ``Phrase("problem.cell.bool", got=Shown("maybe"))`` — so that one problem can be
shown in every language without parsing its English back. A value may itself be a phrase, a
:class:`Count` (``3 rows``, ``3 行``), a :class:`Shown` value (quoted as each language quotes) or
a :class:`Listed` sequence (``a, b`` / ``a、b``); anything else (ids, numbers, headers as the
user typed them) is written as it is. ``str(phrase)`` is the English text.

Small on purpose: rendering only, no grammar. The catalogues hold the words (``problem.*``); a
phrase's template is always formatted, so ``{{`` in it is one brace even when it has no values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from . import DEFAULT, catalogue, count, text


def show(value: Any) -> str:
    """A value for a message: text quoted and shortened, anything else as JSON writes it."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:  # e.g. a list that contains itself
            text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text) if isinstance(value, str) else text


def render(value: Any, lang: str = DEFAULT) -> Any:
    """``value`` in ``lang`` when it is made of words (a phrase, count, shown or listed value,
    a :class:`Label`), else ``value`` itself, for a ``{placeholder}``."""
    if isinstance(value, Label):
        return value.phrase.render(lang)
    return value.render(lang) if isinstance(value, Phrase) else value


class Phrase:
    """The text of catalogue ``key`` with ``values`` (rendered in the same language) filled in."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Any):
        self.key = key
        self.values = values

    def render(self, lang: str = DEFAULT) -> str:
        # always formatted, values or not: ``{{`` in a template is one brace
        return catalogue(lang)[self.key].format(
            **{k: render(v, lang) for k, v in self.values.items()}
        )

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({self.key!r}{args})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, Phrase)
            and (self.key, self.values) == (other.key, other.values)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.key, repr(self.values)))

    def __getstate__(self) -> tuple[str, dict[str, Any]]:
        return self.key, self.values

    def __setstate__(self, state: tuple[str, dict[str, Any]]) -> None:
        self.key, self.values = state


class Count(Phrase):
    """``key.one`` or ``key.other`` by ``n`` (:func:`teamsolver.i18n.count`)."""

    __slots__ = ()

    def __init__(self, key: str, n: int, /, **values: Any):
        super().__init__(key, n=n, **values)

    def render(self, lang: str = DEFAULT) -> str:
        values = {k: render(v, lang) for k, v in self.values.items() if k != "n"}
        return count(self.key, self.values["n"], lang, **values)


class Shown(Phrase):
    """A value as a message shows it (:func:`show`): text shortened, and
    anything else as JSON writes it; quoted in English as Python writes text (``'maybe'``, a
    number bare), in other languages with the language's quotes, numbers too (``problem.quoted``:
    ``“maybe”``, ``“101”``)."""

    __slots__ = ()

    def __init__(self, value: Any):
        super().__init__("problem.quoted", value=value)

    def render(self, lang: str = DEFAULT) -> str:
        value = self.values["value"]
        if lang == DEFAULT:
            return show(value)
        if not isinstance(value, str):  # quoted too, so that it stands apart from the words
            return text(self.key, lang, text=show(value))
        short = value if len(value) <= 40 else value[:37] + "..."
        return text(self.key, lang, text=repr(short)[1:-1])  # escapes kept, quotes replaced


class Listed(Phrase):
    """Items joined by the language's separator (``problem.list``: ``, `` / ``、``); each item
    rendered, or shown (:class:`Shown`) when ``shown`` is true."""

    __slots__ = ()

    def __init__(self, items: Iterable[Any], *, shown: bool = False):
        super().__init__("problem.list", items=tuple(items), shown=shown)

    def render(self, lang: str = DEFAULT) -> str:
        sep = text(self.key, lang)
        wrap = Shown if self.values["shown"] else (lambda v: v)
        return sep.join(str(render(wrap(item), lang)) for item in self.values["items"])


class _Nothing(Phrase):
    __slots__ = ()

    def __init__(self) -> None:
        super().__init__("")

    def render(self, lang: str = DEFAULT) -> str:
        return ""


#: The empty phrase, for an optional part of a sentence that is left out.
NOTHING: Phrase = _Nothing()


class Label(str):
    """Text that names a place (``plan.xlsx, sheet members``) and is also a phrase: it goes
    wherever a file name goes as plain text, the English one, and renders in other languages
    from :attr:`phrase` (``plan.xlsx，工作表 members``)."""

    phrase: Phrase

    def __new__(cls, phrase: Phrase) -> Label:
        label = super().__new__(cls, phrase.render(DEFAULT))
        label.phrase = phrase
        return label

    def __getnewargs__(self) -> tuple[Phrase]:  # type: ignore[override]
        return (self.phrase,)


class PhraseError(ValueError):
    """A ``ValueError`` whose sentence is a phrase: what is expected, and what was found
    (``got``, left out by :meth:`sentence` when the value is personal data). Pydantic keeps the
    exception in an error's ``ctx``, where :func:`teamsolver.data.errors.plain_message` finds it.
    """

    _NOTHING = object()

    def __init__(self, phrase: Phrase, got: Any = _NOTHING):
        self.phrase = phrase
        self.got = got
        super().__init__(str(self.sentence()))

    def sentence(self, echo: bool = True) -> Phrase:
        if not echo or self.got is self._NOTHING:
            return self.phrase
        return Phrase("problem.got", what=self.phrase, got=Shown(self.got))


__all__ = ["NOTHING", "Count", "Label", "Listed", "Phrase", "PhraseError", "Shown", "render"]
