"""Benchmark: social-golfer plans (pairing hard, members alike), the engine against a naive model.

Each case is ``teamsolver.generate.generate_golfer(members, group_size, rounds)``: everyone
sits every round in groups of exactly ``group_size``, and no two members share two groups
(``no-repeat-pairing`` hard). It is solved, per seed, by:

- ``naive``: the peer, a straightforward CP-SAT model written here: ``x[m, g]`` per member and
  group, exactly one group per member and round, exactly ``group_size`` members per group, and
  for every two groups of different rounds ``Σ_m (x[m, g1] ∧ x[m, g2]) ≤ 1``; the first roster
  found ends the search;
- ``engine``: ``teamsolver.solve`` as it is (``solutions=1``: it too ends at its first roster);
- ``engine+…``: the engine with a candidate fix applied by monkeypatching (``--solvers``; see
  :data:`VARIANTS`): ``sym0``: CP-SAT's symmetry detection off (``symmetry_level = 0``) in
  every solver the engine makes; ``flat``: no staged path (one model, ``STAGED_FROM`` huge);
  ``break``: the proposed fix, an exact symmetry break over interchangeable members and twin
  groups (:func:`post`) added to every model the engine builds, the greedy roster relabelled
  to meet it (:func:`canonical`); ``rows``: its member part alone. Variants combine with
  ``+`` (``engine+sym0+break``).

All runs use the same time limit, ``workers`` (2) and seeds. Every roster, the peer's included,
is re-checked by ``teamsolver.check`` (a hard violation fails the run and the script). Reported
per case and solver: the median time to the first roster over the seeds (``first_roster_s`` of
the engine: greedy, build and search; the naive model: build and search), the count of seeds
solved, and each seed's time; a seed without a roster counts as the time limit in the median
and is marked ``>T``. The table goes to ``benchmarks/results/golfer.md`` (``--out``).

Usage::

    python benchmarks/golfer.py                      # naive, engine, engine+break; 30 s, seeds 0-2
    python benchmarks/golfer.py --cases kirkman,g25 --time-limit 60 \\
        --solvers naive,engine,engine+sym0,engine+break
    python benchmarks/golfer.py --cases all --time-limit 120
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import itertools
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.engine.model import Model
from teamsolver.generate import generate_golfer
from teamsolver.instance import Instance
from teamsolver.roster import Roster, Seat


@dataclass(frozen=True)
class Case:
    name: str
    members: int
    group_size: int
    rounds: int
    note: str


#: Solvable social-golfer cases (known results), from easy to hard.
CASES: tuple[Case, ...] = (
    Case("g9", 9, 3, 4, "affine plane of order 3: every pair meets exactly once"),
    Case("g16-4", 16, 4, 4, "4 of the 5 parallel classes of the affine plane of order 4"),
    Case("kirkman", 15, 3, 7, "Kirkman's schoolgirls: every pair meets exactly once"),
    Case("g16", 16, 4, 5, "affine plane of order 4: every pair meets exactly once"),
    Case("g20", 20, 4, 5, "5 groups of 4 for 5 rounds"),
    Case("g25", 25, 5, 6, "affine plane of order 5: every pair meets exactly once"),
    Case("g32", 32, 4, 8, "8 groups of 4 for 8 rounds (10 is the record)"),
)
DEFAULT_CASES = ("g9", "g16-4", "kirkman", "g16", "g25")


# -- the peer --------------------------------------------------------------------------------
def naive(
    instance: Instance, time_limit: float, workers: int, seed: int, engine_like: bool = False
) -> Roster | None:
    """The straightforward CP-SAT model of a golfer plan; its first roster, or None.

    ``engine_like``: the rows written as the engine writes them: at most one group per member
    and round (the exact sizes make it exactly one), and ``w ≥ x1 + x2 − 1`` for a member in
    two groups instead of ``w ⇔ x1 ∧ x2``."""
    members = [m.id for m in instance.members]
    groups = instance.groups
    cp = cp_model.CpModel()
    x = {(m, g.id): cp.new_bool_var(f"x_{m}_{g.id}") for m in members for g in groups}
    for r in instance.rounds:
        here = [g for g in groups if g.round == r]
        for m in members:
            if engine_like:
                cp.add_at_most_one(x[m, g.id] for g in here)
            else:
                cp.add_exactly_one(x[m, g.id] for g in here)
        for g in here:
            assert g.size_min == g.size_max
            cp.add(sum(x[m, g.id] for m in members) == g.size_min)
    for a, g1 in enumerate(groups):
        for g2 in groups[a + 1 :]:
            if g1.round == g2.round:
                continue
            both = []
            for m in members:
                y = cp.new_bool_var("")
                if not engine_like:
                    cp.add_bool_and([x[m, g1.id], x[m, g2.id]]).only_enforce_if(y)
                cp.add_bool_or([~x[m, g1.id], ~x[m, g2.id], y])
                both.append(y)
            cp.add(sum(both) <= 1)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = True
    if solver.solve(cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Roster.of(
        Seat(round=g.round, group=g.id, member=m, role="member")
        for (m, gid), v in x.items()
        if solver.value(v)
        for g in [instance.group_by_id[gid]]
    )


# -- candidate fixes, applied by monkeypatching -----------------------------------------------
# The symmetry break below is, function for function, the module proposed for the engine
# (``teamsolver/engine/symmetry.py``; the diff is in the golfer section of the report that
# comes with benchmarks/results/golfer.md): members nothing tells apart, and twin groups of a
# round, sorted so that one roster of every class of rosters equal up to relabelling is left.

#: Twin groups are ordered only up to this many members (the rows are O(members²) per twin).
TWIN_ORDER_MAX_MEMBERS = 500


def interchangeable(instance: Instance) -> bool:
    """Members that no rule, goal or table tells apart: every attribute but id and name equal,
    and no pins, affinity, conflicts or history (they name members)."""
    if len(instance.members) < 2 or (
        instance.pins or instance.affinity or instance.conflicts or instance.history
    ):
        return False
    first = instance.members[0].model_dump(exclude={"id", "name"})
    return all(m.model_dump(exclude={"id", "name"}) == first for m in instance.members)


def applies(model: Model) -> bool:
    """The break holds for ``model``: interchangeable members, no baseline (stability names
    members), and no guards (explain relaxes rule instances of single members)."""
    return not model.guarded and model.baseline is None and interchangeable(model.instance)


def twins(model: Model, gis: list[int]) -> list[list[int]]:
    """Classes (of two or more) of the groups ``gis`` of one round that nothing tells apart:
    the same fields but id and targets, the same members allowed, and targets that count
    nowhere (recusal off, or without a cooldown and recusing the same members)."""
    inst = model.instance
    recusal = model.mode("recusal")
    if recusal != "off" and inst.rules.recusal.reinspect_cooldown > 0:
        return []
    recused: dict[int, set[int]] = {}
    for mi, gi in model.facts.recused:
        recused.setdefault(gi, set()).add(mi)
    classes: dict[tuple[str, tuple[int, ...], tuple[int, ...]], list[int]] = {}
    for gi in gis:
        key = (
            repr(inst.groups[gi].model_dump(exclude={"id", "targets"})),
            tuple(sorted(model.by_group[gi])),
            tuple(sorted(recused.get(gi, ()))) if recusal != "off" else (),
        )
        classes.setdefault(key, []).append(gi)
    return [c for c in classes.values() if len(c) > 1]


def post(model: Model) -> None:
    """The break's constraints, on the seat variables of ``model`` (see the module).

    - rows: ``(v_1(i), v_2(i)) ≤_lex (v_1(i+1), v_2(i+1))`` with ``v_r(i)`` the position of
      member i's group within round r (the number of groups when i has no seat in round r);
    - twin groups c before c' of a round: ``x[m, c'] ≤ Σ_{k ≤ m} x[k, c]`` (the first member
      of c' comes after a member of c).
    """
    cp, x, n = model.cp, model.x, len(model.instance.members)
    orders: list[list[cp_model.LinearExpr]] = []
    for gis in model.facts.groups_of_round[:2]:
        row = []
        for mi in range(n):
            seats = [(k, x[(mi, gi)]) for k, gi in enumerate(gis) if (mi, gi) in x]
            seated = cp_model.LinearExpr.sum([v for _, v in seats])
            ranked = cp_model.LinearExpr.weighted_sum([v for _, v in seats], [k for k, _ in seats])
            row.append(ranked + len(gis) * (1 - seated))
        orders.append(row)
    for i in range(n - 1):
        cp.add(orders[0][i] <= orders[0][i + 1])
        if len(orders) > 1:
            tie = cp.new_bool_var("")
            cp.add(orders[0][i] == orders[0][i + 1]).only_enforce_if(tie)
            cp.add(orders[0][i] != orders[0][i + 1]).only_enforce_if(~tie)
            cp.add(orders[1][i] <= orders[1][i + 1]).only_enforce_if(tie)
    if n > TWIN_ORDER_MAX_MEMBERS:
        return
    for gis in model.facts.groups_of_round:
        for same in twins(model, gis):
            for c, d in itertools.pairwise(same):
                for m in range(n):
                    if (m, d) in x:
                        earlier = [x[(k, c)] for k in range(m + 1) if (k, c) in x]
                        cp.add(x[(m, d)] <= cp_model.LinearExpr.sum(earlier))


def canonical(model: Model, roster: Roster) -> Roster:
    """``roster`` with its members and twin groups relabelled so that it meets :func:`post`
    (the same violations and objective: only labels change). Rows and the columns of each
    class of twins are sorted, largest first, in turn until neither moves (each sort makes the
    row-major matrix larger, so it ends). ``roster`` must be a roster of ``model``'s seats."""
    inst = model.instance
    order = [gi for gis in model.facts.groups_of_round for gi in gis]
    col = {gi: c for c, gi in enumerate(order)}
    g_index = {g.id: gi for gi, g in enumerate(inst.groups)}
    m_index = {m.id: mi for mi, m in enumerate(inst.members)}
    width = len(order)
    rows = [[0] * width for _ in inst.members]
    seat_at: dict[tuple[int, int], Seat] = {}
    for seat in roster.seats:
        mi, c = m_index[seat.member], col[g_index[seat.group]]
        rows[mi][c] = 1
        seat_at[(mi, c)] = seat
    member_of = list(range(len(rows)))  # row position -> original member
    slot_of = list(range(width))  # column position -> original column
    classes = (
        [
            sorted(col[gi] for gi in same)
            for gis in model.facts.groups_of_round
            for same in twins(model, gis)
        ]
        if len(rows) <= TWIN_ORDER_MAX_MEMBERS
        else []
    )
    while True:
        ranked = sorted(range(len(rows)), key=lambda i: rows[i], reverse=True)
        moved = ranked != list(range(len(rows)))
        rows = [rows[i] for i in ranked]
        member_of = [member_of[i] for i in ranked]
        for cls in classes:
            cols = sorted(cls, key=lambda c: [row[c] for row in rows], reverse=True)
            if cols != cls:
                moved = True
                source = list(range(width))
                for at, c in zip(cls, cols, strict=True):
                    source[at] = c
                rows = [[row[source[c]] for c in range(width)] for row in rows]
                slot_of = [slot_of[source[c]] for c in range(width)]
        if not moved:
            break
    renamed = {inst.members[old].id: inst.members[i].id for i, old in enumerate(member_of)}
    seats = [
        seat_at[(member_of[i], slot_of[c])].model_copy(
            update={
                "member": inst.members[i].id,
                "group": inst.groups[order[c]].id,
                "mentor": renamed.get(seat_at[(member_of[i], slot_of[c])].mentor or ""),
            }
        )
        for i, row in enumerate(rows)
        for c, taken in enumerate(row)
        if taken
    ]
    return Roster(seats=tuple(seats))


@contextlib.contextmanager
def _sym0() -> Iterator[None]:
    from teamsolver.engine import solve as engine_solve

    original = engine_solve._solver

    def solver(*args: object, **kwargs: object) -> cp_model.CpSolver:
        s = original(*args, **kwargs)  # type: ignore[arg-type]
        s.parameters.symmetry_level = 0
        return s

    engine_solve._solver = solver
    try:
        yield
    finally:
        engine_solve._solver = original


@contextlib.contextmanager
def _flat() -> Iterator[None]:
    from teamsolver.engine import solve as engine_solve

    original = engine_solve.STAGED_FROM
    engine_solve.STAGED_FROM = 10**9
    try:
        yield
    finally:
        engine_solve.STAGED_FROM = original


@contextlib.contextmanager
def _break(twin_groups: bool = True) -> Iterator[None]:
    """The proposed engine change: :func:`post` in every model built where :func:`applies`,
    and the greedy roster relabelled (:func:`canonical`) before stage 2 fixes it."""
    from teamsolver.engine import solve as engine_solve

    global TWIN_ORDER_MAX_MEMBERS
    build, first_roster, cap = Model._build, engine_solve._first_roster, TWIN_ORDER_MAX_MEMBERS

    def patched_build(self: Model, stop: Any) -> None:
        build(self, stop)
        self.symmetric = False  # type: ignore[attr-defined]
        if not self.stopped and applies(self):
            post(self)
            self.symmetric = True  # type: ignore[attr-defined]

    def patched_first_roster(instance: Instance, model: Model, *args: Any) -> Any:
        *rest, start = args
        if start is not None and model.symmetric:  # type: ignore[attr-defined]
            start = canonical(model, start)
        return first_roster(instance, model, *rest, start)  # type: ignore[call-arg]

    Model._build = patched_build  # type: ignore[method-assign]
    engine_solve._first_roster = patched_first_roster  # type: ignore[assignment]
    if not twin_groups:
        TWIN_ORDER_MAX_MEMBERS = 0
    try:
        yield
    finally:
        Model._build = build  # type: ignore[method-assign]
        engine_solve._first_roster = first_roster
        TWIN_ORDER_MAX_MEMBERS = cap


VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "sym0": _sym0,
    "flat": _flat,
    "break": _break,
    "rows": lambda: _break(twin_groups=False),
}


