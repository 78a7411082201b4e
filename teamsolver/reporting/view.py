"""What the report shows, measured on the roster as plain data (no HTML here).

:func:`build` turns an instance, a roster and what the commands found (the checker's
violations, a what-if diff, an explanation) into a :class:`View` that the template lays out.
Every number comes from the independent checker and scorer (:mod:`teamsolver.audit`,
:mod:`teamsolver.score`) or from :func:`teamsolver.summary.group_lines`, so the report says
what ``check`` says. Nothing here imports ``ortools``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import i18n
from ..audit import Context, Violation, check_context
from ..data.instance import Instance, Member
from ..data.result import Result
from ..data.roster import Roster, Seat
from ..data.settings import GOAL_IDS, RULE_IDS
from ..explainer.report import Explanation
from ..i18n.phrase import Said
from ..rules.base import Rule
from ..score import GOAL_SENSE, reference_rating, score_context, strength
from ..summary import GroupLine, group_lines
from ..whatif.diff import RosterDiff

#: Units shown per round in the draw chart, most drawn first (those over their cap always).
UNITS_SHOWN = 20
#: Distinct values of an attribute shown in the mix chart; the rest are counted as one.
MIX_VALUES = 7
_ROLE_ORDER = {"leader": 0, "deputy": 1, "member": 2}


@dataclass(frozen=True)
class Fact:
    """One line of the summary: a label and its value."""

    label: str
    value: str


@dataclass(frozen=True)
class RuleRow:
    rule: str
    name: str
    mode: str
    state: str
    """``held``, ``bent`` (a soft rule with violations), ``broken`` (a hard one), ``off``, or
    ``none`` (no roster to judge)."""
    count: int
    cost: int


@dataclass(frozen=True)
class GoalRow:
    goal: str
    name: str
    value: int
    better: str
    weight: int


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    unit: str
    role: str
    specialties: tuple[str, ...]
    experience: int | None
    new: bool
    experienced: bool
    mentor: str | None
    flags: tuple[str, ...]
    """Rule ids of the violations that name this member in this group."""


@dataclass(frozen=True)
class Card:
    group: str
    round: str
    targets: tuple[str, ...]
    line: GroupLine
    members: tuple[MemberRow, ...]
    violations: tuple[Violation, ...]
    strength: int


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: ``value`` drawn as ``share`` (0–100) of the chart's width."""

    label: str
    value: int
    share: float
    mark: float | None = None
    """Where a reference mark (a cap, a mean) sits, 0–100, or None."""
    over: bool = False
    full: bool = False
    """At the mark exactly (a unit drawn up to its cap)."""
    note: str = ""


@dataclass(frozen=True)
class StrengthRow:
    group: str
    value: int
    delta: int
    share: float
    """|delta| as 0–50 (half the chart: bars grow left or right of the mean)."""


@dataclass(frozen=True)
class Coverage:
    specialties: tuple[str, ...]
    rows: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    """Per group: (have, need) per specialty (need 0: not required)."""


@dataclass(frozen=True)
class MixChart:
    attribute: str
    values: tuple[str, ...]
    rows: tuple[tuple[str, int, tuple[tuple[int, int, float], ...]], ...]
    """Per group: (group, seats, ((value index, count, share 0–100), ...))."""


@dataclass(frozen=True)
class RoundView:
    id: str
    cards: tuple[Card, ...]
    strength: tuple[StrengthRow, ...]
    mean: float
    coverage: Coverage
    draws: tuple[Bar, ...]
    draws_hidden: int
    draws_hidden_most: int
    """The most members drawn from one unit that is not shown."""
    mix: tuple[MixChart, ...]


@dataclass(frozen=True)
class SeatCell:
    group: str = ""
    role: str = ""
    unavailable: bool = False
    repeats: int = 0
    """Members of this group the member already shared a group with earlier in the plan."""
    flagged: bool = False


