"""Benchmark: how long solving takes per preset, from building the model to proving the optimum.

For each preset and seed, generates the instance (``teamsolver.generate.generate``), saves it as
a JSON document in a temporary folder, and solves it in a fresh Python process
(``teamsolver.solve(instance, time_limit=T, workers=W, seed=0)``), so every run starts cold and
its memory is its own. Every roster is then re-checked by the independent checker
(``teamsolver.check``): a violation of a hard rule, or of the pseudo-rule ``roster``, makes the
run fail. Reported per run:

- the scale: members, groups, rounds; seat variables, variables and constraints of the model
  (``Result.stats``);
- ``build_s``: validating the instance and building the CP-SAT model
  (``Result.build_time_s``; in a fresh process this includes importing OR-Tools);
- ``greedy_s``: the greedy planner, run before the build (``Result.greedy_time_s``; 0 for
  commits without it); ``search_s``: the search after the build (``Result.search_time_s``);
- ``first_s``: time to the first roster, counted from the start of the search, i.e. after the
  build (``Result.first_solution_s``; 0 when the greedy roster was at hand);
  ``first_total_s``: the time since ``solve`` was called (``Result.first_roster_s``, or
  ``greedy_s + build_s + first_s`` for commits without it);
- ``best_s`` / ``best_total_s``: the same for the last improving roster the search reported
  (``on_progress``; empty when the roster kept is the staged search's first one);
- ``backend``: the ``solve(backend=...)`` asked for (``--backends``; ``default``: the keyword
  was not passed), ``found_by``: ``Result.stats["backend"]``, the search whose roster came back;
- ``status``; ``wall_s``: ``Result.wall_time_s``, the whole call (build and scoring of the
  roster included, as is the time limit; only the search when no roster is found);
  ``call_s``: the whole call measured around it by the child (the table's "wall");
- ``objective`` (the independent scorer's), ``solver_objective``, ``bound``, ``gap``
  (``Result.gap``, relative to the objective); ``optimal_s``: ``wall_s`` when the optimum is
  proven, else empty;
- ``peak_rss_mb``: the child's peak resident set size (``VmHWM``, read by the child at the end
  and polled by the parent while it runs, so a killed child still has one);
- ``hard_clean``: the roster passed the checker; ``hard_violations``: how many it has;
- ``commit`` and ``source``: the git commit of the package (``+edits`` when its files differ
  from it) and a fingerprint of its sources, taken just before the run.

``--ref COMMIT`` measures that commit instead of the working tree: its ``teamsolver`` package
is exported (``git archive``) to a temporary folder that the benchmark and every child import
instead, so edits made to the working tree while a long benchmark runs cannot leak into it.

A run that outlives ``--timeout`` (default 3 × time limit + 120 s) is killed and recorded as
``timeout``; one whose peak memory passes ``--memory-limit`` (default 8,000 MB, to spare the
other work on a shared machine) is killed and recorded as ``memory``; a child that dies is
recorded as ``crash`` (or ``killed`` by a signal, e.g. by the kernel when memory runs out) with
the last line of its error output; a killed run says where it was (a ``faulthandler`` stack
dump shortly before the timeout). Results are printed as a markdown table and written to
``benchmarks/results/solve.csv`` (``--append`` adds to it). Exits 1 when a roster fails the
checker or a run crashes.

Usage::

    python benchmarks/bench_solve.py --presets tiny,university,year,city,province --seeds 0 \\
        --time-limit 60 --workers 2
    python benchmarks/bench_solve.py --presets tiny,university,year,city --seeds 1,2 \\
        --time-limit 60 --workers 2 --append             # more seeds, same CSV
    python benchmarks/bench_solve.py --quick              # about a minute: 4 presets, 10 s each
    python benchmarks/bench_solve.py --quick --ref HEAD   # the last commit, not the working tree
    python benchmarks/bench_solve.py --table              # the table of the CSV again
    python benchmarks/bench_solve.py --presets year:rounds=1,city --seeds 0,1,2 \\
        --time-limit 15 --backends cp-sat,auto,highs      # backends back to back per instance
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import platform
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from procmem import vmhwm_mb

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: Set (to the commit) in a benchmark that runs on an exported snapshot (``--ref``).
PINNED = "BENCH_SOLVE_REF"
RESULTS = HERE / "results" / "solve.csv"
DEFAULT_PRESETS = "tiny,university,year,city,province"
QUICK_PRESETS = "tiny,university,year,city"
QUICK_TIME_LIMIT = 10.0

#: Runs in the child: load the JSON instance, solve it, check the roster, report one JSON line on
#: stdout (``RESULT {...}``). Progress goes to stderr, so a run that is killed still says how far
#: it got. The peak is VmHWM of /proc/self/status where there is one (ru_maxrss survives
#: fork+exec on Linux, so a child would report the parent's peak).
CHILD = (
    (f"import json, sys, time\nsys.path.append({str(HERE)!r})\nfrom procmem import peak_rss_mb\n")
    + """
