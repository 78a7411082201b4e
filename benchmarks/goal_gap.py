"""Where the gap of a model comes from: its LP relaxation and a roster, goal by goal.

Builds the engine's model of an instance (``teamsolver.engine.model.Model``), exports its linear
form (``benchmarks/linear_form.py``), solves the LP relaxation in-process with MathOpt (GLOP by
default; ``--solver highs`` runs MathOpt's HiGHS, never ``highspy``, which cannot share a process
with ortools), and reads each objective part (a soft rule or a goal: weight × sign × value, as
``Model.parts`` holds it) off the LP optimum. With ``--roster FILE`` (or ``--solve T``: a
``teamsolver.solve`` run of T seconds, 2 workers) it puts the roster's parts, from the
independent scorer (``teamsolver.score.objective_parts``), beside them, so that each goal's share
of the gap between bound and roster can be read per line.

``--mip T`` also solves the linear form as a MIP with MathOpt's HiGHS for T seconds (the best
bound and roster it reaches, e.g. to prove an optimum).

Usage::

    python benchmarks/goal_gap.py --preset city --seed 0 --solve 30
    python benchmarks/goal_gap.py --instance instances/city --roster roster.csv --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import linear_form  # noqa: E402


def solve_math(
    form: dict[str, Any],
    solver: str,
    *,
    integer: bool,
    time_limit: float | None = None,
    log: bool = False,
) -> dict[str, Any]:
    """Solve the form with MathOpt; objective, dual bound, column values and time."""
    import datetime

    from ortools.math_opt.python import mathopt

    from teamsolver.engine.highs import column_values, model_proto

    mo = mathopt.Model.from_model_proto(model_proto(form, integer=integer))
    kind = {"glop": mathopt.SolverType.GLOP, "highs": mathopt.SolverType.HIGHS}[solver]
    # HiGHS takes no thread count through MathOpt (it runs single-threaded by default).
    params = mathopt.SolveParameters(threads=1 if solver == "glop" else None, enable_output=log)
    if time_limit is not None:
        params.time_limit = datetime.timedelta(seconds=time_limit)
    t0 = time.perf_counter()
    res = mathopt.solve(mo, kind, params=params)
    took = time.perf_counter() - t0
    out: dict[str, Any] = {
        "termination": res.termination.reason.name,
        "time_s": round(took, 2),
        "bound": res.termination.objective_bounds.dual_bound,
    }
    if res.has_primal_feasible_solution():
        out["objective"] = res.objective_value()
        out["values"] = column_values(res)
    return out


def part_values(model: Any, values: Sequence[float]) -> dict[str, float]:
    """Each objective part of ``model`` (weight × sign × value) at the column values."""
    from teamsolver.data.settings import GOAL_IDS
    from teamsolver.engine.model import MAXIMISED

    out: dict[str, float] = {}
    for key, part in model.parts.items():
        if key in GOAL_IDS:
            w = model.rules.objective.weight(key) * (-1 if key in MAXIMISED else 1)
        else:
            w = model.weight(key)
        if not w:
            continue
        total = float(part.constant)
        for var, c in zip(part.vars, part.coeffs, strict=True):
            total += c * values[var.index]
        out[key] = w * total
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--instance", type=Path, help="an instance folder or file")
    src.add_argument("--preset", help="a generator preset (with --seed)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--roster", type=Path, help="a roster (JSON, as --save-roster writes)")
    ap.add_argument("--solve", type=float, help="solve for this many seconds (2 workers)")
    ap.add_argument("--solver", choices=("glop", "highs"), default="glop", help="LP solver")
    ap.add_argument("--mip", type=float, help="also solve as a MIP with HiGHS for T seconds")
    ap.add_argument("--json", type=Path, help="write the figures as JSON here")
    ap.add_argument("--save-roster", type=Path, help="write the MIP's (else the solve's) roster")
    ap.add_argument("--log", action="store_true", help="the MIP solver's log on stderr")
    args = ap.parse_args(argv)

    import teamsolver
    from teamsolver.data.roster import Roster
    from teamsolver.engine.model import Model
    from teamsolver.generate import generate
    from teamsolver.score import objective_parts

    if args.instance is not None:
        instance = teamsolver.load(args.instance)
        name = args.instance.name
    else:
        instance = generate(args.preset, args.seed)
        name = f"{args.preset}-{args.seed}"
    t0 = time.perf_counter()
    model = Model(instance)
    build_s = time.perf_counter() - t0
    form = linear_form.export(model, name)
    lp = solve_math(form, args.solver, integer=False)
    doc: dict[str, Any] = {
        "instance": name,
        "build_s": round(build_s, 2),
        "stats": form["stats"],
        "lp": {k: v for k, v in lp.items() if k != "values"},
    }
    lp_parts = part_values(model, lp["values"]) if "values" in lp else {}
    doc["lp"]["parts"] = lp_parts
    roster = None
    if args.roster is not None:
        roster = Roster.model_validate_json(args.roster.read_text(encoding="utf-8"))
    elif args.solve is not None:
        res = teamsolver.solve(instance, time_limit=args.solve, workers=2, seed=0)
        roster = res.roster
        doc["solve"] = {"objective": res.objective, "bound": res.bound, "status": res.status}
    if roster is not None:
        doc["roster_parts"] = objective_parts(instance, roster)
        doc["roster_objective"] = sum(doc["roster_parts"].values())
    if args.mip is not None:
        mip = solve_math(form, "highs", integer=True, time_limit=args.mip, log=args.log)
        doc["mip"] = {k: v for k, v in mip.items() if k != "values"}
        if "values" in mip:
            doc["mip"]["parts"] = part_values(model, mip["values"])
            roster = linear_form.roster(instance, form, mip["values"])
            doc["mip"]["scored"] = objective_parts(instance, roster)
    if args.save_roster is not None and roster is not None:
        args.save_roster.write_text(roster.model_dump_json(), encoding="utf-8")
    keys = sorted(set(lp_parts) | set(doc.get("roster_parts", {})))
    print(f"{name}: LP {lp.get('objective')} ({lp['time_s']} s, {args.solver})", file=sys.stderr)
    print("| part | LP | roster | roster − LP |")
    print("|---|---:|---:|---:|")
    rp = doc.get("roster_parts", {})
    for k in keys:
        a, b = lp_parts.get(k), rp.get(k)
        diff = "" if a is None or b is None else f"{b - a:,.1f}"
        la = "" if a is None else f"{a:,.1f}"
        lb = "" if b is None else f"{b:,}"
        print(f"| {k} | {la} | {lb} | {diff} |")
    if args.json is not None:
        args.json.write_text(json.dumps(doc, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
