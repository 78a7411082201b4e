"""The difference between two rosters, as a planner reads it.

Who leaves which group (and why, when the instance says: the member is out, unavailable or gone,
the group removed), who joins, whose role changes, which new members get another mentor, and
the goal values before and after. ``changes`` is the ``stability`` measure of docs/measures.md:
baseline seats gone + seats new + kept seats whose role changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from ..data.instance import Instance, Role
from ..data.roster import Roster, Seat
from ..i18n.phrase import Phrase, Spoken
from ..score import judge, stability

Key = tuple[str, str, str]


class SeatChange(Spoken):
    """A seat that is gone (``left``) or new (``joined``); ``reason`` says why a seat had to go,
    where the instance tells (empty when it was moved by choice), in English (``say`` says it
    in any language)."""

    model_config = ConfigDict(frozen=True)
    SAID: ClassVar[str] = "reason"

    round: str
    group: str
    member: str
    role: Role
    reason: str = ""


class Move(BaseModel):
    """A member who leaves one group and joins another in the same round."""

    model_config = ConfigDict(frozen=True)

    round: str
    member: str
    from_group: str
    to_group: str
    from_role: Role
    to_role: Role


class RoleChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    round: str
    group: str
    member: str
    before: Role
    after: Role


class MentorChange(BaseModel):
    """A new member kept in the group whose mentor changed (None: no mentor)."""

    model_config = ConfigDict(frozen=True)

    round: str
    group: str
    member: str
    before: str | None
    after: str | None


class RosterDiff(BaseModel):
    """Everything that differs from ``before`` to ``after``."""

    model_config = ConfigDict(frozen=True)

    changes: int
    left: list[SeatChange]
    joined: list[SeatChange]
    moved: list[Move]
    role_changes: list[RoleChange]
    mentor_changes: list[MentorChange]
    goals_before: dict[str, int]
    goals_after: dict[str, int]
    objective_before: int
    objective_after: int
    seats_before: int
    seats_after: int

    @property
    def groups(self) -> list[str]:
        """Groups touched, in order of first mention."""
        named: Iterable[str] = [
            *(c.group for c in self.left),
            *(c.group for c in self.joined),
            *(c.group for c in self.role_changes),
            *(c.group for c in self.mentor_changes),
        ]
        return list(dict.fromkeys(named))


def roster_diff(
    instance: Instance, before: Roster, after: Roster, *, before_instance: Instance | None = None
) -> RosterDiff:
    """The diff from ``before`` to ``after``, both read against ``instance`` (the instance of
    ``after``); goals before are measured on ``before_instance`` when given (the instance the
    baseline was made for), else on ``instance``."""
    old = _by_key(before.seats)
    new = _by_key(after.seats)
    left = [_change(instance, s, gone=True) for k, s in old.items() if k not in new]
    joined = [_change(instance, s, gone=False) for k, s in new.items() if k not in old]
    roles = [
        RoleChange(round=k[0], group=k[1], member=k[2], before=old[k].role, after=s.role)
        for k, s in new.items()
        if k in old and old[k].role != s.role
    ]
    mentors = [
        MentorChange(round=k[0], group=k[1], member=k[2], before=old[k].mentor, after=s.mentor)
        for k, s in new.items()
        if k in old and old[k].mentor != s.mentor
    ]
    joined_at = {(c.round, c.member): c for c in joined}
    moved = [
        Move(
            round=c.round,
            member=c.member,
            from_group=c.group,
            to_group=j.group,
            from_role=c.role,
            to_role=j.role,
        )
        for c in left
        if (j := joined_at.get((c.round, c.member))) is not None
    ]
    base_instance = before_instance or instance
    judged_before = judge(base_instance, before)
    judged_after = judge(instance, after, before)
    return RosterDiff(
        changes=stability(after.seats, before.seats),
        left=left,
        joined=joined,
        moved=moved,
        role_changes=roles,
        mentor_changes=mentors,
        goals_before=judged_before.goals,
        goals_after=judged_after.goals,
        objective_before=judged_before.objective,
        objective_after=judged_after.objective,
        seats_before=len(before),
        seats_after=len(after),
    )


def _by_key(seats: Iterable[Seat]) -> dict[Key, Seat]:
    """Seats by (round, group, member); a repeated seat keeps its first row."""
    out: dict[Key, Seat] = {}
    for s in seats:
        out.setdefault((s.round, s.group, s.member), s)
    return out


def _change(instance: Instance, seat: Seat, *, gone: bool) -> SeatChange:
    where = {"round": seat.round, "group": seat.group, "member": seat.member, "role": seat.role}
    reason = _why_gone(instance, seat) if gone else None
    return SeatChange(**where) if reason is None else SeatChange.said(reason, **where)


def _why_gone(instance: Instance, seat: Seat) -> Phrase | None:
    member = instance.member_by_id.get(seat.member)
    if seat.group not in instance.group_by_id:
        return Phrase("diff.reason.group-removed")
    if member is None:
        return Phrase("diff.reason.not-in-pool")
    if member.status != "active":
        return Phrase("diff.reason.status", status=Phrase(f"phrase.status.{member.status}"))
    if seat.round in member.unavailable_rounds:
        return Phrase("diff.reason.unavailable", round=seat.round)
    return None
