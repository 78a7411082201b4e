"""A greedy planner that does what a careful person does by hand: the floor every solver must beat.

The engine seats its roster first when it passes the checker (a first solution in seconds, and
a complete hint for CP-SAT); the benchmark reports it as a peer (``benchmarks/peers/greedy.py``).
Pure Python (no ortools). Round by round, in plan order:

1. the seats of ``require`` pins;
2. **leaders**, as many as the rules want (``leader-quota``): the group with the fewest
   candidates left gets its leader first; of its candidates, one who is not newly promoted, then
   one who covers most open needs of the group, then the one who could serve the fewest other
   groups of the round, then the strongest;
3. **deputies**, as many as the rules want (``deputies_min``), the same way;
4. **open needs**: the kinds of member the rules want in each group (specialists, the
   full-time anchor and party branch minimums, at-least attribute quotas), the need with the
   fewest free members per missing seat first; a candidate who also covers another open need of
   the group is preferred;
5. **fill** to ``size_min``, one seat per group per pass (the emptiest group first), each time the
   candidate who improves the objective most; then seats towards ``size_max`` while a seat
   improves the objective.

What a seat must respect is the rules' own: each module of :data:`teamsolver.rules.RULES` has
a ``seating`` part (:class:`teamsolver.rules.base.Seating`) that says what it forbids (caps,
conflicts, rotation, mentoring, the recusal cooldown within the plan...), which roles and kinds
of member it wants, and what a seat costs; the planner loops over them and knows no rule by
name. Eligibility, ``forbid`` pins and recusal's static part are in the candidate lists of
:func:`.prep.prepare`. Soft rules are kept like hard ones (a careful person does not bend a rule
on purpose), except the ones whose seating has a cost (a soft no-repeat-pairing: a repeat costs
its weight in the choice). Mentors are assigned as the engine does. The planner never
backtracks: a group it cannot complete stays short, and ``teamsolver.check`` says so. Its
feasibility rate is part of the benchmark.
"""

from __future__ import annotations

from collections import defaultdict

from ..data.instance import Instance
from ..data.roster import Roster, Seat
from ..data.settings import GOAL_IDS
from ..rules import RULES
from ..rules.base import Seating
from ..rules.mentoring import assign_mentors
from .prep import prepare, strength

#: Candidates examined per pick in the fill steps (best static score first).
SHORTLIST = 400


