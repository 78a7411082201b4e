"""Solve a teamsolver linear form (``benchmarks/linear_form.py``) with HiGHS, in its own process.

``highspy`` and ``ortools`` cannot live in one process, so this script imports neither
teamsolver nor ortools: only ``highspy`` (and numpy, which highspy itself needs) and the
standard library. It reads the form (JSON), solves it as a MIP with a time limit and one thread,
then solves its LP relaxation for the bound, and writes one JSON document:

- ``status`` (HiGHS model status of the MIP), ``objective`` (best integer solution's objective,
  offset included), ``mip_bound`` (dual bound), ``mip_gap``, ``nodes``;
- ``first_s``: time from the start of the MIP search to the first incumbent (a
  ``cbMipImprovingSolution`` callback), ``first_objective``, ``first_values`` (the first
  incumbent's values of the seat and role columns, so that the parent can check that roster);
  ``incumbents``: (time, objective, bound) of every improving solution;
- ``values``: the final solution, one value per column (integers, rounded when within 1e-6);
- ``read_s`` (reading the JSON), ``pass_s`` (handing the model to HiGHS), ``mip_s`` (the MIP
  search, wall clock), ``lp``: ``status``, ``objective`` (the LP bound), ``time_s``;
- ``peak_rss_mb``: ``VmHWM`` after the MIP (before the LP relaxation), ``peak_rss_mb_end``.

Usage::

    python benchmarks/peers/highs_runner.py FORM.json OUT.json --time-limit 60 \\
        [--lp-time-limit 30] [--threads 1] [--seed 0] [--log]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from procmem import peak_rss_mb

INF = highspy.kHighsInf


def _bounds(values: Any, missing: float) -> Any:
    return np.array([missing if v is None else v for v in values], dtype=np.float64)


def load_form(path: Path) -> dict[str, Any]:
    """The linear form as arrays, from the ``.npz`` or the JSON written by ``linear_form.write``."""
    if path.suffix == ".npz":
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        rest = json.loads(str(arrays.pop("rest")))
        return {**arrays, "offset": rest["offset"], "seats": rest["seats"]}
    form = json.loads(path.read_text(encoding="utf-8"))
    cols, rows, obj = form["cols"], form["rows"], form["objective"]
    return {
        "col_lb": _bounds(cols["lb"], -INF),
        "col_ub": _bounds(cols["ub"], INF),
        "row_lb": _bounds(rows["lb"], -INF),
        "row_ub": _bounds(rows["ub"], INF),
        "start": np.asarray(rows["start"]),
        "index": np.asarray(rows["index"]),
        "value": np.asarray(rows["value"], dtype=np.float64),
        "cost": np.asarray(obj["cost"], dtype=np.float64),
        "offset": obj["offset"],
        "seats": form["seats"],
    }


def to_lp(form: dict[str, Any], integer: bool) -> highspy.HighsLp:
    n, m = len(form["col_lb"]), len(form["row_lb"])
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = form["cost"]
    lp.offset_ = float(form["offset"])
    lp.col_lower_ = form["col_lb"]
    lp.col_upper_ = form["col_ub"]
    lp.row_lower_ = form["row_lb"]
    lp.row_upper_ = form["row_ub"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.start_ = np.asarray(form["start"], dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(form["index"], dtype=np.int32)
    lp.a_matrix_.value_ = form["value"]
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp


def new_highs(threads: int, seed: int, time_limit: float, log: bool) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(log))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("time_limit", float(time_limit))
    return h


def clean(v: float) -> float | int:
    r = round(v)
    return int(r) if abs(v - r) <= 1e-6 else float(v)


def finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) and abs(v) < 1e30 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("form", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--lp-time-limit", type=float, default=None, help="default: time limit")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-lp", action="store_true", help="skip the LP relaxation")
    parser.add_argument("--log", action="store_true", help="HiGHS log on stdout")
    args = parser.parse_args()

    out: dict[str, Any] = {"highs_version": highspy.Highs().version(), "threads": args.threads}
    start = time.perf_counter()
    form = load_form(args.form)
    out["read_s"] = time.perf_counter() - start
    seat_cols = sorted(
        {c for s in form["seats"] for c in (s[0], s[3], s[4]) if c >= 0}
    )  # columns a roster is read from

    # -- the MIP ------------------------------------------------------------------------------
    start = time.perf_counter()
    h = new_highs(args.threads, args.seed, args.time_limit, args.log)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.99)  # integer columns and costs: a gap below 1 is closed
    h.passModel(to_lp(form, integer=True))
    out["pass_s"] = time.perf_counter() - start
    incumbents: list[list[float | None]] = []
    first: dict[str, Any] = {}
    search_start = [0.0]

    def improving(event: Any) -> None:
        t = time.perf_counter() - search_start[0]
        data = event.data_out
        incumbents.append([t, finite(data.objective_function_value), finite(data.mip_dual_bound)])
        if not first:
            sol = data.mip_solution
            first["t"] = t
            first["objective"] = finite(data.objective_function_value)
            first["values"] = {str(c): clean(float(sol[c])) for c in seat_cols}

    h.cbMipImprovingSolution.subscribe(improving)
    search_start[0] = time.perf_counter()
    h.run()
    out["mip_s"] = time.perf_counter() - search_start[0]
    info = h.getInfo()
    status = h.getModelStatus()
    out["status"] = h.modelStatusToString(status)
    out["optimal"] = status == highspy.HighsModelStatus.kOptimal
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    out["objective"] = finite(info.objective_function_value) if has_solution else None
    out["mip_bound"] = finite(info.mip_dual_bound)
    out["mip_gap"] = finite(info.mip_gap)
    out["nodes"] = int(info.mip_node_count)
    out["first_s"] = first.get("t")
    out["first_objective"] = first.get("objective")
    out["first_values"] = first.get("values")
    out["incumbents"] = incumbents
    out["values"] = [clean(v) for v in h.getSolution().col_value] if has_solution else None
    out["peak_rss_mb"] = peak_rss_mb()
    del h

    # -- the LP relaxation --------------------------------------------------------------------
    lp_out: dict[str, Any] = {"status": "skipped", "objective": None, "time_s": None}
    if not args.no_lp:
        lp_limit = args.time_limit if args.lp_time_limit is None else args.lp_time_limit
        h = new_highs(args.threads, args.seed, lp_limit, args.log)
        h.passModel(to_lp(form, integer=False))
        t = time.perf_counter()
        h.run()
        lp_out["time_s"] = time.perf_counter() - t
        st = h.getModelStatus()
        lp_out["status"] = h.modelStatusToString(st)
        if st == highspy.HighsModelStatus.kOptimal:
            lp_out["objective"] = finite(h.getInfo().objective_function_value)
        del h
    out["lp"] = lp_out
    out["peak_rss_mb_end"] = peak_rss_mb()
    args.out.write_text(json.dumps(out, separators=(",", ":")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
