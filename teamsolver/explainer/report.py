"""What ``explain`` returns: plain data, no solver objects, serialisable to JSON (SPEC §6)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

#: ``INFEASIBLE``: a conflict was found (``core``); ``FEASIBLE``: the hard rules can all hold;
#: ``UNKNOWN``: the time limit passed before either was shown.
Status = Literal["INFEASIBLE", "FEASIBLE", "UNKNOWN"]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True)


class CoreItem(_Data):
    """One rule instance of a conflict: a rule in one group, round, unit or for one member.

    ``other`` names the second party where a rule has two: the other member of a conflict row,
    the earlier group of a repeated pairing (``G1``, or ``G7@-2`` for a group of the history
    two rounds ago).
    """

    rule: str
    round: str | None = None
    group: str | None = None
    member: str | None = None
    specialty: str | None = None
    unit: str | None = None
    other: str | None = None
    message: str = ""


class Change(_Data):
    """One edit of the instance: ``set`` a cell (``table``, row ``key``, ``column``) or a rule
    setting (table ``rules``, ``key`` = section, ``column`` = setting) to ``value``; ``add`` a
    row (``value`` = the row) to members or units; ``remove`` the pins row ``key`` =
    ``member@group`` or the conflicts rows ``key`` = ``member_a&member_b``."""

    op: Literal["set", "add", "remove"]
    table: str
    key: str | None = None
    column: str | None = None
    value: Any = None


class Suggestion(_Data):
    """A small change, verified by a re-solve: with it the plan has a roster (``scope`` plan),
    or at least this conflict is gone while another remains (``scope`` conflict)."""

    text: str
    changes: tuple[Change, ...]
    scope: Literal["plan", "conflict"] = "plan"


class Explanation(_Data):
    """Why an instance has no roster.

    ``core`` is a set of rule instances that cannot all hold together; ``irreducible`` says
    whether dropping any one of them was shown to leave a satisfiable set (False when the time
    limit cut the shrinking short). ``found_by`` is ``input`` when the conflict was read off the
    input (a requirement larger than the candidates a group has) without solving, ``solver``
    otherwise. ``more`` lists further conflicts of the input kind, beyond the one in ``core``.
    """

    status: Status
    core: tuple[CoreItem, ...] = ()
    message: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    irreducible: bool = False
    found_by: Literal["input", "solver", "none"] = "none"
    more: tuple[str, ...] = ()
    solves: int = 0
    wall_time_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class GoalCost(_Data):
    """A term of the objective (a goal, or a soft rule's violation count) on the given roster
    and on the best roster with the forced seat."""

    goal: str
    """A goal id or a soft rule id."""
    weight: int
    given: int
    forced: int
    cost: int
    """Change of the objective (positive: the forced roster is worse on this term)."""
    given_part: int = 0
    forced_part: int = 0
    """The term's share of the objective (weight × value, negative for maximised goals)."""


class WhyNot(_Data):
    """The answer to "why is MEMBER not in GROUP (or in any group)?"."""

    member: str
    group: str | None
    status: Literal["seated", "forbidden", "allowed", "UNKNOWN"]
    message: str
    reasons: tuple[CoreItem, ...] = ()
    """The hard rules that forbid the seat (status ``forbidden``)."""
    forced_group: str | None = None
    """Where the member was seated for the comparison (status ``allowed``)."""
    objective_given: int | None = None
    objective_forced: int | None = None
    goals: tuple[GoalCost, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
