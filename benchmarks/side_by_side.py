"""Two engines side by side from a ``bench_solve.py`` CSV: time to the first roster and the
objective per preset, seed and time limit, one commit against another.

Made for the tight plans of issue 14 (``benchmarks/results/feasibility.md``)::

    P=city:tighten=1,city:members=2000:groups=50,city:members=2000:groups=50:tighten=1
    OUT=benchmarks/results/feasibility.csv
    python benchmarks/bench_solve.py --presets $P --seeds 0,1,2 --time-limit 10 --workers 2 \\
        --ref cfa65f5 --out $OUT                # then --append, --ref NEW, --time-limit 30
    python benchmarks/side_by_side.py $OUT --old cfa65f5 --new NEW

A cell reads ``first roster s / objective``; ``none`` when the run ended without a roster
(its wall time in brackets), ``**violations**`` when the checker rejected it (the benchmark
itself fails then). The load average (1 min) of each run is in the last column.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def cell(row: dict[str, str] | None) -> str:
    if row is None:
        return "–"
    if row["hard_clean"] == "False":
        return f"**{row['hard_violations']} violations**"
    if not row["first_total_s"] or not row["objective"]:
        return f"none ({float(row['call_s']):.1f} s)"
    return f"{float(row['first_total_s']):.1f} s / {int(float(row['objective'])):,}"


def table(rows: list[dict[str, str]], old: str, new: str) -> str:
    def of(commit: str) -> dict[tuple[str, str, float], dict[str, str]]:
        return {
            (r["preset"], r["seed"], float(r["time_limit_s"])): r
            for r in rows
            if r["commit"].split("+")[0] == commit
        }

    before, after = of(old), of(new)
    limits = sorted({k[2] for k in (*before, *after)})
    keys = list(dict.fromkeys((k[0], k[1]) for k in (*before, *after)))
    head = "| preset | seed | " + " | ".join(
        f"{who} at {limit:g} s" for limit in limits for who in (old, new)
    )
    lines = [head + " | load |", "|---|---:|" + "---|" * (2 * len(limits)) + "---|"]
    for preset, seed in keys:
        cells, loads = [], []
        for limit in limits:
            for side in (before, after):
                row = side.get((preset, seed, limit))
                cells.append(cell(row))
                if row is not None and row["load_avg_1m"]:
                    loads.append(float(row["load_avg_1m"]))
        load = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "–"
        lines.append(f"| {preset} | {seed} | " + " | ".join(cells) + f" | {load} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="a bench_solve.py CSV (--out)")
    parser.add_argument("--old", required=True, help="the commit measured as the old engine")
    parser.add_argument("--new", required=True, help="the commit measured as the new engine")
    args = parser.parse_args(argv)
    with args.csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    print(table(rows, args.old, args.new))
    return 0


if __name__ == "__main__":
    sys.exit(main())
