"""teamsolver: compose inspection teams with OR-Tools CP-SAT.

The library never prints. Load an instance with :func:`load`, write one with :func:`save`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .audit import Violation, check
from .data.errors import InputError, Problem, TeamsolverError
from .data.instance import (
    Affinity,
    Conflict,
    Group,
    HistoryEntry,
    Instance,
    Member,
    Pin,
    Unit,
)
from .data.result import Progress, Result
from .data.roster import Roster, Seat
from .data.settings import GOAL_IDS, RULE_IDS, Rules
from .explainer import Explanation, WhyNot
from .files import LoadResult, load, read, save
from .reporting import report
from .score import objective, score
from .solver import solve
from .validation import validate_instance

if TYPE_CHECKING:
    from .explainer.core import explain
    from .explainer.whynot import why_not
else:
    # Imported on first call: they import ortools, which the checker never needs.
    def explain(*args, **kwargs):
        """Why an instance has no roster; see :func:`teamsolver.explainer.core.explain`."""
        from .explainer.core import explain as run

        return run(*args, **kwargs)

    def why_not(*args, **kwargs):
        """Why a member is not seated; see :func:`teamsolver.explainer.whynot.why_not`."""
        from .explainer.whynot import why_not as run

        return run(*args, **kwargs)


__version__ = "0.1.0"

__all__ = [
    "GOAL_IDS",
    "RULE_IDS",
    "Affinity",
    "Conflict",
    "Explanation",
    "Group",
    "HistoryEntry",
    "InputError",
    "Instance",
    "LoadResult",
    "Member",
    "Pin",
    "Problem",
    "Progress",
    "Result",
    "Roster",
    "Rules",
    "Seat",
    "TeamsolverError",
    "Unit",
    "Violation",
    "WhyNot",
    "check",
    "explain",
    "load",
    "objective",
    "read",
    "report",
    "save",
    "score",
    "solve",
    "validate_instance",
    "why_not",
]
