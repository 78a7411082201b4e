"""The instance model (SPEC §1–§2): the pool, the units, the groups and the rules of one plan.

Every table row is a frozen pydantic model whose validators accept both spreadsheet text and
JSON values, so all three file formats share one definition. Cross-table checks (unknown ids,
cycles, impossible requirements) live in :mod:`teamsolver.validation` and run once, at load time.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .settings import MAX_SCORE, RELAXABLE_RULES, Rules
from .values import Bool, Int, OptInt, OptStr, Requires, Str, StrList

Status = Literal["active", "suspended", "removed"]
Role = Literal["leader", "deputy", "member"]
PinKind = Literal["require", "forbid"]
ROLES: tuple[Role, ...] = ("leader", "deputy", "member")


class Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Member(Row):
    """A person in the talent pool."""

    id: Str = Field(min_length=1)
    name: Str
    unit: Str = Field(min_length=1)
    specialties: StrList = ()
    can_lead: Bool = False
    can_deputy: Bool = False
    rounds_served: Int = Field(0, ge=0)
    full_time: Bool = False
    party_member: Bool = True
    status: Status = "active"
    newly_promoted: Bool = False
    rating: OptInt = Field(None, ge=0, le=100)
    max_rounds: OptInt = Field(None, ge=0)
    unavailable_rounds: StrList = ()
    conflict_units: StrList = ()
    gender: OptStr = None
    birth_year: OptInt = Field(None, ge=1900, le=2100)


class Unit(Row):
    """An organisation: a home unit of members and/or a target of inspection."""

    id: Str = Field(min_length=1)
    name: OptStr = None
    parent: OptStr = None
    zone: OptStr = None
    max_drawn: OptInt = Field(None, ge=0)


class Group(Row):
    """An inspection group of one round."""

    id: Str = Field(min_length=1)
    targets: StrList = Field(min_length=1)
    round: Str = Field("R1", min_length=1)
    size_min: Int = Field(1, ge=0)
    size_max: OptInt = Field(None, ge=0)
    leaders: Int = Field(1, ge=0)
    deputies_min: Int = Field(1, ge=0)
    deputies_max: Int = Field(2, ge=0)
    requires: Requires = ()


class Conflict(Row):
    """Two members who must never share a group."""

    member_a: Str = Field(min_length=1)
    member_b: Str = Field(min_length=1)
    reason: OptStr = None


class HistoryEntry(Row):
    """A past seat: ``member`` sat in ``group`` inspecting ``unit`` ``rounds_ago`` rounds ago."""

    member: Str = Field(min_length=1)
    rounds_ago: Int = Field(ge=1)
    group: Str = Field(min_length=1)
    unit: Str = Field(min_length=1)
    role: Role | None = None


class Pin(Row):
    """``require``: the member must sit in the group (in ``role`` if given); ``forbid``: never."""

    member: Str = Field(min_length=1)
    group: Str = Field(min_length=1)
    kind: PinKind
    role: Role | None = None


class Affinity(Row):
    """A planner's preference score for a member in a group (higher is more wanted)."""

    member: Str = Field(min_length=1)
    group: Str = Field(min_length=1)
    score: Int = Field(ge=-MAX_SCORE, le=MAX_SCORE)


#: Table name → row model, in file order.
TABLES: dict[str, type[Row]] = {
    "members": Member,
    "units": Unit,
    "groups": Group,
    "conflicts": Conflict,
    "history": HistoryEntry,
    "pins": Pin,
    "affinity": Affinity,
}
REQUIRED_TABLES: tuple[str, ...] = ("members", "units", "groups")


class TableOrigin(BaseModel):
    """Where a table came from, so that later problems can name the file and row."""

    file: str
    rows: tuple[int, ...]
    row_word: str = "row"
    #: Each column's header as typed (``可任组长`` for ``can_lead``), for problems said in
    #: another language than English.
    headers: dict[str, str] = {}


class Instance(BaseModel):
    """One plan: the pool, units, groups, optional tables and the rules.

    The JSON document of an instance is exactly this model dumped by alias.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    members: tuple[Member, ...]
    units: tuple[Unit, ...]
    groups: tuple[Group, ...]
    conflicts: tuple[Conflict, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    pins: tuple[Pin, ...] = ()
    affinity: tuple[Affinity, ...] = ()
    rules: Rules = Field(default_factory=Rules)

    _origin: dict[str, TableOrigin] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Equal when every table and the rules are equal (where the data came from is ignored)."""
        if not isinstance(other, Instance):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in Instance.model_fields)

    __hash__ = None  # type: ignore[assignment]

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Instance:
        """A copy; with ``update``, derived indexes and the record of origins start afresh."""
        new = super().model_copy(update=update, deep=deep)
        for name in _CACHED:
            new.__dict__.pop(name, None)
        if update:
            new._origin = {}
        return new

    @cached_property
    def rounds(self) -> tuple[str, ...]:
        """Round ids in order of first appearance in ``groups``."""
        return tuple(dict.fromkeys(g.round for g in self.groups))

    @cached_property
    def member_by_id(self) -> dict[str, Member]:
        return {m.id: m for m in self.members}

    @cached_property
    def unit_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def group_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}

    def groups_in(self, round_id: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.round == round_id)

    def to_document(self) -> dict[str, object]:
        """The JSON document: tables as lists of objects (defaults left out) plus ``rules``."""
        doc: dict[str, object] = {}
        for table in TABLES:
            rows = getattr(self, table)
            if rows or table in REQUIRED_TABLES:
                doc[table] = [r.model_dump(mode="json", exclude_defaults=True) for r in rows]
        doc["rules"] = self.rules.to_dict()
        return doc

    def origin(self, table: str) -> TableOrigin | None:
        return self._origin.get(table)

    def with_origin(self, origin: dict[str, TableOrigin]) -> Instance:
        self._origin = dict(origin)
        return self


_CACHED = tuple(n for n, v in vars(Instance).items() if isinstance(v, cached_property))


def relaxed(instance: Instance) -> Instance:
    """The instance with every relaxable hard rule made soft (weights kept)."""
    data = instance.rules.model_dump(by_alias=True)
    for rule_id in RELAXABLE_RULES:
        if data[rule_id]["mode"] == "hard":
            data[rule_id]["mode"] = "soft"
    return instance.model_copy(update={"rules": Rules.model_validate(data)})
