"""What every rule module shares (:mod:`teamsolver.rules`): the settings every rule has, a
violation, the checker's read-only view of a roster, where a rule instance applies, a change to
an instance.

Plain Python and pydantic only: this module and the rule modules import the instance, the
roster, the model and the explainer for type hints only, so that ``settings`` can gather the
rules' settings and the checker never imports the solver.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_serializer

from ..data.values import Int
from ..i18n.phrase import Count, Ids, Join, Phrase, Spoken, Words

if TYPE_CHECKING:
    from ..data.instance import Group, HistoryEntry, Instance, Member, Unit
    from ..data.roster import Roster, Seat
    from ..data.settings import Rules
    from ..engine.greedy import Greedy
    from ..engine.model import Model, Var
    from ..explainer.words import Context as WordsContext
    from ..validation import Inputs

Mode = Literal["hard", "soft", "off"]

#: The largest weight of a rule or a goal. Planners use 1–1,000; a million leaves room for any
#: ratio between two weights a planner could want while keeping objectives exact (see
#: :mod:`teamsolver.limits`, which also bounds the objective a whole plan can reach).
MAX_WEIGHT = 1_000_000


#: Member attributes that the ``mix`` goal and ``attribute-quota`` may name (values as in
#: docs/measures.md).
MEMBER_ATTRIBUTES: tuple[str, ...] = (
    "gender",
    "birth_decade",
    "full_time",
    "party_member",
    "newly_promoted",
    "unit",
    "zone",
)


def attribute_value(instance: Instance, member: Member, attribute: str) -> str | None:
    """A member's value of one of :data:`MEMBER_ATTRIBUTES` as the ``mix`` goal and
    ``attribute-quota`` count it (None: the member has none and is skipped)."""
    if attribute == "gender":
        return member.gender
    if attribute == "birth_decade":
        return None if member.birth_year is None else str(member.birth_year // 10 * 10)
    if attribute in ("full_time", "party_member", "newly_promoted"):
        return str(getattr(member, attribute)).lower()
    if attribute == "unit":
        return member.unit
    if attribute == "zone":
        unit = instance.unit_by_id.get(member.unit)
        return None if unit is None else unit.zone
    return None


# -- settings --------------------------------------------------------------------------------
class SettingsModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class AlwaysRule(SettingsModel):
    """A rule that always holds; its mode can only be ``hard``."""

    mode: Literal["hard"] = "hard"


class Rule(SettingsModel):
    """A relaxable rule: ``hard`` (must hold), ``soft`` (a violation costs ``weight``), ``off``."""

    mode: Mode = "hard"
    weight: Int = Field(1000, ge=0, le=MAX_WEIGHT)


# -- violations ------------------------------------------------------------------------------
#: Pseudo-rule id of structural problems of a roster that are no rule's violation.
ROSTER = "roster"

_DUMP_ORDER = ("rule", "round", "group", "member", "members", "count", "message")


class Violation(Spoken):
    """One breach of one rule, where it happens, and what it costs.

    ``count`` is the number of units of soft cost (docs/measures.md): a group three seats short
    is one violation with ``count`` 3. ``members`` lists the member ids concerned (the pair of a
    conflict, the new members of a group without mentors, ...); ``member`` is the first of them.
    ``message`` is in English; :meth:`say` says it in any language.
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    round: str | None = None
    group: str | None = None
    members: tuple[str, ...] = ()
    count: int = 1
    message: str

    @classmethod
    def of(
        cls,
        rule: str,
        phrase: Phrase,
        *,
        round: str | None = None,
        group: str | None = None,
        members: tuple[str, ...] = (),
        count: int = 1,
    ) -> Violation:
        """A violation whose ``message`` is ``phrase`` (in English; any language by ``say``)."""
        return cls.said(phrase, rule=rule, round=round, group=group, members=members, count=count)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def member(self) -> str | None:
        """The first member concerned, or None."""
        return self.members[0] if self.members else None

    @model_serializer(mode="wrap")
    def _ordered(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: data[k] for k in _DUMP_ORDER if k in data} | data

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def needs(at_least: int | None, at_most: int | None) -> Join:
    """What a count needs, in words: ``at least 5 and at most 6`` (None: no such bound)."""
    parts = [] if at_least is None else [Phrase("violation.need.at-least", n=at_least)]
    if at_most is not None:
        parts.append(Phrase("violation.need.at-most", n=at_most))
    return Join(parts, "and")