path, time_limit = sys.argv[1], float(sys.argv[2])
workers, seed = int(sys.argv[3]), int(sys.argv[4])
backend = {} if sys.argv[6] == "default" else {"backend": sys.argv[6]}
import faulthandler
faulthandler.dump_traceback_later(float(sys.argv[5]))  # shortly before the parent kills it
start = time.perf_counter()
import teamsolver
from teamsolver.audit import hard_violations
inst = teamsolver.load(path)
loaded = time.perf_counter()
print(f"loaded in {loaded - start:.2f} s; solving", file=sys.stderr, flush=True)
last = {}
def progress(p):
    last.update(objective=p.objective, bound=p.bound, elapsed_s=p.elapsed_s, solutions=p.solutions)
    print("PROGRESS " + json.dumps(last), file=sys.stderr, flush=True)
result = teamsolver.solve(inst, time_limit=time_limit, workers=workers, seed=seed,
                          on_progress=progress, **backend)
solved = time.perf_counter()
hard = None
messages = []
if result.has_roster:
    found = hard_violations(inst, teamsolver.check(inst, result.roster))
    hard = len(found)
    messages = [str(v) for v in found[:5]]
checked = time.perf_counter()
print("RESULT " + json.dumps({
    "status": result.status, "objective": result.objective,
    "solver_objective": result.solver_objective, "bound": result.bound, "gap": result.gap,
    "wall_s": result.wall_time_s, "build_s": result.build_time_s,
    "first_s": result.first_solution_s, "best_s": last.get("elapsed_s"),
    "first_roster_s": getattr(result, "first_roster_s", None),
    "greedy_s": getattr(result, "greedy_time_s", 0.0),
    "search_s": getattr(result, "search_time_s", None),
    "solutions": result.solutions, "seats": len(result.roster),
    "load_s": loaded - start, "call_s": solved - loaded, "check_s": checked - solved,
    "peak_rss_mb": peak_rss_mb(), "hard_violations": hard, "messages": messages,
    "package": teamsolver.__file__,
    **{k: v for k, v in result.stats.items() if k != "backend"},
    "found_by": result.stats.get("backend"),
}), flush=True)
"""
)

FIELDS: tuple[str, ...] = (
    "preset",
    "seed",
    "members",
    "groups",
    "rounds",
    "seat_variables",
    "variables",
    "constraints",
    "time_limit_s",
    "workers",
    "solve_seed",
    "backend",
    "found_by",
    "build_s",
    "greedy_s",
    "search_s",
    "first_s",
    "first_total_s",
    "best_s",
    "best_total_s",
    "status",
    "wall_s",
    "call_s",
    "optimal_s",
    "objective",
    "solver_objective",
    "bound",
    "gap",
    "solutions",
    "seats",
    "peak_rss_mb",
    "hard_clean",
    "hard_violations",
    "process_s",
    "load_avg_1m",
    "commit",
    "source",
    "note",
)


def code_version() -> tuple[str, str]:
    """The git commit of the teamsolver being measured and a fingerprint of its sources.

    The fingerprint (sha256 of every ``.py`` file of the package, first 10 digits) tells apart
    runs of the same commit with different uncommitted edits: others may be changing the
    engine while a long benchmark runs, and every child imports the code afresh.
    """
    import hashlib

    import teamsolver

    package = Path(teamsolver.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    if os.environ.get(PINNED):
        return os.environ[PINNED], digest.hexdigest()[:10]
    try:
        done = subprocess.run(
            ["git", "-C", str(package), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        commit = done.stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(package), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if dirty:
            commit += "+edits"
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return commit, digest.hexdigest()[:10]


def run_pinned(ref: str, argv: list[str]) -> int:
    """Run this benchmark again on the ``teamsolver`` package of commit ``ref``, exported to a
    temporary folder that comes first on ``PYTHONPATH`` (and is the working directory, so
    ``python -c`` children do not pick up the working tree either)."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, "teamsolver"],
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix=f"bench_solve_{commit}_") as snap:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(snap, filter="data")
        env = {**os.environ, PINNED: commit, "PYTHONPATH": snap}
        print(f"measuring commit {commit} (exported to {snap})", file=sys.stderr, flush=True)
        return subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), *argv], env=env, cwd=snap
        ).returncode


