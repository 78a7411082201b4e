"""Benchmark: social-golfer plans (pairing hard, members alike), the engine against a naive model.

Each case is ``teamsolver.generate.generate_golfer(members, group_size, rounds)``: everyone
sits every round in groups of exactly ``group_size``, and no two members share two groups
(``no-repeat-pairing`` hard). It is solved, per seed, by:

- ``naive``: the peer, a straightforward CP-SAT model written here: ``x[m, g]`` per member and
  group, exactly one group per member and round, exactly ``group_size`` members per group, and
  for every two groups of different rounds ``Σ_m (x[m, g1] ∧ x[m, g2]) ≤ 1``; the first roster
  found ends the search;
- ``engine``: ``teamsolver.solve`` as it is (``solutions=1``: it too ends at its first roster),
  which breaks the symmetry of interchangeable members and twin groups exactly
  (``teamsolver/engine/symmetry.py``);
- ``engine+…``: the engine with a variant applied by monkeypatching (``--solvers``; see
  :data:`VARIANTS`): ``nobreak``: without that break (the engine before it); ``sym0``: without
  it and with CP-SAT's symmetry detection off (``symmetry_level = 0``) in every solver the
  engine makes; ``flat``: without it and with no staged path (``STAGED_FROM`` huge); ``rows``:
  the members' part of the break alone. Variants combine with ``+``.

All runs use the same time limit, ``workers`` (2) and seeds. Every roster, the peer's included,
is re-checked by ``teamsolver.check`` (a hard violation fails the run and the script). Reported
per case and solver: the median time to the first roster over the seeds (``first_roster_s`` of
the engine: greedy, build and search; the naive model: build and search), the count of seeds
solved, and each seed's time; a seed without a roster counts as the time limit in the median
and is marked ``>T``. The table goes to ``benchmarks/results/golfer.md`` (``--out``).

Usage::

    python benchmarks/golfer.py                  # naive, engine, engine+nobreak; 30 s, seeds 0-2
    python benchmarks/golfer.py --cases kirkman,g25 --time-limit 60 \\
        --solvers naive,engine,engine+nobreak,engine+sym0
    python benchmarks/golfer.py --cases all --time-limit 120
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.data.instance import Instance
from teamsolver.data.roster import Roster, Seat
from teamsolver.engine import symmetry
from teamsolver.generate import generate_golfer


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


# -- variants, applied by monkeypatching -------------------------------------------------------
# The engine breaks the symmetry of interchangeable members and twin groups itself
# (``teamsolver/engine/symmetry.py``). ``nobreak`` is the engine without it (as before that
# module), ``sym0`` that engine with CP-SAT's symmetry detection off as well, ``flat`` it with
# no staged path, ``rows`` the engine breaking the members' symmetry only.


@contextlib.contextmanager
def _no_break() -> Iterator[None]:
    original = symmetry.applies
    symmetry.applies = lambda model: False
    try:
        yield
    finally:
        symmetry.applies = original


@contextlib.contextmanager
def _sym0() -> Iterator[None]:
    from teamsolver.engine import solve as engine_solve

    original = engine_solve.make_solver

    def solver(*args: object, **kwargs: object) -> cp_model.CpSolver:
        s = original(*args, **kwargs)  # type: ignore[arg-type]
        s.parameters.symmetry_level = 0
        return s

    engine_solve.make_solver = solver
    try:
        with _no_break():
            yield
    finally:
        engine_solve.make_solver = original


@contextlib.contextmanager
def _flat() -> Iterator[None]:
    from teamsolver.engine import solve as engine_solve

    original = engine_solve.STAGED_FROM
    engine_solve.STAGED_FROM = 10**9
    try:
        with _no_break():
            yield
    finally:
        engine_solve.STAGED_FROM = original


@contextlib.contextmanager
def _rows_only() -> Iterator[None]:
    cap = symmetry.TWIN_ORDER_MAX_MEMBERS
    symmetry.TWIN_ORDER_MAX_MEMBERS = 0
    try:
        yield
    finally:
        symmetry.TWIN_ORDER_MAX_MEMBERS = cap


VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "nobreak": _no_break,
    "sym0": _sym0,
    "flat": _flat,
    "rows": _rows_only,
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
        default="naive,engine,engine+nobreak",
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
