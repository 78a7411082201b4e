"""What a planner reads at a glance: per group its leader, deputies, size, specialties, mentors.

:func:`group_lines` measures every group of a roster as plain data; :func:`sheet` lays the lines
out for the ``summary`` sheet of a roster workbook and :func:`table` for a terminal (columns
padded by display width, so Chinese names line up). :func:`goal_lines` says what each goal
value means. Each takes a ``lang``: headers and words come from the ``summary`` texts of
:mod:`teamsolver.i18n`; ids, specialties and numbers stay as they are. Nothing here prints.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import i18n
from .data.instance import Instance
from .data.roster import Roster, Seat
from .data.settings import GOAL_IDS

#: Whether a higher or a lower value of each goal is better (docs/measures.md).
BETTER: dict[str, str] = {
    "strength-balance": "lower",
    "development": "higher",
    "workload-balance": "lower",
    "rating": "higher",
    "affinity": "higher",
    "complementarity": "higher",
    "mix": "lower",
    "stability": "lower",
}
assert tuple(BETTER) == GOAL_IDS


@dataclass(frozen=True)
class GroupLine:
    """One group of one round as a planner checks it."""

    round: str
    group: str
    targets: tuple[str, ...]
    leaders: tuple[str, ...]
    """Leaders as ``id name``."""
    deputies: tuple[str, ...]
    seats: int
    size_min: int
    size_max: int | None
    required: tuple[tuple[str, int, int], ...]
    """(specialty, seats that have it, seats required)."""
    others: tuple[tuple[str, int], ...]
    """Specialties present that the group does not require, with their seat counts."""
    new: int
    experienced: int
    mentors: tuple[tuple[str, str], ...]
    """(new member id, mentor id)."""
    unmentored: tuple[str, ...]
    """New members without a mentor."""

    @property
    def bounds(self) -> str:
        """``5–6``, ``12`` or ``≥5``: the seats the group may have."""
        if self.size_max is None:
            return f"≥{self.size_min}"
        if self.size_max == self.size_min:
            return str(self.size_min)
        return f"{self.size_min}–{self.size_max}"

    def size_in(self, lang: str = "en") -> str:
        """``6 of 5–6`` (in ``lang``); an out-of-bounds size is marked ``(!)``."""
        top = self.seats if self.size_max is None else self.size_max
        fits = self.size_min <= self.seats <= top
        size = i18n.text("summary.size", lang, seats=self.seats, bounds=self.bounds)
        return size + ("" if fits else " (!)")

    @property
    def size_text(self) -> str:
        """:meth:`size_in` English (the report's template looks for its ``(!)``)."""
        return self.size_in()

    @property
    def missing(self) -> tuple[str, ...]:
        """``law 1`` for every requirement short by one seat or more."""
        return tuple(f"{s} {need - have}" for s, have, need in self.required if have < need)

    @property
    def required_text(self) -> str:
        if not self.required:
            return "-"
        return ", ".join(
            f"{s} {have}/{need}" + (" (!)" if have < need else "")
            for s, have, need in self.required
        )

    def mentors_in(self, lang: str = "en") -> str:
        """``M7←M1, M9←none (!)`` (in ``lang``): each new member's mentor, a missing one marked."""
        nobody = i18n.text("summary.none", lang)
        parts = [f"{new}←{mentor}" for new, mentor in self.mentors]
        parts += [f"{new}←{nobody} (!)" for new in self.unmentored]
        return ", ".join(parts)


def person(instance: Instance, member_id: str) -> str:
    """``M12 孙涛``: the id a file uses and the name a planner knows (the id alone if unknown)."""
    m = instance.member_by_id.get(member_id)
    if m is None or not m.name or m.name == member_id:
        return member_id
    return f"{member_id} {m.name}"


def group_lines(instance: Instance, roster: Roster | Iterable[Seat]) -> list[GroupLine]:
    """One line per group of the instance, in instance order (seats in unknown groups are
    left out; :func:`teamsolver.audit.check` reports them)."""
    seats_all = tuple(roster)
    index = {r: i for i, r in enumerate(instance.rounds)}
    exp_rules = instance.rules.experience
    rounds_of: dict[str, set[int]] = defaultdict(set)
    by_group: dict[str, list[Seat]] = defaultdict(list)
    for s in seats_all:
        group = instance.group_by_id.get(s.group)
        if group is None:
            continue
        rounds_of[s.member].add(index[group.round])
        by_group[s.group].append(s)

    def experience(member: str, round_id: str) -> int | None:
        m = instance.member_by_id.get(member)
        if m is None:
            return None
        here = index[round_id]
        return m.rounds_served + sum(1 for r in rounds_of[member] if r < here)

    lines = []
    for g in instance.groups:
        seats = by_group.get(g.id, [])
        exps = {s.member: experience(s.member, g.round) for s in seats}
        is_new = {m for m, e in exps.items() if e is not None and e <= exp_rules.new_max}
        counts: dict[str, int] = defaultdict(int)
        for s in seats:
            m = instance.member_by_id.get(s.member)
            for spec in set(m.specialties) if m else ():
                counts[spec] += 1
        required = dict(g.requires)
        mentored = {s.member: s.mentor for s in seats if s.mentor}
        lines.append(
            GroupLine(
                round=g.round,
                group=g.id,
                targets=tuple(g.targets),
                leaders=tuple(person(instance, s.member) for s in seats if s.role == "leader"),
                deputies=tuple(person(instance, s.member) for s in seats if s.role == "deputy"),
                seats=len(seats),
                size_min=g.size_min,
                size_max=g.size_max,
                required=tuple((k, counts.get(k, 0), n) for k, n in required.items()),
                others=tuple(sorted((k, n) for k, n in counts.items() if k not in required)),
                new=sum(1 for s in seats if s.member in is_new),
                experienced=sum(
                    1
                    for s in seats
                    if (e := exps[s.member]) is not None and e >= exp_rules.experienced_min
                ),
                mentors=tuple((m, t) for m, t in mentored.items()),
                unmentored=tuple(
                    s.member for s in seats if s.member in is_new and s.member not in mentored
                ),
            )
        )
    return lines


# -- the summary sheet of a roster workbook ------------------------------------------------------
#: Keys of the summary sheet's columns in the catalogue (``roster.summary.*``, :mod:`.i18n`).
SHEET_COLUMNS = (
    "round",
    "group",
    "targets",
    "leader",
    "deputies",
    "seats",
    "size",
    "required",
    "missing",
    "others",
    "new",
    "experienced",
    "mentors",
)


def sheet(lines: Sequence[GroupLine], lang: str = "en") -> tuple[list[str], list[list[Any]]]:
    """Header (in ``lang``) and rows of the ``summary`` sheet; counts stay numbers."""
    rows: list[list[Any]] = []
    for line in lines:
        rows.append(
            [
                line.round,
                line.group,
                "; ".join(line.targets),
                "; ".join(line.leaders),
                "; ".join(line.deputies),
                line.seats,
                line.bounds,
                "; ".join(f"{s} {have}/{need}" for s, have, need in line.required),
                "; ".join(line.missing),
                "; ".join(f"{s} {n}" for s, n in line.others),
                line.new,
                line.experienced,
                line.mentors_in(lang).replace(", ", "; "),
            ]
        )
    return [i18n.text(f"roster.summary.{c}", lang) for c in SHEET_COLUMNS], rows


# -- the terminal --------------------------------------------------------------------------------
#: Keys of the terminal table's columns in the catalogue (``summary.header.*``).
TABLE_COLUMNS = (
    "round",
    "group",
    "leader",
    "deputies",
    "seats",
    "required",
    "new",
    "experienced",
    "mentors",
)


def table(lines: Sequence[GroupLine], lang: str = "en") -> list[str]:
    """The groups as an aligned text table in ``lang``, one line per group; ``(!)`` marks a
    shortfall."""
    nobody = i18n.text("summary.none", lang)
    rows = [
        [
            line.round,
            line.group,
            ", ".join(line.leaders) or f"{nobody} (!)",
            ", ".join(line.deputies) or nobody,
            line.size_in(lang),
            line.required_text,
            str(line.new),
            str(line.experienced),
            line.mentors_in(lang),
        ]
        for line in lines
    ]
    header = [i18n.text(f"summary.header.{c}", lang) for c in TABLE_COLUMNS]
    return align([header, *rows])


def goal_lines(
    instance: Instance, goals: Mapping[str, int], *, baseline: bool, lang: str = "en"
) -> list[str]:
    """``strength-balance   1  lower is better  weight 2``, one line per goal (in ``lang``; the
    goal ids stay); goals that are switched off (weight 0), and ``stability`` without a
    baseline, are left out."""
    weights = instance.rules.objective
    rows = []
    for goal in GOAL_IDS:
        weight = weights.weight(goal)
        if weight == 0 or (goal == "stability" and not baseline):
            continue
        rows.append(
            [
                goal_label(goal, lang),
                str(goals.get(goal, 0)),
                i18n.text(f"summary.better.{BETTER[goal]}", lang),
                i18n.text("summary.weight", lang, weight=weight),
            ]
        )
    return align(rows, right={1})


def goal_label(goal: str, lang: str = "en") -> str:
    """A goal id as a planner reads it in ``lang`` (English: the id alone; Chinese: the id and
    its name)."""
    return i18n.text("summary.label", lang, id=goal, name=i18n.text(f"goal.{goal}", lang))


def rule_label(rule: str, lang: str = "en") -> str:
    """A rule id as a planner reads it in ``lang``, as :func:`goal_label` does."""
    name = i18n.catalogue(lang).get(f"rule.{rule}", rule)
    return i18n.text("summary.label", lang, id=rule, name=name)


def align(rows: Sequence[Sequence[str]], *, right: Iterable[int] = ()) -> list[str]:
    """Rows of cells as text columns two spaces apart, padded by display width."""
    if not rows:
        return []
    clean = [[plain(c) for c in r] for r in rows]
    n = max(len(r) for r in clean)
    widths = [max(width(r[i]) for r in clean if i < len(r)) for i in range(n)]
    at_right = set(right)
    out = []
    for r in clean:
        cells = [
            pad(c, widths[i], right=i in at_right) if i < len(r) - 1 or i in at_right else c
            for i, c in enumerate(r)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK) characters count two."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def pad(text: str, columns: int, *, right: bool = False) -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def plain(text: str, keep: str = "") -> str:
    """``text`` with control characters (tabs, CR, escape sequences; all but those in ``keep``)
    shown as ``?``, so that a value from the input can never move the cursor or recolour a
    terminal."""
    return "".join("?" if unicodedata.category(c) == "Cc" and c not in keep else c for c in text)
