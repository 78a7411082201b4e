"""Message catalogues: every text teamsolver writes for people, one TOML file per language.

``en.toml`` and ``zh.toml`` beside this module hold the same keys (a test compares the key sets
and the ``{placeholders}`` of every text); a third language is one more file. Keys are dotted
paths of the TOML tables (``role.leader``, ``roster.column.round``). Nothing falls back to
another language: an unknown key or language raises, so that a gap is found by the tests and
never shown to a planner as a half-translated page.

TOML rather than JSON or gettext: the standard library reads it (:mod:`tomllib`), translators
can write comments and multi-line texts, and the project's rules files are TOML already.

Stable identifiers (rule ids, goal ids, JSON keys, member and group ids) are never translated.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

DEFAULT = "en"


@cache
def languages() -> tuple[str, ...]:
    """The language codes that have a catalogue, ``en`` first."""
    names = [
        p.name.removesuffix(".toml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".toml")
    ]
    return tuple(sorted(names, key=lambda n: (n != DEFAULT, n)))


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every text of ``lang`` by its dotted key."""
    if lang not in languages():
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(languages())}")
    data = tomllib.loads(resources.files(__name__).joinpath(f"{lang}.toml").read_text("utf-8"))
    return dict(_flatten(data, ""))


def _flatten(data: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.extend(_flatten(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", str(value)))
    return out


def text(key: str, lang: str = DEFAULT, /, **values: Any) -> str:
    """The text of ``key`` in ``lang`` with ``{name}`` placeholders filled from ``values``.

    Raises :class:`KeyError` for a key the catalogue lacks and :class:`ValueError` for an
    unknown language."""
    template = catalogue(lang)[key]
    return template.format(**values) if values else template


def count(key: str, n: int, lang: str = DEFAULT, /, **values: Any) -> str:
    """``key.one`` when ``n`` is 1, else ``key.other``, with ``{n}`` and ``values`` filled in:
    ``count("cli.count.seat", 3)`` is ``3 seats``. A language without plurals writes both forms
    alike (``3 个席位``)."""
    return text(f"{key}.{'one' if n == 1 else 'other'}", lang, n=n, **values)


def texts(prefix: str, lang: str = DEFAULT) -> dict[str, str]:
    """Every text under ``prefix`` (``role`` → {``leader``: ..., ``deputy``: ..., ...})."""
    start = prefix + "."
    return {k.removeprefix(start): v for k, v in catalogue(lang).items() if k.startswith(start)}


__all__ = ["DEFAULT", "catalogue", "count", "languages", "text", "texts"]
