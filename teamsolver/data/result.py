"""The outcome of a solve: plain data, no solver objects, serialisable to JSON."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .roster import Roster

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"]


class Progress(BaseModel):
    """An improving roster found during the search."""

    model_config = ConfigDict(frozen=True)

    objective: int
    bound: float
    elapsed_s: float
    solutions: int
    #: With a baseline (what-if): the roster's goal values and soft-rule violation counts, as
    #: the engine counts them (a what-if says its progress in the plan's own weights with them:
    #: :class:`teamsolver.whatif.PlanProgress`); None without a baseline.
    goals: dict[str, int] | None = None
    rule_costs: dict[str, int] | None = None

    @property
    def changes(self) -> int | None:
        """With a baseline: the ``stability`` goal (seats gone, new, or in another role)."""
        return None if self.goals is None else self.goals.get("stability")

    @property
    def gap(self) -> float | None:
        """Relative distance between the objective and the bound (0 = proven optimal)."""
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


class Result(BaseModel):
    """What ``solve`` found.

    ``status``: ``OPTIMAL`` (proven best), ``FEASIBLE`` (a roster, not proven best: time limit
    or interruption), ``INFEASIBLE`` (no roster can satisfy the hard rules), ``UNKNOWN`` (no
    roster found in time). ``objective`` is the weighted sum minimised (see docs/measures.md),
    measured on the roster by the independent scorer; ``solver_objective`` is CP-SAT's own value
    of it (equal when ``OPTIMAL``; at least ``objective`` otherwise, as a roster that is not
    proven best may carry loose auxiliary variables); ``bound`` the best proven lower bound.
    ``rule_costs`` holds the violation count of every soft rule that bends; ``violations`` says
    where.
    ``build_time_s`` is validating the input and building the model, ``greedy_time_s`` running
    the greedy planner (``teamsolver.engine.greedy``, before the build), ``search_time_s`` the
    search after the build (every stage; ``wall_time_s`` also counts scoring the roster).
    ``first_solution_s`` counts from the start of the search (0 when the greedy roster was at
    hand then); ``first_roster_s`` from the call, whatever found the roster.
    ``stats["greedy_first"]`` is 1 when the first roster was the greedy planner's;
    ``stats["backend"]`` names the search that found the roster returned (``cp-sat`` or
    ``highs``; see ``teamsolver.solve``'s ``backend``).
    ``goals`` are measured on the roster by the independent scorer; ``engine_goals`` are the
    model's own values of the goals it optimised (weight > 0): the tests assert they agree.
    """

    model_config = ConfigDict(frozen=True)

    status: Status
    objective: int | None = None
    solver_objective: int | None = None
    bound: float | None = None
    wall_time_s: float = 0.0
    build_time_s: float = 0.0
    search_time_s: float = 0.0
    greedy_time_s: float = 0.0
    first_solution_s: float | None = None
    first_roster_s: float | None = None
    roster: Roster = Field(default_factory=Roster)
    goals: dict[str, int] = Field(default_factory=dict)
    engine_goals: dict[str, int] = Field(default_factory=dict)
    rule_costs: dict[str, int] = Field(default_factory=dict)
    violations: list[Any] = Field(default_factory=list)
    solutions: int = 0
    workers: int = 1
    seed: int = 0
    stats: dict[str, int | str] = Field(default_factory=dict)
    interrupted: bool = False

    @property
    def has_roster(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

    def to_json(self) -> dict[str, Any]:
        """The SPEC §6 document: status, objective, bound, wall_time_s, roster, goals, ..."""
        doc = self.model_dump(mode="json", exclude={"roster", "violations"})
        doc["gap"] = self.gap
        doc["roster"] = [s.model_dump(mode="json") for s in self.roster.seats]
        doc["violations"] = [
            v.model_dump(mode="json") if hasattr(v, "model_dump") else v for v in self.violations
        ]
        return doc

    def summary(self) -> str:
        """A few lines a planner reads at a glance."""
        lines = [f"status {self.status}"]
        if self.objective is not None:
            gap = self.gap
            lines.append(
                f"objective {self.objective} (bound {self.bound:.0f}, gap "
                f"{0 if gap is None else gap:.2%})"
                if self.bound is not None
                else f"objective {self.objective}"
            )
        lines.append(
            f"{len(self.roster)} seats; solved in {self.wall_time_s:.2f} s "
            f"(model built in {self.build_time_s:.2f} s, search {self.search_time_s:.2f} s)"
        )
        if self.rule_costs:
            lines.append(
                "soft rules bent: " + ", ".join(f"{k} ×{v}" for k, v in self.rule_costs.items())
            )
        return "\n".join(lines)
