"""benchmarks/goal_gap.py: goal parts read off the model's variables, and its LP bound.

At CP-SAT's optimum of ``instances/tiny`` the parts read off the variables must be the
independent scorer's parts of that roster (weights and signs included), and the LP relaxation
solved through MathOpt GLOP must be a bound no worse than that optimum.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ortools.sat.python import cp_model

import teamsolver
from teamsolver.engine.model import Model
from teamsolver.engine.solve import make_roster
from teamsolver.score import objective_parts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import goal_gap  # noqa: E402
import linear_form  # noqa: E402


def test_parts_match_the_scorer_and_the_lp_is_a_bound() -> None:
    inst = teamsolver.load(ROOT / "instances" / "tiny")
    model = Model(inst)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # no time limit: tiny is proven in a fraction of a second
    assert solver.solve(model.cp) == cp_model.OPTIMAL
    values = list(solver.response_proto.solution)
    form = linear_form.export(model, "tiny")
    roster = make_roster(inst, linear_form.chosen(form, values))
    scored = objective_parts(inst, roster)
    parts = goal_gap.part_values(model, values)
    assert parts, "the tiny instance has goals"
    for key, value in parts.items():
        assert value == scored[key], key
    lp = goal_gap.solve_math(form, "glop", integer=False)
    assert lp["termination"] == "OPTIMAL"
    assert lp["objective"] <= solver.objective_value + 1e-6
    assert abs(sum(goal_gap.part_values(model, lp["values"]).values()) - lp["objective"]) < 1e-6
