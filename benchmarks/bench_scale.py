"""Benchmark: generating the province preset, and checking and scoring a roster at scale.

Two speed figures that used to be asserted in the unit tests (``tests/test_generate.py``: the
province preset generates in under 2 s; ``tests/test_audit.py``: check, score and objective of
1,000 seats in under 3 s). A unit test asserts behaviour, not speed (a busy CI machine failed
them), so the figures live here (issue 13). Each is measured ``--runs`` times in this process
(imports and a small warm-up first) and reported as median, min and max against its target:

- ``generate``: ``teamsolver.generate.generate("province", 7)`` (7,000 members, 100 groups);
- ``check+score``: ``check``, ``score`` (baseline: the roster itself) and ``objective`` of the
  planted roster of ``generate_plan("province", 7, rounds=5)`` (7,000 members, 500 groups,
  about 4,900 seats, 4,400 history rows).

Usage::

    python benchmarks/bench_scale.py               # 5 runs each
    python benchmarks/bench_scale.py --runs 3

The exit code is 1 when a median misses its target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

TARGETS_S = {"generate": 2.0, "check+score": 3.0}


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from teamsolver import check, objective, score
    from teamsolver.generate import generate, generate_plan

    generate("tiny", 99)  # warm up imports
    inst, roster = generate_plan("province", 7, rounds=5)

    def check_and_score() -> None:
        check(inst, roster)
        score(inst, roster, baseline=roster)
        objective(inst, roster)

    figures = {
        "generate": timed(lambda: generate("province", 7), args.runs),
        "check+score": timed(check_and_score, args.runs),
    }
    print("| figure | median s | min s | max s | target s |")
    print("|---|---:|---:|---:|---:|")
    missed = False
    for name, times in figures.items():
        median = statistics.median(times)
        missed |= median > TARGETS_S[name]
        print(
            f"| {name} | {median:.2f} | {min(times):.2f} | {max(times):.2f} "
            f"| {TARGETS_S[name]:.1f} |"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
