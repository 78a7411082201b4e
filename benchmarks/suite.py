"""Benchmark suite (issue 5): teamsolver's CP-SAT against HiGHS and a careful-person greedy.

One command builds a ladder of generated instances (about 20, 60, 300, 521, 2,000, 7,000 and
10,000 members; one round and several rounds; tightened variants with scarce specialists and
tight draw caps), runs every solver on every instance, each in a fresh subprocess with a hard
wall-clock timeout, checks every roster with the independent checker, and writes:

- ``OUT.csv``: raw figures, one row per instance and solver;
- ``OUT.md``: a summary table (CP-SAT against HiGHS and the greedy floor, with ratios) and a
  table per instance;
- ``OUT_scale.png``: the scale curve (time and memory against members × groups).

Solvers (the protocol is in ``benchmarks/README.md``):

- ``cpsat1``, ``cpsat2``: ``teamsolver.solve(backend="cp-sat")`` with 1 and 2 CP-SAT workers.
  Its time limit includes building the model, so the suite passes the rung's limit *plus* the
  build time measured for the same instance: every solver gets the same search time;
- ``auto2`` (not run unless named in ``--solvers``): ``teamsolver.solve`` with 2 workers and
  its default ``backend="auto"``, which races in-process HiGHS (MathOpt) against CP-SAT with
  one worker on mid-sized one-round plans and is CP-SAT 2w elsewhere; the per-instance table
  notes which side found the roster;
- ``highs``: HiGHS (``highspy``, 1 thread) on the linear form of the same CP-SAT model
  (``benchmarks/linear_form.py``), in ``benchmarks/peers/highs_runner.py`` (ortools and highspy
  cannot share a process); it also solves the LP relaxation, whose value is the LP bound;
- ``greedy``: ``benchmarks/peers/greedy.py``, the roster a careful person makes by hand.

Golfer plans (issue 14) are a family apart: ``teamsolver.generate.generate_golfer`` cases
of ``benchmarks/golfer.py`` (members alike, everyone every round, pairing hard), each seed
solved in a child by ``teamsolver.solve`` (2 workers, ``solutions=1``: the first roster) and by
the peer ``naive2``, the straightforward CP-SAT model of ``benchmarks/golfer.py`` (2 workers,
first roster); both rosters are re-checked by the checker. Reported: time to the first
roster, medians over the seeds, in ``OUT_golfer.csv`` and a section of ``OUT.md``
(``--golfer``: the cases, ``none`` to leave them out).

Per instance, a child builds the model and exports the linear form first (``export``): it is
also the build probe. A model that is not built within ``--build-limit`` seconds (or that passes
``--memory-limit``) is recorded as ``skipped: build > N s`` for every solver, and larger
multi-round rungs are skipped without trying. Runs are scheduled by priority (every rung at the
first seed, then the tightened variants, then the other seeds); a run whose estimated cost would
pass ``--budget`` is recorded as ``skipped: suite budget``, so the suite ends in time.

Usage::

    python benchmarks/suite.py --quick          # small rungs, 5 s limits: under 3 minutes
    python benchmarks/suite.py                  # the full ladder: under 30 minutes on 2 cores
    python benchmarks/suite.py --rungs 521,2000 --seeds 0 --time-limit 60 --out /tmp/s
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from procmem import peak_rss_mb, vmhwm_mb

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HIGHS_RUNNER = HERE / "peers" / "highs_runner.py"
DEFAULT_OUT = HERE / "results" / "suite"
SOLVERS = ("cpsat1", "cpsat2", "auto2", "highs", "greedy")
DEFAULT_SOLVERS = ("cpsat1", "cpsat2", "highs", "greedy")
LABEL = {
    "cpsat1": "CP-SAT 1w",
    "cpsat2": "CP-SAT 2w",
    "auto2": "auto 2w",
    "highs": "HiGHS 1t",
    "greedy": "greedy",
}
#: ``teamsolver.solve(backend=...)`` of each engine column.
BACKEND = {"cpsat1": "cp-sat", "cpsat2": "cp-sat", "auto2": "auto"}
QUICK_LIMIT = 5.0
FULL_BUDGET = 28 * 60.0
QUICK_BUDGET = 150.0


# --------------------------------------------------------------------------------------------
# The ladder


@dataclass(frozen=True)
class Rung:
    """One scale of the ladder: a generator preset with overrides."""

    members: int  # nominal scale, the rung's label
    shape: str  # "1 round" or "multi-round"
    preset: str
    knobs: tuple[tuple[str, int], ...]
    limit: float  # search time limit of the full run, seconds
    build_est: float  # rough model build time (s), for the budget until measured
    tight: bool = False  # also run the tightened variant (tighten=1)
    quick: bool = False  # part of --quick

    @property
    def key(self) -> str:
        return f"{self.members}/{'1r' if self.shape == '1 round' else 'mr'}"


def _k(**knobs: int) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(knobs.items()))


LADDER: tuple[Rung, ...] = (
    Rung(20, "1 round", "tiny", _k(), 5, 0.1, tight=True, quick=True),
    Rung(20, "multi-round", "tiny", _k(rounds=3), 5, 0.1, tight=True, quick=True),
    Rung(60, "1 round", "university", _k(rounds=1), 5, 0.1, tight=True, quick=True),
    Rung(60, "multi-round", "university", _k(), 10, 1.0, tight=True, quick=True),
    Rung(300, "1 round", "year", _k(rounds=1), 10, 0.5, tight=True, quick=True),
    Rung(300, "multi-round", "year", _k(), 10, 3.0, tight=True),
    Rung(521, "1 round", "city", _k(), 10, 0.7, tight=True),
    Rung(521, "multi-round", "city", _k(rounds=3), 10, 10.0),
    Rung(2000, "1 round", "city", _k(members=2000, groups=50), 15, 6.0, tight=True),
    Rung(2000, "multi-round", "year", _k(members=2000, groups=40), 15, 320.0),
    Rung(7000, "1 round", "province", _k(), 20, 30.0),
    Rung(7000, "multi-round", "province", _k(rounds=2), 20, 600.0),
    Rung(10000, "1 round", "province", _k(members=10000), 20, 45.0),
    Rung(10000, "multi-round", "province", _k(members=10000, rounds=2), 20, 900.0),
)


#: Golfer cases (names of ``benchmarks/golfer.py``'s ``CASES``), those of --quick, and their
#: time limit: 30 s, above the engine's light-presolve threshold (20 s), which would turn
#: symmetry detection off and hide what the family measures (benchmarks/golfer.py).
GOLFER_CASES = ("g9", "g16-4", "kirkman", "g16", "g25")
GOLFER_QUICK = ("g9", "g16-4", "kirkman")
GOLFER_LIMIT = 30.0
GOLFER_SOLVERS = {"cpsat2": "engine", "naive2": "naive"}  # column -> benchmarks/golfer.py's
GOLFER_WORKERS = 2
GOLFER_FIELDS: tuple[str, ...] = (
    "case",
    "members",
    "group_size",
    "rounds",
    "seed",
    "solver",
    "threads",
    "time_limit_s",
    "status",
    "first_total_s",
    "greedy_s",
    "build_s",
    "wall_s",
    "peak_rss_mb",
    "load_avg_1m",
    "note",
)


@dataclass(frozen=True)
class Case:
    rung: Rung
    seed: int
    tighten: float

    @property
    def id(self) -> str:
        tag = "-tight" if self.tighten else ""
        r = self.rung
        return f"{r.preset}-{r.members}-{r.key.split('/')[1]}{tag}-s{self.seed}"


def schedule(rungs: list[Rung], seeds: list[int], tight: bool, build_limit: float) -> list[Case]:
    """Cases by priority, so that a budget cuts the least informative ones:

    1. the first seed of every rung below 2,000 members, then of the big rungs;
    2. the tightened variants at the first seed;
    3. rungs whose model is expected to take longer than ``build_limit`` to build (the probe
       that records it);
    4. the other seeds below 2,000 members, then of the big rungs (every rung at 3 seeds);
    5. the other seeds of the tightened variants.
    """
    first, rest = seeds[:1], seeds[1:]
    fits = [r for r in rungs if r.build_est <= build_limit]
    probes = [r for r in rungs if r.build_est > build_limit]
    small = [r for r in fits if r.members < 2000]
    big = [r for r in fits if r.members >= 2000]
    out: list[Case] = [Case(r, s, 0.0) for s in first for r in [*small, *big]]
    if tight:
        out += [Case(r, s, 1.0) for s in first for r in fits if r.tight]
    out += [Case(r, s, 0.0) for s in first for r in probes]
    out += [Case(r, s, 0.0) for s in rest for r in small]
    out += [Case(r, s, 0.0) for s in rest for r in [*big, *probes]]
    if tight:
        out += [Case(r, s, 1.0) for s in rest for r in small if r.tight]
        out += [Case(r, s, 1.0) for s in rest for r in big if r.tight]
    return out


# --------------------------------------------------------------------------------------------
# Children (each runs in a fresh process: ``suite.py --child KIND ...``)


def _seats(roster: Any) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") for s in roster.seats]


def child_export(instance: Path, work: Path) -> None:
    """Build the engine's model (the build probe), export its linear form."""
    sys.path.insert(0, str(HERE))
    import linear_form

    import teamsolver
    from teamsolver.engine.model import Model

    inst = teamsolver.load(instance)
    start = time.perf_counter()
    model = Model(inst)
    build_s = time.perf_counter() - start
    (work / "built.json").write_text(json.dumps({"build_s": build_s}))
    start = time.perf_counter()
    form = linear_form.export(model, name=instance.parent.name)
    export_s = time.perf_counter() - start
    start = time.perf_counter()
    linear_form.write(form, work / "form.npz")
    (work / "seats.json").write_text(json.dumps({"seats": form["seats"]}))
    write_s = time.perf_counter() - start
    out = {
        "build_s": build_s,
        "export_s": export_s,
        "write_s": write_s,
        "form_mb": (work / "form.npz").stat().st_size / 2**20,
        "seat_vars": len(model.x),
        "cp_vars": len(model.cp.proto.variables),
        "cp_constraints": len(model.cp.proto.constraints),
        **{k: v for k, v in form["stats"].items() if k != "cp_constraints"},
        "peak_rss_mb": peak_rss_mb(),
    }
    (work / "export.json").write_text(json.dumps(out))