@dataclass(frozen=True)
class SeatMapRow:
    member: str
    name: str
    cells: tuple[SeatCell, ...]
    seats: int
    cap: int | None
    flagged: bool


@dataclass
class View:
    lang: str
    title: str
    status: str | None
    status_text: str
    facts: list[Fact]
    rules: list[RuleRow]
    goals: list[GoalRow]
    rounds: list[RoundView]
    rounds_ids: tuple[str, ...]
    seat_map: list[SeatMapRow]
    violations: list[Violation]
    diff: RosterDiff | None
    explanation: Explanation | None
    has_roster: bool
    names: dict[str, str] = field(default_factory=dict)
    """Member id → name, for the diff and the violations."""

    def t(self, key: str, **values: Any) -> str:
        return i18n.text(key, self.lang, **values)

    def say(self, said: Said) -> str:
        """The words of a violation, a conflict, a suggestion or a seat that left, in the
        report's language."""
        return said.say(self.lang)

    def more(self, explanation: Explanation) -> tuple[str, ...]:
        """The further conflicts of an explanation, in the report's language."""
        return explanation.say_more(self.lang)


def build(
    instance: Instance,
    result_or_roster: Result | Roster | None,
    *,
    lang: str = "en",
    violations: Sequence[Violation] | None = None,
    diff: RosterDiff | None = None,
    explanation: Explanation | None = None,
    title: str | None = None,
    source: str | None = None,
    baseline: Roster | None = None,
) -> View:
    """The report's content; see :func:`teamsolver.reporting.report` for the arguments."""
    i18n.catalogue(lang)  # an unknown language fails here, before any work
    result = result_or_roster if isinstance(result_or_roster, Result) else None
    if isinstance(result_or_roster, Roster):
        roster: Roster | None = result_or_roster
    elif result is not None and result.has_roster:
        roster = result.roster
    else:
        roster = None
    ctx = Context(instance, roster or ())
    found = list(check_context(ctx)) if violations is None and roster else list(violations or ())

    def t(key: str, **values: Any) -> str:
        return i18n.text(key, lang, **values)

    status = result.status if result is not None else None
    if status is None and explanation is not None:
        status = explanation.status
    view = View(
        lang=lang,
        title=title or t("report.title"),
        status=status,
        status_text=t(f"status.{status}") if status else t("status.ROSTER"),
        facts=_facts(instance, roster, result, explanation, source, t),
        rules=_rules(instance, found, t, judged=roster is not None),
        goals=_goals(instance, ctx, roster, result, baseline, t),
        rounds=[],
        rounds_ids=instance.rounds,
        seat_map=[],
        violations=found,
        diff=diff,
        explanation=explanation,
        has_roster=roster is not None,
        names={m.id: m.name for m in instance.members if m.name and m.name != m.id},
    )
    if roster is not None:
        view.rounds = _rounds(instance, ctx, roster, found)
        if len(instance.rounds) > 1:
            view.seat_map = _seat_map(instance, ctx, found)
    return view


# -- summary ---------------------------------------------------------------------------------
def _facts(
    instance: Instance,
    roster: Roster | None,
    result: Result | None,
    explanation: Explanation | None,
    source: str | None,
    t: Callable[..., str],
) -> list[Fact]:
    facts = []
    if source:
        facts.append(Fact(t("report.fact.instance"), source))
    facts.append(
        Fact(
            t("report.fact.plan"),
            t(
                "report.fact.plan_value",
                members=len(instance.members),
                groups=len(instance.groups),
                rounds=len(instance.rounds),
            ),
        )
    )
    if roster is not None:
        facts.append(Fact(t("report.fact.seats"), str(len(roster))))
    if result is not None:
        if result.objective is not None:
            facts.append(Fact(t("report.fact.objective"), str(result.objective)))
        if result.bound is not None:
            gap = result.gap
            meaning = (
                t("report.fact.proven")
                if result.status == "OPTIMAL"
                else t("report.fact.gap", gap=f"{0 if gap is None else gap:.1%}")
            )
            facts.append(Fact(t("report.fact.bound"), f"{result.bound:.0f} · {meaning}"))
        facts.append(Fact(t("report.fact.time"), t("report.fact.seconds", s=result.wall_time_s)))
    if explanation is not None:
        facts.append(
            Fact(t("report.fact.time"), t("report.fact.seconds", s=explanation.wall_time_s))
        )
    return facts