def named(members: Sequence[str]) -> Phrase | str:
    """`` (M1 and M2)`` after a count of members; nothing for none."""
    return Phrase("phrase.named", ids=Ids(members)) if members else ""


# -- the checker's view of a roster ------------------------------------------------------------
class Context:
    """Read-only indexes of one instance and one roster, built once per check.

    Seats are kept as given, except that a seat whose round disagrees with its group's round is
    replaced by a copy in the group's round. ``by_group`` has an entry (maybe empty) for every
    group of the instance; ``by_round`` for every round; ``by_member`` for every member id that
    holds a placed seat, pool member or not.
    """

    def __init__(self, instance: Instance, roster: Roster | Iterable[Seat]):
        self.instance: Instance = instance
        self.rules: Rules = instance.rules
        self.rounds: tuple[str, ...] = instance.rounds
        self.round_index: Mapping[str, int] = {r: i for i, r in enumerate(self.rounds)}
        self.members: Mapping[str, Member] = instance.member_by_id
        self.groups: Mapping[str, Group] = instance.group_by_id
        self.units: Mapping[str, Unit] = instance.unit_by_id
        self.seats: tuple[Seat, ...] = tuple(roster)

        structural: list[Violation] = []
        by_group: dict[str, list[Seat]] = {g.id: [] for g in instance.groups}
        by_round: dict[str, list[Seat]] = {r: [] for r in self.rounds}
        by_member: dict[str, list[Seat]] = defaultdict(list)
        placed: list[Seat] = []
        for seat in self.seats:
            group = self.groups.get(seat.group)
            if group is None:
                structural.append(
                    Violation.of(
                        ROSTER,
                        Phrase("violation.roster.no-group", member=seat.member, group=seat.group),
                        round=seat.round,
                        group=seat.group,
                        members=(seat.member,),
                    )
                )
                continue
            if seat.round != group.round:
                words = Phrase(
                    "violation.roster.round",
                    member=seat.member,
                    group=group.id,
                    said=seat.round,
                    round=group.round,
                )
                structural.append(
                    Violation.of(
                        ROSTER, words, round=group.round, group=group.id, members=(seat.member,)
                    )
                )
                seat = seat.model_copy(update={"round": group.round})
            placed.append(seat)
            by_group[group.id].append(seat)
            by_round[group.round].append(seat)
            by_member[seat.member].append(seat)

        self.structural: tuple[Violation, ...] = tuple(structural)
        self.placed: tuple[Seat, ...] = tuple(placed)
        self.by_group: Mapping[str, Sequence[Seat]] = by_group
        self.by_round: Mapping[str, Sequence[Seat]] = by_round
        self.by_member: Mapping[str, Sequence[Seat]] = dict(by_member)
        self.members_in: Mapping[str, frozenset[str]] = {
            g: frozenset(s.member for s in seats) for g, seats in by_group.items()
        }
        # Sorted distinct round indices in which each member holds a seat.
        self._seat_rounds: dict[str, list[int]] = {
            m: sorted({self.round_index[s.round] for s in seats}) for m, seats in by_member.items()
        }

        # Units: each unit's parent; ancestry is walked from the unit asked about, once per
        # unit (memoised), never for every unit: a deep chain has quadratically many pairs.
        self._parent: Mapping[str, str | None] = {u.id: u.parent for u in instance.units}
        self._ancestors: dict[str, frozenset[str]] = {}

        # History: per member, the nearest time each unit was inspected, and the past groups.
        last: dict[str, dict[str, int]] = defaultdict(dict)
        past: dict[str, dict[tuple[str, int], None]] = defaultdict(dict)
        history: dict[str, list[HistoryEntry]] = defaultdict(list)
        for h in instance.history:
            history[h.member].append(h)
            seen = last[h.member].get(h.unit)
            if seen is None or h.rounds_ago < seen:
                last[h.member][h.unit] = h.rounds_ago
            past[h.member][(h.group, h.rounds_ago)] = None
        self.history: Mapping[str, Sequence[HistoryEntry]] = dict(history)
        self._last_inspected: Mapping[str, Mapping[str, int]] = dict(last)
        self._past_groups: Mapping[str, tuple[tuple[str, int], ...]] = {
            m: tuple(keys) for m, keys in past.items()
        }
        self._experience: dict[tuple[str, str], int | None] = {}

    def ancestors(self, unit_id: str) -> frozenset[str]:
        """The units above ``unit_id`` by the parent chain (a cycle is cut where it closes)."""
        found = self._ancestors.get(unit_id)
        if found is None:
            seen = {unit_id}
            cur = self._parent.get(unit_id)
            while cur is not None and cur not in seen:
                seen.add(cur)
                cur = self._parent.get(cur)
            seen.discard(unit_id)
            found = self._ancestors[unit_id] = frozenset(seen)
        return found

    # --- members -------------------------------------------------------------------------

    def experience(self, member_id: str, round_id: str) -> int | None:
        """``rounds_served`` + rounds of the plan before ``round_id`` in which the member holds a
        seat; None for a member who is not in the pool."""
        key = (member_id, round_id)
        if key not in self._experience:
            member = self.members.get(member_id)
            if member is None:
                self._experience[key] = None
            else:
                earlier = bisect.bisect_left(
                    self._seat_rounds.get(member_id, []), self.round_index[round_id]
                )
                self._experience[key] = member.rounds_served + earlier
        return self._experience[key]

    def is_new(self, member_id: str, round_id: str) -> bool:
        exp = self.experience(member_id, round_id)
        return exp is not None and exp <= self.rules.experience.new_max

    def is_experienced(self, member_id: str, round_id: str) -> bool:
        exp = self.experience(member_id, round_id)
        return exp is not None and exp >= self.rules.experience.experienced_min

    def seat_rounds(self, member_id: str) -> Sequence[int]:
        """Sorted distinct indices of the rounds in which the member holds a seat."""
        return self._seat_rounds.get(member_id, ())

    # --- units ---------------------------------------------------------------------------

    def zone(self, unit_id: str) -> str | None:
        unit = self.units.get(unit_id)
        return unit.zone if unit is not None and unit.zone else None

    def related(self, a: str, b: str) -> bool:
        """True when unit ``a`` is an ancestor or a descendant of unit ``b``."""
        return a in self.ancestors(b) or b in self.ancestors(a)

    # --- history -------------------------------------------------------------------------

    def last_inspected(self, member_id: str, unit_id: str) -> int | None:
        """The smallest ``rounds_ago`` of a history row of the member for the unit, or None."""
        return self._last_inspected.get(member_id, {}).get(unit_id)

    def past_groups(self, member_id: str, lookback: int | None) -> frozenset[tuple[str, int]]:
        """``(group, rounds_ago)`` of the member's past groups with ``rounds_ago ≤ lookback``."""
        keys = self._past_groups.get(member_id, ())
        return frozenset(k for k in keys if lookback is None or k[1] <= lookback)


