"""How counts and lists of ids are said, everywhere: the checker's messages, the explanations,
the CLI. One place, so that a message reads the same wherever it is made."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 seat``, ``2 seats``; ``many`` for irregular plurals (``deputy``, ``deputies``)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def ids(items: Iterable[str], shown: int | None = None, *, empty: str = "") -> str:
    """Ids as a planner reads them: ``M1, M2 and M3``; with ``shown``, a longer list ends with
    ``and 12 more``; ``empty`` for none."""
    seq = list(items)
    if not seq:
        return empty
    if shown is not None and len(seq) > shown:
        return ", ".join(seq[:shown]) + f" and {len(seq) - shown} more"
    if len(seq) == 1:
        return seq[0]
    return ", ".join(seq[:-1]) + " and " + seq[-1]


def nearest(word: str, choices: Sequence[str], cutoff: float = 0.5) -> str | None:
    """The choice closest to a mistyped ``word`` (difflib's ratio at least ``cutoff``)."""
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return near[0] if near else None


def did_you_mean(word: str, choices: Sequence[str], cutoff: float = 0.5) -> str:
    """`` (did you mean 'recusal'?)`` for a mistyped key, or nothing."""
    near = nearest(word, choices, cutoff)
    return f" (did you mean {near!r}?)" if near else ""