def _rules(
    instance: Instance, found: Sequence[Violation], t: Callable[..., str], *, judged: bool
) -> list[RuleRow]:
    """Every rule with its mode and, when there is a roster to judge (``judged``), whether it
    holds on it; without a roster the state is ``none``."""
    counts: Counter[str] = Counter()
    for v in found:
        counts[v.rule] += v.count
    rows = []
    for rid in RULE_IDS:
        settings = instance.rules.rule(rid)
        mode = settings.mode
        n = counts.get(rid, 0)
        if mode == "off" or not judged:
            state = "off" if mode == "off" else "none"
        else:
            state = "held" if n == 0 else "bent" if mode == "soft" else "broken"
        weight = settings.weight if isinstance(settings, Rule) and mode == "soft" else 0
        rows.append(RuleRow(rid, t(f"rule.{rid}"), mode, state, n, weight * n))
    if counts.get("roster"):
        rows.insert(0, RuleRow("roster", t("rule.roster"), "always", "broken", counts["roster"], 0))
    return rows


def _goals(
    instance: Instance,
    ctx: Context,
    roster: Roster | None,
    result: Result | None,
    baseline: Roster | None,
    t: Callable[..., str],
) -> list[GoalRow]:
    if roster is None:
        return []
    values = result.goals if result is not None and result.goals else score_context(ctx, baseline)
    weights = instance.rules.objective
    rows = []
    for goal in GOAL_IDS:
        weight = weights.weight(goal)
        if weight == 0 or (goal == "stability" and baseline is None and result is None):
            continue
        better = t("report.higher") if GOAL_SENSE[goal] == "max" else t("report.lower")
        rows.append(GoalRow(goal, t(f"goal.{goal}"), values.get(goal, 0), better, weight))
    return rows


# -- rounds ----------------------------------------------------------------------------------
def _rounds(
    instance: Instance, ctx: Context, roster: Roster, found: Sequence[Violation]
) -> list[RoundView]:
    rho = reference_rating(instance)
    active = [strength(m, rho) for m in instance.members if m.status == "active"]
    mu = (2 * sum(active) + len(active)) // (2 * len(active)) if active else 0
    by_group: dict[str, list[Violation]] = defaultdict(list)
    for v in found:
        if v.group is not None:
            by_group[v.group].append(v)
    lines = {line.group: line for line in group_lines(instance, roster)}
    cards: dict[str, list[Card]] = defaultdict(list)
    for g in instance.groups:
        seats = sorted(
            ctx.by_group.get(g.id, ()), key=lambda s: (_ROLE_ORDER.get(s.role, 3), s.member)
        )
        flags: dict[str, list[str]] = defaultdict(list)
        for v in by_group.get(g.id, ()):
            for m in v.members:
                flags[m].append(v.rule)
        rows = tuple(_member_row(ctx, s, g.round, flags.get(s.member, [])) for s in seats)
        pool = [p for s in seats if (p := ctx.members.get(s.member)) is not None]
        power = sum(strength(p, rho) - mu for p in pool)
        targets = tuple(
            f"{u} {name}" if (name := _unit_name(instance, u)) else u for u in g.targets
        )
        cards[g.round].append(
            Card(g.id, g.round, targets, lines[g.id], rows, tuple(by_group.get(g.id, ())), power)
        )
    out = []
    for r in instance.rounds:
        here = cards.get(r, [])
        mean = sum(c.strength for c in here) / len(here) if here else 0.0
        widest = max((abs(c.strength - mean) for c in here), default=0) or 1
        out.append(
            RoundView(
                id=r,
                cards=tuple(here),
                strength=tuple(
                    StrengthRow(
                        c.group,
                        c.strength,
                        round(c.strength - mean),
                        50 * abs(c.strength - mean) / widest,
                    )
                    for c in here
                ),
                mean=mean,
                coverage=_coverage(here),
                draws=(draws := _draws(instance, ctx, r))[0],
                draws_hidden=draws[1],
                draws_hidden_most=draws[2],
                mix=tuple(_mix(instance, ctx, here)),
            )
        )
    return out


