"""The benchmark's linear form of the CP-SAT model, and its greedy planner (benchmarks/).

No HiGHS here: the linear form is checked in pure Python against CP-SAT's own solution (every
exported row holds at that point and gives the same objective; a roster read back from the seat
columns is checker-clean and scores the same at the optimum), and the greedy planner must give a
checker-clean roster of ``instances/tiny``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.engine.model import Model
from teamsolver.generate import generate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))

import greedy  # noqa: E402
import linear_form  # noqa: E402


def _instances() -> list[tuple[str, teamsolver.Instance]]:
    return [
        ("tiny", teamsolver.load(ROOT / "instances" / "tiny")),
        # several rounds: experience literals, enforced linear rows, bool_and / bool_or
        ("tiny-3-rounds", generate("tiny", 0, rounds=3)),
    ]


@pytest.mark.parametrize(
    ("name", "inst"), _instances(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_linear_form_agrees_with_cp_sat(name: str, inst: teamsolver.Instance) -> None:
    model = Model(inst)
    form = linear_form.export(model, name=name)
    stats = form["stats"]
    assert stats["cols"] == len(model.cp.proto.variables)
    assert len(form["seats"]) == len(model.x)
    solver = cp_model.CpSolver()
    # A deterministic work limit, not a wall-clock one: the same solution on a busy machine
    # (tiny ends optimal well within it; tiny-3-rounds ends on a feasible roster).
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 1.0
    status = solver.solve(model.cp)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    values = [
        solver.value(model.cp.get_int_var_from_proto_index(k))
        for k in range(len(model.cp.proto.variables))
    ]
    objective, bad = linear_form.evaluate(form, values)
    assert bad == []
    assert objective == round(solver.objective_value)
    # The roster read back from the seat columns is the CP-SAT roster: clean, and scored no
    # worse than the model says (equal at the optimum; loose auxiliaries may overstate it).
    roster = linear_form.roster(inst, form, values)
    assert not hard_violations(inst, teamsolver.check(inst, roster))
    scored = teamsolver.objective(inst, roster)
    assert scored <= objective
    if status == cp_model.OPTIMAL:
        assert scored == objective
    # And the form is not vacuous: the empty roster breaks rows (group sizes, quotas, ...).
    assert linear_form.evaluate(form, [0] * stats["cols"])[1]


def test_enforced_rows_use_big_m() -> None:
    form = linear_form.export(Model(generate("tiny", 0, rounds=3)))
    assert form["stats"]["big_m_rows"] > 0
    assert set(form["stats"]["cp_constraints"]) <= set(linear_form.SUPPORTED)


def test_greedy_roster_of_tiny_is_checker_clean() -> None:
    inst = teamsolver.load(ROOT / "instances" / "tiny")
    roster = greedy.plan(inst)
    assert len(roster) > 0
    assert not hard_violations(inst, teamsolver.check(inst, roster))


def test_linear_form_npz_keeps_every_row_and_bound(tmp_path: Path) -> None:
    """The suite hands HiGHS the ``.npz`` file: it must hold the same model as the JSON form."""
    import math

    form = linear_form.export(Model(generate("tiny", 0, rounds=3)), name="t")
    linear_form.write(form, tmp_path / "form.npz")
    got = linear_form.read_arrays(tmp_path / "form.npz")

    def same(values: list[int | None], arr: object, missing: float) -> bool:
        return [missing if v is None else float(v) for v in values] == list(arr)  # type: ignore[call-overload]

    assert same(form["cols"]["lb"], got["col_lb"], -math.inf)
    assert same(form["cols"]["ub"], got["col_ub"], math.inf)
    assert same(form["rows"]["lb"], got["row_lb"], -math.inf)
    assert same(form["rows"]["ub"], got["row_ub"], math.inf)
    for key in ("start", "index", "value"):
        assert list(got[key]) == form["rows"][key]
    assert list(got["cost"]) == form["objective"]["cost"]
    assert got["rest"]["offset"] == form["objective"]["offset"]
    assert got["rest"]["seats"] == form["seats"]