def child_cpsat(
    instance: Path, out: Path, time_limit: float, workers: int, backend: str = "cp-sat"
) -> None:
    """``teamsolver.solve``; the search itself (``engine.solve.solve_model``: stages 1–3) is
    timed apart from validation, the model build and the scoring of the roster, and ortools is
    imported before the clock starts (as highspy is for HiGHS)."""
    import teamsolver
    import teamsolver.engine.model  # ortools, imported before the clock starts
    from teamsolver.engine import solve as engine_solve

    inst = teamsolver.load(instance)
    progress: list[list[float]] = []
    search: dict[str, float] = {}
    original = engine_solve.solve_model

    def timed(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            search["s"] = time.perf_counter() - t

    engine_solve.solve_model = timed  # teamsolver.solve looks it up at each call

    def on_progress(p: Any) -> None:
        progress.append([p.elapsed_s, p.objective, p.bound])

    start = time.perf_counter()
    res = teamsolver.solve(
        inst,
        time_limit=time_limit,
        workers=workers,
        seed=0,
        on_progress=on_progress,
        backend=backend,  # type: ignore[arg-type]
    )
    call_s = time.perf_counter() - start
    doc = {
        "status": res.status,
        "objective": res.objective,
        "solver_objective": res.solver_objective,
        "bound": res.bound,
        "build_s": res.build_time_s,
        "first_s": res.first_solution_s,
        "greedy_s": res.greedy_time_s,
        "first_roster_s": res.first_roster_s,
        "search_s": search.get("s"),
        "call_s": call_s,
        "solutions": res.solutions,
        "progress": progress,
        "stats": res.stats,
        "found_by": res.stats.get("backend"),
        "roster": _seats(res.roster),
        "peak_rss_mb": peak_rss_mb(),
    }
    out.write_text(json.dumps(doc))


def child_greedy(instance: Path, out: Path) -> None:
    sys.path.insert(0, str(HERE / "peers"))
    import greedy

    import teamsolver

    inst = teamsolver.load(instance)
    start = time.perf_counter()
    roster = greedy.plan(inst)
    plan_s = time.perf_counter() - start
    doc = {"plan_s": plan_s, "roster": _seats(roster), "peak_rss_mb": peak_rss_mb()}
    out.write_text(json.dumps(doc))
    assert "ortools" not in " ".join(sys.modules), "the greedy planner must not use ortools"


def child_golfer(name: str, solver: str, seed: int, limit: float, out: Path) -> None:
    """One golfer case and seed by the engine or the naive peer (``benchmarks/golfer.py``,
    which re-checks the roster and exits non-zero on a violation)."""
    sys.path.insert(0, str(HERE))
    import golfer

    case = {c.name: c for c in golfer.CASES}[name]
    run = golfer.run_one(case, GOLFER_SOLVERS[solver], seed, limit, GOLFER_WORKERS)
    doc = {
        "members": case.members,
        "group_size": case.group_size,
        "rounds": case.rounds,
        "first_s": run.first_s,
        "greedy_s": run.greedy_s,
        "build_s": run.build_s,
        "peak_rss_mb": peak_rss_mb(),
    }
    out.write_text(json.dumps(doc))


def run_golfer(
    names: list[str], seeds: list[int], limit: float, args: argparse.Namespace, tmp: Path
) -> list[dict[str, Any]]:
    """Every golfer case, seed and solver (engine, naive peer), each in a child with a hard
    timeout (the limit twice, and a minute); one row each."""
    me = [sys.executable, str(Path(__file__).resolve())]
    rows: list[dict[str, Any]] = []
    for name in names:
        for seed in seeds:
            for solver in GOLFER_SOLVERS:
                out = tmp / f"golfer-{name}-{seed}-{solver}.json"
                load = round(os.getloadavg()[0], 2)
                child = Child(
                    [*me, "--child", "golfer", name, solver, str(seed), str(limit), str(out)],
                    tmp / f"golfer-{name}-{seed}-{solver}.log",
                    timeout=2 * limit + 60,
                    memory_limit=args.memory_limit,
                )
                run = wait_all([child])[0]
                doc = json.loads(out.read_text()) if run.kind == "ok" else {}
                first = doc.get("first_s")
                status = "FEASIBLE" if first is not None else "UNKNOWN"
                rows.append(
                    {
                        "case": name,
                        "members": doc.get("members"),
                        "group_size": doc.get("group_size"),
                        "rounds": doc.get("rounds"),
                        "seed": seed,
                        "solver": solver,
                        "threads": GOLFER_WORKERS,
                        "time_limit_s": limit,
                        "status": status if run.kind == "ok" else run.kind,
                        "first_total_s": first,
                        "greedy_s": doc.get("greedy_s"),
                        "build_s": doc.get("build_s"),
                        "wall_s": run.wall_s,
                        "peak_rss_mb": doc.get("peak_rss_mb") or run.peak_mb,
                        "load_avg_1m": load,
                        "note": run.message or None,
                    }
                )
                shown = "none" if first is None else f"{first:.2f} s"
                print(
                    f"  golfer {name} seed {seed} {solver}: {shown} {run.message}", file=sys.stderr
                )
    return rows


def golfer_markdown(rows: list[dict[str, Any]], limit: float) -> str:
    """The family's section of OUT.md: per case, the median time to the first roster of the
    engine and of the naive peer (a seed without a roster counts as the limit), and the
    engine's time as a multiple of the peer's."""
    lines = [
        "## Golfer plans: time to the first roster (s), engine against the naive model",
        "",
        f"Members alike, everyone every round, no-repeat-pairing hard; limit {limit:g} s, "
        f"{GOLFER_WORKERS} workers each. Bold: the median over the seeds (a seed without a "
        f"roster counts as the limit, `>T` when most have none); then seeds solved and each "
        f"seed's time. Every roster passed `teamsolver.check`.",
        "",
        "| case | members / size / rounds | engine (CP-SAT 2w) | naive CP-SAT 2w "
        "| engine ÷ naive |",
        "|---|---|---:|---:|---:|",
    ]
    for name in dict.fromkeys(r["case"] for r in rows):
        mine = [r for r in rows if r["case"] == name]
        cells: list[str] = []
        medians: list[float | None] = []
        for solver in GOLFER_SOLVERS:
            runs = [r for r in mine if r["solver"] == solver]
            times = [r["first_total_s"] for r in runs]
            solved = sum(t is not None for t in times)
            med = statistics.median(t if t is not None else limit for t in times)
            medians.append(med if solved * 2 > len(times) else None)
            each = " / ".join(f"{t:.1f}" if t is not None else f">{limit:g}" for t in times)
            shown = f"{med:.1f}" if solved * 2 > len(times) else f">{limit:g}"
            cells.append(f"**{shown}** ({solved}/{len(times)}: {each})")
        engine, peer = medians
        ratio = "–" if engine is None or peer is None else f"{engine / max(peer, 0.01):.2f}×"
        first = mine[0]
        size = f"{first['members']} / {first['group_size']} / {first['rounds']}"
        lines.append(f"| {name} | {size} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(lines) + "\n"


def write_golfer_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(GOLFER_FIELDS))
        w.writeheader()
        for r in rows:
            w.writerow({k: _csv(r.get(k)) for k in GOLFER_FIELDS})


# --------------------------------------------------------------------------------------------
# Running a child with a hard timeout


@dataclass
class Run:
    kind: str  # ok, timeout, crash, build, memory
    wall_s: float
    peak_mb: float | None
    message: str = ""
    built_s: float | None = None


class Child:
    """A child process in its own session: polled for its peak memory, killed at its deadline."""

    def __init__(self, cmd: list[str], log: Path, timeout: float, memory_limit: float):
        self.log = log
        self.fh = log.open("w")
        env = {
            **os.environ,
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, stdout=self.fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.peak: float | None = None
        self.result: Run | None = None
        self.built_marker: Path | None = None
        self.build_limit: float | None = None
        self.built_s: float | None = None

    def _poll_peak(self) -> None:
        mb = vmhwm_mb(self.proc.pid)
        if mb is not None:
            self.peak = mb if self.peak is None else max(self.peak, mb)

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the child's own session, started here
        self.proc.wait()

    def poll(self) -> Run | None:
        if self.result is not None:
            return self.result
        self._poll_peak()
        elapsed = time.perf_counter() - self.start
        code = self.proc.poll()
        if code is not None:
            self.fh.close()
            tail = self.log.read_text(errors="replace").strip().splitlines()[-3:]
            kind = "ok" if code == 0 else "crash"
            msg = "" if code == 0 else f"exit {code}: " + " | ".join(tail)[-300:]
            self.result = Run(kind, elapsed, self.peak, msg, self.built_s)
            return self.result
        if self.built_marker is not None and self.built_s is None:
            if self.built_marker.exists():
                self.built_s = json.loads(self.built_marker.read_text())["build_s"]
            elif self.build_limit is not None and elapsed > self.build_limit:
                self._kill()
                self.fh.close()
                self.result = Run("build", elapsed, self.peak, f"build > {self.build_limit:g} s")
                return self.result
        if self.peak is not None and self.peak > self.memory_limit:
            self._kill()
            self.fh.close()
            msg = f"memory > {self.memory_limit:g} MB"
            self.result = Run("memory", elapsed, self.peak, msg, self.built_s)
            return self.result
        if elapsed > self.timeout:
            self._kill()
            self.fh.close()
            msg = f"killed after {elapsed:.0f} s"
            self.result = Run("timeout", elapsed, self.peak, msg, self.built_s)
            return self.result
        return None


def wait_all(children: list[Child]) -> list[Run]:
    while True:
        runs = [c.poll() for c in children]
        if all(r is not None for r in runs):
            return [r for r in runs if r is not None]
        time.sleep(0.1)


# --------------------------------------------------------------------------------------------
# Figures


FIELDS: tuple[str, ...] = (
    "case",
    "rung",
    "shape",
    "preset",
    "members",
    "groups",
    "rounds",
    "seats_planted",
    "tighten",
    "seed",
    "solver",
    "threads",
    "time_limit_s",
    "status",
    "verdict",
    "hard_violations",
    "objective",
    "objective_raw",
    "solver_objective",
    "bound",
    "best_bound",
    "lp_bound",
    "gap",
    "build_s",
    "first_s",
    "first_total_s",
    "first_clean",
    "optimal_s",
    "search_s",
    "wall_s",
    "peak_rss_mb",
    "seat_vars",
    "cols",
    "rows",
    "nonzeros",
    "objective_check",
    "load_avg_1m",
    "case_s",
    "note",
)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, objective - bound) / max(1.0, abs(objective))


def check_roster(inst: Any, seats: list[dict[str, Any]] | Any) -> tuple[int, int, list[str]]:
    """(hard violations, scorer objective, first messages) of a roster."""
    import teamsolver
    from teamsolver.audit import hard_violations

    roster = (
        seats
        if isinstance(seats, teamsolver.Roster)
        else teamsolver.Roster.of(teamsolver.Seat(**s) for s in seats)
    )
    hard = hard_violations(inst, teamsolver.check(inst, roster))
    return len(hard), teamsolver.objective(inst, roster), [str(v) for v in hard[:3]]


def highs_status(doc: dict[str, Any]) -> str:
    if doc.get("optimal"):
        return "OPTIMAL"
    st = str(doc.get("status", ""))
    if "nfeasible" in st:
        return "INFEASIBLE"
    return "FEASIBLE" if doc.get("values") is not None else "UNKNOWN"


@dataclass
class Outcome:
    rows: list[dict[str, Any]] = field(default_factory=list)
    cost_s: float = 0.0
    build_failed: str | None = None


def run_case(case: Case, args: argparse.Namespace, tmp: Path, limit: float) -> Outcome:
    """Every solver on one instance; one row per solver."""
    import teamsolver
    from teamsolver.generate import generate_plan

    case_start = time.perf_counter()
    rung = case.rung
    work = tmp / case.id
    work.mkdir(parents=True, exist_ok=True)
    inst, planted = generate_plan(rung.preset, case.seed, tighten=case.tighten, **dict(rung.knobs))
    instance = work / "instance.json"
    teamsolver.save(inst, instance)
    base = {
        "case": case.id,
        "rung": rung.members,
        "shape": rung.shape,
        "preset": rung.preset,
        "members": len(inst.members),
        "groups": len(inst.groups),
        "rounds": len(inst.rounds),
        "seats_planted": len(planted),
        "tighten": case.tighten,
        "seed": case.seed,
        "time_limit_s": limit,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    solvers = args.solver_list
    me = [sys.executable, str(Path(__file__).resolve())]
    mem = args.memory_limit

    # Phase A: the build probe and the linear form; the greedy planner beside it.
    export = Child(
        [*me, "--child", "export", str(instance), str(work)],
        work / "export.log",
        timeout=args.build_limit * 4 + 120,
        memory_limit=mem,
    )
    export.built_marker = work / "built.json"
    export.build_limit = args.build_limit
    if args.serial:
        wait_all([export])
    children = [export]
    greedy_child = None
    if "greedy" in solvers:
        greedy_child = Child(
            [*me, "--child", "greedy", str(instance), str(work / "greedy.json")],
            work / "greedy.log",
            timeout=600,
            memory_limit=mem,
        )
        if args.serial:
            wait_all([greedy_child])
        children.append(greedy_child)
    runs = wait_all(children)
    ex_run = runs[0]
    ex: dict[str, Any] = {}
    if ex_run.kind == "ok":
        ex = json.loads((work / "export.json").read_text())
    model_stats = {
        "seat_vars": ex.get("seat_vars"),
        "cols": ex.get("cols"),
        "rows": ex.get("rows"),
        "nonzeros": ex.get("nonzeros"),
    }
    outcome = Outcome()
    rows: dict[str, dict[str, Any]] = {}
    if ex_run.kind != "ok" and ex_run.built_s is None:  # the model was never built
        note = (
            f"skipped: {ex_run.message}"
            if ex_run.kind in ("build", "memory")
            else f"skipped: build {ex_run.kind} {ex_run.message}"
        )
        outcome.build_failed = note
        for s in solvers:
            if s == "greedy" and greedy_child is not None:
                continue
            rows[s] = {**base, "solver": s, "status": "skipped", "note": note}
    build_s = ex.get("build_s", ex_run.built_s or rung.build_est)

    # Phase B: CP-SAT with 1 worker beside HiGHS (one thread each); phase C: CP-SAT 2 workers.
    cp_limit = limit + build_s * 1.1 + 1.0
    lp_limit = max(2.0, limit / 2)
    if outcome.build_failed is None:
        phase_b: list[tuple[str, Child]] = []
        if "cpsat1" in solvers:
            phase_b.append(("cpsat1", _cpsat_child(me, instance, work, cp_limit, 1, mem)))
            if args.serial:
                wait_all([phase_b[-1][1]])
        if "highs" in solvers and ex_run.kind == "ok":
            phase_b.append(
                (
                    "highs",
                    Child(
                        [
                            sys.executable,
                            str(HIGHS_RUNNER),
                            str(work / "form.npz"),
                            str(work / "highs.json"),
                            "--time-limit",
                            f"{limit:g}",
                            "--lp-time-limit",
                            f"{lp_limit:g}",
                            "--threads",
                            "1",
                        ],
                        work / "highs.log",
                        timeout=limit + lp_limit + 60 + 3 * (ex.get("write_s", 1) or 1),
                        memory_limit=mem,
                    ),
                )
            )
        b_runs = wait_all([c for _, c in phase_b])
        phase = dict(zip([s for s, _ in phase_b], b_runs, strict=True))
        for name in ("cpsat2", "auto2"):
            if name in solvers:
                child = _cpsat_child(me, instance, work, cp_limit, 2, mem, name)
                phase[name] = wait_all([child])[0]
        for s, run in phase.items():
            if s == "highs":
                rows[s] = _highs_row(base, inst, work, run, ex, limit)
            else:
                rows[s] = _cpsat_row(base, s, inst, work, run, limit)
        if "highs" in solvers and "highs" not in rows:
            rows["highs"] = {
                **base,
                "solver": "highs",
                "status": "skipped",
                "note": f"no linear form: export {ex_run.kind} {ex_run.message}",
            }
    if greedy_child is not None and greedy_child.result is not None:
        rows["greedy"] = _greedy_row(base, inst, work, greedy_child.result)

    # Yardsticks: the best bound of all (CP-SAT, HiGHS MIP, LP relaxation).
    lp = rows.get("highs", {}).get("lp_bound")
    found = [r.get("bound") for r in rows.values() if r.get("solver") != "greedy"]
    bounds: list[float] = [float(b) for b in [*found, lp] if b is not None]
    best = max(bounds) if bounds else None
    best_obj = min(
        (r["objective"] for r in rows.values() if r.get("objective") is not None), default=None
    )
    for s in solvers:
        row = rows.get(s)
        if row is None:
            continue
        row.update(model_stats)
        row["best_bound"] = best
        row["lp_bound"] = lp
        row["gap"] = relative_gap(row.get("objective"), best)
        if best is not None and best_obj is not None and best > best_obj + 1e-6:
            row["note"] = (row.get("note") or "") + f" BOUND {best:g} > best roster {best_obj}"
        outcome.rows.append({k: row.get(k) for k in FIELDS})
    outcome.cost_s = time.perf_counter() - case_start
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return outcome


def _cpsat_child(
    me: list[str],
    instance: Path,
    work: Path,
    limit: float,
    workers: int,
    mem: float,
    name: str | None = None,
) -> Child:
    name = name or f"cpsat{workers}"
    return Child(
        [*me, "--child", name, str(instance), str(work / f"{name}.json"), f"{limit:g}"],
        work / f"{name}.log",
        timeout=limit * 1.5 + 60,
        memory_limit=mem,
    )


def _failed(base: dict[str, Any], solver: str, run: Run, peak: float | None) -> dict[str, Any]:
    return {
        **base,
        "solver": solver,
        "status": run.kind,
        "verdict": "no roster",
        "wall_s": run.wall_s,
        "peak_rss_mb": peak,
        "note": run.message,
    }


def _cpsat_row(
    base: dict[str, Any], solver: str, inst: Any, work: Path, run: Run, limit: float
) -> dict[str, Any]:
    threads = 1 if solver == "cpsat1" else 2
    if run.kind != "ok":
        return {**_failed(base, solver, run, run.peak_mb), "threads": threads}
    doc = json.loads((work / f"{solver}.json").read_text())
    row: dict[str, Any] = {
        **base,
        "solver": solver,
        "threads": threads,
        "status": doc["status"],
        "solver_objective": doc["solver_objective"],
        "bound": doc["bound"],
        "build_s": doc["build_s"],
        "search_s": doc["search_s"],
        "wall_s": run.wall_s,
        "peak_rss_mb": doc["peak_rss_mb"],
        "note": f"roster by {doc['found_by']}" if solver == "auto2" and doc.get("found_by") else "",
    }
    if doc["first_s"] is not None:
        # The engine's own greedy runs before the model is built: it is search time too, so
        # *first* is greedy + time into the CP-SAT search (0 there when the greedy's roster
        # was kept), and *first_total* is from the call, whatever found the roster.
        row["first_s"] = (doc.get("greedy_s") or 0.0) + doc["first_s"]
        row["first_total_s"] = doc.get("first_roster_s") or doc["build_s"] + doc["first_s"]
    if doc["status"] == "OPTIMAL":
        row["optimal_s"] = row["search_s"]
    _judge(row, inst, doc["roster"] if doc["roster"] else None)
    if row["verdict"] == "clean":
        row["first_clean"] = True  # every CP-SAT roster satisfies the model's hard rules
        so, obj = doc["solver_objective"], row["objective"]
        if so is not None and obj is not None:
            if doc["status"] == "OPTIMAL" and so != obj:
                row["objective_check"] = f"MISMATCH optimal solver {so} != scorer {obj}"
            elif obj > so:
                row["objective_check"] = f"MISMATCH scorer {obj} > solver {so}"
            else:
                row["objective_check"] = "ok" if so == obj else f"ok (solver {so} ≥ scorer)"
    return row


def _judge(row: dict[str, Any], inst: Any, seats: Any) -> None:
    """Checker verdict; a roster that fails does not count (no objective)."""
    if seats is None:
        row["verdict"] = "no roster"
        return
    hard, obj, msgs = check_roster(inst, seats)
    row["hard_violations"] = hard
    row["objective_raw"] = obj
    if hard:
        row["verdict"] = f"{hard} hard violations"
        row["note"] = ((row.get("note") or "") + " " + "; ".join(msgs)[:300]).strip()
    else:
        row["verdict"] = "clean"
        row["objective"] = obj


def _highs_row(
    base: dict[str, Any], inst: Any, work: Path, run: Run, ex: dict[str, Any], limit: float
) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import linear_form

    if run.kind != "ok":
        return {**_failed(base, "highs", run, run.peak_mb), "threads": 1}
    doc = json.loads((work / "highs.json").read_text())
    seats_map = json.loads((work / "seats.json").read_text())
    build_s = ex["build_s"] + ex["export_s"] + ex["write_s"] + doc["read_s"] + doc["pass_s"]
    row: dict[str, Any] = {
        **base,
        "solver": "highs",
        "threads": 1,
        "status": highs_status(doc),
        "solver_objective": doc["objective"],
        "bound": doc["mip_bound"],
        "lp_bound": doc["lp"]["objective"],
        "build_s": build_s,
        "first_s": doc["first_s"],
        "search_s": doc["mip_s"],
        "wall_s": run.wall_s,
        "peak_rss_mb": doc["peak_rss_mb"],
        "note": f"LP {doc['lp']['status']} in {doc['lp']['time_s'] or 0:.1f} s",
    }
    if doc["first_s"] is not None:
        row["first_total_s"] = build_s + doc["first_s"]
    if row["status"] == "OPTIMAL":
        row["optimal_s"] = doc["mip_s"]
    if doc["values"] is None:
        row["verdict"] = "no roster"
        return row
    values = doc["values"]
    roster = linear_form.roster(inst, seats_map, values)
    _judge(row, inst, roster)
    if doc.get("first_values"):
        first = {int(k): v for k, v in doc["first_values"].items()}
        first_roster = linear_form.roster(inst, seats_map, _Sparse(first))
        hard, _, msgs = check_roster(inst, first_roster)
        row["first_clean"] = hard == 0
        if hard:
            row["first_total_s"] = None
            row["note"] += f"; FIRST INCUMBENT FAILS THE CHECKER: {'; '.join(msgs)[:200]}"
    if row["verdict"] == "clean":
        mip, obj = doc["objective"], row["objective"]
        if mip is not None and obj is not None:
            if row["status"] == "OPTIMAL" and abs(mip - obj) > 0.5:
                row["objective_check"] = f"MISMATCH optimal MIP {mip:g} != scorer {obj}"
            elif obj > mip + 0.5:
                row["objective_check"] = f"MISMATCH scorer {obj} > MIP {mip:g}"
            else:
                row["objective_check"] = (
                    "ok" if abs(mip - obj) <= 0.5 else f"ok (MIP {mip:g} ≥ scorer)"
                )
    return row


class _Sparse(dict[int, float]):
    """Values of the seat and role columns only; other columns read as 0."""

    def __getitem__(self, key: int) -> float:
        return self.get(key, 0.0)


def _greedy_row(base: dict[str, Any], inst: Any, work: Path, run: Run) -> dict[str, Any]:
    if run.kind != "ok":
        return {**_failed(base, "greedy", run, run.peak_mb), "threads": 1}
    doc = json.loads((work / "greedy.json").read_text())
    row: dict[str, Any] = {
        **base,
        "solver": "greedy",
        "threads": 1,
        "status": "ROSTER",
        "build_s": 0.0,
        "first_s": doc["plan_s"],
        "first_total_s": doc["plan_s"],
        "search_s": doc["plan_s"],
        "wall_s": run.wall_s,
        "peak_rss_mb": doc["peak_rss_mb"],
        "note": "",
    }
    _judge(row, inst, doc["roster"])
    row["first_clean"] = row["verdict"] == "clean"
    return row


def skipped_rows(
    case: Case, args: argparse.Namespace, note: str, limit: float
) -> list[dict[str, Any]]:
    r = case.rung
    return [
        {
            k: v
            for k, v in {
                "case": case.id,
                "rung": r.members,
                "shape": r.shape,
                "preset": r.preset,
                "tighten": case.tighten,
                "seed": case.seed,
                "solver": s,
                "time_limit_s": limit,
                "status": "skipped",
                "note": note,
            }.items()
        }
        for s in args.solver_list
    ]


# --------------------------------------------------------------------------------------------
# Reports


def fmt(v: Any, digits: int = 2) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, float):
        if math.isnan(v):
            return "—"
        return f"{v:.{digits}f}"
    return str(v)


def fnum(row: dict[str, Any], key: str) -> float | None:
    v = row.get(key)
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def time_ratio(a: dict[str, Any], b: dict[str, Any], key: str) -> str:
    """a/b of a time; when only one side reached it, a bound on the ratio."""
    ta, tb = fnum(a, key), fnum(b, key)
    if ta is not None and tb is not None:
        return f"{ta / max(tb, 0.01):.2g}"
    if key == "optimal_s":
        la, lb = fnum(a, "search_s"), fnum(b, "search_s")
        if ta is None and tb is not None and la is not None and a.get("objective") is not None:
            return f"> {la / max(tb, 0.01):.2g}"
        if tb is None and ta is not None and lb is not None and b.get("objective") is not None:
            return f"< {ta / max(lb, 0.01):.2g}"
    return "—"


def excess_ratio(a: dict[str, Any], b: dict[str, Any]) -> str:
    """(objective − best bound) of a over that of b: below 1, a is closer to the optimum."""
    oa, ob, lb = fnum(a, "objective"), fnum(b, "objective"), fnum(a, "best_bound")
    if oa is None or ob is None or lb is None:
        return "—" if oa is None or ob is not None else "only CP-SAT"
    ea, eb = oa - lb, ob - lb
    if eb <= 0.5:
        return "1" if ea <= 0.5 else "∞"
    return f"{ea / eb:.2g}"


def write_markdown(rows: list[dict[str, Any]], meta: dict[str, Any], path: Path) -> None:
    by_case: dict[str, dict[str, dict[str, Any]]] = {}
    not_run: dict[str, list[str]] = {}  # reason -> cases never generated
    for r in rows:
        if r.get("members") is None and str(r.get("status")) == "skipped":
            reason = str(r.get("note") or "skipped")
            reason = reason.split(" (estimated")[0]
            if r["case"] not in not_run.setdefault(reason, []):
                not_run[reason].append(r["case"])
            continue
        by_case.setdefault(r["case"], {})[r["solver"]] = r
    has_auto = any("auto2" in solvers for solvers in by_case.values())
    auto_h, auto_r = (" auto 2w |", "---:|") if has_auto else ("", "")
    lines = [
        "# Benchmark suite: CP-SAT (teamsolver) against HiGHS and a careful-person greedy",
        "",
        f"Run on {meta['date']} — {meta['machine']}; Python {meta['python']}, "
        f"ortools {meta['ortools']}, highspy {meta['highspy']}; teamsolver {meta['commit']}. "
        f"Load average (1 min) {meta['load_start']:.2f} at the start, {meta['load_end']:.2f} at "
        f"the end, {meta['load_max']:.2f} at most (other work shares the machine).",
        "",
        f"Command: `{meta['command']}` — {meta['cases_run']} instances run, "
        f"{meta['cases_skipped']} skipped, in {meta['wall_min']:.1f} min (budget "
        f"{meta['budget_min']:.0f} min). Time limits (search, per solver): {meta['limits']}. "
        "CP-SAT gets the limit plus its model build time; HiGHS gets the limit for the MIP and "
        "half of it for the LP relaxation. Times are seconds; *first* and *optimum* count from "
        "the start of the search (the build is its own column); gaps are relative to the best "
        "bound known for the instance (the largest of CP-SAT's, HiGHS's and the LP bound).",
        "",
        "## Summary",
        "",
        "Ratios are CP-SAT 2 workers over HiGHS: *t-opt* of the time to the proven optimum "
        "(`> x`: CP-SAT did not prove it, so at least x), *t-first* of the time to the first "
        "checked roster, *excess* of the distance of the objective from the best bound (below 1: "
        "CP-SAT closer to the optimum; ∞: HiGHS optimal, CP-SAT not). *greedy* is the "
        "careful-person floor (✗: its roster fails the checker).",
        "",
        f"| instance | members × groups | best bound | LP bound | CP-SAT 1w | CP-SAT 2w |{auto_h}"
        " HiGHS | greedy | gap 2w | gap HiGHS | t-opt 2w/HiGHS | t-first 2w/HiGHS "
        "| excess 2w/HiGHS | best |",
        f"|---|---:|---:|---:|---:|---:|{auto_r}---:|---:|---:|---:|---:|---:|---:|---|",
    ]

    def obj(r: dict[str, Any] | None) -> str:
        if r is None:
            return "—"
        if str(r.get("status", "")).startswith("skipped"):
            return "skipped"
        if r.get("objective") is not None:
            star = "*" if r.get("status") == "OPTIMAL" else ""
            return f"{fmt(r['objective'])}{star}"
        if r.get("verdict", "").endswith("violations"):
            return f"✗ ({fmt(r.get('objective_raw'))})"
        return str(r.get("status") or "—")

    for case, solvers in by_case.items():
        any_row = next(iter(solvers.values()))
        c2, hi = solvers.get("cpsat2", {}), solvers.get("highs", {})
        size = (
            f"{any_row.get('members')} × {any_row.get('groups')}"
            if any_row.get("members")
            else f"~{any_row.get('rung')}"
        )
        solved = [r for s, r in solvers.items() if s != "greedy"]
        if all(str(r.get("status", "")).startswith("skipped") for r in solved):
            note = solved[0].get("note") if solved else any_row.get("note")
            lines.append(
                f"| {case} | {size} | — | — | {note} | |{' |' if has_auto else ''} | "
                f"{obj(solvers.get('greedy'))} | | | | | | {best_of(solvers)} |"
            )
            continue
        lines.append(
            f"| {case} | {size} | {fmt(any_row.get('best_bound'), 0)} | "
            f"{fmt(any_row.get('lp_bound'), 1)} | {obj(solvers.get('cpsat1'))} | {obj(c2)} | "
            + (f"{obj(solvers.get('auto2'))} | " if has_auto else "")
            + f"{obj(hi)} | {obj(solvers.get('greedy'))} | {fmt(c2.get('gap'), 3)} | "
            f"{fmt(hi.get('gap'), 3)} | {time_ratio(c2, hi, 'optimal_s')} | "
            f"{time_ratio(c2, hi, 'first_s')} | {excess_ratio(c2, hi)} | {best_of(solvers)} |"
        )
    lines += [
        "",
        "\\* proven optimal. *best*: the solver(s) with the best checker-clean roster.",
        "",
    ]
    lines += by_rung(by_case)
    for reason, cases in not_run.items():
        lines += [f"Not run ({reason.removeprefix('skipped: ')}): {', '.join(cases)}.", ""]
    lines += _rates(rows)
    lines += ["", "## Per instance", ""]
    for case, solvers in by_case.items():
        any_row = next(iter(solvers.values()))
        lines += [
            f"### {case}",
            "",
            f"{any_row.get('members', '—')} members, {any_row.get('groups', '—')} groups, "
            f"{any_row.get('rounds', '—')} round(s), tighten {any_row.get('tighten')}, seed "
            f"{any_row.get('seed')}; {fmt(any_row.get('seat_vars'))} seat variables, "
            f"{fmt(any_row.get('cols'))} columns, {fmt(any_row.get('rows'))} rows; limit "
            f"{fmt(any_row.get('time_limit_s'), 0)} s; load {fmt(any_row.get('load_avg_1m'))}.",
            "",
            "| solver | status | objective | gap | build | first | optimum | peak MB "
            "| checker | note |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for s in SOLVERS:
            if s not in solvers:
                continue
            r = solvers[s]
            note = " ".join(
                x for x in (str(r.get("note") or ""), str(r.get("objective_check") or "")) if x
            )
            lines.append(
                f"| {LABEL[s]} | {r.get('status')} | {fmt(r.get('objective'))} | "
                f"{fmt(r.get('gap'), 3)} | {fmt(r.get('build_s'))} | {fmt(r.get('first_s'))} | "
                f"{fmt(r.get('optimal_s'))} | {fmt(r.get('peak_rss_mb'), 0)} | "
                f"{r.get('verdict') or '—'} | {note.replace('|', '/')} |"
            )
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def best_of(solvers: dict[str, dict[str, Any]]) -> str:
    """The solvers whose checker-clean roster has the lowest objective (— when none has one)."""
    clean = {
        s: r["objective"]
        for s, r in solvers.items()
        if r.get("verdict") == "clean" and r.get("objective") is not None
    }
    if not clean:
        return "—"
    low = min(clean.values())
    return ", ".join(LABEL[s] for s in SOLVERS if clean.get(s) == low)


def by_rung(by_case: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Per rung and variant, over its seeds: median objectives, median excess ratio, and how
    often CP-SAT 2w is best, level with the best, or behind."""
    groups: dict[str, list[dict[str, dict[str, Any]]]] = {}
    for case, solvers in by_case.items():
        groups.setdefault(case.rsplit("-s", 1)[0], []).append(solvers)
    columns = [s for s in SOLVERS if s != "auto2" or any("auto2" in c for c in by_case.values())]
    out = [
        "## Per rung (medians over the seeds run)",
        "",
        "*ahead*/*level*/*behind*: seeds where CP-SAT 2w's checked roster is better than, equal "
        "to, or worse than the best of HiGHS and the greedy (no roster counts as behind, unless "
        "no one has one).",
        "",
        f"| rung | seeds | {' | '.join(LABEL[s] for s in columns)} | excess 2w/HiGHS | "
        "CP-SAT 2w ahead / level / behind |",
        "|---|---:|" + "---:|" * len(columns) + "---:|---|",
    ]

    def med(values: list[Any]) -> float | None:
        xs = [float(v) for v in values if v is not None]
        return statistics.median(xs) if xs else None

    def clean_obj(r: dict[str, Any] | None) -> float | None:
        if not r or r.get("verdict") != "clean":
            return None
        v = r.get("objective")
        return None if v is None else float(v)

    for rung, cases in groups.items():
        ran = [
            c
            for c in cases
            if not all(
                str(r.get("status", "")).startswith("skipped")
                for s, r in c.items()
                if s != "greedy"
            )
        ]
        if not ran:
            continue
        ahead = level = behind = 0
        ratios: list[float] = []
        for c in ran:
            mine = clean_obj(c.get("cpsat2"))
            others = [clean_obj(c.get(s)) for s in ("highs", "greedy")]
            rival = min((v for v in others if v is not None), default=None)
            if mine is None:
                behind += rival is not None
            elif rival is None or mine < rival:
                ahead += 1
            elif mine == rival:
                level += 1
            else:
                behind += 1
            ratio = excess_ratio(c.get("cpsat2", {}), c.get("highs", {}))
            with contextlib.suppress(ValueError):  # "—", "only CP-SAT": no ratio
                ratios.append(math.inf if ratio == "∞" else float(ratio))
        cells = [fmt(med([clean_obj(c.get(s)) for c in ran]), 0) for s in columns]
        out.append(
            f"| {rung} | {len(ran)} | {' | '.join(cells)} | {fmt(med(ratios))} | "
            f"{ahead} / {level} / {behind} |"
        )
    return [*out, ""]


def _rates(rows: list[dict[str, Any]]) -> list[str]:
    """Feasibility and floor statistics per solver and variant."""
    out = [
        "| solver | variant | runs | clean rosters | proven optimal | beats greedy | "
        "median gap | median peak MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    greedy_obj = {r["case"]: r.get("objective") for r in rows if r["solver"] == "greedy"}
    for s in SOLVERS:
        for variant, tight in (("normal", 0.0), ("tightened", 1.0)):
            rs = [
                r
                for r in rows
                if r["solver"] == s
                and float(r.get("tighten") or 0) == tight
                and not str(r.get("status", "")).startswith("skipped")
            ]
            if not rs:
                continue
            clean = [r for r in rs if r.get("verdict") == "clean"]
            opt = [r for r in rs if r.get("status") == "OPTIMAL"]
            beats = [
                r
                for r in clean
                if s != "greedy"
                and (greedy_obj.get(r["case"]) is None or r["objective"] < greedy_obj[r["case"]])
            ]
            gaps = [r["gap"] for r in clean if r.get("gap") is not None]
            peaks = [r["peak_rss_mb"] for r in rs if r.get("peak_rss_mb") is not None]
            out.append(
                f"| {LABEL[s]} | {variant} | {len(rs)} | {len(clean)} ({len(clean) / len(rs):.0%})"
                f" | {len(opt)} | {'—' if s == 'greedy' else len(beats)} | "
                f"{fmt(statistics.median(gaps) if gaps else None, 3)} | "
                f"{fmt(statistics.median(peaks) if peaks else None, 0)} |"
            )
    return out


def plot(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {
        "cpsat1": "tab:blue",
        "cpsat2": "tab:green",
        "auto2": "tab:purple",
        "highs": "tab:red",
        "greedy": "tab:gray",
    }
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    for s in SOLVERS:
        rs = [
            r
            for r in rows
            if r["solver"] == s and r.get("members") and r.get("groups") and r.get("wall_s")
        ]
        if not rs:
            continue
        x = [r["members"] * r["groups"] for r in rs]
        c = colours[s]
        # first roster, build included
        pts = [
            (xi, r["first_total_s"]) for xi, r in zip(x, rs, strict=True) if r.get("first_total_s")
        ]
        if pts:
            axes[0].scatter(*zip(*pts, strict=True), color=c, label=LABEL[s], s=18)
            _median_line(axes[0], pts, c)
        none = [
            (xi, (r.get("build_s") or 0) + (r.get("search_s") or r.get("wall_s") or 0))
            for xi, r in zip(x, rs, strict=True)
            if not r.get("first_total_s") and r.get("status") != "skipped"
        ]
        if none:
            axes[0].scatter(
                *zip(*none, strict=True), color=c, marker="x", s=24, label=f"{LABEL[s]}: none by"
            )
        if s != "greedy":
            opt = [(xi, r["optimal_s"]) for xi, r in zip(x, rs, strict=True) if r.get("optimal_s")]
            lim = [
                (xi, r["search_s"])
                for xi, r in zip(x, rs, strict=True)
                if not r.get("optimal_s") and r.get("search_s")
            ]
            if opt:
                axes[1].scatter(*zip(*opt, strict=True), color=c, label=f"{LABEL[s]} optimal", s=18)
            if lim:
                axes[1].scatter(
                    *zip(*lim, strict=True),
                    color=c,
                    marker="x",
                    label=f"{LABEL[s]} not proven",
                    s=18,
                )
        mem = [(xi, r["peak_rss_mb"]) for xi, r in zip(x, rs, strict=True) if r.get("peak_rss_mb")]
        if mem:
            axes[2].scatter(*zip(*mem, strict=True), color=c, label=LABEL[s], s=18)
            _median_line(axes[2], mem, c)
    for ax, ylabel, t in (
        (axes[0], "seconds", "first checked roster, build included (× none by then)"),
        (axes[1], "seconds", "search: proven optimum (•) or stopped (×)"),
        (axes[2], "MB", "peak resident memory"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("members × groups")
        ax.set_ylabel(ylabel)
        ax.set_title(t, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _median_line(ax: Any, pts: list[tuple[float, float]], colour: str) -> None:
    """The median at each x, joined: the scale curve."""
    by_x: dict[float, list[float]] = {}
    for x, y in pts:
        by_x.setdefault(x, []).append(y)
    xs = sorted(by_x)
    ax.plot(xs, [statistics.median(by_x[x]) for x in xs], color=colour, alpha=0.5, lw=1)


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(FIELDS))
        w.writeheader()
        for r in rows:
            w.writerow({k: _csv(r.get(k)) for k in FIELDS})


def _csv(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 4)
    return "" if v is None else v


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "teamsolver"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        return head + ("+edits" if dirty else "")
    except OSError:
        return "unknown"


def version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "missing"


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small rungs, 5 s limits, < 3 min")
    parser.add_argument("--time-limit", type=float, help="search limit for every rung (seconds)")
    parser.add_argument("--seeds", help="generator seeds (default 0,1,2; --quick: 0)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="OUT.csv, OUT.md, OUT_scale.png"
    )
    parser.add_argument("--rungs", help="member scales to run, e.g. 20,60,521 (default: all)")
    parser.add_argument("--shapes", default="1r,mr", help="1r (one round), mr (multi-round)")
    parser.add_argument(
        "--solvers",
        default=",".join(DEFAULT_SOLVERS),
        help=f"comma-separated, of {', '.join(SOLVERS)} (default without auto2)",
    )
    parser.add_argument("--no-tight", action="store_true", help="leave out tightened variants")
    parser.add_argument(
        "--golfer",
        help=f"golfer cases (default {','.join(GOLFER_CASES)}; --quick "
        f"{','.join(GOLFER_QUICK)}), or none",
    )
    parser.add_argument(
        "--budget", type=float, help="seconds for the whole suite (28 min; quick 150 s)"
    )
    parser.add_argument("--build-limit", type=float, help="seconds to build a model (60; quick 20)")
    parser.add_argument("--memory-limit", type=float, default=8000.0, help="MB per child")
    parser.add_argument("--serial", action="store_true", help="one child at a time")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument(
        "--plan", action="store_true", help="print the cases, their estimated cost and exit"
    )
    parser.add_argument(
        "--costs", type=Path, help="with --plan: a suite CSV whose measured case times to use"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        a = args.child_args
        if args.child == "export":
            child_export(Path(a[0]), Path(a[1]))
        elif args.child in BACKEND:
            workers = int(args.child[-1])
            child_cpsat(Path(a[0]), Path(a[1]), float(a[2]), workers, BACKEND[args.child])
        elif args.child == "greedy":
            child_greedy(Path(a[0]), Path(a[1]))
        elif args.child == "golfer":
            child_golfer(a[0], a[1], int(a[2]), float(a[3]), Path(a[4]))
        else:
            parser.error(f"unknown child {args.child}")
        return 0

    start = time.perf_counter()
    seeds = [int(s) for s in (args.seeds or ("0" if args.quick else "0,1,2")).split(",")]
    args.solver_list = [s.strip() for s in args.solvers.split(",") if s.strip()]
    shapes = {"1 round" if s.strip() == "1r" else "multi-round" for s in args.shapes.split(",")}
    rungs = [r for r in LADDER if (r.quick or not args.quick) and r.shape in shapes]
    if args.rungs:
        wanted = {int(x) for x in args.rungs.split(",")}
        rungs = [r for r in rungs if r.members in wanted]
    budget = QUICK_BUDGET if args.quick else FULL_BUDGET
    if args.budget is not None:
        budget = args.budget if args.budget > 0 else math.inf
    args.build_limit = args.build_limit or (20.0 if args.quick else 90.0)
    cases = schedule(rungs, seeds, not args.no_tight, args.build_limit)
    if args.plan:
        return print_plan(cases, budget, args)

    def limit_of(rung: Rung) -> float:
        if args.time_limit is not None:
            return float(args.time_limit)
        return QUICK_LIMIT if args.quick else rung.limit

    out_csv = args.out.with_suffix(".csv")
    out_md = args.out.with_suffix(".md")
    out_png = args.out.parent / f"{args.out.name}_scale.png"
    out_golfer = args.out.parent / f"{args.out.name}_golfer.csv"
    golfer_rows: list[dict[str, Any]] = []
    loads = [os.getloadavg()[0]]
    meta: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "python": platform.python_version(),
        "ortools": version("ortools"),
        "highspy": version("highspy"),
        "commit": commit(),
        "command": "python benchmarks/suite.py " + " ".join(sys.argv[1:]),
        "load_start": loads[0],
        "budget_min": budget / 60,
        "limits": ", ".join(f"{r.key} {limit_of(r):g} s" for r in rungs),
    }
    print(f"{len(cases)} instances planned, budget {budget:.0f} s", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    cost: dict[str, float] = {}  # measured cost of a rung (largest)
    unbuildable: dict[str, int] = {}  # shape -> smallest scale that did not build
    run_n = skip_n = 0
    tmp = Path(tempfile.mkdtemp(prefix="suite_"))
    try:
        for case in cases:
            rung = case.rung
            limit = limit_of(rung)
            elapsed = time.perf_counter() - start
            est = cost.get(rung.key) or _estimate(rung, limit, args)
            note = None
            if rung.shape in unbuildable and rung.members >= unbuildable[rung.shape]:
                note = f"skipped: build > {args.build_limit:g} s (at {unbuildable[rung.shape]})"
            elif elapsed + est > budget:
                note = f"skipped: suite budget (estimated {est:.0f} s)"
            if note:
                skip_n += 1
                rows += skipped_rows(case, args, note, limit)
                print(f"  {case.id}: {note}", file=sys.stderr)
                continue
            loads.append(os.getloadavg()[0])
            print(f"  {case.id}: running (limit {limit:g} s, est {est:.0f} s)", file=sys.stderr)
            outcome = run_case(case, args, tmp, limit)
            run_n += 1
            cost[rung.key] = max(cost.get(rung.key, 0.0), outcome.cost_s)
            for r in outcome.rows:
                r["case_s"] = round(outcome.cost_s, 1)  # the whole case, all solvers
            if outcome.build_failed:
                unbuildable[rung.shape] = min(unbuildable.get(rung.shape, 10**9), rung.members)
            rows += outcome.rows
            for r in outcome.rows:
                print(
                    f"    {r['solver']:7} {r.get('status')!s:10} obj {fmt(r.get('objective'))} "
                    f"gap {fmt(r.get('gap'), 3)} {r.get('verdict') or ''} {r.get('note') or ''}",
                    file=sys.stderr,
                )
            write_csv(rows, out_csv)
        golfer_names = (
            []
            if args.golfer == "none"
            else (
                args.golfer.split(",")
                if args.golfer
                else list(GOLFER_QUICK if args.quick else GOLFER_CASES)
            )
        )
        golfer_limit = float(args.time_limit) if args.time_limit is not None else GOLFER_LIMIT
        # Per case: a first roster takes 0.1–2 s on the default cases (results/golfer.md); a
        # seed without one takes the limit.
        golfer_cost = min(golfer_limit, 10.0) * len(seeds) * len(GOLFER_SOLVERS)
        for name in golfer_names:
            if time.perf_counter() - start + golfer_cost > budget:
                print(f"  golfer {name}: skipped: suite budget", file=sys.stderr)
                continue
            golfer_rows += run_golfer([name], seeds, golfer_limit, args, tmp)
            write_golfer_csv(golfer_rows, out_golfer)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"working folder kept: {tmp}", file=sys.stderr)
    loads.append(os.getloadavg()[0])
    meta.update(
        load_end=loads[-1],
        load_max=max(loads),
        cases_run=run_n,
        cases_skipped=skip_n,
        wall_min=(time.perf_counter() - start) / 60,
    )
    write_csv(rows, out_csv)
    write_markdown(rows, meta, out_md)
    if golfer_rows:
        golfer_limit = float(args.time_limit) if args.time_limit is not None else GOLFER_LIMIT
        with out_md.open("a", encoding="utf-8") as fh:
            fh.write("\n" + golfer_markdown(golfer_rows, golfer_limit))
    plot(rows, out_png, f"teamsolver benchmark suite, {meta['date']} ({meta['machine']})")
    print(out_md.read_text(encoding="utf-8"))
    print(f"\nwrote {out_csv}, {out_md}, {out_png}", file=sys.stderr)
    # A golfer child that crashed: a roster the checker rejects ends it with an error.
    bad = [r for r in golfer_rows if r["status"] == "crash"] + [
        r
        for r in rows
        if r["solver"] != "greedy"
        and (
            str(r.get("verdict") or "").endswith("violations")
            or "MISMATCH" in str(r.get("objective_check") or "")
            or "FAILS" in str(r.get("note") or "")
            or "BOUND" in str(r.get("note") or "")
        )
    ]
    return 1 if bad else 0


def print_plan(cases: list[Case], budget: float, args: argparse.Namespace) -> int:
    """The schedule with each case's estimated cost, and where the budget would cut it."""
    measured: dict[str, float] = {}  # case id without the seed -> largest measured case time
    if args.costs:
        with args.costs.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("case_s"):
                    key = row["case"].rsplit("-s", 1)[0]
                    measured[key] = max(measured.get(key, 0.0), float(row["case_s"]))
    total = 0.0
    probed: set[str] = set()  # shapes whose model was found not to build (as the run skips)
    for case in cases:
        rung = case.rung
        limit = args.time_limit or (QUICK_LIMIT if args.quick else rung.limit)
        est = measured.get(case.id.rsplit("-s", 1)[0]) or _estimate(rung, limit, args)
        if rung.build_est > args.build_limit and rung.shape in probed:
            est = 0.0
        elif rung.build_est > args.build_limit:
            probed.add(rung.shape)
        fits = total + est <= budget
        total += est if fits else 0.0
        mark = "run " if fits else "skip"
        print(f"{mark} {case.id:32} limit {limit:4g} s  est {est:6.0f} s  total {total:6.0f} s")
    print(f"budget {budget:.0f} s; estimated {total / 60:.1f} min for the cases that fit")
    return 0


def _estimate(rung: Rung, limit: float, args: argparse.Namespace) -> float:
    """Seconds one instance of ``rung`` will take: builds, three searches, the LP, overheads."""
    b = rung.build_est
    if b > args.build_limit:
        return float(args.build_limit) + 10
    phase_a = 2.5 * b + 4
    phase_b = max(limit + 1.1 * b + 3, limit + limit / 2 + 0.5 * b + 2)
    phase_c = limit + 2.1 * b + 3
    serial = (limit + 1.1 * b + 3) if args.serial else 0.0
    return phase_a + phase_b + phase_c + serial + 2


if __name__ == "__main__":
    sys.exit(main())
