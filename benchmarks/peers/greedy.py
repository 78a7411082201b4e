"""The careful-person greedy planner, the floor every solver must beat.

The planner now lives in the engine (:mod:`teamsolver.engine.greedy`), which also uses its roster
as a first solution and a complete hint; this module keeps the benchmark's import path. Pure
Python: importing it does not import ortools.
"""

from __future__ import annotations

from teamsolver.engine.greedy import SHORTLIST, Greedy, plan

__all__ = ["SHORTLIST", "Greedy", "plan"]
