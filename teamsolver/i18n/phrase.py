"""Words made from data: a sentence kept as a catalogue key and its values, said in any language.

A rule violation, an explanation, a suggestion or the reason a seat left is built once, as a
:class:`Phrase` (a key of the catalogues and the values of its ``{placeholders}``), and said
when it is shown: :meth:`Phrase.render` in English for ``message`` and every ``--json``
document, in the run's language on the terminal, in the workbook and in the report. A value
may itself be words: another :class:`Phrase`, a :class:`Count` (``3 members``, through
:func:`teamsolver.i18n.count`), a list of ids (:class:`Ids`: ``M1, M2 and M3``) or phrases
joined by a separator of the language (:class:`Join`); they are said in the same language, so
that no English is left inside a Chinese sentence. Numbers and ids are passed as they are
(format specs such as ``{s:.1f}`` apply). Nothing is ever parsed back from the words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, Self

from pydantic import BaseModel, PrivateAttr

from . import DEFAULT, count, text


class Words:
    """Something said in a language (:meth:`render`); English by ``str()``."""

    def render(self, lang: str = DEFAULT) -> str:  # pragma: no cover - every subclass says it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render(DEFAULT)


def say(value: Any, lang: str = DEFAULT) -> Any:
    """``value`` in ``lang`` when it is words, else ``value`` itself (a number, an id)."""
    return value.render(lang) if isinstance(value, Words) else value


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Phrase(Words):
    """The text of catalogue ``key`` with ``values`` in its ``{placeholders}``."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key = key
        self.values: dict[str, Any] = {k: _frozen(v) for k, v in values.items()}

    def render(self, lang: str = DEFAULT) -> str:
        return text(self.key, lang, **{k: say(v, lang) for k, v in self.values.items()})

    def _id(self) -> tuple[Any, ...]:
        return (self.key, tuple(sorted(self.values.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and self._id() == other._id()

    def __hash__(self) -> int:
        return hash(self._id())

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.values.items())
        return f"Phrase({self.key!r}{args})"


class Count(Phrase):
    """``n`` things: catalogue ``key.one`` when ``n`` is 1, else ``key.other``."""

    __slots__ = ("n",)

    def __init__(self, key: str, n: int, /, **values: Any) -> None:
        super().__init__(key, **values)
        self.n = n

    def render(self, lang: str = DEFAULT) -> str:
        return count(self.key, self.n, lang, **{k: say(v, lang) for k, v in self.values.items()})

    def _id(self) -> tuple[Any, ...]:
        return (*super()._id(), self.n)


class Ids(Words):
    """Ids (or words) as a planner reads them (``M1, M2 and M3``); with ``shown``, a longer list
    ends with ``and 12 more``; ``empty`` (words) for none. The separators are the language's."""

    __slots__ = ("empty", "items", "shown")

    def __init__(
        self, items: Iterable[Any], shown: int | None = None, *, empty: Words | None = None
    ) -> None:
        self.items = tuple(items)
        self.shown = shown
        self.empty = empty

    def render(self, lang: str = DEFAULT) -> str:
        seq = [str(say(item, lang)) for item in self.items]
        if not seq:
            return "" if self.empty is None else self.empty.render(lang)
        sep = text("phrase.list.sep", lang)
        if self.shown is not None and len(seq) > self.shown:
            head = sep.join(seq[: self.shown])
            return text("phrase.list.more", lang, items=head, n=len(seq) - self.shown)
        if len(seq) == 1:
            return seq[0]
        return text("phrase.list.last", lang, items=sep.join(seq[:-1]), last=seq[-1])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ids) and (self.items, self.shown, self.empty) == (
            other.items,
            other.shown,
            other.empty,
        )

    def __hash__(self) -> int:
        return hash((self.items, self.shown))

    def __repr__(self) -> str:
        return f"Ids({self.items!r}, {self.shown!r})"


class Join(Words):
    """``parts`` said one after another, separated by catalogue ``phrase.sep.<sep>`` (``; `` in
    English, ``；`` in Chinese), or by line breaks (``newline``)."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts: Iterable[Any], sep: str = "semicolon") -> None:
        self.parts = tuple(parts)
        self.sep = sep

    def render(self, lang: str = DEFAULT) -> str:
        sep = "\n" if self.sep == "newline" else text(f"phrase.sep.{self.sep}", lang)
        return sep.join(str(say(p, lang)) for p in self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Join) and (self.parts, self.sep) == (other.parts, other.sep)

    def __hash__(self) -> int:
        return hash((self.parts, self.sep))

    def __repr__(self) -> str:
        return f"Join({self.parts!r}, {self.sep!r})"


class Said(Protocol):
    """Anything with words to say in a language: a violation, a conflict, a suggestion..."""

    def say(self, lang: str = DEFAULT) -> str: ...


class Saying(Words):
    """The words of something that says itself (:class:`Said`), inside other words."""

    __slots__ = ("said",)

    def __init__(self, said: Said) -> None:
        self.said = said

    def render(self, lang: str = DEFAULT) -> str:
        return self.said.say(lang)


class Spoken(BaseModel):
    """A model with one field of words (``SAID``: ``message``, ``text``, ``reason``) that holds
    their English, with the words kept beside it as data (never dumped, not compared) so that
    :meth:`say` says them in any language. Made by :meth:`said`; a model read back from JSON
    has its English only, and says that."""

    SAID: ClassVar[str] = "message"
    _words: Words | None = PrivateAttr(None)

    @classmethod
    def said(cls, words: Words, /, **fields: Any) -> Self:
        """The model with ``fields`` and its words field set to ``words`` in English."""
        made = cls(**{cls.SAID: words.render(), **fields})
        made._words = words
        return made

    @property
    def words(self) -> Words | None:
        """The words as data (None: read back from JSON, English only)."""
        return self._words

    def say(self, lang: str = DEFAULT) -> str:
        """The words field in ``lang``."""
        english: str = getattr(self, self.SAID)
        return english if self._words is None else self._words.render(lang)

    def __eq__(self, other: object) -> bool:
        # The words are the English field as data: a model read back from JSON is the same.
        if not isinstance(other, BaseModel) or type(other) is not type(self):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash(self.model_dump_json())


__all__ = ["Count", "Ids", "Join", "Phrase", "Said", "Saying", "Spoken", "Words", "say"]