def attribute_minimum(
    ctx: Context, rule_id: str, attribute: str, need: int, noun: str
) -> list[Violation]:
    """Per group, ``max(0, need − n)`` with n = seats whose member has ``attribute`` true:
    the shape of ``full-time-anchor`` and ``party-branch``. ``noun``: the count key of the
    members that count (``full-time-member``); the rule's own words say why it needs them
    (``violation.<rule>.short``)."""
    out: list[Violation] = []
    for group in ctx.instance.groups:
        have = sum(
            1
            for s in ctx.by_group[group.id]
            if s.member in ctx.members and getattr(ctx.members[s.member], attribute)
        )
        if have < need:
            words = Phrase(
                f"violation.{rule_id}.short",
                group=group.id,
                n=Count(f"phrase.count.{noun}", have),
                need=need,
            )
            out.append(
                Violation.of(rule_id, words, round=group.round, group=group.id, count=need - have)
            )
    return out


# -- rule instances and changes (the explainer's vocabulary) -----------------------------------
@dataclass(frozen=True)
class Where:
    """A rule instance: where a rule applies (a group, a member, a unit, a specialty...). The
    model guards each hard constraint by the literal of its instance; explanations name them."""

    rule: str
    round: str | None = None
    group: str | None = None
    member: str | None = None
    specialty: str | None = None
    unit: str | None = None
    other: str | None = None


