"""Sentences made from data: a catalogue key and its values, rendered in a language later.

A :class:`Phrase` is what a located input problem says (:class:`teamsolver.data.errors.Problem`),
a rule violation, an explanation, a suggestion or the reason a seat left says, kept as data —
``Phrase("problem.cell.bool", got=Shown("maybe"))`` — so that it can be shown in every language
without parsing its English back; a model that holds such words in an English field
(``Violation.message``, ``Suggestion.text``, ...) is a :class:`Spoken` and says them with
``say(lang)``. A value may itself be a phrase, a
:class:`Count` (``3 rows``, ``3 行``), a :class:`Shown` value (quoted as each language quotes) or
a :class:`Listed` sequence (``a, b`` / ``a、b``), ids as a sentence lists them (:class:`Ids`:
``M1, M2 and M3``), phrases joined by a separator of the language (:class:`Join`: ``; `` /
``；``); anything else (ids, numbers, headers as the
user typed them) is written as it is. ``str(phrase)`` is the English text.

Small on purpose: rendering only, no grammar. The catalogues hold the words (``problem.*``); a
phrase's template is always formatted, so ``{{`` in it is one brace even when it has no values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, Self

from pydantic import BaseModel, PrivateAttr

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


#: Anything said in a language: a phrase of any kind.
Words = Phrase


class Ids(Phrase):
    """Ids (or words) as a sentence lists them: ``M1, M2 and M3`` / ``M1、M2 和 M3``; with
    ``shown``, a longer list ends with ``and 12 more``; ``empty`` (a phrase) for none."""

    __slots__ = ()

    def __init__(
        self, items: Iterable[Any], shown: int | None = None, *, empty: Phrase | None = None
    ):
        super().__init__("phrase.list.last", items=tuple(items), shown=shown, empty=empty)

    def render(self, lang: str = DEFAULT) -> str:
        seq = [str(render(item, lang)) for item in self.values["items"]]
        shown, empty = self.values["shown"], self.values["empty"]
        if not seq:
            return "" if empty is None else str(empty.render(lang))
        sep = text("phrase.list.sep", lang)
        if shown is not None and len(seq) > shown:
            return text("phrase.list.more", lang, items=sep.join(seq[:shown]), n=len(seq) - shown)
        if len(seq) == 1:
            return seq[0]
        return text(self.key, lang, items=sep.join(seq[:-1]), last=seq[-1])


class Join(Phrase):
    """``parts`` one after another, separated by catalogue ``phrase.sep.<sep>`` (``; `` in
    English, ``；`` in Chinese; ``and``, ``or``), or by line breaks (``newline``)."""

    __slots__ = ()

    def __init__(self, parts: Iterable[Any], sep: str = "semicolon"):
        super().__init__(f"phrase.sep.{sep}", parts=tuple(parts))

    def render(self, lang: str = DEFAULT) -> str:
        sep = "\n" if self.key == "phrase.sep.newline" else text(self.key, lang)
        return sep.join(str(render(p, lang)) for p in self.values["parts"])


class Said(Protocol):
    """Anything with words to say in a language: a violation, a conflict, a suggestion..."""

    def say(self, lang: str = DEFAULT) -> str: ...


class Saying(Phrase):
    """The words of something that says itself (:class:`Said`), inside other words."""

    __slots__ = ()

    def __init__(self, said: Said):
        super().__init__("", said=said)

    def render(self, lang: str = DEFAULT) -> str:
        said: Said = self.values["said"]
        return said.say(lang)


class Spoken(BaseModel):
    """A model with one field of words (``SAID``: ``message``, ``text``, ``reason``) that holds
    their English, with the words kept beside it as data (never dumped, not compared) so that
    :meth:`say` says them in any language. Made by :meth:`said`; a model read back from JSON
    has its English only, and says that."""

    SAID: ClassVar[str] = "message"
    _words: Phrase | None = PrivateAttr(None)

    @classmethod
    def said(cls, words: Phrase, /, **fields: Any) -> Self:
        """The model with ``fields`` and its words field set to ``words`` in English."""
        made = cls(**{cls.SAID: words.render(), **fields})
        made._words = words
        return made

    @property
    def words(self) -> Phrase | None:
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


__all__ = [
    "NOTHING",
    "Count",
    "Ids",
    "Join",
    "Label",
    "Listed",
    "Phrase",
    "PhraseError",
    "Said",
    "Saying",
    "Shown",
    "Spoken",
    "Words",
    "render",
]
