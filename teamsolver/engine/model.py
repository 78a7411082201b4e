"""The CP-SAT model of a plan: seat variables, every rule of SPEC §3, every goal of SPEC §4.

Only this package imports ortools. The measures are those of ``docs/measures.md``; the
independent checker (:mod:`teamsolver.audit`) and scorer (:mod:`teamsolver.score`) implement the
same text separately, and the tests assert that both sides agree.

Variables exist only for allowed (member, group) pairs: eligibility, forbid pins and (hard)
recusal never get a variable. Every soft rule and every goal is kept as a named linear
expression, so the objective is assembled from named parts and each part can be read back.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice

from ortools.sat.python import cp_model

from ..data.instance import Instance
from ..data.roster import Roster
from ..data.settings import GOAL_IDS, Rules
from ..rules import RULES
from ..rules.base import Where, attribute_value
from ..rules.recusal import Reason
from . import symmetry
from .prep import Facts, prepare, strength

Var = cp_model.IntVar
Lin = cp_model.LinearExpr
#: A linear sum written straight into the proto: variable indices and their coefficients.
Terms = tuple[list[int], list[int]]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

#: Goals that are maximised (the rest are minimised).
MAXIMISED = frozenset({"development", "rating", "affinity", "complementarity"})


def model_mode(rules: Rules, rule_id: str, *, relax: bool = False, goals: bool = True) -> str:
    """A rule's mode in a model: ``relax`` softens hard rules; a model without goals (the first
    stage of a staged solve) drops soft rules, which never forbid a roster."""
    mode = rules.mode(rule_id)
    if relax and mode == "hard" and rule_id not in ("one-seat-per-round", "eligibility", "pins"):
        mode = "soft"
    if mode == "soft" and (not goals or int(rules.rule(rule_id).weight) == 0):  # type: ignore[union-attr]
        mode = "off"  # a soft rule never forbids a roster; at weight 0 it costs nothing
    return mode


@dataclass
class Part:
    """A named linear quantity: the violations of a rule or the value of a goal."""

    coeffs: list[int] = field(default_factory=list)
    vars: list[Lin] = field(default_factory=list)
    constant: int = 0

    def add(self, var: Lin, coeff: int = 1) -> None:
        if coeff:
            self.vars.append(var)
            self.coeffs.append(coeff)

    def expr(self) -> Lin:
        return cp_model.LinearExpr.weighted_sum(self.vars, self.coeffs) + self.constant


class Model:
    """Builds the CP-SAT model of ``instance``.

    With ``guarded=True`` every hard constraint of a relaxable rule (and every pin) is enforced
    only if a literal of its :class:`Where` is true; ``explain`` assumes those literals.

    ``stop``: checked between the steps of the build (a province model takes seconds); once it
    is set the build ends early and :attr:`stopped` is true: the model is then incomplete and
    must not be solved.
    """

    def __init__(
        self,
        instance: Instance,
        baseline: Roster | None = None,
        *,
        guarded: bool = False,
        relax: bool = False,
        goals: bool = True,
        facts: Facts | None = None,
        stop: threading.Event | None = None,
    ):
        self.instance = instance
        self.rules = instance.rules
        self.baseline = baseline
        self.guarded = guarded
        self.relax = relax
        self.with_goals = goals
        self.cp = cp_model.CpModel()
        mode = self.mode("recusal")
        # Facts depend on the recusal mode only; a caller may pass those of a model with the same.
        self.facts: Facts = (
            facts if facts is not None and facts.recusal_mode == mode else prepare(instance, mode)
        )
        self.guards: dict[Where, Var] = {}
        self.parts: dict[str, Part] = defaultdict(Part)
        self.x: dict[tuple[int, int], Var] = {}
        self.lead: dict[tuple[int, int], Var] = {}
        self.dep: dict[tuple[int, int], Var] = {}
        self.by_group: list[list[int]] = []
        #: per group, the proto index of each seat variable (in the order of ``by_group``)
        self.group_index: list[list[int]] = []
        self.by_member: dict[int, list[int]] = defaultdict(list)
        self._exp_cache: dict[tuple[int, int, int], Var | int] = {}
        self._and_cache: dict[tuple[int, int, str], Var] = {}
        self.stopped = False
        #: Members interchangeable and their symmetry broken (:mod:`.symmetry`): a roster from
        #: elsewhere must be relabelled (``symmetry.canonical``) before it is fixed here.
        self.symmetric = False
        self._build(stop)

    # -- helpers -----------------------------------------------------------------------------
    def part_values(self, value: Callable[[Lin], int]) -> tuple[dict[str, int], dict[str, int]]:
        """Every goal's value and every rule's violation count (non-zero ones) in a solution,
        ``value`` reading an expression's value there (a solver's or a solution callback's)."""
        goals: dict[str, int] = {}
        costs: dict[str, int] = {}
        for key, part in self.parts.items():
            v = int(value(part.expr())) if part.vars else part.constant
            if key in GOAL_IDS:
                goals[key] = v
            elif v:
                costs[key] = v
        return goals, costs

    def mode(self, rule_id: str) -> str:
        """The rule's mode in this model (:func:`model_mode`)."""
        return model_mode(self.rules, rule_id, relax=self.relax, goals=self.with_goals)

    def weight(self, rule_id: str) -> int:
        return int(self.rules.rule(rule_id).weight)  # type: ignore[union-attr]

    def post(self, where: Where, ct: cp_model.Constraint | int) -> None:
        """A hard constraint (or its proto index) of a rule instance; guarded by a literal in
        explain mode."""
        if self.guarded:
            lit = self.guards.get(where)
            if lit is None:
                lit = self.cp.new_bool_var(f"guard{len(self.guards)}")
                self.guards[where] = lit
            if isinstance(ct, int):
                self.cp.proto.constraints[ct].enforcement_literal.append(lit.index)
            else:
                ct.only_enforce_if(lit)

    def row(self, terms: Terms, low: int, high: int) -> int:
        """``low ≤ Σ coeff·var ≤ high`` written straight into the proto; its index.

        The same row as ``cp.add`` writes for the same sum (variables by index, repeats merged,
        zero coefficients dropped), without building a linear expression: at 5,600 terms a row,
        25× faster.
        """
        indices, coeffs = terms
        if any(b <= a for a, b in zip(indices, islice(indices, 1, None), strict=False)):
            merged: dict[int, int] = defaultdict(int)
            for i, c in zip(indices, coeffs, strict=True):
                merged[i] += c
            indices, coeffs = [], []
            for i in sorted(merged):
                indices.append(i)
                coeffs.append(merged[i])
        if 0 in coeffs:
            kept = [(i, c) for i, c in zip(indices, coeffs, strict=True) if c]
            indices, coeffs = [i for i, _ in kept], [c for _, c in kept]
        linear = self.cp.proto.constraints.add().linear
        linear.vars.extend(indices)
        linear.coeffs.extend(coeffs)
        linear.domain.extend((low, high))
        return len(self.cp.proto.constraints) - 1

    def at_least(self, rule_id: str, where: Where, expr: Lin | Terms, n: int, most: int) -> None:
        """``expr ≥ n``: hard, or soft with ``max(0, n − expr)`` violations."""
        mode = self.mode(rule_id)
        if mode == "off" or n <= 0:
            return
        if mode == "hard":
            if isinstance(expr, tuple):
                self.post(where, self.row(expr, n, INT64_MAX))
            else:
                self.post(where, self.cp.add(expr >= n))
            return
        short = self.cp.new_int_var(0, n, "")
        if isinstance(expr, tuple):
            self.row(([*expr[0], short.index], [*expr[1], 1]), n, INT64_MAX)
        else:
            self.cp.add(expr + short >= n)
        self.parts[rule_id].add(short)

    def at_most(self, rule_id: str, where: Where, expr: Lin | Terms, n: int, most: int) -> None:
        """``expr ≤ n``: hard, or soft with ``max(0, expr − n)`` violations (most: expr's max)."""
        mode = self.mode(rule_id)
        if mode == "off" or most <= n:
            return
        if mode == "hard":
            if isinstance(expr, tuple):
                self.post(where, self.row(expr, INT64_MIN, n))
            else:
                self.post(where, self.cp.add(expr <= n))
            return
        over = self.cp.new_int_var(0, most - n, "")
        if isinstance(expr, tuple):
            self.row(([*expr[0], over.index], [*expr[1], -1]), INT64_MIN, n)
        else:
            self.cp.add(cp_model.LinearExpr.weighted_sum([expr, over], [1, -1]) <= n)
        self.parts[rule_id].add(over)

    def ones(self, indices: list[int]) -> Terms:
        """The plain sum of the variables at ``indices``."""
        return indices, [1] * len(indices)

    def new_bools(self, n: int) -> list[Var]:
        """``n`` new 0/1 variables, written into the proto in one call (3.5× faster than
        ``new_bool_var`` each) and wrapped afterwards."""
        proto = self.cp.proto
        first = len(proto.variables)
        if n:
            proto.merge_text_format("variables { domain: [0, 1] }\n" * n)
        return [cp_model.IntVar(proto, i) for i in range(first, first + n)]

    @staticmethod
    def sum(terms: Iterable[Lin | int]) -> Lin:
        """The plain sum of variables, expressions and constants (for rule encodings, which do
        not import ortools)."""
        return cp_model.LinearExpr.sum(list(terms))

    def total(self, pairs: Iterable[tuple[int, int]], coeff: Sequence[int] | None = None) -> Lin:
        vs = [self.x[p] for p in pairs]
        if coeff is None:
            return cp_model.LinearExpr.sum(vs)
        return cp_model.LinearExpr.weighted_sum(vs, list(coeff))

    # -- experience -------------------------------------------------------------------------
    def seat_values(
        self, chosen: Mapping[tuple[int, int], tuple[int, int, int]]
    ) -> tuple[list[int], list[int]]:
        """The index and value of every seat and role variable for the roster ``chosen``
        ((member, group) → (1, leader, deputy)); 0 for the seats it does not take."""
        indices: list[int] = []
        values: list[int] = []
        for table, slot in ((self.x, 0), (self.lead, 1), (self.dep, 2)):
            for key, var in table.items():
                indices.append(var.index)
                values.append(chosen[key][slot] if key in chosen else 0)
        return indices, values

    def seat_in_round(self, mi: int, ri: int) -> list[Var]:
        return [self.x[(mi, gi)] for gi in self.facts.groups_of_round[ri] if (mi, gi) in self.x]

    def prior_at_least(self, mi: int, ri: int, k: int) -> Var | int:
        """1 when member ``mi`` holds at least ``k`` seats in rounds before ``ri``."""
        if k <= 0:
            return 1
        if k > ri:
            return 0
        key = (mi, ri, k)
        if key not in self._exp_cache:
            seats = [v for r in range(ri) for v in self.seat_in_round(mi, r)]
            if len(seats) < k:
                self._exp_cache[key] = 0
            else:
                b = self.cp.new_bool_var("")
                total = cp_model.LinearExpr.sum(seats)
                self.cp.add(total >= k).only_enforce_if(b)
                self.cp.add(total <= k - 1).only_enforce_if(~b)
                self._exp_cache[key] = b
        return self._exp_cache[key]

    def is_experienced(self, mi: int, ri: int) -> Var | int:
        need = self.rules.experience.experienced_min - self.instance.members[mi].rounds_served
        return self.prior_at_least(mi, ri, need)

    def is_new(self, mi: int, ri: int) -> Var | int:
        room = self.rules.experience.new_max - self.instance.members[mi].rounds_served
        if room < 0:
            return 0
        more = self.prior_at_least(mi, ri, room + 1)
        if isinstance(more, int):
            return 1 - more
        return ~more  # type: ignore[return-value]

    def seat_and(self, seat: Var, mi: int, gi: int, flag: Var | int, tag: str) -> Var | int:
        """``seat ∧ flag`` as a literal (or a constant)."""
        if isinstance(flag, int):
            return seat if flag else 0
        key = (mi, gi, tag)
        if key not in self._and_cache:
            b = self.cp.new_bool_var("")
            self.cp.add_implication(b, seat)
            self.cp.add_implication(b, flag)
            self.cp.add_bool_or([b, ~seat, ~flag])
            self._and_cache[key] = b
        return self._and_cache[key]

    # -- the model ---------------------------------------------------------------------------
    def _build(self, stop: threading.Event | None) -> None:
        """The variables, then each rule's encoding in the order of the registry
        (:data:`teamsolver.rules.RULES`), the symmetry break, the goals and the objective."""
        steps: list[Callable[[], None]] = [self._variables]
        steps += [partial(rule.encode, self) for rule in RULES]
        steps.append(self._symmetry)
        if self.with_goals:
            steps.append(self._goals)
        steps.append(self._objective)
        for step in steps:
            if stop is not None and stop.is_set():
                self.stopped = True
                return
            step()

    def _variables(self) -> None:
        inst = self.instance
        required: dict[tuple[int, int], str | None] = {}
        m_index = {m.id: i for i, m in enumerate(inst.members)}
        g_index = {g.id: i for i, g in enumerate(inst.groups)}
        for p in inst.pins:
            if p.kind == "require" and p.member in m_index and p.group in g_index:
                required[(m_index[p.member], g_index[p.group])] = p.role
        self.required = required
        required_in: dict[int, list[int]] = defaultdict(list)
        for mi, gi in required:
            required_in[gi].append(mi)
        recused = self.facts.recused
        forbidden: set[tuple[int, int]] = set()
        barred: dict[int, list[int]] = {}
        if self.guarded:
            recused, forbidden, barred = self._barred(m_index, g_index)
        for gi, members in enumerate(self.facts.allowed):
            group_members = list(members)
            present = set(members)
            extra = [mi for mi in required_in.get(gi, ()) if mi not in present]
            if self.guarded:
                skip = present | set(extra)
                extra.extend(mi for mi in barred.get(gi, ()) if mi not in skip)
            group_members.extend(extra)
            seats = self.new_bools(len(group_members))
            for mi, seat in zip(group_members, seats, strict=True):
                self.x[(mi, gi)] = seat
                self.by_member[mi].append(gi)
            self.by_group.append(group_members)
            first = seats[0].index if seats else 0
            self.group_index.append(list(range(first, first + len(seats))))
            g = inst.groups[gi]
            # Pinned pairs that no variable would exist for: they break a rule outright.
            for mi in extra:
                m = inst.members[mi]
                if m.status != "active" or g.round in m.unavailable_rounds:
                    self.post(
                        Where("eligibility", g.round, g.id, m.id),
                        self.cp.add(self.x[(mi, gi)] == 0),
                    )
                    continue
                if (mi, gi) in recused and self.mode("recusal") == "hard":
                    self.post(
                        Where("recusal", g.round, g.id, m.id), self.cp.add(self.x[(mi, gi)] == 0)
                    )
                if (mi, gi) in forbidden:
                    self.post(
                        Where("pins", g.round, g.id, m.id), self.cp.add(self.x[(mi, gi)] == 0)
                    )
        lead_open = self.mode("leader-quota") != "hard"
        dep_open = self.mode("deputy-quota") != "hard"
        can_lead = [m.can_lead or lead_open for m in inst.members]
        can_deputy = [m.can_deputy or dep_open for m in inst.members]
        # Anyone may hold any role; one who is not able costs a violation of the quota rule,
        # so without a hard quota every member needs the role variable. Which seats get which
        # role variables first, then all of them in one call, in the order of the seats.
        wants: list[tuple[tuple[int, int], Var, bool, bool]] = []
        for key, seat in self.x.items():
            role = required.get(key, "") if required else ""
            lead = can_lead[key[0]] or role == "leader"
            dep = can_deputy[key[0]] or role == "deputy"
            if lead or dep:
                wants.append((key, seat, lead, dep))
        roles = iter(self.new_bools(sum(lead + dep for _, _, lead, dep in wants)))
        # Σ roles ≤ seat, as cp.add writes it (the seat was created first: it comes first by
        # index); the rows go in one call, 2× faster than one cp.add each.
        both = "constraints { linear { vars: [%d, %d, %d] coeffs: [-1, 1, 1] domain: [%d, 0] } }\n"
        one = "constraints { linear { vars: [%d, %d] coeffs: [-1, 1] domain: [%d, 0] } }\n"
        rows: list[str] = []
        for key, seat, lead, dep in wants:
            if lead and dep:
                a = self.lead[key] = next(roles)
                b = self.dep[key] = next(roles)
                rows.append(both % (seat.index, a.index, b.index, INT64_MIN))
            else:
                table = self.lead if lead else self.dep
                a = table[key] = next(roles)
                rows.append(one % (seat.index, a.index, INT64_MIN))
        if rows:
            self.cp.proto.merge_text_format("".join(rows))

    def _barred(
        self, m_index: dict[str, int], g_index: dict[str, int]
    ) -> tuple[dict[tuple[int, int], list[Reason]], set[tuple[int, int]], dict[int, list[int]]]:
        """Explain mode: the eligible pairs that a relaxable rule keeps out of the variables
        (hard recusal, a forbid pin), so that each gets a variable held at 0 by its guard.

        Returns the recused pairs (forbidden ones included, from facts computed without the
        forbid pins), the forbidden pairs, and per group the members to add."""
        inst = self.instance
        forbidden = {
            (m_index[p.member], g_index[p.group])
            for p in inst.pins
            if p.kind == "forbid" and p.member in m_index and p.group in g_index
        }
        recused = self.facts.recused
        if forbidden and self.mode("recusal") == "hard":
            unpinned = inst.model_copy(
                update={"pins": tuple(p for p in inst.pins if p.kind != "forbid")}
            )
            recused = prepare(unpinned, "hard").recused
        barred: dict[int, list[int]] = defaultdict(list)
        pairs = set(forbidden) | (set(recused) if self.mode("recusal") == "hard" else set())
        for mi, gi in sorted(pairs):
            m = inst.members[mi]
            if m.status == "active" and inst.groups[gi].round not in m.unavailable_rounds:
                barred[gi].append(mi)
        return recused, forbidden, barred

    def new_and_experienced(self, gi: int) -> tuple[list[Var | int], list[Var | int]]:
        """Literals 'seat of a new member' and 'seat of an experienced member' in group gi."""
        ri = self.facts.round_of[gi]
        new: list[Var | int] = []
        exp: list[Var | int] = []
        if ri == 0:
            # No earlier round in the plan: is_new and is_experienced are constants (the same
            # values, without their calls: 560k seats at province).
            rules = self.rules.experience
            for mi in self.by_group[gi]:
                served = self.instance.members[mi].rounds_served
                if served <= rules.new_max:
                    new.append(self.x[(mi, gi)])
                if served >= rules.experienced_min:
                    exp.append(self.x[(mi, gi)])
            return new, exp
        for mi in self.by_group[gi]:
            seat = self.x[(mi, gi)]
            n = self.seat_and(seat, mi, gi, self.is_new(mi, ri), "new")
            e = self.seat_and(seat, mi, gi, self.is_experienced(mi, ri), "exp")
            if not isinstance(n, int) or n:
                new.append(n)
            if not isinstance(e, int) or e:
                exp.append(e)
        return new, exp

    def convex_pairs(self, count: Lin, most: int) -> Var:
        """A variable equal to C(count, 2) wherever the objective pushes it down (count ≤ most):
        the tangents of the convex o(o−1)/2 at the integers. The tangents are written on one
        variable equal to ``count``, not on ``count``'s terms: 2 terms a tangent instead of one
        per term (the year preset's pairing rows: 1.1 M terms before, 0.2 M after)."""
        p = self.cp.new_int_var(0, most * (most - 1) // 2, "")
        if most <= 2:
            self.cp.add(p >= count - 1)
            return p
        o = self.cp.new_int_var(0, most, "")
        self.cp.add(o == count)
        for k in range(1, most):
            self.cp.add(p >= k * o - k * (k + 1) // 2)
        return p

    def _symmetry(self) -> None:
        """Exact symmetry breaking where no member can be told apart (:mod:`.symmetry`)."""
        if symmetry.applies(self):
            symmetry.post(self)
            self.symmetric = True

    # -- goals -------------------------------------------------------------------------------
    def _balance(self, goal: str, values: dict[int, dict[str, list[tuple[int, int]]]]) -> None:
        """Per round and key: max_g c(g) − min_g c(g), where c(g) = Σ coeff·x over the group."""
        part = self.parts[goal]
        for gis in self.facts.groups_of_round:
            if len(gis) < 2:
                continue
            keys = {key for gi in gis for key in values.get(gi, {})}
            for key in sorted(keys):
                sums: list[Lin] = []
                lows: list[int] = []
                highs: list[int] = []
                for gi in gis:
                    items = values.get(gi, {}).get(key, [])
                    c_g = cp_model.LinearExpr.weighted_sum(
                        [self.x[(mi, gi)] for mi, _ in items], [c for _, c in items]
                    )
                    low, high = self._sum_range([c for _, c in items], gi)
                    if len(items) > 2:
                        # One row for the sum, then two-term rows against hi and lo: half the
                        # terms of writing the sum twice (7,000 members: 1.1 M terms fewer).
                        v = self.cp.new_int_var(low, high, "")
                        self.cp.add(v == c_g)
                        c_g = v
                    sums.append(c_g)
                    lows.append(low)
                    highs.append(high)
                hi = self.cp.new_int_var(max(lows), max(highs), "")
                lo = self.cp.new_int_var(min(lows), min(highs), "")
                for c_g in sums:
                    self.cp.add(hi >= c_g)
                    self.cp.add(lo <= c_g)
                part.add(hi)
                part.add(lo, -1)

    def seat_cap(self, gi: int) -> int:
        """The most seats group ``gi`` holds in any roster of this model: its ``size_max`` when
        group-size is hard (and not guarded: explain mode may lift a hard rule), else its
        number of candidates."""
        g = self.instance.groups[gi]
        most = len(self.by_group[gi])
        if g.size_max is None or self.guarded or self.mode("group-size") != "hard":
            return most
        return min(most, g.size_max)

    def _sum_range(self, coeffs: Sequence[int], gi: int) -> tuple[int, int]:
        """Bounds on Σ coeff·x over some candidates of group ``gi`` in any roster: at most
        ``seat_cap`` of them are seated, so the sum of the most negative (most positive) that
        many coefficients. The balance goals' variables get these domains instead of the sums
        over all candidates (city, 12 seats of ~500 candidates: a strength sum in [−425, 484]
        instead of [−4,711, 4,597]); CP-SAT's bound at 5 s is tighter on every seed
        (benchmarks/results/engine-levers.md, lever 7)."""
        cap = self.seat_cap(gi)
        neg = sorted(c for c in coeffs if c < 0)[:cap]
        pos = sorted((c for c in coeffs if c > 0), reverse=True)[:cap]
        return sum(neg), sum(pos)

    def _distinct_caps(
        self,
        flags: dict[tuple[int, tuple[str, str]], list[Var]],
        holders: dict[tuple[int, tuple[str, str]], set[int]],
    ) -> None:
        """Complementarity across a round: one key (specialty or home unit) is counted in at
        most as many of the round's groups as members hold it (one seat a round each), and a
        unit in at most its draw cap of the round when that rule is hard. Valid on every
        roster; the per-group flag rows become clauses in CP-SAT's presolve, so these rows
        give its LP a link per round (engine-levers.md, lever 7)."""
        cap_hard = self.mode("unit-draw-cap") == "hard" and not self.guarded
        per_round = self.rules.unit_draw_cap.max_per_round
        for (ri, (kind, name)), us in flags.items():
            most = len(holders[(ri, (kind, name))])
            if kind == "u" and cap_hard:
                unit = self.instance.unit_by_id.get(name)
                limit = per_round if unit is None or unit.max_drawn is None else unit.max_drawn
                if limit is not None:
                    most = min(most, limit)
            if most < len(us):
                self.cp.add(cp_model.LinearExpr.sum(us) <= most)

    def _goals(self) -> None:
        inst = self.instance
        obj = self.rules.objective
        facts = self.facts
        members = inst.members
        if obj.weight("strength-balance"):
            mu = facts.mu  # the plan's, also in a sub-model of some members
            values: dict[int, dict[str, list[tuple[int, int]]]] = {}
            for gi in range(len(inst.groups)):
                values[gi] = {
                    "": [(mi, strength(members[mi], facts.rho) - mu) for mi in self.by_group[gi]]
                }
            self._balance("strength-balance", values)
        if obj.weight("development"):
            part = self.parts["development"]
            for (mi, gi), seat in self.x.items():
                e = self.is_experienced(mi, facts.round_of[gi])
                if isinstance(e, int):
                    if not e:
                        part.add(seat)
                else:
                    both = self.seat_and(seat, mi, gi, e, "exp")
                    assert not isinstance(both, int)
                    part.add(seat)
                    part.add(both, -1)
        if obj.weight("workload-balance") and len(facts.rounds) > 1:
            part = self.parts["workload-balance"]
            for mi, gis in self.by_member.items():
                rounds = sorted({facts.round_of[gi] for gi in gis})
                if len(rounds) < 2:
                    continue
                n = cp_model.LinearExpr.sum([self.x[(mi, gi)] for gi in gis])
                part.add(self.convex_pairs(n, len(rounds)))
        if obj.weight("rating"):
            part = self.parts["rating"]
            for (mi, _), seat in self.x.items():
                r = members[mi].rating
                if r is not None:
                    part.add(seat, r - facts.rho)
        if obj.weight("affinity"):
            part = self.parts["affinity"]
            m_index = {m.id: i for i, m in enumerate(members)}
            g_index = {g.id: i for i, g in enumerate(inst.groups)}
            scores: dict[tuple[int, int], int] = {}
            for a in inst.affinity:
                if a.member in m_index and a.group in g_index:
                    scores[(m_index[a.member], g_index[a.group])] = a.score
            for key, score in scores.items():
                if key in self.x:
                    part.add(self.x[key], score)
        if obj.weight("complementarity"):
            part = self.parts["complementarity"]
            # Only the members with a seat variable: a sub-model of a large plan has few
            # (engine/lns.py; province: 7,000 members, a few hundred candidates).
            keys_of = {
                mi: [
                    *(("s", s) for s in sorted(set(members[mi].specialties))),
                    ("u", members[mi].unit),
                ]
                for mi in self.by_member
            }
            weight_of = {mi: len(set(members[mi].specialties)) for mi in self.by_member}
            # Per round and key: its flags in the round's groups, and the members holding it.
            across: dict[tuple[int, tuple[str, str]], list[Var]] = defaultdict(list)
            holders: dict[tuple[int, tuple[str, str]], set[int]] = defaultdict(set)
            for gi in range(len(inst.groups)):
                ri = facts.round_of[gi]
                by_key: dict[tuple[str, str], list[Var]] = defaultdict(list)
                seats = []
                for mi in self.by_group[gi]:
                    seat = self.x[(mi, gi)]
                    seats.append(seat)
                    for tag in keys_of[mi]:
                        by_key[tag].append(seat)
                        holders[(ri, tag)].add(mi)
                weights = [weight_of[mi] for mi in self.by_group[gi]]
                flags: dict[str, list[Var]] = {"s": [], "u": []}
                for tag, vs in by_key.items():
                    u = self.cp.new_bool_var("")
                    self.cp.add(u <= cp_model.LinearExpr.sum(vs))
                    flags[tag[0]].append(u)
                    across[(ri, tag)].append(u)
                    part.add(u)
                # No more distinct units than seats, and no more distinct specialties than the
                # specialties the seated members bring. Both are sums of the flag rows above, so
                # a full LP gains nothing from them; but CP-SAT's presolve turns each flag row
                # into a clause, which its LP leaves out (linearization level 1), and these two
                # rows are then the LP's only link between flags and seats: without them the
                # bound of city seed 0 stays near −7,000 instead of −3,058 (lever 7).
                self.cp.add(cp_model.LinearExpr.sum(flags["u"]) <= cp_model.LinearExpr.sum(seats))
                self.cp.add(
                    cp_model.LinearExpr.sum(flags["s"])
                    <= cp_model.LinearExpr.weighted_sum(seats, weights)
                )
            self._distinct_caps(across, holders)
        if obj.weight("mix") and obj.mix_attributes:
            for attr in obj.mix_attributes:
                values = {}
                value_of = {mi: attribute_value(inst, members[mi], attr) for mi in self.by_member}
                for gi in range(len(inst.groups)):
                    per: dict[str, list[tuple[int, int]]] = defaultdict(list)
                    for mi in self.by_group[gi]:
                        v = value_of[mi]
                        if v is not None:
                            per[v].append((mi, 1))
                    values[gi] = dict(per)
                self._balance("mix", values)
        if obj.weight("stability") and self.baseline is not None:
            self._stability()

    def _stability(self) -> None:
        """Baseline seats gone + seats new + kept seats with another role (docs/measures.md).

        Baseline seats are keyed as written, (round, group, member), with the set of their roles.
        A key the roster can never hold (unknown ids, a round that is not the group's, no
        variable) is gone for sure; a key with two roles differs from any single-role seat.
        """
        assert self.baseline is not None
        inst = self.instance
        part = self.parts["stability"]
        m_index = {m.id: i for i, m in enumerate(inst.members)}
        g_index = {g.id: i for i, g in enumerate(inst.groups)}
        before: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for b in self.baseline.seats:
            before[(b.round, b.group, b.member)].add(b.role)
        single: dict[tuple[int, int], str] = {}
        settled: set[tuple[int, int]] = set()
        for (round_id, gid, mid), roles in before.items():
            mi, gi = m_index.get(mid), g_index.get(gid)
            if (
                mi is None
                or gi is None
                or (mi, gi) not in self.x
                or inst.groups[gi].round != round_id
            ):
                part.constant += 1  # a baseline seat that cannot be kept
                continue
            if len(roles) > 1:
                part.constant += 1  # gone, or kept with one role: a change either way
                settled.add((mi, gi))
                continue
            single[(mi, gi)] = next(iter(roles))
        for key, seat in self.x.items():
            if key in settled:
                continue
            role = single.get(key)
            if role is None:
                part.add(seat)  # a new seat
                continue
            part.constant += 1  # the baseline seat is gone unless kept ...
            part.add(seat, -1)  # ... kept: no change
            lead, dep = self.lead.get(key), self.dep.get(key)
            if role == "leader":
                part.add(seat)  # kept but not as leader: one change
                if lead is not None:
                    part.add(lead, -1)
            elif role == "deputy":
                part.add(seat)
                if dep is not None:
                    part.add(dep, -1)
            else:
                for v in (lead, dep):
                    if v is not None:
                        part.add(v)

    def _objective(self) -> None:
        """Minimise Σ weight·sign·part, written straight into the proto with one coefficient
        per variable (the parts put a seat in several goals: summed here, the objective has
        one term per variable instead of one per part entry, and no expression is built)."""
        coeff_of: dict[int, int] = defaultdict(int)
        other: list[tuple[Lin, int]] = []
        offset = 0
        for key, part in self.parts.items():
            if key in GOAL_IDS:
                w = self.rules.objective.weight(key)
                sign = -1 if key in MAXIMISED else 1
            else:
                w = self.weight(key)
                sign = 1
            if not w:
                continue
            f = sign * w
            for var, c in zip(part.vars, part.coeffs, strict=True):
                if isinstance(var, cp_model.IntVar):
                    coeff_of[var.index] += f * c
                else:
                    other.append((var, f * c))
            offset += f * part.constant
        self.offset = offset
        if other:  # not a plain variable (none today): let CP-SAT flatten the expression
            terms = [self.cp.get_int_var_from_proto_index(i) for i in coeff_of]
            expr = cp_model.LinearExpr.weighted_sum(
                [*terms, *(v for v, _ in other)],
                [*coeff_of.values(), *(c for _, c in other)],
            )
            self.cp.minimize(expr + offset)
            return
        objective = self.cp.proto.objective
        items = sorted((i, c) for i, c in coeff_of.items() if c)
        objective.vars.extend(i for i, _ in items)
        objective.coeffs.extend(c for _, c in items)
        objective.offset = offset


def set_hint(proto: cp_model.CpModelProto, variables: Iterable[int], values: Iterable[int]) -> None:
    """Replace the solution hint of ``proto`` by ``values`` at ``variables`` (one call each)."""
    proto.clear_solution_hint()
    hint = proto.solution_hint  # after the clear: a reference taken before is stale
    hint.vars.extend(variables)
    hint.values.extend(values)
