"""Explain every "no" (issue 7): an irreducible conflict in plain words, verified suggestions,
and why-not questions about one member.

The CP-SAT side is :mod:`.search`; everything returned is plain pydantic data (:mod:`.report`).
:func:`explain`, :func:`why_not` and :func:`apply_changes` are imported on first use, so that
importing the package (the checker does) never imports ortools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules.base import Change
from .report import (
    CoreItem,
    Explanation,
    GoalCost,
    GroupPrice,
    SeatMove,
    Suggestion,
    WhyNot,
)

if TYPE_CHECKING:
    from .core import explain
    from .suggest import apply_changes
    from .whynot import why_not
else:
    _LAZY = {"explain": "core", "apply_changes": "suggest", "why_not": "whynot"}

    def __getattr__(name: str) -> object:
        if name not in _LAZY:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)


__all__ = [
    "Change",
    "CoreItem",
    "Explanation",
    "GoalCost",
    "GroupPrice",
    "SeatMove",
    "Suggestion",
    "WhyNot",
    "apply_changes",
    "explain",
    "why_not",
]