def last_progress(stderr: str) -> dict[str, Any]:
    """The last ``PROGRESS`` line a child wrote, or an empty dict."""
    for line in reversed(stderr.splitlines()):
        if line.startswith("PROGRESS "):
            data: dict[str, Any] = json.loads(line[len("PROGRESS ") :])
            return data
    return {}


def stack_of(stderr: str) -> str:
    """Where the child was when faulthandler dumped its stack: the teamsolver frames of the
    thread that runs ``solve``, innermost first (``model.py:123 __init__ < solver.py:40 solve``).
    """
    frames: list[str] = []
    for block in stderr.split("\n\n"):
        if "teamsolver" not in block or "most recent call first" not in block:
            continue
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("File ") and "teamsolver" in line and "<string>" not in line:
                # File "/…/teamsolver/engine/model.py", line 123 in __init__
                path, _, rest = line[len("File ") :].partition(", line ")
                number, _, func = rest.partition(" in ")
                name = Path(path.strip('"')).name
                frames.append(f"{name}:{number} {func}")
        if frames:
            break
    return " < ".join(frames[:4])


def run_child(
    path: Path,
    time_limit: float,
    workers: int,
    solve_seed: int,
    timeout: float,
    memory_mb: float,
    log: Path,
    backend: str = "default",
) -> dict[str, Any]:
    """Solve ``path`` in a fresh process; the child's report, or what is known of a failure.
    ``backend``: passed to ``solve`` unless ``default`` (commits without the keyword)."""
    dump_at = max(1.0, timeout - 5.0)
    cmd = [sys.executable, "-c", CHILD, str(path), str(time_limit), str(workers), str(solve_seed)]
    cmd += [str(dump_at), backend]
    cwd = os.environ.get("PYTHONPATH") if os.environ.get(PINNED) else None
    start = time.perf_counter()
    peak: float | None = None
    with log.open("w", encoding="utf-8") as err, tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            cwd=cwd,
        )
        stopped: str | None = None
        while proc.poll() is None:
            now = vmhwm_mb(proc.pid)
            if now is not None:
                peak = now if peak is None else max(peak, now)
            if time.perf_counter() - start > timeout:
                stopped = "timeout"
            elif peak is not None and peak > memory_mb:
                stopped = "memory"
            if stopped is not None:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.25)
        process_s = time.perf_counter() - start
        out.seek(0)
        stdout = out.read()
    stderr = log.read_text(encoding="utf-8", errors="replace")
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            data: dict[str, Any] = json.loads(line[len("RESULT ") :])
            data["process_s"] = process_s
            return data
    progress = last_progress(stderr)
    data = {
        "process_s": process_s,
        "peak_rss_mb": peak,
        "first_s": None,
        "objective": progress.get("objective"),
        "bound": progress.get("bound"),
        "best_s": progress.get("elapsed_s"),
        "solutions": progress.get("solutions"),
    }
    if stopped is not None:
        data["status"] = stopped
        where = stack_of(stderr)
        data["note"] = (
            f"killed after {process_s:.0f} s"
            + (f" at {peak:.0f} MB" if stopped == "memory" and peak is not None else "")
            + (
                f"; last roster at {progress['elapsed_s']:.1f} s into the search"
                if progress
                else "; no improving roster reported by the search"
            )
            + (f"; was in {where}" if where else "")
        )
    elif proc.returncode < 0:
        name = signal.Signals(-proc.returncode).name
        data["status"] = "killed"
        data["note"] = f"{name} (out of memory?)" if name == "SIGKILL" else name
    else:
        tail = [line for line in stderr.splitlines() if line.strip()]
        data["status"] = "crash"
        data["note"] = f"exit {proc.returncode}: " + (tail[-1] if tail else "no output")
    return data


