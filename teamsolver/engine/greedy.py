"""A greedy planner that does what a careful person does by hand: the floor every solver must beat.

The engine seats its roster first when it passes the checker (a first solution in seconds, and
a complete hint for CP-SAT); the benchmark reports it as a peer (``benchmarks/peers/greedy.py``).
Pure Python (no ortools). Round by round, in plan order:

1. the seats of ``require`` pins;
2. **leaders**: the group with the fewest candidates left gets its leader first; of its
   candidates, one who is not newly promoted, then one who covers most open needs of the group
   (specialties, full-time, party), then the one who could serve the fewest other groups of the
   round, then the strongest;
3. **deputies** up to ``deputies_min``, the same way (an experienced deputy first where the
   leader is newly promoted);
4. **scarce specialists**, and the **full-time anchor** and **party branch** minimums: the open
   needs of every group, the need with the fewest free members per missing seat first; a
   candidate who also covers another open need of the group is preferred;
5. **fill** to ``size_min``, one seat per group per pass (the emptiest group first), each time the
   candidate who improves the objective most; then seats towards ``size_max`` while a seat
   improves the objective.

Every seat respects the hard rules a person checks at the desk: eligibility, recusal (static and
the cooldown within the plan), one seat per round, member conflicts, unit draw caps per group and
per round, rotation (seat cap and rest), the leader and deputy pools and quotas, mentoring
(never more new members than ``max_new_per_experienced`` × experienced ones) and
no-repeat-pairing where it is hard (where it is soft, a repeat costs its weight in the choice). Soft
rules are kept like hard ones where the planner checks them (a careful person does not bend a rule
on purpose). Mentors are assigned as the engine does. The planner never backtracks: a group it
cannot complete stays short, and ``teamsolver.check`` says so. Its feasibility rate is part of
the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ..data.instance import Instance
from ..data.roster import Roster, Seat
from ..data.settings import GOAL_IDS, RELAXABLE_RULES
from ..rules.mentoring import assign_mentors
from .prep import prepare, strength

#: Candidates examined per pick in the fill steps (best static score first).
SHORTLIST = 400


class Greedy:
    def __init__(self, instance: Instance):
        self.inst = instance
        rules = instance.rules
        self.rules = rules
        self.members = instance.members
        self.groups = instance.groups
        self.facts = prepare(instance)
        self.recusal_on = rules.mode("recusal") != "off"
        # A careful person also avoids the recusals a soft rule would allow.
        self.allowed: list[set[int]] = [
            {mi for mi in ms if (mi, gi) not in self.facts.recused}
            for gi, ms in enumerate(self.facts.allowed)
        ]
        self.round_of = self.facts.round_of
        self.rho = self.facts.rho
        self.strength = [strength(m, self.rho) for m in self.members]
        self.index = {m.id: i for i, m in enumerate(self.members)}
        self.g_index = {g.id: i for i, g in enumerate(self.groups)}
        exp = rules.experience
        self.new_max, self.exp_min = exp.new_max, exp.experienced_min
        self.k = rules.mentoring.max_new_per_experienced
        on = {rid: rules.mode(rid) != "off" for rid in _RULES}
        self.on = on
        cap = rules.unit_draw_cap
        self.per_group_cap = cap.max_per_group if on["unit-draw-cap"] else None
        self.round_cap: dict[str, int | None] = defaultdict(lambda: cap.max_per_round)
        for u in instance.units:
            if u.max_drawn is not None:
                self.round_cap[u.id] = u.max_drawn
        if not on["unit-draw-cap"]:
            self.round_cap = defaultdict(lambda: None)
        rot = rules.rotation
        self.seat_cap = [
            (m.max_rounds if m.max_rounds is not None else rot.max_rounds)
            if on["rotation"]
            else None
            for m in self.members
        ]
        self.min_rest = rot.min_rest if on["rotation"] else 0
        self.cooldown = rules.recusal.reinspect_cooldown if self.recusal_on else 0
        self.conflicts: dict[int, set[int]] = defaultdict(set)
        if on["member-conflict"]:
            for c in instance.conflicts:
                a, b = self.index.get(c.member_a), self.index.get(c.member_b)
                if a is not None and b is not None and a != b:
                    self.conflicts[a].add(b)
                    self.conflicts[b].add(a)
        nrp = rules.no_repeat_pairing
        self.nrp_mode = nrp.mode
        self.nrp_weight = nrp.weight if nrp.mode == "soft" else 0
        self.past: dict[int, set[tuple[int, str]]] = defaultdict(set)
        if nrp.mode != "off":
            for h in instance.history:
                mi = self.index.get(h.member)
                if mi is not None and (nrp.lookback is None or h.rounds_ago <= nrp.lookback):
                    self.past[mi].add((h.rounds_ago, h.group))
        obj = rules.objective
        self.w = {g: obj.weight(g) for g in _GOALS}
        self.affinity: dict[tuple[int, int], int] = {}
        for row in instance.affinity:
            mi, gi = self.index.get(row.member), self.g_index.get(row.group)
            if mi is not None and gi is not None:
                self.affinity[(mi, gi)] = row.score
        self.ft_min = rules.full_time_anchor.min if on["full-time-anchor"] else 0
        self.party_min = rules.party_branch.min if on["party-branch"] else 0
        # state
        self.seats: list[list[tuple[int, str]]] = [[] for _ in self.groups]
        self.member_groups: dict[int, list[int]] = defaultdict(list)  # plan groups of a member
        self.used_round: set[int] = set()
        self.unit_round: dict[str, int] = defaultdict(int)
        self.unit_group: list[dict[str, int]] = [defaultdict(int) for _ in self.groups]
        self.group_strength = [0] * len(self.groups)
        self.group_specs: list[dict[str, int]] = [defaultdict(int) for _ in self.groups]
        self.group_units: list[dict[str, int]] = [defaultdict(int) for _ in self.groups]
        # Earlier occasions (history) and plan groups of the members seated in each group, so
        # that the pair-repeat count of a candidate costs one look-up per occasion of its own.
        self.group_past: list[dict[tuple[int, str], int]] = [defaultdict(int) for _ in self.groups]
        self.group_plan: list[dict[int, int]] = [defaultdict(int) for _ in self.groups]
        self._exp: dict[tuple[int, int], int] = {}
        self.current_round = -1
        self.static: dict[int, dict[int, int]] = {}  # this round: group -> member -> score
        self._member_scores: dict[int, dict[int, int]] = {}  # round -> member -> its terms
        self.n_new = [0] * len(self.groups)
        self.n_exp = [0] * len(self.groups)
        self.order: dict[int, list[int]] = {}
        self.pinned_rounds: dict[int, list[int]] = defaultdict(list)
        self.tags: list[frozenset[str]] = [
            frozenset(m.specialties)
            | ({"@full_time"} if m.full_time else set())
            | ({"@party"} if m.party_member else set())
            for m in self.members
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

    def repeats(self, mi: int, gi: int) -> int:
        """Earlier occasions mi shares with the members already in gi (new pair-repeat costs)."""
        if self.nrp_mode == "off":
            return 0
        past, plan = self.group_past[gi], self.group_plan[gi]
        n = sum(past.get(o, 0) for o in self.past.get(mi, ()))
        return n + sum(plan.get(g, 0) for g in set(self.member_groups[mi]))

    def can_seat(self, mi: int, gi: int, role: str) -> bool:
        g = self.groups[gi]
        m = self.members[mi]
        ri = self.round_of[gi]
        if mi in self.used_round or mi not in self.allowed[gi]:
            return False
        if self.on["group-size"] and g.size_max is not None and len(self.seats[gi]) >= g.size_max:
            return False
        if role == "leader" and (not m.can_lead or self.count(gi, "leader") >= g.leaders):
            return False
        if role == "deputy" and (not m.can_deputy or self.count(gi, "deputy") >= g.deputies_max):
            return False
        if self.per_group_cap is not None and self.unit_group[gi][m.unit] >= self.per_group_cap:
            return False
        cap = self.round_cap[m.unit]
        if cap is not None and self.unit_round[m.unit] >= cap:
            return False
        earlier = self.member_groups[mi]
        pinned = self.pinned_rounds.get(mi)
        later = [r for r in pinned if r > ri] if pinned else []
        seat_cap = self.seat_cap[mi]
        if seat_cap is not None and len(earlier) + len(later) >= seat_cap:
            return False
        if self.min_rest and any(r - ri - 1 < self.min_rest for r in later):
            return False
        if earlier:
            if self.min_rest:
                last = max(self.round_of[gj] for gj in earlier)
                if ri - last - 1 < self.min_rest:
                    return False
            if self.cooldown:
                targets = set(g.targets)
                for gj in earlier:
                    if 0 < ri - self.round_of[gj] <= self.cooldown and targets & set(
                        self.groups[gj].targets
                    ):
                        return False
        mine = self.conflicts.get(mi)
        if mine and any(o in mine for o, _ in self.seats[gi]):
            return False
        if self.on["mentoring"] and self.is_new(mi, ri):
            exp_after = self.n_exp[gi]
            if self.n_new[gi] + 1 > self.k * exp_after:
                return False
        return not (self.nrp_mode == "hard" and self.repeats(mi, gi))

    def seat(self, mi: int, gi: int, role: str) -> None:
        m = self.members[mi]
        ri = self.round_of[gi]
        if self.is_new(mi, ri):
            self.n_new[gi] += 1
        if self.is_exp(mi, ri):
            self.n_exp[gi] += 1
        self.seats[gi].append((mi, role))
        self.used_round.add(mi)
        self.unit_round[m.unit] += 1
        self.unit_group[gi][m.unit] += 1
        self.group_strength[gi] += self.strength[mi]
        for tag in self.tags[mi]:
            self.group_specs[gi][tag] += 1
        self.group_units[gi][m.unit] += 1
        for o in self.past.get(mi, ()):
            self.group_past[gi][o] += 1
        # mi now sits in gi: gi is one more plan group of a member of each of mi's groups, and
        # each of mi's groups one more plan group of a member of gi.
        for g in self.member_groups[mi]:
            self.group_plan[g][gi] += 1
        self.member_groups[mi].append(gi)
        for g in self.member_groups[mi]:
            self.group_plan[gi][g] += 1

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
        round's spread now), pair repeats."""
        m = self.members[mi]
        gain = self.static_score(mi, gi)
        new_kinds = sum(1 for s in set(m.specialties) if not self.group_specs[gi].get(s))
        new_kinds += 0 if self.group_units[gi].get(m.unit) else 1
        gain += self.w["complementarity"] * new_kinds
        if spread is not None:
            hi, lo, now = spread
            mine = self.group_strength[gi] + self.strength[mi]
            gain -= self.w["strength-balance"] * (max(hi, mine) - min(lo, mine) - now)
        if self.nrp_weight:
            gain -= self.nrp_weight * self.repeats(mi, gi)
        return gain

    # -- picking -----------------------------------------------------------------------------
    def fill_role(self, ri: int, gis: list[int], role: str) -> None:
        """Leaders (or deputies up to the minimum), the group with the fewest candidates first."""
        able = "can_lead" if role == "leader" else "can_deputy"

        def need(gi: int) -> int:
            g = self.groups[gi]
            want = g.leaders if role == "leader" else g.deputies_min
            return want - self.count(gi, role)

        quota = "leader-quota" if role == "leader" else "deputy-quota"
        if not self.on[quota]:
            return
        pools = {gi: [mi for mi in self.order[gi] if getattr(self.members[mi], able)] for gi in gis}
        open_groups = [gi for gi in gis if need(gi) > 0]
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
            pred = self._role_pred(gi, role)
            cands = [
                mi for mi in pools[gi] if (pred is None or pred(mi)) and self.can_seat(mi, gi, role)
            ]
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

    def _role_pred(self, gi: int, role: str) -> Callable[[int], bool] | None:
        """Where the leader is newly promoted, the first deputy must be experienced."""
        if role != "deputy" or not self.on["new-leader-support"]:
            return None
        ri = self.round_of[gi]
        lead_np = any(r == "leader" and self.members[mi].newly_promoted for mi, r in self.seats[gi])
        has_exp_dep = any(r == "deputy" and self.is_exp(mi, ri) for mi, r in self.seats[gi])
        if lead_np and not has_exp_dep:
            return lambda mi: self.is_exp(mi, ri)
        return None

    def open_needs(self, gi: int) -> dict[str, int]:
        """Missing seats per tag: specialties of ``requires``, ``@full_time``, ``@party``."""
        out: dict[str, int] = {}
        if self.on["specialty-coverage"]:
            for s, n in self.groups[gi].requires:
                short = n - self.group_specs[gi].get(s, 0)
                if short > 0:
                    out[s] = out.get(s, 0) + short
        for tag, need in (("@full_time", self.ft_min), ("@party", self.party_min)):
            short = need - self.group_specs[gi].get(tag, 0)
            if short > 0:
                out[tag] = short
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
            self.unit_round = defaultdict(int)
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
                    self.k,
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


#: The rules the planner checks seat by seat (recusal and no-repeat-pairing have their own
#: switches; the rest of RELAXABLE_RULES is not a per-seat check).
_RULES = tuple(r for r in RELAXABLE_RULES if r not in ("recusal", "no-repeat-pairing"))
#: The goals a seat's gain counts (mix and stability are not the planner's concern).
_GOALS = tuple(g for g in GOAL_IDS if g not in ("mix", "stability"))


def _pin_order(p: tuple[int, int, str]) -> tuple[int, int, int]:
    return ({"leader": 0, "deputy": 1}.get(p[2], 2), p[1], p[0])


def plan(instance: Instance) -> Roster:
    """The careful-person roster of ``instance`` (see the module doc)."""
    return Greedy(instance).plan()