class Greedy:
    """The planner's state while it seats a plan, round by round (see the module doc).

    The rules' desk checks are theirs (:class:`teamsolver.rules.base.Seating`, one per rule of
    :data:`teamsolver.rules.RULES` that asks something of a seat); what they may read of the
    state: ``members``, ``groups``, ``round_of``, ``index``, ``seats``, ``member_groups``,
    ``used_round``, ``pinned_rounds``, ``have``, :meth:`experience`, :meth:`is_new`,
    :meth:`is_exp` and :meth:`count`.
    """

    def __init__(self, instance: Instance):
        self.inst = instance
        rules = instance.rules
        self.rules = rules
        self.members = instance.members
        self.groups = instance.groups
        # A careful person keeps a soft rule like a hard one: the candidate lists leave out the
        # recusals a soft rule would allow.
        recusal = rules.mode("recusal")
        self.facts = prepare(instance, "hard" if recusal == "soft" else recusal)
        self.allowed: list[set[int]] = [set(ms) for ms in self.facts.allowed]
        self.round_of = self.facts.round_of
        self.rho = self.facts.rho
        self.strength = [strength(m, self.rho) for m in self.members]
        self.index = {m.id: i for i, m in enumerate(self.members)}
        self.g_index = {g.id: i for i, g in enumerate(self.groups)}
        exp = rules.experience
        self.new_max, self.exp_min = exp.new_max, exp.experienced_min
        obj = rules.objective
        self.w = {g: obj.weight(g) for g in _GOALS}
        self.affinity: dict[tuple[int, int], int] = {}
        for row in instance.affinity:
            mi, gi = self.index.get(row.member), self.g_index.get(row.group)
            if mi is not None and gi is not None:
                self.affinity[(mi, gi)] = row.score
        # state
        self.seats: list[list[tuple[int, str]]] = [[] for _ in self.groups]
        self.member_groups: dict[int, list[int]] = defaultdict(list)  # plan groups of a member
        self.used_round: set[int] = set()
        self.group_strength = [0] * len(self.groups)
        self.group_units: list[dict[str, int]] = [defaultdict(int) for _ in self.groups]
        self._exp: dict[tuple[int, int], int] = {}
        self.current_round = -1
        self.static: dict[int, dict[int, int]] = {}  # this round: group -> member -> score
        self._member_scores: dict[int, dict[int, int]] = {}  # round -> member -> its terms
        self.order: dict[int, list[int]] = {}
        self.pinned_rounds: dict[int, list[int]] = defaultdict(list)
        # Each group's count of every kind of member (its specialties, and the kinds the rules
        # count: ``Seating.kinds``).
        self.have: list[dict[str, int]] = [defaultdict(int) for _ in self.groups]
        # The rules' desk checks, in registry order; the planner calls only the parts a rule
        # has (``allows`` runs for every candidate of every seat: province, millions of calls).
        self.seating: list[Seating] = [s for rule in RULES if (s := rule.seating(self)) is not None]
        self._allows = {
            role: [
                s.allows
                for s in self.seating
                if _has(s, "allows") and (s.ROLES is None or role in s.ROLES)
            ]
            for role in ROLES
        }
        self._seated = [s.seated for s in self.seating if _has(s, "seated")]
        self._costs = [s.cost for s in self.seating if _has(s, "cost")]
        self._wants = [s.wants for s in self.seating if _has(s, "wants")]
        # Each member's kinds: specialties (for complementarity) and every kind a rule counts.
        self.tags: list[frozenset[str]] = [
            frozenset(m.specialties).union(*(s.kinds(mi) for s in self.seating))
            for mi, m in enumerate(self.members)
        ]

    # -- facts of the current state ----------------------------------------------------------
    def experience(self, mi: int, ri: int) -> int:
        """Rounds served before round ``ri``; fixed once round ``ri`` is being planned (rounds are
        planned in order, and only seats of earlier rounds count), so it is cached from then."""
        key = (mi, ri)
        value = self._exp.get(key)
        if value is None:
            value = self.members[mi].rounds_served + sum(
                1 for gj in self.member_groups[mi] if self.round_of[gj] < ri
            )
            if ri <= self.current_round:
                self._exp[key] = value
        return value

    def is_new(self, mi: int, ri: int) -> bool:
        return self.experience(mi, ri) <= self.new_max

    def is_exp(self, mi: int, ri: int) -> bool:
        return self.experience(mi, ri) >= self.exp_min

    def count(self, gi: int, role: str) -> int:
        return sum(1 for _, r in self.seats[gi] if r == role)

    def can_seat(self, mi: int, gi: int, role: str) -> bool:
        """A candidate of the group's list whom every rule's desk check allows there."""
        if mi not in self.allowed[gi]:
            return False
        for allows in self._allows[role]:  # noqa: SIM110 (a loop: all() over a generator is slower)
            if not allows(mi, gi, role):
                return False
        return True

    def seat(self, mi: int, gi: int, role: str) -> None:
        for seated in self._seated:
            seated(mi, gi, role)
        m = self.members[mi]
        self.seats[gi].append((mi, role))
        self.used_round.add(mi)
        self.group_strength[gi] += self.strength[mi]
        have = self.have[gi]
        for tag in self.tags[mi]:
            have[tag] += 1
        self.group_units[gi][m.unit] += 1
        self.member_groups[mi].append(gi)

    # -- the objective, seat by seat ---------------------------------------------------------
    def static_score(self, mi: int, gi: int) -> int:
        """The part of a seat's objective gain that does not depend on the rest of the group
        (fixed for a member not yet seated in the round: cached by :meth:`_by_static_score`)."""
        cached = self.static.get(gi)
        if cached is not None and mi not in self.used_round:
            value = cached.get(mi)
            if value is not None:
                return value
        return self._member_score(mi, self.round_of[gi]) + self.w["affinity"] * self.affinity.get(
            (mi, gi), 0
        )

    def _member_score(self, mi: int, ri: int) -> int:
        """The terms of :meth:`static_score` that do not depend on the group."""
        m = self.members[mi]
        gain = 0
        if not self.is_exp(mi, ri):
            gain += self.w["development"]
        if m.rating is not None:
            gain += self.w["rating"] * (m.rating - self.rho)
        gain -= self.w["workload-balance"] * len(self.member_groups[mi])
        return gain

    def gain(self, mi: int, gi: int, spread: tuple[int, int, int] | None) -> int:
        """Objective improvement (positive: better) of seating mi in gi, as far as the planner
        can tell: development, rating, affinity, workload, complementarity, strength balance
        (``spread``: the largest and smallest strength of the round's other groups and the
        round's spread now), and what the rules' seatings say a seat costs (pair repeats)."""
        m = self.members[mi]
        gain = self.static_score(mi, gi)
        new_kinds = sum(1 for s in set(m.specialties) if not self.have[gi].get(s))
        new_kinds += 0 if self.group_units[gi].get(m.unit) else 1
        gain += self.w["complementarity"] * new_kinds
        if spread is not None:
            hi, lo, now = spread
            mine = self.group_strength[gi] + self.strength[mi]
            gain -= self.w["strength-balance"] * (max(hi, mine) - min(lo, mine) - now)
        for cost in self._costs:
            gain -= cost(mi, gi)
        return gain

    # -- picking -----------------------------------------------------------------------------
    def fill_role(self, ri: int, gis: list[int], role: str) -> None:
        """The seats of ``role`` the rules want (leaders, or deputies up to the minimum), the
        group with the fewest candidates first."""
        able = "can_lead" if role == "leader" else "can_deputy"

        def need(gi: int) -> int:
            return max((s.wanted(gi, role) for s in self.seating), default=0)

        open_groups = [gi for gi in gis if need(gi) > 0]
        if not open_groups:
            return
        pools = {
            gi: [mi for mi in self.order[gi] if getattr(self.members[mi], able)]
            for gi in open_groups
        }
        # Scarcity: members of the pool still free this round (the cheap count a person makes);
        # the exact checks run on the chosen group's pool only. Kept up to date seat by seat.
        free = {gi: sum(1 for mi in pools[gi] if mi not in self.used_round) for gi in open_groups}
        pool_sets = {gi: set(pools[gi]) for gi in open_groups}
        # How many open groups each member could serve (the fewer, the sooner to seat them).
        serve: dict[int, int] = defaultdict(int)
        for g in open_groups:
            for mi in self.allowed[g]:
                serve[mi] += 1

        def close(g: int) -> None:
            open_groups.remove(g)
            for mi in self.allowed[g]:
                serve[mi] -= 1

        while open_groups:
            gi = min(open_groups, key=lambda g: (free[g], g))
            cands = [mi for mi in pools[gi] if self.can_seat(mi, gi, role)]
            if not cands:
                close(gi)  # stays short: the checker reports it
                continue
            wanted = self.open_needs(gi)
            tags = self.tags
            m_of = self.members
            best = min(
                cands,
                key=lambda mi: (
                    role == "leader" and m_of[mi].newly_promoted,
                    -sum(1 for t in tags[mi] if t in wanted),
                    serve[mi] - 1,  # the other open groups mi could serve (mi is in gi's pool)
                    -self.strength[mi],
                    m_of[mi].id,
                ),
            )
            self.seat(best, gi, role)
            for g in open_groups:
                if best in pool_sets[g]:
                    free[g] -= 1
            if need(gi) <= 0:
                close(gi)

    def open_needs(self, gi: int) -> dict[str, int]:
        """Missing seats per kind of member, as the rules want them (specialties of
        ``requires``, ``@full_time``, ``@party_member``, attribute values...)."""
        out: dict[str, int] = {}
        for wants in self._wants:
            out.update(wants(gi))
        return out

    def needs(self, gis: list[int]) -> None:
        """Scarce specialists (and the full-time and party minimums): the tag with the fewest
        free members per missing seat first; a candidate who covers more open needs of the
        group is preferred."""
        demand: dict[str, int] = defaultdict(int)
        for gi in gis:
            for tag, n in self.open_needs(gi).items():
                demand[tag] += n
        if not demand:
            return
        supply: dict[str, int] = defaultdict(int)
        free = {mi for gi in gis for mi in self.allowed[gi]} - self.used_round
        for mi in free:
            for t in self.tags[mi]:
                if t in demand:
                    supply[t] += 1
        order = sorted(
            ((gi, tag) for gi in gis for tag in self.open_needs(gi)),
            key=lambda d: (supply[d[1]] / demand[d[1]], d[1], d[0]),
        )
        for gi, tag in order:
            ri = self.round_of[gi]
            while self.open_needs(gi).get(tag, 0) > 0:
                wanted = self.open_needs(gi)
                pool = [
                    mi
                    for mi in self.order[gi]
                    if tag in self.tags[mi] and self.can_seat(mi, gi, "member")
                ]
                if not pool:
                    break
                # Needs still open in the other groups of the round: a specialist whose other
                # skills are wanted elsewhere is kept for later if another will do.
                elsewhere = {t for g in gis if g != gi for t in self.open_needs(g)}
                best = max(
                    pool,
                    key=lambda mi: (
                        sum(1 for t in self.tags[mi] if t in wanted),
                        -sum(1 for t in self.tags[mi] if t in elsewhere and t not in wanted),
                        self.is_exp(mi, ri),
                        self.static_score(mi, gi),
                        -mi,
                    ),
                )
                self.seat(best, gi, "member")

    def fill(self, gis: list[int], to_max: bool) -> None:
        """One seat per group per pass, the emptiest group first: to size_min, or (to_max)
        towards size_max while a seat improves the objective."""
        open_groups = list(gis)
        while open_groups:
            open_groups.sort(key=lambda gi: (len(self.seats[gi]), gi))
            for gi in list(open_groups):
                g = self.groups[gi]
                if not to_max and len(self.seats[gi]) >= g.size_min:
                    open_groups.remove(gi)
                    continue
                ri = self.round_of[gi]
                spread = None
                round_groups = self.facts.groups_of_round[ri]
                if len(round_groups) > 1 and self.w["strength-balance"]:
                    others = [self.group_strength[o] for o in round_groups if o != gi]
                    alls = [*others, self.group_strength[gi]]
                    spread = (max(others), min(others), max(alls) - min(alls))
                best, best_gain, seen = None, None, 0
                for mi in self.order[gi]:
                    if mi in self.used_round or not self.can_seat(mi, gi, "member"):
                        continue
                    gain = self.gain(mi, gi, spread)
                    if best_gain is None or gain > best_gain:
                        best, best_gain = mi, gain
                    seen += 1
                    if seen >= SHORTLIST:
                        break
                if best is None or (to_max and (best_gain is None or best_gain <= 0)):
                    open_groups.remove(gi)
                    continue
                self.seat(best, gi, "member")

    # -- the plan ----------------------------------------------------------------------------
    def plan(self) -> Roster:
        pins_by_round: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for p in self.inst.pins:
            if p.kind != "require":
                continue
            mi, gi = self.index.get(p.member), self.g_index.get(p.group)
            if mi is not None and gi is not None:
                pins_by_round[self.round_of[gi]].append((mi, gi, p.role or "member"))
                self.pinned_rounds[mi].append(self.round_of[gi])
        for ri, gis in enumerate(self.facts.groups_of_round):
            self.current_round = ri
            self.used_round = set()
            # Best static score first (it does not change within a round for a free member).
            self.static = {}
            self.order = {gi: self._by_static_score(gi) for gi in gis}
            # Pinned seats go in first, whatever the checks say: pins always hold.
            for mi, gi, role in sorted(pins_by_round.get(ri, []), key=_pin_order):
                if mi not in self.used_round:
                    self.seat(mi, gi, role)
            self.fill_role(ri, gis, "leader")
            self.fill_role(ri, gis, "deputy")
            self.needs(gis)
            self.fill(gis, to_max=False)
            self.fill(gis, to_max=True)
        return self.roster()

    def _by_static_score(self, gi: int) -> list[int]:
        # static_score's terms, the member's part computed once per round (province: 560k
        # calls of static_score, a third of the planner's time, became 7,000 and a look-up).
        ri = self.round_of[gi]
        base = self._member_scores.get(ri)
        if base is None:
            base = self._member_scores[ri] = {}
        w_aff = self.w["affinity"]
        affinity = self.affinity
        scores: dict[int, int] = {}
        for mi in self.allowed[gi]:
            value = base.get(mi)
            if value is None:
                value = base[mi] = self._member_score(mi, ri)
            scores[mi] = value + w_aff * affinity.get((mi, gi), 0)
        self.static[gi] = scores
        return sorted(self.allowed[gi], key=lambda mi: (-scores[mi], mi))

    def roster(self) -> Roster:
        """Seats with roles, a mentor for every new member (``rules.mentoring.assign_mentors``)."""
        seats: list[Seat] = []
        order = {"leader": 0, "deputy": 1, "member": 2}
        for ri, gis in enumerate(self.facts.groups_of_round):
            for gi in gis:
                g = self.groups[gi]
                here = sorted(self.seats[gi], key=lambda p: (order[p[1]], self.members[p[0]].id))
                assigned = assign_mentors(
                    [(self.members[mi].id, self.experience(mi, ri)) for mi, _ in here],
                    self.rules.mentoring.max_new_per_experienced,
                    self.exp_min,
                    self.new_max,
                )
                for mi, role in here:
                    seats.append(
                        Seat(
                            round=g.round,
                            group=g.id,
                            member=self.members[mi].id,
                            role=role,
                            mentor=assigned.get(self.members[mi].id),
                        )
                    )
        return Roster(seats=tuple(seats))


#: The roles of a seat.
ROLES = ("leader", "deputy", "member")
#: The goals a seat's gain counts (mix and stability are not the planner's concern).
_GOALS = tuple(g for g in GOAL_IDS if g not in ("mix", "stability"))


def _has(seating: Seating, part: str) -> bool:
    """Whether ``seating`` has its own ``part`` (not :class:`Seating`'s default)."""
    return getattr(type(seating), part) is not getattr(Seating, part)


def _pin_order(p: tuple[int, int, str]) -> tuple[int, int, int]:
    return ({"leader": 0, "deputy": 1}.get(p[2], 2), p[1], p[0])


def plan(instance: Instance) -> Roster:
    """The careful-person roster of ``instance`` (see the module doc)."""
    return Greedy(instance).plan()
