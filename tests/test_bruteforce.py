"""The solver against exhaustive enumeration on random tiny instances with random rules.

For every instance: the solver says INFEASIBLE exactly when no roster breaks no hard rule, and
otherwise its objective equals the enumerated optimum, its roster is clean for the independent
checker, and the independent scorer gives the same objective and goal values. Validation errors
are sound: when ``validate`` calls an instance impossible, enumeration finds no roster either.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from teamsolver import solve
from teamsolver.data.instance import Instance
from teamsolver.score import objective, score
from teamsolver.validation import validate_instance

from .bruteforce import best, is_hard_clean
from .strategies import tiny_instances

COMMON = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}


def agree_with_enumeration(instance: Instance) -> None:
    expected, witness = best(instance)
    errors = [p for p in validate_instance(instance) if p.severity == "error"]
    if errors:
        assert expected is None, (
            f"validation said impossible ({errors[0]}) but this roster breaks no hard rule: "
            f"{witness}"
        )
        return
    result = solve(instance, workers=1, seed=0)
    if expected is None:
        assert result.status == "INFEASIBLE", result.roster
        return
    assert result.status == "OPTIMAL"
    assert is_hard_clean(instance, result.roster)
    assert result.objective == objective(instance, result.roster)
    assert result.solver_objective == result.objective
    assert result.objective == expected, f"enumeration found {expected} with {witness}"
    assert result.goals == score(instance, result.roster)
    assert result.engine_goals == {
        g: v for g, v in result.goals.items() if g in result.engine_goals
    }


@settings(max_examples=200, derandomize=True, **COMMON)
@given(tiny_instances())
def test_solver_matches_enumeration(instance: Instance) -> None:
    agree_with_enumeration(instance)


@pytest.mark.slow
@settings(max_examples=2000, **COMMON)
@given(tiny_instances(max_options=20000))
def test_solver_matches_enumeration_many(instance: Instance) -> None:
    agree_with_enumeration(instance)
