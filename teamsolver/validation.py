"""Cross-table checks of an instance, run once at load time (and by ``solve`` on built instances).

Everything that single rows cannot tell: unknown or duplicate ids, cycles in the unit tree, and
requirements that no roster could ever meet. A requirement that cannot be met is an error when its
rule is ``hard``, a warning when it is ``soft`` (the roster will bend there), and silent when
``off``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from .data.errors import Problem, Severity
from .data.instance import Group, Instance, Member
from .rules import RULES
from .text import plural

Known = Mapping[str, Iterable[str]]

#: In ``broken``: the whole table could not be read, so every id may exist.
ANY_ID = "*"
#: Separators a planner may have used in a list cell instead of ``;``.
LIST_LIKE = re.compile(r"[,，、/|]")


class _Report:
    def __init__(self, instance: Instance):
        self.instance = instance
        self.problems: list[Problem] = []

    def add(
        self,
        table: str,
        index: int | None,
        column: str | None,
        message: str,
        severity: Severity = "error",
        rule: str | None = None,
    ) -> None:
        origin = self.instance.origin(table)
        if origin is None:
            file, row, word = table, (index + 1 if index is not None else None), "item"
        else:
            file, word = origin.file, origin.row_word
            row = origin.rows[index] if index is not None and index < len(origin.rows) else None
        self.problems.append(
            Problem(
                message=message,
                file=file,
                table=table,
                row=row,
                column=column,
                severity=severity,
                rule=rule,
                row_word=word,
            )
        )

    def rule(
        self, rule_id: str, table: str, index: int | None, column: str | None, message: str
    ) -> None:
        """A requirement that cannot be met: an error if the rule is hard, a warning if soft."""
        mode = self.instance.rules.mode(rule_id)
        if mode == "off":
            return
        suffix = "" if mode == "hard" else f" ({rule_id} is soft, so it will be bent here)"
        self.add(
            table,
            index,
            column,
            f"{message} [{rule_id}]{suffix}",
            "error" if mode == "hard" else "warning",
            rule_id,
        )


def validate_instance(instance: Instance, broken: Known | None = None) -> list[Problem]:
    """Every cross-table problem of ``instance``.

    ``broken`` lists, per table, the id (or ``""``) of every row that could not be read at all
    (:data:`ANY_ID` when the table itself could not be read): references to them are not
    reported as unknown, and the checks of the whole pool count unread members as able to do
    anything, so that one bad row never causes follow-up errors.
    """
    r = _Report(instance)
    unread: dict[str, list[str]] = {table: list(ids) for table, ids in (broken or {}).items()}
    for table, word in (("members", "member"), ("units", "unit"), ("groups", "group")):
        if not getattr(instance, table) and not unread.get(table):
            r.add(table, None, None, f"the table is empty; expected at least one {word}")
            unread[table] = [ANY_ID]  # no follow-up errors about unknown ids
    _ids(r)
    _units(r)
    _references(r, unread)
    _groups(r)
    inputs = Inputs(r, unread.get("members", []))
    for rule in RULES:  # each rule's requirements that no roster could ever meet
        rule.inputs(inputs)
    _mix(r, unread.get("members", []))
    _pins(r)
    return r.problems


def _duplicates(r: _Report, table: str, ids: list[str], word: str) -> None:
    first: dict[str, int] = {}
    for i, key in enumerate(ids):
        if key in first:
            origin = r.instance.origin(table)
            row = origin.rows[first[key]] if origin else first[key] + 1
            row_word = origin.row_word if origin else "item"
            r.add(table, i, "id", f"duplicate {word} id {key!r} (first at {row_word} {row})")
        else:
            first[key] = i


def _ids(r: _Report) -> None:
    inst = r.instance
    _duplicates(r, "members", [m.id for m in inst.members], "member")
    _duplicates(r, "units", [u.id for u in inst.units], "unit")
    _duplicates(r, "groups", [g.id for g in inst.groups], "group")


def _units(r: _Report) -> None:
    inst = r.instance
    units = inst.unit_by_id
    for i, u in enumerate(inst.units):
        if u.parent is not None and u.parent not in units:
            r.add("units", i, "parent", f"unknown unit {u.parent!r} (expected an id from units)")
        if u.parent == u.id:
            r.add("units", i, "parent", f"unit {u.id!r} is its own parent")
    # Cycles: walk up from every unit; meeting a unit of the current walk again is a cycle.
    index = {u.id: i for i, u in enumerate(inst.units)}
    done: set[str] = set()
    for u in inst.units:
        path: list[str] = []
        on_path: set[str] = set()  # beside the ordered path: a deep chain stays linear
        cur: str | None = u.id
        while cur is not None and cur in units and cur not in done:
            if cur in on_path:
                cycle = path[path.index(cur) :]
                first = min(cycle, key=lambda x: index[x])
                start = cycle.index(first)
                ordered = cycle[start:] + cycle[:start]
                r.add(
                    "units",
                    index[first],
                    "parent",
                    "cycle in unit parents: " + " → ".join([*ordered, first]),
                )
                break
            path.append(cur)
            on_path.add(cur)
            parent = units[cur].parent
            cur = parent if parent != cur else None
        done.update(path)


def _references(r: _Report, broken: Known) -> None:
    inst = r.instance
    units = set(inst.unit_by_id) | set(broken.get("units", ()))
    members = set(inst.member_by_id) | set(broken.get("members", ()))
    groups = set(inst.group_by_id) | set(broken.get("groups", ()))
    rounds = set(inst.rounds)

    def unit_ref(table: str, i: int, column: str, uid: str, severity: Severity = "error") -> None:
        if uid not in units and ANY_ID not in units:
            r.add(
                table,
                i,
                column,
                f"unknown unit {uid!r} (expected an id from units"
                + ("; separate several with ';')" if LIST_LIKE.search(uid) else ")"),
                severity,
            )

    for i, m in enumerate(inst.members):
        unit_ref("members", i, "unit", m.unit)
        for uid in m.conflict_units:
            unit_ref("members", i, "conflict_units", uid)
        for rid in m.unavailable_rounds:
            if rid not in rounds and ANY_ID not in broken.get("groups", ()):
                r.add(
                    "members",
                    i,
                    "unavailable_rounds",
                    f"round {rid!r} is not a round of this plan "
                    f"({', '.join(inst.rounds)}); it has no effect",
                    "warning",
                )
    for i, g in enumerate(inst.groups):
        for uid in g.targets:
            unit_ref("groups", i, "targets", uid)
        for uid, n in Counter(g.targets).items():
            if n > 1:
                r.add("groups", i, "targets", f"target {uid!r} is listed {n} times", "warning")

    def member_ref(table: str, i: int, column: str, mid: str) -> None:
        if mid not in members and ANY_ID not in members:
            r.add(table, i, column, f"unknown member {mid!r} (expected an id from members)")

    def group_ref(table: str, i: int, column: str, gid: str) -> None:
        if gid not in groups and ANY_ID not in groups:
            r.add(table, i, column, f"unknown group {gid!r} (expected an id from groups)")

    pairs: dict[frozenset[str], int] = {}
    for i, c in enumerate(inst.conflicts):
        member_ref("conflicts", i, "member_a", c.member_a)
        member_ref("conflicts", i, "member_b", c.member_b)
        if c.member_a == c.member_b:
            r.add("conflicts", i, "member_b", f"member {c.member_a!r} is in conflict with itself")
        key = frozenset((c.member_a, c.member_b))
        if key in pairs:
            r.add(
                "conflicts",
                i,
                "member_a",
                "this pair is already listed; the row is redundant",
                "warning",
            )
        pairs.setdefault(key, i)
    for i, h in enumerate(inst.history):
        member_ref("history", i, "member", h.member)
        unit_ref("history", i, "unit", h.unit, "warning")
    seen_aff: set[tuple[str, str]] = set()
    for i, a in enumerate(inst.affinity):
        member_ref("affinity", i, "member", a.member)
        group_ref("affinity", i, "group", a.group)
        if (a.member, a.group) in seen_aff:
            r.add(
                "affinity",
                i,
                "member",
                f"member {a.member!r} has a second score for group {a.group!r}",
            )
        seen_aff.add((a.member, a.group))
    for i, p in enumerate(inst.pins):
        member_ref("pins", i, "member", p.member)
        group_ref("pins", i, "group", p.group)


def _groups(r: _Report) -> None:
    inst = r.instance
    rules = inst.rules
    for i, g in enumerate(inst.groups):
        if g.size_max is not None and g.size_min > g.size_max:
            r.add(
                "groups",
                i,
                "size_min",
                f"size_min ({g.size_min}) is larger than size_max ({g.size_max})",
            )
        if g.deputies_min > g.deputies_max:
            r.add(
                "groups",
                i,
                "deputies_min",
                f"deputies_min ({g.deputies_min}) is larger than deputies_max ({g.deputies_max})",
            )
        if g.size_max is None or rules.mode("group-size") != "hard":
            continue
        cap = g.size_max
        if (
            rules.mode("leader-quota") == "hard"
            and rules.mode("deputy-quota") == "hard"
            and g.leaders + g.deputies_min > cap
        ):
            r.add(
                "groups",
                i,
                "size_max",
                f"{plural(g.leaders, 'leader')} and at least "
                f"{plural(g.deputies_min, 'deputy', 'deputies')} do not fit in size_max {cap}",
            )


class Inputs:
    """What each rule's check of the input needs (its module's ``inputs``): the report, the
    most seats a group can hold, and for the checks of the whole pool (``pool``: False when the
    members table could not be read at all) who is available in each round.

    The ``unread`` member rows (that could not be read at all) are counted as able to fill any
    seat (``slack``), so that only shortages that hold whatever those rows say are reported.
    """

    def __init__(self, r: _Report, unread: list[str]):
        self.report = r
        self.instance = r.instance
        self.pool = ANY_ID not in unread
        self.slack = len(unread)
        self.note = (
            f", even counting the {plural(self.slack, 'member row')} with errors as able"
            if self.slack
            else ""
        )
        self.active = [m for m in self.instance.members if m.status == "active"]
        self._free = {
            r: [m for m in self.active if r not in m.unavailable_rounds]
            for r in self.instance.rounds
        }
        self.first_row: dict[str, int] = {}
        for i, g in enumerate(self.instance.groups):
            self.first_row.setdefault(g.round, i)

    def cap(self, g: Group) -> int | None:
        """``size_max`` when group-size is hard (a requirement above it can never be met)."""
        if g.size_max is None or self.instance.rules.mode("group-size") != "hard":
            return None
        return g.size_max

    def free(self, round_id: str) -> list[Member]:
        """The active members available in the round (listed once, read by every rule)."""
        return self._free[round_id]

    def where(self, round_id: str) -> str:
        return f"round {round_id!r} ({plural(len(self.instance.groups_in(round_id)), 'group')})"

    def rule(
        self, rule_id: str, table: str, index: int | None, column: str | None, message: str
    ) -> None:
        self.report.rule(rule_id, table, index, column, message)


def _mix(r: _Report, unread: list[str]) -> None:
    """A mix attribute that no member has a value of: a warning."""
    inst = r.instance
    if unread:
        return
    for attr in inst.rules.objective.mix_attributes:
        if attr in ("gender", "birth_decade") and not any(
            (m.gender if attr == "gender" else m.birth_year) is not None for m in inst.members
        ):
            column = "gender" if attr == "gender" else "birth_year"
            r.add(
                "members",
                None,
                column,
                f"objective.mix_attributes names {attr!r} but no member has a {column}",
                "warning",
            )


def _pins(r: _Report) -> None:
    inst = r.instance
    members = inst.member_by_id
    groups = inst.group_by_id
    required_in_round: dict[tuple[str, str], list[int]] = defaultdict(list)
    kinds: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for i, p in enumerate(inst.pins):
        m = members.get(p.member)
        g = groups.get(p.group)
        if m is None or g is None:
            continue
        if p.kind in kinds[(p.member, p.group)]:
            r.add(
                "pins",
                i,
                "kind",
                f"the same pin is listed twice for member {p.member!r} and group {p.group!r}",
                "warning",
            )
        kinds[(p.member, p.group)][p.kind] = i
        if p.kind != "require":
            if p.role is not None:
                r.add(
                    "pins",
                    i,
                    "role",
                    "a forbid pin forbids the whole group; the role is ignored",
                    "warning",
                )
            continue
        required_in_round[(p.member, g.round)].append(i)
        if m.status != "active":
            r.add(
                "pins",
                i,
                "member",
                f"member {p.member!r} is {m.status} and cannot be required "
                "in a group [pins, eligibility]",
            )
        if g.round in m.unavailable_rounds:
            r.add(
                "pins",
                i,
                "member",
                f"member {p.member!r} is unavailable in round {g.round!r} "
                f"and cannot be required in group {p.group!r} [pins, eligibility]",
            )
        if p.role == "leader" and not m.can_lead:
            r.rule(
                "leader-quota",
                "pins",
                i,
                "role",
                f"member {p.member!r} is pinned as leader but cannot lead",
            )
        if p.role == "deputy" and not m.can_deputy:
            r.rule(
                "deputy-quota",
                "pins",
                i,
                "role",
                f"member {p.member!r} is pinned as deputy but cannot be deputy",
            )
    for (mid, gid), by_kind in kinds.items():
        if "require" in by_kind and "forbid" in by_kind:
            r.add(
                "pins",
                by_kind["forbid"],
                "kind",
                f"member {mid!r} is both required in and forbidden from group {gid!r} [pins]",
            )
    for (mid, round_id), rows in required_in_round.items():
        pinned = list(dict.fromkeys(inst.pins[i].group for i in rows))
        if len(pinned) > 1:  # the same group twice is a repeated pin, warned about above
            second = next(i for i in rows if inst.pins[i].group == pinned[1])
            r.add(
                "pins",
                second,
                "group",
                f"member {mid!r} is required in {len(pinned)} groups of "
                f"round {round_id!r} ({', '.join(pinned)}) but holds one seat per round [pins, "
                "one-seat-per-round]",
            )