def _unit_name(instance: Instance, unit_id: str) -> str:
    unit = instance.unit_by_id.get(unit_id)
    return unit.name if unit is not None and unit.name and unit.name != unit_id else ""


def _member_row(ctx: Context, seat: Seat, round_id: str, flags: list[str]) -> MemberRow:
    """A seat of the card of a group of ``round_id`` (the group's round decides, as in
    :mod:`teamsolver.audit`)."""
    m = ctx.members.get(seat.member)
    return MemberRow(
        id=seat.member,
        name=m.name if m is not None and m.name != seat.member else "",
        unit=m.unit if m is not None else "",
        role=seat.role,
        specialties=tuple(m.specialties) if m is not None else (),
        experience=ctx.experience(seat.member, round_id),
        new=ctx.is_new(seat.member, round_id),
        experienced=ctx.is_experienced(seat.member, round_id),
        mentor=seat.mentor,
        flags=tuple(dict.fromkeys(flags)),
    )


def _coverage(cards: Sequence[Card]) -> Coverage:
    required: dict[str, None] = {}
    present: dict[str, None] = {}
    for c in cards:
        required.update((s, None) for s, _, _ in c.line.required)
        present.update((s, None) for s, _ in c.line.others)
    columns = (*required, *sorted(s for s in present if s not in required))
    rows = []
    for c in cards:
        have = {s: h for s, h, _ in c.line.required} | dict(c.line.others)
        need = {s: n for s, _, n in c.line.required}
        rows.append((c.group, tuple((have.get(s, 0), need.get(s, 0)) for s in columns)))
    return Coverage(tuple(columns), tuple(rows))


def _draws(instance: Instance, ctx: Context, round_id: str) -> tuple[tuple[Bar, ...], int, int]:
    """Members drawn from each home unit in the round against the unit's cap; the units not
    shown and the most members drawn from one of them."""
    settings = instance.rules.unit_draw_cap
    drawn: Counter[str] = Counter(
        m.unit for s in ctx.by_round.get(round_id, ()) if (m := ctx.members.get(s.member))
    )

    def cap(unit_id: str) -> int | None:
        unit = instance.unit_by_id.get(unit_id)
        own = unit.max_drawn if unit is not None else None
        return own if own is not None else settings.max_per_round

    ranked = sorted(drawn, key=lambda u: (-drawn[u], u))
    shown = [u for u in ranked if (c := cap(u)) is not None and drawn[u] > c]
    shown += [u for u in ranked if u not in shown][: max(0, UNITS_SHOWN - len(shown))]
    shown.sort(key=lambda u: (-drawn[u], u))
    top = max([drawn[u] for u in shown] + [c for u in shown if (c := cap(u)) is not None] + [1])
    bars = []
    for u in shown:
        c = cap(u)
        name = _unit_name(instance, u)
        bars.append(
            Bar(
                label=f"{u} {name}" if name else u,
                value=drawn[u],
                share=100 * drawn[u] / top,
                mark=None if c is None else 100 * c / top,
                over=c is not None and drawn[u] > c,
                full=c is not None and drawn[u] == c,
                note="" if c is None else str(c),
            )
        )
    hidden = [drawn[u] for u in ranked if u not in set(shown)]
    return tuple(bars), len(hidden), max(hidden, default=0)


