"""What ``explain`` returns: plain data, no solver objects, serialisable to JSON (SPEC §6)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

from ..data.roster import Roster
from ..i18n import DEFAULT
from ..i18n.phrase import Phrase, Spoken, Words
from ..rules.base import Change

#: ``INFEASIBLE``: a conflict was found (``core``); ``FEASIBLE``: the hard rules can all hold;
#: ``UNKNOWN``: the time limit passed before either was shown.
Status = Literal["INFEASIBLE", "FEASIBLE", "UNKNOWN"]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True)


class CoreItem(Spoken, _Data):
    """One rule instance of a conflict: a rule in one group, round, unit or for one member.

    ``other`` names the second party where a rule has two: the other member of a conflict row,
    the earlier group of a repeated pairing (``G1``, or ``G7@-2`` for a group of the history
    two rounds ago). ``message`` is in English; ``say`` says it in any language.
    """

    rule: str
    round: str | None = None
    group: str | None = None
    member: str | None = None
    specialty: str | None = None
    unit: str | None = None
    other: str | None = None
    message: str = ""


class Suggestion(Spoken, _Data):
    """A small change, verified by a re-solve: with it the plan has a roster (``scope`` plan),
    or at least this conflict is gone while another remains (``scope`` conflict). ``text`` is
    in English; ``say`` says it in any language."""

    SAID: ClassVar[str] = "text"

    text: str
    changes: tuple[Change, ...]
    scope: Literal["plan", "conflict"] = "plan"


class Explanation(Spoken, _Data):
    """Why an instance has no roster.

    ``core`` is a set of rule instances that cannot all hold together; ``irreducible`` says
    whether dropping any one of them was shown to leave a satisfiable set (False when the time
    limit cut the shrinking short). ``found_by`` is ``input`` when the conflict was read off the
    input (a requirement larger than the candidates a group has) without solving, ``solver``
    otherwise. ``more`` lists further conflicts of the input kind, beyond the one in ``core``.
    ``message`` and ``more`` are in English; ``say`` and ``say_more`` say them in any language.
    """

    _more: tuple[Words, ...] | None = PrivateAttr(None)

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

    def with_more(self, more: tuple[Words, ...]) -> Explanation:
        """This explanation with the further conflicts ``more`` (in words, English in ``more``)."""
        made = self.model_copy(update={"more": tuple(m.render() for m in more)})
        made._more = more
        return made

    def say_more(self, lang: str = DEFAULT) -> tuple[str, ...]:
        """``more`` in ``lang``."""
        return self.more if self._more is None else tuple(m.render(lang) for m in self._more)


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


class SeatMove(_Data):
    """One seat that differs between the given roster and the forced one: ``member`` held
    ``from_group`` in ``from_role`` in ``round`` (None: no seat in that round) and holds
    ``to_group`` in ``to_role`` (None: no seat). Mentors aside."""

    round: str
    member: str
    from_group: str | None = None
    from_role: str | None = None
    to_group: str | None = None
    to_role: str | None = None

    @property
    def text(self) -> str:
        """The move in English: ``M3: G1 as member → no seat in R1``."""
        return self.words().render()

    def words(self) -> Phrase:
        """The move in words (any language)."""

        def place(group: str | None, role: str | None) -> Phrase:
            if group:
                return Phrase("whynot.place.seat", group=group, role=Phrase(f"role.{role}"))
            return Phrase("whynot.place.none", round=self.round)

        before = place(self.from_group, self.from_role)
        return Phrase(
            "whynot.move",
            member=self.member,
            before=before,
            after=place(self.to_group, self.to_role),
        )


class GroupPrice(_Data):
    """What seating the member in one group costs: the objective of the best roster found with
    the member there (None: none found), its difference from the given roster's, whether it is
    proven best, and which search found it (``swaps``: one change of the given roster, or a
    repair of one; ``re-solve``: CP-SAT started from that roster)."""

    group: str
    objective: int | None = None
    price: int | None = None
    proven: bool = False
    found_by: Literal["swaps", "re-solve"] | None = None
    status: Literal["allowed", "forbidden", "UNKNOWN"] = "UNKNOWN"
    swap_price: int | None = None
    """The price of the swap search's best roster alone (one change of the given roster, or a
    repair of one), None when it found none the checker accepts."""


class WhyNot(Spoken, _Data):
    """The answer to "why is MEMBER not in GROUP (or in any group)?".

    With status ``allowed``: ``roster`` is the best roster found with the member in
    ``forced_group`` (the checker accepts it), ``moves`` its seat changes from the given
    roster, and ``objective_forced − objective_given`` the price said, never above a roster
    shown; ``proven`` when no roster with the member there is better. ``prices``: every group
    tried (with ``group`` None: each group the member may sit in, cheapest first).
    """

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
    roster: Roster | None = None
    moves: tuple[SeatMove, ...] = ()
    proven: bool = False
    found_by: Literal["swaps", "re-solve"] | None = None
    prices: tuple[GroupPrice, ...] = ()
    nearby_moves: tuple[SeatMove, ...] = ()
    """When the answer comes from the re-solve: the seat changes of the swap search's best
    roster (nearer the given one), whose objective is ``objective_nearby``."""
    objective_nearby: int | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