# -- runs --------------------------------------------------------------------------------------
@dataclass
class Run:
    case: str
    solver: str
    seed: int
    first_s: float | None  # None: no roster within the limit
    greedy_s: float | None = None  # the engine's greedy planner (it finds no golfer roster)
    build_s: float | None = None  # the engine's model build


def run_one(case: Case, solver: str, seed: int, time_limit: float, workers: int) -> Run:
    instance = generate_golfer(case.members, case.group_size, case.rounds)
    start = time.perf_counter()
    greedy_s = build_s = None
    if solver.startswith("naive"):
        roster = naive(instance, time_limit, workers, seed, engine_like=solver == "naive+engine")
        first = None if roster is None else time.perf_counter() - start
    else:
        with contextlib.ExitStack() as stack:
            for name in solver.split("+")[1:]:
                stack.enter_context(VARIANTS[name]())
            result = teamsolver.solve(
                instance, time_limit=time_limit, workers=workers, seed=seed, solutions=1
            )
        roster = result.roster if result.has_roster else None
        first = result.first_roster_s if roster is not None else None
        greedy_s, build_s = result.greedy_time_s, result.build_time_s
    if roster is not None:
        bad = hard_violations(instance, teamsolver.check(instance, roster))
        if bad:
            raise SystemExit(f"{case.name} {solver} seed {seed}: roster breaks {bad[0]}")
        _pairs_once(instance, roster)
    return Run(case.name, solver, seed, first, greedy_s, build_s)


