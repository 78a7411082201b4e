"""File IO and checks for the linear form of a teamsolver model (benchmarks only).

The form itself — what it holds and how :func:`export` writes it — lives in
:mod:`teamsolver.engine.linear` (the engine's HiGHS backend uses it too); this module re-exports
``export``, ``chosen``, ``FORMAT``, ``SUPPORTED`` and ``Unsupported`` from there and adds what
only the benchmarks need: :func:`write` / :func:`read_arrays` (JSON or ``.npz`` for the HiGHS
subprocess), :func:`evaluate` (a point's objective and violated rows), :func:`seat_columns` and
:func:`roster`.

None of these import ortools (``teamsolver.engine.linear`` imports it only inside
``export``): the benchmark's parent process, which talks to the separate highspy, must not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from teamsolver.engine.linear import FORMAT, SUPPORTED, Unsupported, chosen, export

__all__ = [
    "FORMAT",
    "SUPPORTED",
    "Unsupported",
    "chosen",
    "evaluate",
    "export",
    "read_arrays",
    "roster",
    "seat_columns",
    "write",
]


def write(form: dict[str, Any], path: Path) -> None:
    """The form as compact JSON, or, for a ``.npz`` path, as numpy arrays (infinite bounds are
    ``±inf``; the rest of the form is one JSON string), which is 10–20× faster to write and read
    at 7,000 members (12.5 M nonzeros) than the JSON."""
    if path.suffix != ".npz":
        with path.open("w", encoding="utf-8") as fh:
            json.dump(form, fh, separators=(",", ":"))
        return
    import numpy as np

    def bounds(values: Sequence[int | None], missing: float) -> Any:
        return np.array([missing if v is None else v for v in values], dtype=np.float64)

    cols, rows = form["cols"], form["rows"]
    rest = {k: v for k, v in form.items() if k not in ("cols", "rows", "objective")}
    rest["offset"] = form["objective"]["offset"]
    with path.open("wb") as out:
        np.savez(
            out,
            col_lb=bounds(cols["lb"], -math.inf),
            col_ub=bounds(cols["ub"], math.inf),
            row_lb=bounds(rows["lb"], -math.inf),
            row_ub=bounds(rows["ub"], math.inf),
            start=np.asarray(rows["start"], dtype=np.int64),
            index=np.asarray(rows["index"], dtype=np.int32),
            value=np.asarray(rows["value"], dtype=np.float64),
            cost=np.asarray(form["objective"]["cost"], dtype=np.float64),
            rest=np.array(json.dumps(rest, separators=(",", ":"))),
        )


def read_arrays(path: Path) -> dict[str, Any]:
    """What :func:`write` stored in a ``.npz`` file: the arrays by name, ``rest`` as a dict."""
    import numpy as np

    with np.load(path) as data:
        out: dict[str, Any] = {k: data[k] for k in data.files if k != "rest"}
        out["rest"] = json.loads(str(data["rest"]))
    return out


def evaluate(
    form: dict[str, Any], values: Sequence[float], tol: float = 1e-6
) -> tuple[float, list[str]]:
    """The objective of ``values`` (one per column) and a description of every violated
    bound, row or integrality (empty when the point is feasible)."""
    bad: list[str] = []
    cols = form["cols"]
    for j, (lb, ub) in enumerate(zip(cols["lb"], cols["ub"], strict=True)):
        v = values[j]
        if (lb is not None and v < lb - tol) or (ub is not None and v > ub + tol):
            bad.append(f"column {j} = {v} outside [{lb}, {ub}]")
        if abs(v - round(v)) > tol:
            bad.append(f"column {j} = {v} is not integral")
    r = form["rows"]
    start, index, value = r["start"], r["index"], r["value"]
    for i, (lb, ub) in enumerate(zip(r["lb"], r["ub"], strict=True)):
        act = sum(value[k] * values[index[k]] for k in range(start[i], start[i + 1]))
        if (lb is not None and act < lb - tol) or (ub is not None and act > ub + tol):
            bad.append(f"row {i}: activity {act} outside [{lb}, {ub}]")
    obj = form["objective"]
    total = obj["offset"] + sum(c * values[j] for j, c in enumerate(obj["cost"]) if c)
    return total, bad


def seat_columns(form: dict[str, Any]) -> list[int]:
    """Every column a roster is read from (seats and roles), sorted."""
    cols: set[int] = set()
    for col, _, _, lead, dep in form["seats"]:
        cols.add(col)
        if lead >= 0:
            cols.add(lead)
        if dep >= 0:
            cols.add(dep)
    return sorted(cols)


def roster(
    instance: Any, form: dict[str, Any], values: Sequence[float] | Mapping[int, float]
) -> Any:
    """The roster of ``values``, mentors assigned as the engine does (``make_roster``)."""
    from teamsolver.engine.solve import make_roster

    return make_roster(instance, chosen(form, values))
