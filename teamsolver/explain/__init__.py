"""Explain every "no" (issue 7): an irreducible conflict in plain words, verified suggestions,
and why-not questions about one member.

The CP-SAT side is :mod:`.search`; everything returned is plain pydantic data (:mod:`.report`).
"""

from __future__ import annotations

from .core import explain
from .report import Change, CoreItem, Explanation, GoalCost, Suggestion, WhyNot
from .suggest import apply_changes
from .whynot import why_not

__all__ = [
    "Change",
    "CoreItem",
    "Explanation",
    "GoalCost",
    "Suggestion",
    "WhyNot",
    "apply_changes",
    "explain",
    "why_not",
]
