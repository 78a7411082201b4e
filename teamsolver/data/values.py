"""Cell values as planners type them: booleans, whole numbers, lists and requirement maps.

Every parser accepts the native JSON value as well as the text a spreadsheet cell holds, and
raises ``ValueError`` (a :class:`~teamsolver.i18n.phrase.PhraseError`: the sentence is a phrase,
rendered in the planner's language) that says what is expected. The pydantic models use them
as ``BeforeValidator``s, so CSV, XLSX and JSON input all go through the same code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from ..i18n.phrase import Phrase, PhraseError, Shown

TRUE_WORDS = frozenset({"true", "yes", "1", "是", "y", "t"})
FALSE_WORDS = frozenset({"false", "no", "0", "否", "n", "f"})
LIST_SEPARATORS = re.compile(r"[;；、]")
UNBOUNDED_WORDS = frozenset({"unbounded", "none", "无", "不限"})

#: Characters no text value may hold: the C0 controls other than tab, line feed and carriage
#: return, DEL and the C1 controls, lone surrogates (not characters at all) and U+FFFE/U+FFFF.
#: Nobody types them on purpose, a spreadsheet cannot store them and XML forbids most of them.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CHARACTER_NAMES = {
    0x00: "NUL",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x1B: "escape",
    0x7F: "delete",
}


@dataclass(frozen=True)
class Unreadable:
    """A cell a reader could not take as it stands (an XLSX formula with no saved value, a JSON
    ``NaN``): :func:`teamsolver.files.tables.parse_rows` reports ``message`` at the cell and treats
    the cell as bad, so that it never takes a default."""

    message: str | Phrase


def cell_problem(value: Any) -> str | Phrase | None:
    """Why a raw cell cannot be read as it stands, or None: it is :class:`Unreadable`, or it is
    text that holds a character no text value may hold."""
    if isinstance(value, Unreadable):
        return value.message
    return forbidden_character(value) if isinstance(value, str) else None


def forbidden_character(text: str) -> Phrase | None:
    """A sentence naming the first character of ``text`` that no text value may hold, or None."""
    found = FORBIDDEN_CHARACTERS.search(text)
    if found is None:
        return None
    code = ord(found.group())
    name = _CHARACTER_NAMES.get(code)
    if 0xD800 <= code <= 0xDFFF:
        what = Phrase("problem.char.surrogate", code=f"U+{code:04X}")
    elif code in (0xFFFE, 0xFFFF):
        what = Phrase("problem.char.noncharacter", code=f"U+{code:04X}")
    elif name:
        what = Phrase("problem.char.named", code=f"U+{code:04X}", name=name)
    else:
        what = Phrase("problem.char.control", code=f"U+{code:04X}")
    return Phrase("problem.char.remove", n=found.start() + 1, what=what)


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN, or text that is only white space."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_bool(value: Any) -> bool:
    """true/false, yes/no, 1/0 or 是/否 (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise PhraseError(Phrase("problem.cell.bool"), value)


def parse_int(value: Any) -> int:
    """A whole number; ``3.0`` from a spreadsheet counts, ``3.5`` does not."""
    if isinstance(value, bool):
        raise PhraseError(Phrase("problem.cell.int"), value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d+\.0*", text):
            return int(float(text))
    raise PhraseError(Phrase("problem.cell.int"), value)


def parse_optional_int(value: Any) -> int | None:
    """A whole number, or empty / ``unbounded`` for no limit."""
    if is_blank(value):
        return None
    if isinstance(value, str) and value.strip().lower() in UNBOUNDED_WORDS:
        return None
    return parse_int(value)


def parse_str(value: Any) -> str:
    """Text, trimmed. Whole numbers typed in a spreadsheet (``101``) become ``"101"``. Text that
    holds a control character (:data:`FORBIDDEN_CHARACTERS`) is refused: it would be misread
    by eye and cannot be written to a workbook."""
    if isinstance(value, bool):
        raise PhraseError(Phrase("problem.cell.text"), value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        problem = forbidden_character(value)
        if problem is not None:
            raise PhraseError(problem)
        return value.strip()
    raise PhraseError(Phrase("problem.cell.text"), value)


def parse_optional_str(value: Any) -> str | None:
    return None if is_blank(value) else parse_str(value)


def parse_list(value: Any) -> tuple[str, ...]:
    """``a;b;c`` (full-width ``；`` and the enumeration comma ``、`` too) or a JSON array;
    empty items are dropped."""
    if is_blank(value):
        return ()
    if isinstance(value, list | tuple):
        items = [parse_str(v) for v in value]
    else:
        items = LIST_SEPARATORS.split(parse_str(value))
    return tuple(item.strip() for item in items if item.strip())


def parse_requires(value: Any) -> tuple[tuple[str, int], ...]:
    """``finance:1;audit:2`` or a JSON object ``{"finance": 1}``; a bare name means 1."""
    if is_blank(value):
        return ()
    pairs: list[tuple[str, Any]]
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list | tuple) and all(
        isinstance(p, list | tuple) and len(p) == 2 for p in value
    ):
        pairs = [(p[0], p[1]) for p in value]
    else:
        pairs = []
        for item in parse_list(value):
            name, sep, count = item.replace("：", ":").partition(":")
            pairs.append((name.strip(), count.strip() if sep else "1"))
    out: dict[str, int] = {}
    for name, count in pairs:
        name = parse_str(name)
        if not name:
            raise PhraseError(Phrase("problem.cell.requires"), value)
        try:
            n = parse_int(count)
        except ValueError:
            raise PhraseError(Phrase("problem.cell.requires"), value) from None
        if n < 0:
            raise PhraseError(Phrase("problem.cell.negative_count", name=Shown(name)), n)
        if name in out:
            raise PhraseError(Phrase("problem.cell.specialty_twice", name=Shown(name)))
        out[name] = n
    return tuple(out.items())


def format_requires(value: tuple[tuple[str, int], ...]) -> str:
    return ";".join(f"{name}:{n}" for name, n in value)


def format_list(value: tuple[str, ...]) -> str:
    return ";".join(value)


Bool = Annotated[bool, BeforeValidator(parse_bool)]
Int = Annotated[int, BeforeValidator(parse_int)]
OptInt = Annotated[int | None, BeforeValidator(parse_optional_int)]
Str = Annotated[str, BeforeValidator(parse_str)]
OptStr = Annotated[str | None, BeforeValidator(parse_optional_str)]
StrList = Annotated[
    tuple[str, ...], BeforeValidator(parse_list), PlainSerializer(list, return_type=list[str])
]
Requires = Annotated[
    tuple[tuple[str, int], ...],
    BeforeValidator(parse_requires),
    PlainSerializer(lambda v: dict(v), return_type=dict[str, int]),
]
