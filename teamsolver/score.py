"""The independent scorer: every goal of SPEC §4, and the objective, on any roster.

Plain Python, never ``ortools``: this is the second implementation of docs/measures.md, against
which the CP-SAT objective is tested. Goals look at the seats of pool members in groups of the
instance (a seat in an unknown group or of an unknown member adds nothing), except
``stability``, which compares the seats as written.

The objective ``solve`` minimises is::

    Σ soft rules weight × violations + Σ minimised goals weight × value
                                     − Σ maximised goals weight × value
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .audit import Context, Violation, check_context, hard_violations
from .data.instance import Instance, Member
from .data.roster import Roster, Seat
from .data.settings import GOAL_IDS, RULE_IDS, Rules
from .rules.base import Rule

#: Whether each goal is minimised (``"min"``) or maximised (``"max"``).
GOAL_SENSE: dict[str, str] = {
    "strength-balance": "min",
    "development": "max",
    "workload-balance": "min",
    "rating": "max",
    "affinity": "max",
    "complementarity": "max",
    "mix": "min",
    "stability": "min",
}
assert tuple(GOAL_SENSE) == GOAL_IDS

#: Rating of every member when no active member has one.
DEFAULT_RATING = 60
#: rounds_served beyond this add nothing to a member's strength.
STRENGTH_SERVED_CAP = 5


def reference_rating(instance: Instance) -> int:
    """ρ: the mean rating of the ``active`` members that have one, rounded half up (60 if none)."""
    ratings = [m.rating for m in instance.members if m.status == "active" and m.rating is not None]
    if not ratings:
        return DEFAULT_RATING
    return (2 * sum(ratings) + len(ratings)) // (2 * len(ratings))


def rating_of(member: Member, rho: int) -> int:
    """The member's rating, or ρ when they have none."""
    return member.rating if member.rating is not None else rho


def strength(member: Member, rho: int) -> int:
    """s(m) = 10 · min(rounds_served, 5) + rating(m)."""
    return 10 * min(member.rounds_served, STRENGTH_SERVED_CAP) + rating_of(member, rho)


def _spread(per_group: Sequence[int]) -> int:
    """max_g x_g − min_g x_g: how far the strongest group is from the weakest."""
    return max(per_group) - min(per_group) if per_group else 0