def row_of(
    preset: str,
    seed: int,
    inst: Any,
    args: argparse.Namespace,
    child: dict[str, Any],
    backend: str = "default",
) -> dict[str, Any]:
    status = child.get("status")
    hard = child.get("hard_violations")
    build = child.get("build_s")
    first = child.get("first_s")
    best = child.get("best_s")
    # Commits with the greedy before the build: its time comes before the build's.
    greedy = child.get("greedy_s") or 0.0
    first_total = child.get("first_roster_s")
    if first_total is None and first is not None and build is not None:
        first_total = greedy + build + first
    row: dict[str, Any] = dict.fromkeys(FIELDS)
    row.update(
        {k: v for k, v in child.items() if k in FIELDS},
        preset=preset,
        seed=seed,
        members=len(inst.members),
        groups=len(inst.groups),
        rounds=len(inst.rounds),
        time_limit_s=args.time_limit,
        backend=backend,
        workers=args.workers,
        solve_seed=args.solve_seed,
        first_total_s=first_total,
        best_total_s=None if best is None or build is None else greedy + build + best,
        optimal_s=child.get("wall_s") if status == "OPTIMAL" else None,
        hard_clean=None if hard is None else hard == 0,
    )
    notes = [child.get("note") or ""]
    if hard:
        notes.append("; ".join(child.get("messages", [])))
    row["note"] = " | ".join(n for n in notes if n) or None
    for key, value in row.items():
        if isinstance(value, float):
            row[key] = round(value, 4)
    return row


def fmt_s(value: Any) -> str:
    return "–" if value is None else f"{value:.2f} s"


def fmt_num(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| preset | seed | limit | backend (found by) | members | groups | rounds | seat vars "
        "| variables | constraints "
        "| build | first roster | last improved | status | wall | objective | bound | gap "
        "| optimal at | peak RSS | checker |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
        "---|",
    ]
    order = {p: i for i, p in reversed(list(enumerate(r["preset"] for r in rows)))}
    for r in sorted(rows, key=lambda r: (order[r["preset"]], r["seed"], r["time_limit_s"])):
        gap = "–" if r["gap"] is None else f"{r['gap']:.1%}"
        clean = {True: "clean", False: f"**{r['hard_violations']} hard**", None: "–"}
        rss = "–" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f} MB"
        cells = [
            r["preset"],
            r["seed"],
            f"{r['time_limit_s']:g} s",
            f"{r.get('backend') or 'default'} ({r.get('found_by') or '–'})",
            fmt_num(r["members"]),
            r["groups"],
            r["rounds"],
            fmt_num(r["seat_variables"]),
            fmt_num(r["variables"]),
            fmt_num(r["constraints"]),
            fmt_s(r["build_s"]),
            fmt_s(r["first_total_s"]),
            fmt_s(r["best_total_s"]),
            r["status"],
            fmt_s(r["call_s"]),
            fmt_num(r["objective"]),
            fmt_num(r["bound"]),
            gap,
            fmt_s(r["optimal_s"]),
            rss,
            clean[r["hard_clean"]],
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    from importlib.metadata import version

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} CPUs, {mem_gb:.1f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, OR-Tools {version('ortools')}"
    )


