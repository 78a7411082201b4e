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
assumptions, an enforced row over an unbounded variable) stops the export with
:class:`Unsupported`: the engine emits none of them today, and a silent approximation would
change the problem.

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

Only :func:`export` imports ortools (lazily): :func:`chosen` runs in any process, e.g. the
benchmark's parent, which must not import ortools when it also talks to the separate highspy.
"""

from __future__ import annotations

import math
import os
import tempfile
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

FORMAT = "teamsolver-linear-form/1"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: Constraint kinds :func:`export` translates; anything else is an AssertionError.
SUPPORTED = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one")


class Unsupported(ValueError):
    """The CP-SAT model holds something the linear form cannot express exactly."""


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise Unsupported(f"the linear form cannot express the model: {what}")


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
            if (lb is not None and lb > 0) or (ub is not None and ub < 0):
                raise Unsupported("a constraint without variables that can never hold")
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
            lb_j, ub_j = self.col_lb[j], self.col_ub[j]
            _require(
                lb_j is not None and lb_j >= 0 and ub_j is not None and ub_j <= 1,
                "non-Boolean literal",
            )
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
                _require(math.isfinite(lo), "enforced row over an unbounded variable")
                big = int(rhs - lo)  # Σ a·x + big·s ≥ rhs
            else:
                if hi <= rhs:
                    self.dropped += 1
                    continue
                _require(math.isfinite(hi), "enforced row over an unbounded variable")
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
    # Here, not at the top: the linear form is plain data; only this reads a CP-SAT proto.
    from ortools.sat import cp_model_pb2

    fd, name = tempfile.mkstemp(suffix=".pb", prefix="linear_form_")
    os.close(fd)
    try:
        if not model.cp.export_to_file(name):
            raise RuntimeError("CpModel.export_to_file failed")
        msg = cp_model_pb2.CpModelProto()
        msg.ParseFromString(Path(name).read_bytes())
    finally:
        os.unlink(name)
    return msg


def export(model: Any, name: str = "") -> dict[str, Any]:
    """The linear form of a :class:`teamsolver.engine.model.Model` (see the module doc)."""
    proto = _proto_message(model)
    _require(not proto.HasField("floating_point_objective"), "floating-point objective")
    _require(not list(proto.assumptions), "assumptions")
    col_lb: list[int | None] = []
    col_ub: list[int | None] = []
    for v in proto.variables:
        dom = list(v.domain)
        _require(len(dom) == 2, f"variable {v.name!r} has a domain with holes: {dom}")
        col_lb.append(_bound(dom[0]))
        col_ub.append(_bound(dom[1]))
    rows = _Rows(col_lb, col_ub)
    kinds: dict[str, int] = {}
    for ct in proto.constraints:
        kind = ct.WhichOneof("constraint")
        _require(kind in SUPPORTED, f"constraint type {kind!r} is not translated")
        kinds[kind] = kinds.get(kind, 0) + 1
        enf = list(ct.enforcement_literal)
        if kind == "linear":
            lin = ct.linear
            dom = list(lin.domain)
            _require(len(dom) == 2, f"linear domain with holes: {dom}")
            terms: dict[int, int] = {}
            for j, a in zip(lin.vars, lin.coeffs, strict=True):
                _require(j >= 0, "negative reference in a linear constraint")
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
        _require(scale == 1.0, f"objective scaling factor {scale} (only minimisation is exported)")
        _require(float(obj.offset).is_integer(), "non-integer objective offset")
        offset = int(obj.offset)
        for j, c in zip(obj.vars, obj.coeffs, strict=True):
            _require(j >= 0, "negative reference in the objective")
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


_FORMS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def form_of(model: Any) -> dict[str, Any]:
    """:func:`export` of a built model, once: the HiGHS race and the LP-guided stage both need
    it, and a model does not change after its build (hints are not part of the form)."""
    form = _FORMS.get(model)
    if form is None:
        form = _FORMS[model] = export(model)
    return form


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