class _Goals:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rho = reference_rating(ctx.instance)
        members = ctx.members
        self.by_group: dict[str, list[Member]] = {
            gid: [members[s.member] for s in seats if s.member in members]
            for gid, seats in ctx.by_group.items()
        }
        self.pool_seats: list[tuple[Seat, Member]] = [
            (s, members[s.member]) for s in ctx.placed if s.member in members
        ]
        groups_of_round: dict[str, list[str]] = defaultdict(list)
        for g in ctx.instance.groups:
            groups_of_round[g.round].append(g.id)
        #: Rounds with at least two groups, with their group ids (the balance goals).
        self.balanced_rounds: list[list[str]] = [
            gids for gids in groups_of_round.values() if len(gids) >= 2
        ]

    def strength_balance(self) -> int:
        active = [strength(m, self.rho) for m in self.ctx.instance.members if m.status == "active"]
        # μ, the mean strength of an active member, rounded half up: a group is measured by the
        # strength it has beyond as many average members, so groups of different sizes compare.
        mu = (2 * sum(active) + len(active)) // (2 * len(active)) if active else 0
        return sum(
            _spread([sum(strength(m, self.rho) - mu for m in self.by_group[g]) for g in gids])
            for gids in self.balanced_rounds
        )

    def development(self) -> int:
        ctx = self.ctx
        return sum(1 for s, _ in self.pool_seats if not ctx.is_experienced(s.member, s.round))

    def workload_balance(self) -> int:
        seats = Counter(s.member for s, _ in self.pool_seats)
        return sum(n * (n - 1) // 2 for n in seats.values())

    def rating(self) -> int:
        return sum(rating_of(m, self.rho) - self.rho for _, m in self.pool_seats)

    def affinity(self) -> int:
        # A second row for one member and group is an input error; the last one holds.
        scores = {(row.member, row.group): row.score for row in self.ctx.instance.affinity}
        if not scores:
            return 0
        return sum(scores.get((s.member, s.group), 0) for s, _ in self.pool_seats)

    def complementarity(self) -> int:
        total = 0
        for members in self.by_group.values():
            total += len({sp for m in members for sp in m.specialties})
            total += len({m.unit for m in members})
        return total

    def mix(self) -> int:
        total = 0
        for attribute in self.ctx.rules.objective.mix_attributes:
            value_of = self._mix_value(attribute)
            if value_of is None:
                continue
            for gids in self.balanced_rounds:
                counts = [Counter(value_of(m) for m in self.by_group[g]) for g in gids]
                values = {v for c in counts for v in c if v is not None}
                total += sum(_spread([c[v] for c in counts]) for v in values)
        return total

    def _mix_value(self, attribute: str) -> Callable[[Member], object] | None:
        zone = self.ctx.zone
        values: dict[str, Callable[[Member], object]] = {
            "gender": lambda m: m.gender,
            "birth_decade": lambda m: None if m.birth_year is None else m.birth_year // 10 * 10,
            "full_time": lambda m: m.full_time,
            "party_member": lambda m: m.party_member,
            "newly_promoted": lambda m: m.newly_promoted,
            "unit": lambda m: m.unit,
            "zone": lambda m: zone(m.unit),
        }
        return values.get(attribute)


def stability(roster: Iterable[Seat], baseline: Iterable[Seat] | None) -> int:
    """Seats ``(round, group, member)`` of the baseline that are gone, plus seats that are new,
    plus kept seats whose role changed; 0 without a baseline."""
    if baseline is None:
        return 0

    def roles(seats: Iterable[Seat]) -> dict[tuple[str, str, str], frozenset[str]]:
        out: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for s in seats:
            out[(s.round, s.group, s.member)].add(s.role)
        return {k: frozenset(v) for k, v in out.items()}

    now, before = roles(roster), roles(baseline)
    gone = sum(1 for k in before if k not in now)
    new = sum(1 for k in now if k not in before)
    changed = sum(1 for k, r in now.items() if k in before and before[k] != r)
    return gone + new + changed


def score(
    instance: Instance, roster: Roster | Iterable[Seat], baseline: Roster | None = None
) -> dict[str, int]:
    """The value of every goal of ``settings.GOAL_IDS`` on ``roster`` (docs/measures.md)."""
    return score_context(Context(instance, roster), baseline)


def score_context(ctx: Context, baseline: Roster | Iterable[Seat] | None = None) -> dict[str, int]:
    """:func:`score` on a context that is already built."""
    goals = _Goals(ctx)
    values = {
        "strength-balance": goals.strength_balance(),
        "development": goals.development(),
        "workload-balance": goals.workload_balance(),
        "rating": goals.rating(),
        "affinity": goals.affinity(),
        "complementarity": goals.complementarity(),
        "mix": goals.mix(),
        "stability": stability(ctx.seats, baseline),
    }
    return {g: values[g] for g in GOAL_IDS}


def soft_costs(instance: Instance, violations: Iterable[Violation]) -> dict[str, int]:
    """Weight × violation count of every soft rule (rules of other modes and ``roster`` add
    nothing)."""
    weights: dict[str, int] = {}
    for rid in RULE_IDS:
        settings = instance.rules.rule(rid)
        if isinstance(settings, Rule) and settings.mode == "soft":
            weights[rid] = settings.weight
    costs: dict[str, int] = {}
    for v in violations:
        if v.rule in weights:
            costs[v.rule] = costs.get(v.rule, 0) + weights[v.rule] * v.count
    return costs


@dataclass(frozen=True)
class Judgement:
    """A roster judged once by the independent checker and scorer: its violations (all, the
    hard ones that make it unacceptable, the soft ones that cost), the count of soft violations
    per rule, every goal's value, the objective term by term and in total."""

    violations: tuple[Violation, ...]
    hard: tuple[Violation, ...]
    soft: tuple[Violation, ...]
    rule_costs: dict[str, int]
    goals: dict[str, int]
    parts: dict[str, int]
    objective: int


def judge(
    instance: Instance, roster: Roster | Iterable[Seat], baseline: Roster | None = None
) -> Judgement:
    """Check and score ``roster`` on one context: what :func:`~teamsolver.audit.check`,
    :func:`score` and :func:`objective` give, without building the indexes three times."""
    ctx = Context(instance, roster)
    violations = tuple(check_context(ctx))
    hard = tuple(hard_violations(instance, violations))
    soft = tuple(v for v in violations if ctx.rules.mode(v.rule) == "soft")
    counts: Counter[str] = Counter()
    for v in soft:
        counts[v.rule] += v.count
    goals = score_context(ctx, baseline)
    parts = weighted_parts(ctx.rules, goals, counts)
    return Judgement(
        violations=violations,
        hard=hard,
        soft=soft,
        rule_costs=dict(counts),
        goals=goals,
        parts=parts,
        objective=sum(parts.values()),
    )


def weighted_parts(
    rules: Rules, goals: Mapping[str, int], rule_costs: Mapping[str, int]
) -> dict[str, int]:
    """The objective term by term from goal values and soft-rule violation counts, with the
    weights of ``rules``: every soft rule (weight × count) and every goal given (± weight ×
    value; maximised goals are negative)."""
    parts: dict[str, int] = {}
    for rid in RULE_IDS:
        settings = rules.rule(rid)
        if isinstance(settings, Rule) and settings.mode == "soft":
            parts[rid] = settings.weight * rule_costs.get(rid, 0)
    for goal, value in goals.items():
        sign = 1 if GOAL_SENSE[goal] == "min" else -1
        parts[goal] = sign * rules.objective.weight(goal) * value
    return parts


def objective_parts(
    instance: Instance, roster: Roster | Iterable[Seat], baseline: Roster | None = None
) -> dict[str, int]:
    """The objective term by term, keyed by rule or goal id (maximised goals are negative).

    Every soft rule and every goal has an entry; ``sum(parts.values())`` is :func:`objective`.
    """
    return judge(instance, roster, baseline).parts


def objective(
    instance: Instance, roster: Roster | Iterable[Seat], baseline: Roster | None = None
) -> int:
    """Σ soft-rule weight × violations + Σ minimised goals weight × value
    − Σ maximised goals weight × value."""
    return judge(instance, roster, baseline).objective


__all__ = [
    "GOAL_SENSE",
    "Judgement",
    "judge",
    "objective",
    "objective_parts",
    "reference_rating",
    "score",
    "score_context",
    "soft_costs",
    "stability",
    "strength",
    "weighted_parts",
]