class Change(BaseModel):
    """One edit of the instance: ``set`` a cell (``table``, row ``key``, ``column``) or a rule
    setting (table ``rules``, ``key`` = section, ``column`` = setting) to ``value``; ``add`` a
    row (``value`` = the row) to members or units; ``remove`` the pins row ``key`` =
    ``member@group`` or the conflicts rows ``key`` = ``member_a&member_b``."""

    model_config = ConfigDict(frozen=True)

    op: Literal["set", "add", "remove"]
    table: str
    key: str | None = None
    column: str | None = None
    value: Any = None


#: A suggestion before it is verified: its words and its changes.
Candidate = tuple[Words, tuple[Change, ...]]


def set_change(table: str, key: str, column: str, value: Any) -> Change:
    return Change(op="set", table=table, key=key, column=column, value=value)


def outsider(instance: Instance, what: str, **fields: Any) -> tuple[Change, ...]:
    """Add one experienced member from a new unit outside every hierarchy and zone."""
    taken_m = set(instance.member_by_id)
    taken_u = set(instance.unit_by_id)
    mid = next(f"NEW{i}" for i in range(1, len(taken_m) + 2) if f"NEW{i}" not in taken_m)
    uid = next(f"OUTSIDE{i}" for i in range(1, len(taken_u) + 2) if f"OUTSIDE{i}" not in taken_u)
    row = {
        "id": mid,
        "name": f"new {what}",
        "unit": uid,
        "rounds_served": instance.rules.experience.experienced_min,
        **fields,
    }
    return (
        Change(op="add", table="units", key=uid, value={"id": uid}),
        Change(op="add", table="members", key=mid, value=row),
    )


def changed(
    way: Literal["lower", "raise"], setting: str, before: Any, after: Any, of: str | None = None
) -> Phrase:
    """``lower size_min of G1 from 3 to 2``, ``raise rotation.max_rounds from 2 to 3``: a
    suggested change of one setting in words (the setting's name stays)."""
    key = f"suggest.{way}" if of is None else f"suggest.{way}-of"
    return Phrase(key, setting=setting, before=before, after=after, of=of or "")


def add_one(kind: str, **values: Any) -> Phrase:
    """``add one experienced member who can lead, from outside the hierarchy (and zone) of
    every target``: the suggestion that adds one member (:func:`outsider`) of ``kind``."""
    return Phrase(f"suggest.add.{kind}", **values)


class Counting(NamedTuple):
    """A rule instance that needs at least ``need`` members of a kind in a group: who counts,
    the kind in words (``kind(n)``: ``3 members who can lead``), the requirement in words, and
    for a role quota the role (a member pinned to it without the ability is held out by the
    quota itself)."""

    counts: Callable[[Member], bool]
    kind: Callable[[int], Words]
    need: int
    says: Words
    role: str | None = None


def kind(key: str, **values: Any) -> Callable[[int], Words]:
    """``n`` members of a kind in words: the count key ``phrase.count.<key>``."""
    return lambda n: Count(f"phrase.count.{key}", n, **values)