def _pairs_once(instance: Instance, roster: Roster) -> None:
    """Every member in every round, no pair twice: the golfer conditions, checked by hand."""
    met: set[frozenset[str]] = set()
    by_group: dict[str, list[str]] = {}
    for seat in roster.seats:
        by_group.setdefault(seat.group, []).append(seat.member)
    for members in by_group.values():
        for a, m in enumerate(members):
            for n in members[a + 1 :]:
                pair = frozenset((m, n))
                if pair in met:
                    raise SystemExit(f"{m} and {n} meet twice")
                met.add(pair)
    if len(roster.seats) != len(instance.members) * len(instance.rounds):
        raise SystemExit("not every member sits every round")


def median_s(runs: list[Run], limit: float) -> float:
    return statistics.median(r.first_s if r.first_s is not None else limit for r in runs)


def table(runs: list[Run], cases: list[Case], solvers: list[str], limit: float) -> str:
    head = "| case | members / size / rounds | " + " | ".join(solvers) + " |"
    lines = [head, "|---|---|" + "---:|" * len(solvers)]
    for case in cases:
        cells = []
        for s in solvers:
            mine = [r for r in runs if r.case == case.name and r.solver == s]
            if not mine:
                cells.append("")
                continue
            solved = sum(r.first_s is not None for r in mine)
            each = " / ".join(
                f"{r.first_s:.1f}" if r.first_s is not None else f">{limit:g}" for r in mine
            )
            med = median_s(mine, limit)
            shown = f"{med:.1f}" if solved * 2 > len(mine) else f">{limit:g}"
            cells.append(f"**{shown}** ({solved}/{len(mine)}: {each})")
        size = f"{case.members} / {case.group_size} / {case.rounds}"
        lines.append(f"| {case.name} | {size} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=",".join(DEFAULT_CASES), help="names, or 'all'")
    # Above the engine's LIGHT_PRESOLVE_BELOW_S (20 s): shorter limits get its light presolve,
    # which turns symmetry detection off and hides the difference this benchmark is about.
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument(
        "--solvers",
        default="naive,engine,engine+break",
        help="naive, naive+engine (the engine's rows), engine, engine+VARIANT[+VARIANT]",
    )
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "golfer.md"))
    args = ap.parse_args(argv)
    by_name = {c.name: c for c in CASES}
    names = list(by_name) if args.cases == "all" else args.cases.split(",")
    cases = [by_name[n] for n in names]
    seeds = [int(s) for s in args.seeds.split(",")]
    solvers = args.solvers.split(",")
    for s in solvers:
        if s not in ("naive", "naive+engine") and (
            s.split("+")[0] != "engine" or any(v not in VARIANTS for v in s.split("+")[1:])
        ):
            ap.error(f"unknown solver {s!r}")
    runs: list[Run] = []
    for case in cases:
        for seed in seeds:
            for s in solvers:
                run = run_one(case, s, seed, args.time_limit, args.workers)
                runs.append(run)
                shown = "none" if run.first_s is None else f"{run.first_s:.2f} s"
                extra = (
                    ""
                    if run.build_s is None
                    else f" (greedy {run.greedy_s:.2f} s, build {run.build_s:.2f} s)"
                )
                print(
                    f"{case.name:8} seed {seed} {s:22} {shown}{extra}", file=sys.stderr, flush=True
                )
    load = os.getloadavg()
    text = (
        f"# Golfer plans: time to the first roster (s), medians of seeds {args.seeds}\n\n"
        f"`python benchmarks/golfer.py --cases {','.join(names)} --time-limit {args.time_limit:g} "
        f"--solvers {args.solvers}`; workers {args.workers}; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, load average at the end {load[0]:.1f} / {load[1]:.1f}). "
        f"Bold: the median (a seed without a roster counts as the limit; `>T` when most have "
        f"none); then seeds solved and each seed's time. "
        f"Every roster passed `teamsolver.check`.\n\n"
        + table(runs, cases, solvers, args.time_limit)
        + "\n"
    )
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
