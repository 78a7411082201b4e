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

from .data.errors import Problem, Severity, as_phrase
from .data.instance import Group, Instance, Member
from .i18n.phrase import NOTHING, Count, Listed, Phrase, Shown
from .rules import RULES

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
        message: str | Phrase,
        severity: Severity = "error",
        rule: str | None = None,
    ) -> None:
        origin = self.instance.origin(table)
        header = None
        if origin is None:
            file, row, word = table, (index + 1 if index is not None else None), "item"
        else:
            file, word = origin.file, origin.row_word
            row = origin.rows[index] if index is not None and index < len(origin.rows) else None
            header = origin.headers.get(column or "")
        self.problems.append(
            Problem(
                phrase=as_phrase(message),
                file=file,
                table=table,
                row=row,
                column=column,
                header=header,
                severity=severity,
                rule=rule,
                row_word=word,
            )
        )

    def rule(
        self,
        rule_id: str,
        table: str,
        index: int | None,
        column: str | None,
        message: str | Phrase,
    ) -> None:
        """A requirement that cannot be met: an error if the rule is hard, a warning if soft."""
        mode = self.instance.rules.mode(rule_id)
        if mode == "off":
            return
        self.add(
            table,
            index,
            column,
            Phrase(
                f"problem.rule.{'hard' if mode == 'hard' else 'soft'}", what=message, rule=rule_id
            ),
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
    for table in ("members", "units", "groups"):
        if not getattr(instance, table) and not unread.get(table):
            r.add(table, None, None, Phrase(f"problem.check.empty.{table}"))
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


def _duplicates(r: _Report, table: str, ids: list[str]) -> None:
    first: dict[str, int] = {}
    for i, key in enumerate(ids):
        if key in first:
            origin = r.instance.origin(table)
            row = origin.rows[first[key]] if origin else first[key] + 1
            at = Phrase(f"problem.where.{origin.row_word if origin else 'item'}", n=row)
            r.add(
                table, i, "id", Phrase(f"problem.check.duplicate.{table}", id=Shown(key), first=at)
            )
        else:
            first[key] = i


def _ids(r: _Report) -> None:
    inst = r.instance
    _duplicates(r, "members", [m.id for m in inst.members])
    _duplicates(r, "units", [u.id for u in inst.units])
    _duplicates(r, "groups", [g.id for g in inst.groups])


def _units(r: _Report) -> None:
    inst = r.instance
    units = inst.unit_by_id
    for i, u in enumerate(inst.units):
        if u.parent is not None and u.parent not in units:
            r.add("units", i, "parent", Phrase("problem.check.unknown.unit", id=Shown(u.parent)))
        if u.parent == u.id:
            r.add("units", i, "parent", Phrase("problem.check.own_parent", id=Shown(u.id)))
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
                    Phrase("problem.check.cycle", units=" → ".join([*ordered, first])),
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
                Phrase(
                    f"problem.check.unknown.{'units' if LIST_LIKE.search(uid) else 'unit'}",
                    id=Shown(uid),
                ),
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
                    Phrase(
                        "problem.check.unknown_round", round=Shown(rid), rounds=Listed(inst.rounds)
                    ),
                    "warning",
                )
    for i, g in enumerate(inst.groups):
        for uid in g.targets:
            unit_ref("groups", i, "targets", uid)
        for uid, n in Counter(g.targets).items():
            if n > 1:
                phrase = Phrase("problem.check.target_repeated", id=Shown(uid), n=n)
                r.add("groups", i, "targets", phrase, "warning")

    def member_ref(table: str, i: int, column: str, mid: str) -> None:
        if mid not in members and ANY_ID not in members:
            r.add(table, i, column, Phrase("problem.check.unknown.member", id=Shown(mid)))

    def group_ref(table: str, i: int, column: str, gid: str) -> None:
        if gid not in groups and ANY_ID not in groups:
            r.add(table, i, column, Phrase("problem.check.unknown.group", id=Shown(gid)))

    pairs: dict[frozenset[str], int] = {}
    for i, c in enumerate(inst.conflicts):
        member_ref("conflicts", i, "member_a", c.member_a)
        member_ref("conflicts", i, "member_b", c.member_b)
        if c.member_a == c.member_b:
            phrase = Phrase("problem.check.self_conflict", id=Shown(c.member_a))
            r.add("conflicts", i, "member_b", phrase)
        key = frozenset((c.member_a, c.member_b))
        if key in pairs:
            r.add(
                "conflicts",
                i,
                "member_a",
                Phrase("problem.check.pair_repeated"),
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
                Phrase("problem.check.second_score", member=Shown(a.member), group=Shown(a.group)),
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
                Phrase("problem.check.size_order", min=g.size_min, max=g.size_max),
            )
        if g.deputies_min > g.deputies_max:
            r.add(
                "groups",
                i,
                "deputies_min",
                Phrase("problem.check.deputies_order", min=g.deputies_min, max=g.deputies_max),
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
                Phrase(
                    "problem.check.heads_do_not_fit",
                    leaders=Count("problem.n.leader", g.leaders),
                    deputies=Count("problem.n.deputy", g.deputies_min),
                    cap=cap,
                ),
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
        #: ``rule(rule_id, table, index, column, message)``: a requirement of the rule that no
        #: roster can meet; ``message`` is best a phrase (``problem.<rule-id>.*``), so that it
        #: is shown in the planner's language.
        self.rule = r.rule
        self.instance = r.instance
        self.pool = ANY_ID not in unread
        self.slack = len(unread)
        #: ``, even counting the 2 member rows with errors as able`` (or nothing): the end of a
        #: message about a shortage in the pool.
        self.note = (
            Phrase("problem.check.slack", rows=Count("problem.n.member_row", self.slack))
            if self.slack
            else NOTHING
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

    def where(self, round_id: str) -> Phrase:
        """``round 'R1' (3 groups)``, for the start of a message about a round."""
        groups = Count("problem.n.group", len(self.instance.groups_in(round_id)))
        return Phrase("problem.check.round", round=Shown(round_id), groups=groups)


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
                Phrase("problem.check.mix_unused", attribute=Shown(attr), column=column),
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
                Phrase("problem.check.pin_twice", member=Shown(p.member), group=Shown(p.group)),
                "warning",
            )
        kinds[(p.member, p.group)][p.kind] = i
        if p.kind != "require":
            if p.role is not None:
                r.add(
                    "pins",
                    i,
                    "role",
                    Phrase("problem.check.forbid_role"),
                    "warning",
                )
            continue
        required_in_round[(p.member, g.round)].append(i)
        if m.status != "active":
            r.add(
                "pins",
                i,
                "member",
                Phrase(
                    "problem.check.pin_inactive",
                    member=Shown(p.member),
                    status=Phrase(f"phrase.status.{m.status}"),
                ),
            )
        if g.round in m.unavailable_rounds:
            r.add(
                "pins",
                i,
                "member",
                Phrase(
                    "problem.check.pin_unavailable",
                    member=Shown(p.member),
                    round=Shown(g.round),
                    group=Shown(p.group),
                ),
            )
        if p.role == "leader" and not m.can_lead:
            r.rule(
                "leader-quota",
                "pins",
                i,
                "role",
                Phrase("problem.check.pin_leader", member=Shown(p.member)),
            )
        if p.role == "deputy" and not m.can_deputy:
            r.rule(
                "deputy-quota",
                "pins",
                i,
                "role",
                Phrase("problem.check.pin_deputy", member=Shown(p.member)),
            )
    for (mid, gid), by_kind in kinds.items():
        if "require" in by_kind and "forbid" in by_kind:
            r.add(
                "pins",
                by_kind["forbid"],
                "kind",
                Phrase("problem.check.pin_both", member=Shown(mid), group=Shown(gid)),
            )
    for (mid, round_id), rows in required_in_round.items():
        pinned = list(dict.fromkeys(inst.pins[i].group for i in rows))
        if len(pinned) > 1:  # the same group twice is a repeated pin, warned about above
            second = next(i for i in rows if inst.pins[i].group == pinned[1])
            r.add(
                "pins",
                second,
                "group",
                Phrase(
                    "problem.check.pin_one_seat",
                    member=Shown(mid),
                    n=len(pinned),
                    round=Shown(round_id),
                    groups=Listed(pinned),
                ),
            )
