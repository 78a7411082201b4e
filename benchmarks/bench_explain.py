"""Benchmark: how long ``explain`` takes on the ``city`` preset made infeasible.

The ``city`` preset (521 members, 15 groups, one round; ``teamsolver.generate.generate``) is
feasible by construction. Each variant raises one requirement of one group (the first group
that requires finance) so that no roster exists:

- ``obvious``: finance required = the finance specialists who may sit in the group + 1. The
  conflict (the requirement and the recusals that keep the other specialists out) is read off
  the input without solving.
- ``size``: finance required = the group's ``size_max`` + 1. Only a solve shows the conflict
  (the requirement against group-size), among the ~1,800 guarded rule instances of the plan.
  (``solve`` rejects this input: ``explain`` skips its first roster search.)
- ``round``: every group requires as many finance specialists as its ``size_max``: each group
  alone can be filled, the round cannot (more seats than finance specialists). ``solve``
  accepts this input; ``explain`` first looks for a roster as ``solve`` does, whose proof that
  none exists starts the conflict search.

Each run is ``teamsolver.explain(instance, time_limit=T, workers=W)`` in this process, once
without suggestions (finding and shrinking the conflict: ``core_s``) and once with them
(``wall_s``, suggestions verified by re-solves included). The benchmark asserts what it
measures: status ``INFEASIBLE``, an irreducible core that names the raised requirement, and
every ``plan`` suggestion giving a roster when solved. Figures go to
``benchmarks/results/explain.csv`` and are printed as a markdown table.

Usage::

    python benchmarks/bench_explain.py                  # seeds 0,1,2; 60 s limit; 2 workers
    python benchmarks/bench_explain.py --seeds 0 --workers 1
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from teamsolver import explain, solve
from teamsolver.data.instance import Instance
from teamsolver.explainer import apply_changes
from teamsolver.explainer.words import Context
from teamsolver.generate import generate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "explain.csv"
VARIANTS = ("obvious", "size", "round")
FIELDS = [
    "variant",
    "seed",
    "members",
    "groups",
    "group",
    "raised",
    "status",
    "found_by",
    "core",
    "irreducible",
    "core_solves",
    "core_s",
    "suggestions",
    "solves",
    "wall_s",
    "time_limit_s",
    "workers",
    "load_avg_1m",
    "commit",
]


def infeasible(variant: str, seed: int) -> tuple[Instance, str, str]:
    """The city preset of ``seed`` with requirements raised; (instance, group, what)."""
    inst = generate("city", seed)
    gi, g = next((i, g) for i, g in enumerate(inst.groups) if dict(g.requires).get("finance"))
    if variant == "round":
        groups = [
            h.model_copy(
                update={"requires": tuple({**dict(h.requires), "finance": h.size_max}.items())}
            )
            for h in inst.groups
        ]
        return inst.model_copy(update={"groups": tuple(groups)}), "", "finance:size_max"
    if variant == "obvious":
        free, _ = Context(inst).candidates(g, lambda m: "finance" in m.specialties)
        need = len(free) + 1
    else:
        assert g.size_max is not None
        need = g.size_max + 1
    requires = {**dict(g.requires), "finance": need}
    groups = list(inst.groups)
    groups[gi] = g.model_copy(update={"requires": tuple(requires.items())})
    return inst.model_copy(update={"groups": tuple(groups)}), g.id, f"finance:{need}"


def run(variant: str, seed: int, time_limit: float, workers: int) -> dict[str, Any]:
    inst, gid, raised = infeasible(variant, seed)
    start = time.perf_counter()
    core_only = explain(inst, time_limit=time_limit, workers=workers, suggest=False)
    core_s = time.perf_counter() - start
    start = time.perf_counter()
    full = explain(inst, time_limit=time_limit, workers=workers)
    wall_s = time.perf_counter() - start
    assert full.status == "INFEASIBLE", full.status
    assert full.irreducible, full.message
    assert any(
        c.rule == "specialty-coverage" and (not gid or c.group == gid) and c.specialty == "finance"
        for c in full.core
    ), full.message
    for s in full.suggestions:
        if s.scope == "plan":
            assert solve(apply_changes(inst, s.changes), time_limit=60).has_roster, s.text
    return {
        "variant": variant,
        "seed": seed,
        "members": len(inst.members),
        "groups": len(inst.groups),
        "group": gid,
        "raised": raised,
        "status": full.status,
        "found_by": full.found_by,
        "core": len(full.core),
        "irreducible": full.irreducible,
        "core_solves": core_only.solves,
        "core_s": round(core_s, 3),
        "suggestions": len(full.suggestions),
        "solves": full.solves,
        "wall_s": round(wall_s, 3),
        "time_limit_s": time_limit,
        "workers": workers,
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else "",
        "commit": _commit(),
    }


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "teamsolver"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("+edits" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return ""


def table(rows: list[dict[str, Any]]) -> str:
    cols = ["variant", "seed", "raised", "found_by", "core", "core_solves", "core_s"]
    cols += ["suggestions", "solves", "wall_s"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for variant in args.variants.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            rows.append(run(variant, seed, args.time_limit, args.workers))
            print(f"{variant} seed {seed}: {rows[-1]['wall_s']} s", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(table(rows))
    print(f"\nwritten to {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
