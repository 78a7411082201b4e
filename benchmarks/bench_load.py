"""Benchmark: how long loading a large instance takes, and how much memory, per file format.

Generates one instance (by default the ``province`` preset: 7,000 members, 100 groups) into a
temporary folder as a CSV folder, an XLSX workbook and a JSON document, then loads each one
``--runs`` times, every time in a fresh Python process, and reports per format:

- ``load_s``: wall time of ``teamsolver.load(path)`` inside the child (median, min, max);
- ``process_s``: wall time of the whole child process (interpreter start and imports too);
- ``peak_rss_mb``: the child's peak resident set size (``VmHWM`` of ``/proc/self/status``,
  else ``resource.getrusage`` ``ru_maxrss``), and ``import_rss_mb``, the same just after
  ``import teamsolver`` (what loading adds is the difference).

The target (issue 2) is loading ``province`` in under 3 s and 500 MB. Results are printed as a
markdown table and written to ``benchmarks/results/load.csv``.

Usage::

    python benchmarks/bench_load.py                      # province, 5 runs per format
    python benchmarks/bench_load.py --runs 3 --members 10000
    python benchmarks/bench_load.py --profile xlsx       # cProfile of one load, top functions
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "load.csv"
FORMATS: dict[str, str] = {"csv": "instance", "xlsx": "instance.xlsx", "json": "instance.json"}
TARGET_S = 3.0
TARGET_MB = 500.0

#: Runs in the child: load once, report times and peak memory as one JSON line. The peak is
#: VmHWM of /proc/self/status where there is one: ru_maxrss survives fork+exec on Linux, so a
#: child would report the parent's peak (the parent holds the generated instance).
CHILD = (
    (f"import json, sys, time\nsys.path.append({str(HERE)!r})\nfrom procmem import peak_rss_mb\n")
    + """
start = time.perf_counter()
import teamsolver
imported = time.perf_counter()
import_mb = peak_rss_mb()
inst = teamsolver.load(sys.argv[1])
loaded = time.perf_counter()
rss_mb = peak_rss_mb()
print(json.dumps({"import_s": imported - start, "load_s": loaded - imported,
                  "import_rss_mb": import_mb, "peak_rss_mb": rss_mb,
                  "members": len(inst.members)}))
"""
)


def write_instances(folder: Path, preset: str, seed: int, members: int | None) -> dict[str, Path]:
    from teamsolver import save
    from teamsolver.generate import generate

    start = time.perf_counter()
    inst = generate(preset, seed, members=members)
    print(
        f"generated {preset} (seed {seed}): {len(inst.members)} members, {len(inst.units)} "
        f"units, {len(inst.groups)} groups, {len(inst.history)} history rows "
        f"in {time.perf_counter() - start:.2f} s",
        file=sys.stderr,
    )
    paths: dict[str, Path] = {}
    for fmt, name in FORMATS.items():
        path = folder / name
        start = time.perf_counter()
        save(inst, path)
        print(f"  saved {fmt} in {time.perf_counter() - start:.2f} s", file=sys.stderr)
        paths[fmt] = path
    return paths


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size


def run_child(path: Path) -> dict[str, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    wall = time.perf_counter() - start
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    data["process_s"] = wall
    return data


def profile(path: Path, top: int) -> None:
    import teamsolver

    profiler = cProfile.Profile()
    profiler.enable()
    teamsolver.load(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="province")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--members", type=int, default=None, help="override the pool size")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per format (>= 3)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="e.g. csv,json")
    parser.add_argument("--out", type=Path, default=RESULTS, help="CSV file of results")
    parser.add_argument("--profile", metavar="FORMAT", help="profile one load of FORMAT")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        paths = write_instances(Path(tmp), args.preset, args.seed, args.members)
        if args.profile:
            profile(paths[args.profile], 25)
            return 0
        rows: list[dict[str, object]] = []
        for fmt in formats:
            runs = [run_child(paths[fmt]) for _ in range(max(3, args.runs))]
            load = [r["load_s"] for r in runs]
            rss = [r["peak_rss_mb"] for r in runs]
            median_load = statistics.median(load)
            median_rss = statistics.median(rss)
            rows.append(
                {
                    "preset": args.preset,
                    "members": int(runs[0]["members"]),
                    "format": fmt,
                    "file_kb": round(size_of(paths[fmt]) / 1024),
                    "runs": len(runs),
                    "load_s_median": round(median_load, 3),
                    "load_s_min": round(min(load), 3),
                    "load_s_max": round(max(load), 3),
                    "import_s_median": round(statistics.median(r["import_s"] for r in runs), 3),
                    "process_s_median": round(statistics.median(r["process_s"] for r in runs), 3),
                    "import_rss_mb_median": round(
                        statistics.median(r["import_rss_mb"] for r in runs), 1
                    ),
                    "peak_rss_mb_median": round(median_rss, 1),
                    "meets_target": median_load < TARGET_S and median_rss < TARGET_MB,
                }
            )
            print(f"  {fmt}: {median_load:.2f} s, {median_rss:.0f} MB", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"Loading `{args.preset}` ({rows[0]['members']} members), {rows[0]['runs']} fresh "
        f"processes per format; {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"target < {TARGET_S:g} s and < {TARGET_MB:g} MB\n"
    )
    head = "| format | file | load (median) | load (min–max) | import | whole process "
    print(head + "| RSS after import | peak RSS | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['format']} | {r['file_kb']} KB | {r['load_s_median']:.2f} s | "
            f"{r['load_s_min']:.2f}–{r['load_s_max']:.2f} s | {r['import_s_median']:.2f} s | "
            f"{r['process_s_median']:.2f} s | {r['import_rss_mb_median']:.0f} MB | "
            f"{r['peak_rss_mb_median']:.0f} MB | "
            f"{'met' if r['meets_target'] else '**missed**'} |"
        )
    return 0 if all(r["meets_target"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