def group_at(g: Group) -> Phrase:
    """``Group G1 (round R1)``: how a sentence about one group starts."""
    return Phrase("explain.group-at", group=g.id, round=g.round)


# -- the greedy planner's part ----------------------------------------------------------------
class Seating:
    """A rule's part in the greedy planner (:mod:`teamsolver.engine.greedy`): what the rule
    forbids, asks for and costs, seat by seat, as a careful person checks it at the desk.

    A rule module's ``seating(planner)`` builds one for a plan (None when the rule asks nothing
    of a seat: it is off, or the candidate lists of :mod:`teamsolver.engine.prep` already hold
    it). The planner seats members one at a time and never backtracks; it asks every rule's
    :meth:`allows` before a seat, tells each one :meth:`seated` (before it records the seat
    itself), fills the seats rules want (:meth:`wanted` roles, then :meth:`wants` kinds of
    member) and weighs :meth:`cost` in its choice. A soft rule is kept like a hard one unless
    its seating has a cost. Members and groups are the planner's indices (``planner.members``,
    ``planner.groups``); roles are ``leader``, ``deputy``, ``member``. The defaults forbid, want
    and cost nothing.
    """

    #: The roles :meth:`allows` has a say on (None: every role); the planner asks it only
    #: about seats of those roles.
    ROLES: tuple[str, ...] | None = None

    def allows(self, mi: int, gi: int, role: str) -> bool:
        """May member ``mi`` take a ``role`` seat in group ``gi`` now?"""
        return True

    def seated(self, mi: int, gi: int, role: str) -> None:
        """Member ``mi`` takes a ``role`` seat in group ``gi`` (keep the rule's own counts)."""

    def wanted(self, gi: int, role: str) -> int:
        """Seats of ``role`` (``leader``, ``deputy``) group ``gi`` still needs."""
        return 0

    def kinds(self, mi: int) -> Iterable[str]:
        """The kinds of member the rule counts that ``mi`` is (specialties, ``@full_time``...):
        the planner keeps each group's count of every kind (``planner.have``)."""
        return ()

    def wants(self, gi: int) -> Mapping[str, int]:
        """Seats of each kind group ``gi`` still needs."""
        return {}

    def cost(self, mi: int, gi: int) -> int:
        """What seating ``mi`` in ``gi`` costs in the objective (a soft rule the planner bends)."""
        return 0


class RoleSeats(Seating):
    """``leader-quota`` and ``deputy-quota`` in the greedy planner: seats of ``role`` go to
    members whose ``able`` attribute is true, at most ``bounds(g)[1]`` per group; the planner
    seats ``bounds(g)[0]``."""

    def __init__(
        self, planner: Greedy, role: str, able: str, bounds: Callable[[Group], tuple[int, int]]
    ):
        self.p = planner
        self.role = role
        self.ROLES = (role,)
        self.able = [bool(getattr(m, able)) for m in planner.members]
        self.bounds = [bounds(g) for g in planner.groups]

    def allows(self, mi: int, gi: int, role: str) -> bool:
        return self.able[mi] and self.p.count(gi, role) < self.bounds[gi][1]

    def wanted(self, gi: int, role: str) -> int:
        return self.bounds[gi][0] - self.p.count(gi, role) if role == self.role else 0


class KindMinimum(Seating):
    """At least ``need`` members whose ``attribute`` is true in every group, counted as the
    kind ``@attribute``: ``full-time-anchor`` and ``party-branch`` in the greedy planner."""

    def __init__(self, planner: Greedy, attribute: str, need: int):
        self.have = planner.have
        self.tag, self.need = f"@{attribute}", need
        self.has = [bool(getattr(m, attribute)) for m in planner.members]

    def kinds(self, mi: int) -> Iterable[str]:
        return (self.tag,) if self.has[mi] else ()

    def wants(self, gi: int) -> dict[str, int]:
        short = self.need - self.have[gi].get(self.tag, 0)
        return {self.tag: short} if short > 0 else {}