def typed(text: str | None) -> Any:
    """A CSV cell back as the value it was written from."""
    if text is None or text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(FIELDS))
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--presets",
        default=None,
        help=f"comma-separated (default {DEFAULT_PRESETS}); PRESET:KEY=VALUE:... overrides "
        "the generator's scale, e.g. year:rounds=1 or city:members=2000:groups=50",
    )
    parser.add_argument("--seeds", default="0", help="generator seeds, e.g. 0,1,2")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per solve (60)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--solve-seed", type=int, default=0, help="CP-SAT random seed")
    parser.add_argument(
        "--backends",
        default="default",
        help="comma-separated solve(backend=...) values, run back to back per instance, e.g. "
        "cp-sat,auto,highs (default: the keyword is not passed)",
    )
    parser.add_argument("--timeout", type=float, default=None, help="kill a run after (3T+120 s)")
    parser.add_argument(
        "--memory-limit", type=float, default=8000.0, help="kill a run above this many MB"
    )
    parser.add_argument("--append", action="store_true", help="add the rows to the CSV")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PRESETS}, 10 s each")
    parser.add_argument("--out", type=Path, default=RESULTS, help="CSV file of results")
    parser.add_argument("--ref", help="measure this git commit, not the working tree")
    parser.add_argument(
        "--table", action="store_true", help="print the table of --out, run nothing"
    )
    args = parser.parse_args()
    if args.table:
        with args.out.open(newline="", encoding="utf-8") as fh:
            stored = [{k: typed(r.get(k)) for k in FIELDS} for r in csv.DictReader(fh)]
        print(markdown(stored))
        return 0
    if args.ref and not os.environ.get(PINNED):
        argv: list[str] = []
        skip = False
        for arg in sys.argv[1:]:
            if not skip and not arg.startswith("--ref="):
                skip = arg == "--ref"  # and its value, next
                if not skip:
                    argv.append(arg)
            else:
                skip = False
        return run_pinned(args.ref, [*argv, "--out", str(args.out.resolve())])
    if args.presets is None:
        args.presets = QUICK_PRESETS if args.quick else DEFAULT_PRESETS
    if args.time_limit is None:
        args.time_limit = QUICK_TIME_LIMIT if args.quick else 60.0
    timeout = args.timeout if args.timeout is not None else 3 * args.time_limit + 120
    presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    from teamsolver import save
    from teamsolver.generate import generate

    started = datetime.datetime.now(datetime.UTC)
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    previous: list[dict[str, Any]] = []
    if args.append and args.out.exists():
        with args.out.open(newline="", encoding="utf-8") as fh:
            previous = [{k: typed(r.get(k)) for k in FIELDS} for r in csv.DictReader(fh)]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench_solve_") as tmp:
        for preset in presets:
            for seed in seeds:
                name, *knobs = preset.split(":")
                inst = generate(name, seed, **{k: int(v) for k, v in (x.split("=") for x in knobs)})
                path = Path(tmp) / f"{name}-{seed}.json"
                save(inst, path)
                for backend in backends:
                    load_avg = os.getloadavg()[0]
                    commit, source = code_version()
                    print(
                        f"{preset} seed {seed}: {len(inst.members)} members, {len(inst.groups)} "
                        f"groups, {len(inst.rounds)} rounds; solving (limit {args.time_limit:g} s, "
                        f"backend {backend})",
                        file=sys.stderr,
                        flush=True,
                    )
                    log = Path(tmp) / f"{name}-{seed}-{backend}.log"
                    child = run_child(
                        path,
                        args.time_limit,
                        args.workers,
                        args.solve_seed,
                        timeout,
                        args.memory_limit,
                        log,
                        backend,
                    )
                    child.update(load_avg_1m=load_avg, commit=commit, source=source)
                    row = row_of(preset, seed, inst, args, child, backend)
                    rows.append(row)
                    write_csv(
                        args.out, previous + rows
                    )  # after every run: a long benchmark keeps its rows
                    print(
                        f"  {row['status']} (by {row['found_by']}): build "
                        f"{fmt_s(row['build_s'])}, first roster {fmt_s(row['first_total_s'])}, "
                        f"wall {fmt_s(row['call_s'])}, objective "
                        f"{fmt_num(row['objective'])}, bound {fmt_num(row['bound'])}, "
                        f"checker {row['hard_clean']}, peak {fmt_num(row['peak_rss_mb'])} MB"
                        + (f" ({row['note']})" if row["note"] else "")
                        + (f"; imported {child['package']}" if "package" in child else ""),
                        file=sys.stderr,
                        flush=True,
                    )
    ended = datetime.datetime.now(datetime.UTC)
    print(
        f"Solving, {started:%Y-%m-%d %H:%M}–{ended:%H:%M} UTC; {machine()}; time limit "
        f"{args.time_limit:g} s, {args.workers} workers, solve seed {args.solve_seed}; load "
        f"average at the end {os.getloadavg()[0]:.2f}\n"
    )
    everything = previous + rows
    versions = sorted({f"{r['commit']} (source {r['source']})" for r in everything})
    print(f"Code: {', '.join(versions)}\n")
    print(markdown(everything))
    notes = [r for r in everything if r["note"]]
    if notes:
        print()
    for r in notes:
        print(f"- {r['preset']} seed {r['seed']}, {r['status']}: {r['note']}")
    bad = [r for r in rows if r["hard_clean"] is False or r["status"] in ("crash", "killed")]
    for r in bad:
        print(f"\nFAILED {r['preset']} seed {r['seed']}: {r['status']}: {r['note']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
