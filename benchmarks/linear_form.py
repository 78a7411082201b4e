"""A teamsolver model in a solver-neutral linear form, for MIP solvers such as HiGHS.

:func:`export` reads the CP-SAT model of a :class:`teamsolver.engine.model.Model` (its
``CpModelProto``) and writes every constraint as linear rows over the same variables, one column
per CP-SAT variable (same index), all of them integer:

- ``linear`` ``lb ≤ Σ a·x ≤ ub`` stays a row; with ``enforcement_literal`` e₁…e_k (all true
  enforces it) it becomes big-M rows using the variables' bounds:
  ``Σ a·x + (lb − min Σ a·x)·s ≥ lb`` and ``Σ a·x − (max Σ a·x − ub)·s ≤ ub`` with
  ``s = Σ (1 − eⱼ)``; a side that can never be violated is dropped;
- ``bool_or`` ``Σ lits ≥ 1``; ``bool_and`` one row ``lit ≥ 1`` per literal; ``at_most_one``
  ``Σ lits ≤ 1``; ``exactly_one`` ``Σ lits = 1`` (with enforcement, the same big-M);
- a negated literal ``¬x`` is ``1 − x``.

Any other constraint type (or a variable with a hole in its domain, a floating-point objective,
assumptions) stops the export with an ``AssertionError``: the engine emits none of them today,
and a silent approximation would make the comparison meaningless.

The objective is CP-SAT's: ``min Σ c·x + offset``. So on every integer point the linear form and
the CP-SAT model accept the same assignments with the same objective value, and the LP
relaxation of the linear form is a valid lower bound of the teamsolver objective.

The form is a plain dict (JSON-serialisable; infinite bounds are ``None``)::

    {"format": FORMAT, "name": ...,
     "cols": {"lb": [...], "ub": [...]},            # every column is integer
     "rows": {"lb": [...], "ub": [...], "start": [...], "index": [...], "value": [...]},
     "objective": {"cost": [...], "offset": int},   # minimised; cost is dense
     "seats": [[col, member_index, group_index, lead_col|-1, dep_col|-1], ...],
     "stats": {...}}

Only :func:`export` imports ortools (lazily): :func:`evaluate`, :func:`chosen` and
:func:`roster` run in any process, e.g. the benchmark's parent, which must not import ortools
when it also talks to HiGHS.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

FORMAT = "teamsolver-linear-form/1"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: Constraint kinds :func:`export` translates; anything else is an AssertionError.
SUPPORTED = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one")


def _bound(v: int) -> int | None:
    return None if v <= INT64_MIN or v >= INT64_MAX else int(v)


class _Rows:
    """Rows in compressed sparse row form, built term by term."""

    def __init__(self, col_lb: Sequence[int | None], col_ub: Sequence[int | None]):
        self.col_lb = col_lb
        self.col_ub = col_ub
        self.lb: list[int | None] = []
        self.ub: list[int | None] = []
        self.start: list[int] = [0]
        self.index: list[int] = []
        self.value: list[int] = []
        self.big_m = 0  # rows written for enforced constraints
        self.dropped = 0  # enforced sides that can never be violated

    def _activity(self, terms: dict[int, int]) -> tuple[float, float]:
        lo = hi = 0.0
        for j, a in terms.items():
            lb, ub = self.col_lb[j], self.col_ub[j]
            lo += (
                a * (-math.inf if lb is None else lb)
                if a > 0
                else a * (math.inf if ub is None else ub)
            )
            hi += (
                a * (math.inf if ub is None else ub)
                if a > 0
                else a * (-math.inf if lb is None else lb)
            )
        return lo, hi

    def _emit(self, terms: dict[int, int], lb: int | None, ub: int | None) -> None:
        items = [(j, a) for j, a in terms.items() if a != 0]
        if not items:
            assert (lb is None or lb <= 0) and (ub is None or ub >= 0), "infeasible empty row"
            return
        items.sort()
        self.index.extend(j for j, _ in items)
        self.value.extend(a for _, a in items)
        self.start.append(len(self.index))
        self.lb.append(lb)
        self.ub.append(ub)

    def add(
        self,
        terms: dict[int, int],
        const: int,
        lb: int | None,
        ub: int | None,
        enforcement: Sequence[int] = (),
    ) -> None:
        """``lb ≤ Σ terms + const ≤ ub``, enforced when every literal of ``enforcement`` holds."""
        if const:
            lb = None if lb is None else lb - const
            ub = None if ub is None else ub - const
        if not enforcement:
            self._emit(terms, lb, ub)
            return
        # s = Σ (1 − val(e)) over enforcement literals: Σ_pos (1 − x) + Σ_neg x.
        s_terms: dict[int, int] = {}
        s_const = 0
        for lit in enforcement:
            j = lit if lit >= 0 else -lit - 1
            assert self.col_lb[j] is not None and self.col_lb[j] >= 0, "non-Boolean literal"  # type: ignore[operator]
            assert self.col_ub[j] is not None and self.col_ub[j] <= 1, "non-Boolean literal"  # type: ignore[operator]
            if lit >= 0:
                s_const += 1
                s_terms[j] = s_terms.get(j, 0) - 1
            else:
                s_terms[j] = s_terms.get(j, 0) + 1
        lo, hi = self._activity(terms)
        for side, rhs in (("lb", lb), ("ub", ub)):
            if rhs is None:
                continue
            if side == "lb":
                if lo >= rhs:
                    self.dropped += 1
                    continue
                assert math.isfinite(lo), "enforced row over an unbounded variable"
                big = int(rhs - lo)  # Σ a·x + big·s ≥ rhs
            else:
                if hi <= rhs:
                    self.dropped += 1
                    continue
                assert math.isfinite(hi), "enforced row over an unbounded variable"
                big = -int(hi - rhs)  # Σ a·x − big·s ≤ rhs
            row = dict(terms)
            for j, a in s_terms.items():
                row[j] = row.get(j, 0) + big * a
            shift = big * s_const
            if side == "lb":
                self._emit(row, rhs - shift, None)
            else:
                self._emit(row, None, rhs - shift)
            self.big_m += 1


def _literal_terms(literals: Iterable[int]) -> tuple[dict[int, int], int]:
    """Σ val(lit) as (terms, constant): ``x`` for a literal, ``1 − x`` for its negation."""
    terms: dict[int, int] = {}
    const = 0
    for lit in literals:
        if lit >= 0:
            terms[lit] = terms.get(lit, 0) + 1
        else:
            j = -lit - 1
            terms[j] = terms.get(j, 0) - 1
            const += 1
    return terms, const


def _proto_message(model: Any) -> Any:
    """The model's CpModelProto as a protobuf message (parsing a file is much faster than
    walking the wrapped C++ proto attribute by attribute)."""
    from ortools.sat import cp_model_pb2

    fd, name = tempfile.mkstemp(suffix=".pb", prefix="linear_form_")
    os.close(fd)
    try:
        assert model.cp.export_to_file(name), "CpModel.export_to_file failed"
        msg = cp_model_pb2.CpModelProto()
        msg.ParseFromString(Path(name).read_bytes())
    finally:
        os.unlink(name)
    return msg


def export(model: Any, name: str = "") -> dict[str, Any]:
    """The linear form of a :class:`teamsolver.engine.model.Model` (see the module doc)."""
    proto = _proto_message(model)
    assert not proto.HasField("floating_point_objective"), "floating-point objective"
    assert not list(proto.assumptions), "assumptions"
    col_lb: list[int | None] = []
    col_ub: list[int | None] = []
    for v in proto.variables:
        dom = list(v.domain)
        assert len(dom) == 2, f"variable {v.name!r} has a domain with holes: {dom}"
        col_lb.append(_bound(dom[0]))
        col_ub.append(_bound(dom[1]))
    rows = _Rows(col_lb, col_ub)
    kinds: dict[str, int] = {}
    for ct in proto.constraints:
        kind = ct.WhichOneof("constraint")
        assert kind in SUPPORTED, f"constraint type {kind!r} is not translated"
        kinds[kind] = kinds.get(kind, 0) + 1
        enf = list(ct.enforcement_literal)
        if kind == "linear":
            lin = ct.linear
            dom = list(lin.domain)
            assert len(dom) == 2, f"linear domain with holes: {dom}"
            terms: dict[int, int] = {}
            for j, a in zip(lin.vars, lin.coeffs, strict=True):
                assert j >= 0, "negative reference in a linear constraint"
                terms[j] = terms.get(j, 0) + a
            rows.add(terms, 0, _bound(dom[0]), _bound(dom[1]), enf)
        elif kind == "bool_or":
            terms, const = _literal_terms(ct.bool_or.literals)
            rows.add(terms, const, 1, None, enf)
        elif kind == "bool_and":
            for lit in ct.bool_and.literals:
                terms, const = _literal_terms([lit])
                rows.add(terms, const, 1, None, enf)
        elif kind == "at_most_one":
            terms, const = _literal_terms(ct.at_most_one.literals)
            rows.add(terms, const, None, 1, enf)
        else:  # exactly_one
            terms, const = _literal_terms(ct.exactly_one.literals)
            rows.add(terms, const, 1, 1, enf)
    obj = proto.objective
    cost = [0] * len(col_lb)
    offset = 0
    if proto.HasField("objective"):
        scale = obj.scaling_factor or 1.0
        assert scale == 1.0, f"objective scaling factor {scale} (only minimisation is exported)"
        assert float(obj.offset).is_integer(), "non-integer objective offset"
        offset = int(obj.offset)
        for j, c in zip(obj.vars, obj.coeffs, strict=True):
            assert j >= 0, "negative reference in the objective"
            cost[j] += c
    seats = [
        [
            var.index,
            mi,
            gi,
            model.lead[(mi, gi)].index if (mi, gi) in model.lead else -1,
            model.dep[(mi, gi)].index if (mi, gi) in model.dep else -1,
        ]
        for (mi, gi), var in model.x.items()
    ]
    return {
        "format": FORMAT,
        "name": name,
        "cols": {"lb": col_lb, "ub": col_ub},
        "rows": {
            "lb": rows.lb,
            "ub": rows.ub,
            "start": rows.start,
            "index": rows.index,
            "value": rows.value,
        },
        "objective": {"cost": cost, "offset": offset},
        "seats": seats,
        "stats": {
            "cols": len(col_lb),
            "rows": len(rows.lb),
            "nonzeros": len(rows.index),
            "cp_constraints": kinds,
            "big_m_rows": rows.big_m,
            "enforced_sides_dropped": rows.dropped,
            "seat_cols": len(seats),
        },
    }


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
    with path.open("wb") as fh:
        np.savez(
            fh,
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


def chosen(
    form: dict[str, Any], values: Sequence[float] | Mapping[int, float]
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(member index, group index) → (1, lead, dep) for every seat taken in ``values``, the
    argument :func:`teamsolver.engine.solve.make_roster` takes."""
    out: dict[tuple[int, int], tuple[int, int, int]] = {}
    for col, mi, gi, lead, dep in form["seats"]:
        if values[col] > 0.5:
            out[(mi, gi)] = (
                1,
                int(lead >= 0 and values[lead] > 0.5),
                int(dep >= 0 and values[dep] > 0.5),
            )
    return out


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