# -- what a rule module has ---------------------------------------------------------------------
class RuleModule(Protocol):
    """The parts every module of :data:`teamsolver.rules.RULES` defines (``tests/test_registry.py``
    checks each one on every rule, as mypy does on the registry)."""

    #: The rule id of SPEC §3.
    RULE_ID: str
    #: Where the rule's instances come in an explanation (group requirements first).
    RANK: int

    @property
    def Settings(self) -> type[AlwaysRule] | type[Rule]:
        """The rule's settings in ``rules.toml`` (``mode``, ``weight`` and its own keys)."""

    def check(self, ctx: Context) -> list[Violation]:
        """Every violation of the roster in ``ctx`` (plain Python, never ortools)."""

    def encode(self, m: Model) -> None:
        """The rule in the CP-SAT model, through the builder ``m``."""

    def counting(self, item: Where, instance: Instance) -> Counting | None:
        """For a rule instance needing at least k members of a kind in a group: who counts."""

    def requirements(self, g: Group, instance: Instance) -> list[Where]:
        """The rule's "at least k of a kind" demands of group ``g``: the input alone shows one
        impossible when fewer such members may sit there (``explain`` says so without solving)."""

    def sentence(self, item: Where, ctx: WordsContext, core: Sequence[Where]) -> Words:
        """A rule instance of the conflict ``core`` in a planner's words, with its numbers."""

    def suggestions(self, item: Where, ctx: WordsContext) -> list[Candidate]:
        """One-step changes that could lift ``item`` (``explain`` verifies each by a re-solve)."""

    def seating(self, planner: Greedy) -> Seating | None:
        """The rule's part in the greedy planner's desk checks (None: nothing to check)."""

    def inputs(self, v: Inputs) -> None:
        """Report the rule's requirements that no roster could ever meet, from the input alone
        (validation: an error when the rule is hard, a warning when soft)."""


# -- encodings shared by rules of the same shape (called with the model builder) -------------
def role_quota(
    m: Model,
    rule_id: str,
    roles: Mapping[tuple[int, int], Var],
    bounds: Callable[[Group], tuple[int, int]],
    able: str,
) -> None:
    """``leader-quota`` and ``deputy-quota``: per group, between ``bounds(g)`` holders of the
    role (``roles``: the role variables by (member, group)); a holder whose ``able`` attribute
    is false breaks the rule (hard: the role is forbidden; soft: each such holder costs 1)."""
    mode = m.mode(rule_id)
    if mode == "off":
        return
    inst = m.instance
    for gi, g in enumerate(inst.groups):
        held = [(mi, roles[(mi, gi)]) for mi in m.by_group[gi] if (mi, gi) in roles]
        low, high = bounds(g)
        where = Where(rule_id, g.round, g.id)
        count = m.ones([v.index for _, v in held])
        m.at_least(rule_id, where, count, low, len(held))
        m.at_most(rule_id, where, count, high, len(held))
        for mi, v in held:
            if not getattr(inst.members[mi], able):
                if mode == "hard":
                    m.post(Where(rule_id, g.round, g.id, inst.members[mi].id), m.cp.add(v == 0))
                else:
                    m.parts[rule_id].add(v)


def attribute_at_least(m: Model, rule_id: str, attribute: str, need: int) -> None:
    """``full-time-anchor`` and ``party-branch``: per group, at least ``need`` seats of members
    whose ``attribute`` is true (soft: each one short costs 1)."""
    if m.mode(rule_id) == "off" or need <= 0:
        return
    inst = m.instance
    has = [bool(getattr(member, attribute)) for member in inst.members]
    for gi, g in enumerate(inst.groups):
        seats = [i for mi, i in zip(m.by_group[gi], m.group_index[gi], strict=True) if has[mi]]
        m.at_least(rule_id, Where(rule_id, g.round, g.id), m.ones(seats), need, len(seats))