def _mix_attributes(instance: Instance) -> list[str]:
    chosen = list(instance.rules.objective.mix_attributes)
    if chosen:
        return chosen
    known = ("gender", "birth_decade")
    return [a for a in known if any(_mix_value(a, m) for m in instance.members)]


def _mix_value(attribute: str, member: Member) -> str:
    if attribute == "birth_decade":
        return "" if member.birth_year is None else f"{member.birth_year // 10 * 10}s"
    value = getattr(member, attribute, None)
    return "" if value is None else str(value)


def _mix(instance: Instance, ctx: Context, cards: Sequence[Card]) -> list[MixChart]:
    charts = []
    for attribute in _mix_attributes(instance):
        if attribute == "zone":
            value_of: Callable[[Member], str] = lambda m: ctx.zone(m.unit) or ""  # noqa: E731
        else:
            value_of = lambda m, a=attribute: _mix_value(a, m)  # type: ignore[misc]  # noqa: E731
        counts = {
            c.group: Counter(value_of(m) for r in c.members if (m := ctx.members.get(r.id)))
            for c in cards
        }
        total: Counter[str] = Counter()
        for counter in counts.values():
            total.update(counter)
        # Segments: the most common values (sorted), then the others as one, then unknown.
        known = Counter({v: n for v, n in total.items() if v})
        kept = sorted(v for v, _ in known.most_common(MIX_VALUES))
        others = "…" if len(known) > len(kept) else None
        unknown = "–" if total.get("", 0) else None
        labels = tuple(x for x in (*kept, others, unknown) if x is not None)
        index = {label: i for i, label in enumerate(labels)}

        def segment(value: str, kept: Sequence[str] = kept) -> str:
            return value if value in kept else "…" if value else "–"

        rows = []
        for c in cards:
            parts: Counter[str] = Counter()
            for value, n in counts[c.group].items():
                parts[segment(value)] += n
            seats = sum(parts.values())
            segments = tuple((index[label], n, 100 * n / seats) for label, n in parts.items() if n)
            rows.append((c.group, seats, tuple(sorted(segments))))
        charts.append(MixChart(attribute, labels, tuple(rows)))
    return charts


# -- the plan --------------------------------------------------------------------------------
def _seat_map(instance: Instance, ctx: Context, found: Sequence[Violation]) -> list[SeatMapRow]:
    """Members × rounds for a plan of several rounds: who sits where, rests, repeats, load."""
    rounds = instance.rounds
    flagged: set[tuple[str, str | None]] = set()
    for v in found:
        if v.rule in ("rotation", "no-repeat-pairing", "one-seat-per-round", "eligibility"):
            flagged.update((m, v.round) for m in v.members)
    met: dict[str, set[str]] = defaultdict(set)
    cells: dict[tuple[str, str], SeatCell] = {}
    for r in rounds:
        for g in (g for g in instance.groups if g.round == r):
            members = ctx.members_in.get(g.id, frozenset())
            roles = {s.member: s.role for s in ctx.by_group.get(g.id, ())}
            for m in members:
                cells[(m, r)] = SeatCell(
                    group=g.id,
                    role=roles.get(m, "member"),
                    repeats=len(met[m] & members),
                    flagged=(m, r) in flagged or (m, None) in flagged,
                )
            for m in members:
                met[m] |= members - {m}
    rotation = instance.rules.rotation
    rows = []
    for member in instance.members:
        seated = [r for r in rounds if (member.id, r) in cells]
        if not seated:
            continue
        row = tuple(
            cells.get((member.id, r)) or SeatCell(unavailable=r in member.unavailable_rounds)
            for r in rounds
        )
        cap = member.max_rounds if member.max_rounds is not None else rotation.max_rounds
        rows.append(
            SeatMapRow(
                member=member.id,
                name=member.name if member.name != member.id else "",
                cells=row,
                seats=len(seated),
                cap=cap,
                flagged=any(c.flagged for c in row),
            )
        )
    return rows
