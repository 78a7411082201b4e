"""Limits (issue 13, items 6–8 and 15): arguments checked, weights bounded, plans too large for
the machine refused with figures, and tied optima broken the same way on every run."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import teamsolver
from teamsolver import limits
from teamsolver.cli import main
from teamsolver.data.errors import InputError
from teamsolver.data.settings import GOAL_IDS, RELAXABLE_RULES, Rules
from teamsolver.limits import MAX_OBJECTIVE, objective_problem, worst_objective

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "instances" / "tiny"
TINY_OPTIMUM = Path(__file__).parent / "data" / "tiny-optimum.csv"


def assert_clean(instance: teamsolver.Instance, roster: teamsolver.Roster) -> None:
    hard = [v for v in teamsolver.check(instance, roster) if instance.rules.mode(v.rule) == "hard"]
    assert hard == [] and roster.seats


def cli(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


# -- item 7: library arguments ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"workers": -3}, "workers must be a whole number of at least 1, got -3"),
        ({"workers": 0}, "workers must be a whole number of at least 1"),
        ({"workers": 2.0}, "workers must be a whole number or None"),
        ({"time_limit": -1}, "time_limit must be a number of seconds above 0"),
        ({"time_limit": 0}, "time_limit must be a number of seconds above 0"),
        ({"time_limit": math.nan}, "time_limit must be a number of seconds above 0"),
        ({"time_limit": "5"}, "time_limit must be a number of seconds or None"),
        ({"seed": 2**70}, "seed must be a whole number from 0 to 2,147,483,647"),
        ({"seed": -1}, "seed must be a whole number from 0"),
        ({"seed": True}, "seed must be a whole number"),
        ({"solutions": 0}, "solutions must be a whole number of at least 1"),
    ],
)
def test_solve_refuses_arguments_out_of_range(kwargs: dict[str, object], words: str) -> None:
    inst = teamsolver.load(TINY)
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        teamsolver.solve(inst, **kwargs)  # type: ignore[arg-type]


def test_an_infinite_time_limit_is_no_limit() -> None:
    inst = teamsolver.load(TINY)
    result = teamsolver.solve(inst, time_limit=math.inf, workers=1)
    assert result.status == "OPTIMAL"
    assert_clean(inst, result.roster)


def test_cli_seed_out_of_range_is_a_usage_error() -> None:
    code, _, err = cli("solve", TINY, "--seed", 2**40)
    assert code == 2 and "--seed" in err and "2147483647" in err


# -- item 6: weights and scores bounded at load --------------------------------------------------
def test_a_huge_goal_weight_is_refused_with_the_key_and_the_largest_value(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    rules = folder / "rules.toml"
    extra = "\n[rotation]\nmode = 'soft'\nweight = 9223372036854775807\n"
    rules.write_text(rules.read_text("utf-8") + extra, "utf-8")
    code, _, err = cli("solve", folder, "--out", tmp_path / "r.xlsx")
    assert code == 2
    assert "[rotation] weight" in err and "less than or equal to 1000000" in err
    assert not (tmp_path / "r.xlsx").exists()


def test_a_huge_affinity_score_is_refused_where_it_was_typed(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    (folder / "affinity.csv").write_text(
        "member,group,score\nM01,G1,5\nM02,G2,1000000000000000000\n", encoding="utf-8"
    )
    code, _, err = cli("validate", folder)
    assert code == 2
    assert "affinity.csv, row 3, column score" in err and "1000000" in err


def test_the_worst_objective_counts_every_term_at_its_far_end() -> None:
    # 3·x (x in 0..4) − 2·y (y in −1..5) + 7: from 7 − 10 = −3 to 7 + 12 + 2 = 21.
    assert worst_objective([(3, 0, 4), (-2, -1, 5)], 7) == 21
    assert worst_objective([(3, 0, 4), (-2, -1, 5)], -30) == 40


def test_an_objective_beyond_2_53_names_the_largest_weight_and_a_value_that_fits() -> None:
    inst = teamsolver.load(TINY)
    assert objective_problem(MAX_OBJECTIVE, inst) is None
    problem = objective_problem(4 * MAX_OBJECTIVE, inst)
    assert problem is not None
    assert problem.column == "objective.stability"  # 100, the largest weight of tiny
    assert "lower the largest weight, objective.stability = 100, to at most 25" in problem.message


def _all_weights(instance: teamsolver.Instance, value: int) -> teamsolver.Instance:
    data = instance.rules.model_dump(by_alias=True)
    for goal in GOAL_IDS:
        data["objective"][goal] = value
    for rule_id in RELAXABLE_RULES:
        data[rule_id]["weight"] = value
    return instance.model_copy(update={"rules": Rules.model_validate(data)})


def test_a_whatif_whose_scaled_weights_overflow_is_refused_naming_the_planners_weight() -> None:
    """what-if multiplies the weights by the range of the goals (stability first): with every
    weight at the cap that passes 2^53 on tiny, and it is refused before any search."""
    from teamsolver.files.rosters import read_roster
    from teamsolver.whatif import whatif
    from teamsolver.whatif.scenario import Scenario

    inst = _all_weights(teamsolver.load(TINY), 1_000_000)
    base = read_roster(TINY_OPTIMUM, inst)
    (scenario,) = Scenario.from_text('out = ["M12"]', "ill.toml")
    with pytest.raises(InputError) as exc:
        whatif(inst, base, scenario, time_limit=5, workers=1)
    (problem,) = exc.value.errors
    assert "a what-if's stability-first objective could reach" in problem.message
    assert problem.column in limits.weights(inst)  # a key the planner sets
    assert "= 1,000,000, to at most" in problem.message
    # The same weights solve as a plain plan: its objective stays far below 2^53.
    result = teamsolver.solve(inst, workers=1, time_limit=10)
    assert result.has_roster
    assert_clean(inst, result.roster)


# -- item 8: a plan too large for the machine ---------------------------------------------------
def test_a_plan_too_large_for_the_memory_is_refused_with_the_figures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inst = teamsolver.load(TINY)
    assert limits.size_problem(inst, memory=10**9) is None
    problem = limits.size_problem(inst, memory=50_000)  # 40 possible seats need 120 kB
    assert problem is not None
    assert "40 possible seats (20 active members × 2 groups)" in problem.message
    assert "0.0 GB is available" in problem.message
    monkeypatch.setattr(limits, "available_memory", lambda: 50_000)
    with pytest.raises(InputError, match="too large for this machine"):
        teamsolver.solve(inst, workers=1)
    code, _, err = cli("solve", TINY, "--out", tmp_path / "r.csv")
    assert code == 2 and "too large for this machine" in err
    assert not (tmp_path / "r.csv").exists() and "Traceback" not in err


# -- item 15: the same roster on every run --------------------------------------------------------
def test_tied_optima_are_broken_the_same_way_whatever_the_path() -> None:
    """tiny has several optimal rosters; which one CP-SAT meets first depends on the time limit
    (a light presolve below 20 s), the seed and the workers. Every path returns the same one."""
    inst = teamsolver.load(TINY)
    runs = [
        teamsolver.solve(inst, workers=1, seed=0),
        teamsolver.solve(inst, workers=1, seed=0, time_limit=5),
        teamsolver.solve(inst, workers=1, seed=7, time_limit=60),
        teamsolver.solve(inst, workers=2, seed=3),
    ]
    assert {r.status for r in runs} == {"OPTIMAL"}
    assert len({r.objective for r in runs}) == 1
    assert len({frozenset(r.roster.key_set()) for r in runs}) == 1
    for r in runs:
        assert_clean(inst, r.roster)


def test_solve_stops_after_n_improving_rosters_on_the_command_line() -> None:
    args = ("solve", TINY, "--workers", 1, "--time-limit", 0, "--solutions", 2)
    code, out, _ = cli(*args)
    assert code == 0 and "stopped after 2 improving rosters" in out
    code, out, _ = cli(*args, "--json")
    doc = json.loads(out)
    assert doc["status"] == "FEASIBLE" and doc["solutions"] == 2 and not doc["interrupted"]
    again = json.loads(cli(*args, "--json")[1])
    assert again["roster"] == doc["roster"]  # a deterministic limit
    inst = teamsolver.load(TINY)
    roster = teamsolver.Roster.model_validate({"seats": doc["roster"]})
    assert_clean(inst, roster)


@pytest.mark.parametrize(
    "kwargs", [{"time_limit": -1}, {"workers": 0}, {"seed": 2**70}, {"seed": -5}]
)
def test_explain_and_why_not_refuse_the_same_arguments(kwargs: dict[str, object]) -> None:
    inst = teamsolver.load(TINY)
    with pytest.raises(ValueError):
        teamsolver.explain(inst, **kwargs)
    with pytest.raises(ValueError):
        teamsolver.why_not(inst, teamsolver.Roster(), "M01", **kwargs)


def test_why_not_takes_none_as_no_time_limit() -> None:
    inst = teamsolver.load(TINY)
    base = teamsolver.solve(inst, workers=1)
    answer = teamsolver.why_not(inst, base.roster, "M04", group="G1", time_limit=None, workers=1)
    assert answer.status != "seated" and answer.roster is not None
    assert_clean(inst, answer.roster)


def test_a_small_plan_out_of_time_keeps_the_greedy_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model below the staged size whose search finds nothing in time (the limit passed while
    it was built) returns the checker-clean greedy roster, as a large one does, not no roster.
    The search that finds nothing is simulated: how much a real one finds in 0.01 s depends on
    the machine."""
    from ortools.sat.python import cp_model

    from teamsolver.engine import solve as engine_solve

    monkeypatch.setattr(engine_solve, "_run", lambda *_: int(cp_model.UNKNOWN))
    inst = teamsolver.load(TINY)
    result = teamsolver.solve(inst, time_limit=5, workers=1)
    assert result.status == "FEASIBLE" and result.stats["greedy_first"] == 1
    assert result.objective == teamsolver.objective(inst, result.roster)
    assert_clean(inst, result.roster)


def test_the_live_line_says_no_bound_when_none_is_known() -> None:
    """The decomposition layer reports progress with no bound (−inf): the live line says so
    rather than 'bound -inf · gap inf%'."""
    from teamsolver.cli.common import Live

    live = Live(enabled=True, time_limit=10)
    live.update(teamsolver.Progress(objective=-5, bound=-math.inf, elapsed_s=1, solutions=2))
    assert "best -5 · no bound · 2 rosters" in live.text()
    live.update(teamsolver.Progress(objective=-5, bound=-9, elapsed_s=1, solutions=3))
    assert "best -5 · bound -9 · gap 80.0% · 3 rosters" in live.text()