# -- words and suggestions shared by rules of the same shape ---------------------------------
#: Ids listed at most in a sentence of an explanation.
SHOWN = 8


#: None, in a list of ids.
NONE = Phrase("phrase.none")


def listed(items: Iterable[str]) -> Ids:
    """Ids in a sentence of an explanation: at most :data:`SHOWN`, ``none`` for none."""
    return Ids(items, SHOWN, empty=NONE)


def role_quota_sentence(item: Where, ctx: WordsContext, core: Sequence[Where], role: str) -> Words:
    """A role quota in words: the count (with who is pinned to the role), or a member pinned
    to the role who cannot hold it (``explain.<rule>.unable``)."""
    assert item.group is not None
    if item.member is None:
        text = ctx.count_sentence(item, core)
        pinned = [mid for (mid, gid), r in ctx.required.items() if gid == item.group and r == role]
        if pinned:
            return Phrase("explain.role-quota.pinned", said=text, ids=listed(pinned))
        return text
    return Phrase(f"explain.{item.rule}.unable", member=item.member, group=item.group)


def able_to_hold(member: str, column: str) -> Candidate:
    """Let a member pinned to a role they may not hold take it (``can_lead``/``can_deputy``)."""
    return (
        Phrase("suggest.able", member=member, column=column),
        (set_change("members", member, column, True),),
    )


def attribute_minimum_suggestions(
    item: Where, ctx: WordsContext, need: int, attribute: str, word: str
) -> list[Candidate]:
    """Lower the rule's ``min`` by one, or add one experienced member with ``attribute``."""
    if item.group is None:
        return []
    return [
        (
            changed("lower", f"{item.rule}.min", need, need - 1),
            (set_change("rules", item.rule, "min", need - 1),),
        ),
        (add_one(attribute), outsider(ctx.instance, word, **{attribute: True})),
    ]


def role_quota_inputs(
    v: Inputs,
    rule_id: str,
    column: str,
    bounds: Callable[[Group], tuple[int, int]],
    able: str,
    noun: str,
) -> None:
    """``leader-quota`` and ``deputy-quota`` from the input: per round, more seats of the role
    (Σ the fewest of ``bounds(g)``, counted in ``problem.n.<noun>``) than available members
    whose ``able`` attribute is true (problem ``problem.<rule_id>.round`` on ``column``)."""
    if not v.pool:
        return
    for round_id in v.instance.rounds:
        seats = sum(bounds(g)[0] for g in v.instance.groups_in(round_id))
        able_to = sum(bool(getattr(m, able)) for m in v.free(round_id)) + v.slack
        if seats > able_to:
            v.rule(
                rule_id,
                "groups",
                v.first_row[round_id],
                column,
                Phrase(
                    f"problem.{rule_id}.round",
                    where=v.where(round_id),
                    need=Count(f"problem.n.{noun}", seats),
                    can=Count("problem.n.available", able_to),
                    note=v.note,
                ),
            )


def attribute_minimum_inputs(v: Inputs, rule_id: str, need: int, attribute: str) -> None:
    """``full-time-anchor`` and ``party-branch`` from the input: ``need`` above a group's
    ``size_max``, or more ``attribute`` members needed in a round than are available."""
    for i, g in enumerate(v.instance.groups):
        cap = v.cap(g)
        if cap is not None and need > cap:
            v.rule(
                rule_id,
                "groups",
                i,
                "size_max",
                Phrase(f"problem.{rule_id}.cap", need=need, cap=cap),
            )
    if not v.pool:
        return
    for round_id in v.instance.rounds:
        total = need * len(v.instance.groups_in(round_id))
        have = sum(bool(getattr(m, attribute)) for m in v.free(round_id)) + v.slack
        if total > have:
            v.rule(
                rule_id,
                "groups",
                v.first_row[round_id],
                None,
                Phrase(
                    f"problem.{rule_id}.round",
                    where=v.where(round_id),
                    need=total,
                    have=Count("problem.n.only_available", have),
                    note=v.note,
                ),
            )
