"""Rosters (SPEC §5): one seat per row, with the mentor of every new member."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from .instance import Role
from .values import OptStr, Str


class Seat(BaseModel):
    """A member in a group of a round, with a role; ``mentor`` is set for new members."""

    model_config = ConfigDict(frozen=True)

    round: Str = Field(min_length=1)
    group: Str = Field(min_length=1)
    member: Str = Field(min_length=1)
    role: Role = "member"
    mentor: OptStr = None


class Roster(BaseModel):
    """All seats of a plan, in a stable order (round, group, role, member)."""

    model_config = ConfigDict(frozen=True)

    seats: tuple[Seat, ...] = ()

    def __iter__(self) -> Iterator[Seat]:  # type: ignore[override]
        return iter(self.seats)

    def __len__(self) -> int:
        return len(self.seats)

    @classmethod
    def of(cls, seats: Iterable[Seat]) -> Roster:
        return cls(seats=tuple(seats))

    def in_group(self, group: str) -> list[Seat]:
        return [s for s in self.seats if s.group == group]

    def key_set(self) -> set[tuple[str, str, str]]:
        """(round, group, member) of every seat."""
        return {(s.round, s.group, s.member) for s in self.seats}
