"""What-if (issue 8): re-solving a changed instance moves as few seats as needed, the diff says
what moved, and the ``whatif`` and ``diff`` commands work end to end."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

import teamsolver
from teamsolver.audit import check
from teamsolver.cli.common import Live
from teamsolver.data.errors import InputError
from teamsolver.data.instance import Instance
from teamsolver.data.result import Progress, Result
from teamsolver.data.roster import Roster
from teamsolver.files.rosters import read_roster
from teamsolver.score import stability
from teamsolver.whatif import (
    PlanProgress,
    goal_range_bound,
    neighbourhood,
    solve_whatif,
    stability_first,
    whatif,
)
from teamsolver.whatif.diff import roster_diff
from teamsolver.whatif.scenario import Scenario, apply_scenario

from .helpers import group, instance, member, roster
from .test_cli import TEAMSOLVER, run

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
EXAMPLES = ROOT / "instances" / "scenarios"
TINY_OPTIMUM = Path(__file__).parent / "data" / "tiny-optimum.csv"


def scenario(text: str) -> Scenario:
    (s,) = Scenario.from_text(text, "s.toml")
    return s


# -- crafted instances: the fewest changes is known ----------------------------------------------
def crafted(rounds: int = 1) -> Instance:
    """One group of exactly 3 per round (a leader, a deputy, a member), experienced full-time
    party members from distinct units, so that only the quotas and sizes bind. The baseline
    people are rated 10; spares are rated 100 and have a high affinity: without stability
    first, the optimiser would swap them in."""
    people = [
        member("L1", "U1", can_lead=True),
        member("D1", "U2", can_deputy=True, can_lead=True),
        member("M1", "U3"),
        member("L2", "U4", can_lead=True),
        member("D2", "U5", can_deputy=True),
        member("M2", "U6"),
        member("SL", "U7", can_lead=True, rating=100),
        member("SD", "U8", can_deputy=True, rating=100),
        member("S1", "U9", rating=100),
        member("S2", "U10", rating=100),
    ]
    people = [
        p.model_copy(
            update={
                "rounds_served": 5,
                "full_time": True,
                "rating": p.rating if p.rating is not None else 10,
            }
        )
        for p in people
    ]
    groups = [
        group(f"G{r}", ("T1",), round=f"R{r}", size_min=3, size_max=3, deputies_max=1)
        for r in range(1, rounds + 1)
    ]
    spares = ("SL", "SD", "S1", "S2")
    return instance(
        people,
        groups,
        affinity=[(s, g.id, 50) for s in spares for g in groups],
    )


def crafted_baseline(inst: Instance) -> Roster:
    layout = {"G1": "L1:leader D1:deputy M1"}
    if "G2" in inst.group_by_id:
        layout["G2"] = "L2:leader D2:deputy M2"
    base = roster(inst, layout)
    assert check(inst, base) == []  # checker-clean: not even a soft rule bends
    return base


@pytest.mark.parametrize(
    ("text", "fewest"),
    [
        ("", 0),
        ('out = ["M1"]', 2),  # M1's seat goes, one spare joins
        ('out = ["L1"]', 2),  # the spare leader SL joins as leader
        ('out = ["D1"]', 2),  # the spare deputy SD joins as deputy
        ('out = ["L1", "SL", "L2"]', 3),  # D1 must lead: L1 gone, D1 leader, a deputy joins
        ('out = ["M1", "S1", "S2", "L2", "D2", "M2"]', 2),  # a leader-able spare sits as member
    ],
)
def test_one_change_moves_only_as_many_seats_as_needed(text: str, fewest: int) -> None:
    inst = crafted()
    base = crafted_baseline(inst)
    done = whatif(inst, base, scenario(text), workers=1)
    assert done.result.status == "OPTIMAL"
    assert done.diff is not None
    assert done.diff.changes == fewest
    assert stability(done.result.roster.seats, base.seats) == fewest
    assert done.result.goals["stability"] == fewest
    assert not [v for v in check(done.instance, done.result.roster)]


def test_without_stability_first_the_optimiser_would_move_more() -> None:
    inst = crafted()
    base = crafted_baseline(inst)
    changed = apply_scenario(inst, scenario('out = ["M1"]'))
    plain = teamsolver.solve(changed, baseline=base, workers=1)
    first = teamsolver.solve(stability_first(changed), baseline=base, workers=1)
    assert stability(first.roster.seats, base.seats) == 2
    assert stability(plain.roster.seats, base.seats) > 2  # high-rated spares swapped in


def test_a_member_out_in_one_round_only_touches_that_round() -> None:
    inst = crafted(rounds=2)
    base = crafted_baseline(inst)
    done = whatif(inst, base, scenario('[[member]]\nid = "M2"\nunavailable_rounds = ["R2"]\n'))
    assert done.diff is not None and done.diff.changes == 2
    assert {c.round for c in (*done.diff.left, *done.diff.joined)} == {"R2"}
    (left,) = done.diff.left
    assert (left.member, left.group, left.reason) == ("M2", "G2", "unavailable in R2")


def test_a_removed_group_loses_its_seats_and_nothing_else_moves() -> None:
    inst = crafted(rounds=2)
    base = crafted_baseline(inst)
    done = whatif(inst, base, scenario('remove-groups = ["G2"]'), workers=1)
    assert done.diff is not None
    assert done.diff.changes == 3
    assert {(c.member, c.reason) for c in done.diff.left} == {
        ("L2", "group removed"),
        ("D2", "group removed"),
        ("M2", "group removed"),
    }
    assert done.diff.joined == []


def test_the_diff_names_roles_moves_and_reasons() -> None:
    inst = crafted()
    base = crafted_baseline(inst)
    done = whatif(inst, base, scenario('out = ["L1", "SL", "L2"]'), workers=1)
    d = done.diff
    assert d is not None
    assert [(c.member, c.role, c.reason) for c in d.left] == [("L1", "leader", "member suspended")]
    assert [c.role for c in d.joined] == ["deputy"]
    assert [(r.member, r.before, r.after) for r in d.role_changes] == [("D1", "deputy", "leader")]
    assert d.goals_before["stability"] == 0 and d.goals_after["stability"] == 3
    # a move: the same member leaves one group and joins another in the same round
    two = instance(
        inst.members,
        [group("G1", size_min=3, size_max=3, deputies_max=1), group("G9", size_min=0)],
    )
    after = roster(two, {"G1": "L1:leader D1:deputy S1", "G9": "M1"})
    moved = roster_diff(two, roster(two, {"G1": "L1:leader D1:deputy M1"}), after).moved
    assert [(m.member, m.from_group, m.to_group) for m in moved] == [("M1", "G1", "G9")]


def test_stability_outweighs_every_other_goal() -> None:
    inst = crafted(rounds=2)
    weighted = stability_first(inst)
    factor = goal_range_bound(inst) + 1
    assert weighted.rules.objective.stability == inst.rules.objective.stability * factor
    assert weighted.rules.party_branch.weight == inst.rules.party_branch.weight * factor
    assert weighted.rules.objective.rating == inst.rules.objective.rating
    # the bound covers a real gap: the best and worst rating seats differ by 3 × 90 per round
    assert goal_range_bound(inst) >= 2 * 3 * 90


def test_freeze_keeps_named_groups_exactly() -> None:
    inst = crafted(rounds=2)
    base = crafted_baseline(inst)
    done = whatif(inst, base, scenario(""), freeze=["G1", "G2"], workers=1)
    assert done.diff is not None and done.diff.changes == 0
    with pytest.raises(InputError) as exc:  # a frozen group whose member is out
        whatif(inst, base, scenario('out = ["M1"]'), freeze=["G1"], workers=1)
    assert "--freeze: frozen group 'G1' keeps its baseline seats, but member 'M1' is suspended" in (
        str(exc.value)
    )
    with pytest.raises(InputError, match="unknown group 'G7'"):
        whatif(inst, base, scenario(""), freeze=["G7"])


def test_an_empty_scenario_keeps_the_tiny_baseline() -> None:
    inst = teamsolver.load(TINY)
    base = teamsolver.solve(inst, workers=1).roster
    done = whatif(inst, base, Scenario.empty(), workers=1)
    assert done.diff is not None and done.diff.changes == 0
    assert done.result.roster.key_set() == base.key_set()


def test_the_progress_of_a_whatif_is_said_in_the_plans_own_terms() -> None:
    """Each roster passed to on_progress carries its changes and its objective in the plan's
    own weights (before: the stability-first scaled objective, e.g. 17,559,143 on the city),
    and the last one is the roster the what-if returns."""
    inst = teamsolver.load(TINY)
    base = read_roster(TINY_OPTIMUM, inst)
    seen: list[Progress] = []
    done = whatif(inst, base, scenario('out = ["M12"]'), workers=1, on_progress=seen.append)
    assert seen and done.diff is not None
    assert all(p.changes is not None and p.bound == -math.inf for p in seen)
    assert [p.solutions for p in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].changes == done.diff.changes == done.result.goals["stability"]
    assert seen[-1].objective == done.result.objective
    assert teamsolver.objective(done.instance, done.result.roster, base) == seen[-1].objective


def test_plan_progress_never_goes_back_to_a_worse_roster() -> None:
    """Step 2 of a what-if starts again from scratch: its first rosters, worse than step 1's
    best, are not passed on."""
    inst = crafted()
    seen: list[Progress] = []
    said = PlanProgress(inst, seen.append)

    def found(scaled: int, changes: int) -> Progress:
        goals = {"stability": changes, "rating": 10}
        return Progress(
            objective=scaled, bound=0, elapsed_s=0, solutions=1, goals=goals, rule_costs={}
        )

    for scaled, changes in ((900, 9), (300, 3), (800, 8), (200, 2)):  # step 1: 900, 300; step 2
        said(found(scaled, changes))
    assert [p.changes for p in seen] == [9, 3, 2]
    weights = inst.rules.objective
    assert seen[-1].objective == weights.stability * 2 - weights.rating * 10
    assert [p.solutions for p in seen] == [1, 2, 3]
    live = Live(enabled=False, time_limit=None)
    live.update(seen[-1])
    assert f"best: 2 changes, objective {seen[-1].objective} · 3 rosters" in live.text()
    live_zh = Live(enabled=False, time_limit=None, lang="zh")
    live_zh.update(seen[-1])
    assert f"目前最好：2 处变动，目标值 {seen[-1].objective}" in live_zh.text()


# -- command line ------------------------------------------------------------------------------
pytestmark_cli = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")


@pytest.fixture(scope="module")
def base_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny's optimum with M12 leading G1 (the one solve returns among tied optima; the
    scenario leader-ill is about that leader), checked to be what a fresh solve gives."""
    path = tmp_path_factory.mktemp("whatif") / "base.csv"
    shutil.copyfile(TINY_OPTIMUM, path)
    inst = teamsolver.load(TINY)
    base = read_roster(path, inst)
    fresh = teamsolver.solve(inst, workers=1)
    assert teamsolver.objective(inst, base) == fresh.objective
    assert fresh.roster.key_set() == base.key_set()  # ties are broken the same way every time
    return path


@pytestmark_cli
def test_cli_whatif_writes_the_new_roster_and_prints_the_diff(
    base_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "made" / "new.csv"  # --out creates missing folders (README, What-if)
    proc = run(
        "whatif", TINY, "--baseline", base_csv, "--scenario", EXAMPLES / "leader-ill.toml",
        "--out", out, "--workers", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "leader leaves (member suspended)" in proc.stdout
    assert "member → leader" in proc.stdout and "stability" in proc.stdout
    assert out.exists()
    new = teamsolver.load(TINY)
    changed = apply_scenario(new, Scenario.from_text('out = ["M12"]', "x.toml")[0])

    seats = read_roster(out, changed)
    assert [v for v in check(changed, seats) if changed.rules.mode(v.rule) == "hard"] == []
    assert all(s.member != "M12" for s in seats)

    again = run("diff", TINY, base_csv, out, "--json")
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["changes"] == stability(seats.seats, read_roster(base_csv, new).seats)
    assert {"left", "joined", "moved", "role_changes", "mentor_changes"} <= set(doc)
    assert doc["left"][0]["member"] == "M12"


@pytestmark_cli
def test_cli_whatif_json_is_one_document(base_csv: Path) -> None:
    proc = run(
        "whatif", TINY, "--baseline", base_csv, "--scenario", EXAMPLES / "many.toml",
        "--name", "feud", "--json", "--workers", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["scenario"] == "feud" and doc["status"] == "OPTIMAL"
    assert doc["changes"] == doc["diff"]["changes"] == doc["goals"]["stability"] == 1
    assert doc["out"] is None and len(doc["roster"]) == 11


@pytestmark_cli
def test_cli_whatif_bad_scenario_is_exit_2_naming_the_line(base_csv: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "typo"\n\n[[member]]\nid = "M1O"\nrating = 50\n', encoding="utf-8")
    out = tmp_path / "never.csv"
    proc = run(
        "whatif", TINY, "--baseline", base_csv, "--scenario", bad, "--out", out,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "bad.toml, line 4, [[member]] id: unknown member 'M1O'" in proc.stderr
    assert "did you mean" in proc.stderr
    assert not out.exists() and proc.stdout == ""
    many = run("whatif", TINY, "--baseline", base_csv, "--scenario", EXAMPLES / "many.toml")
    assert many.returncode == 2 and "--name" in many.stderr


@pytestmark_cli
def test_cli_whatif_without_a_roster_is_exit_1(base_csv: Path, tmp_path: Path) -> None:
    sc = tmp_path / "impossible.toml"
    sc.write_text("[rules.full-time-anchor]\nmin = 3\n[rules.unit-draw-cap]\nmax_per_group = 1\n")
    out = tmp_path / "never.csv"
    proc = run("whatif", TINY, "--baseline", base_csv, "--scenario", sc, "--out", out)
    assert proc.returncode == 1, proc.stderr
    assert "cannot all hold together" in proc.stderr and not out.exists()
    assert f"run `teamsolver explain {TINY} --scenario {sc}` to see which" in proc.stderr


@pytestmark_cli
def test_cli_diff_with_the_scenario_is_the_diff_whatif_prints(
    base_csv: Path, tmp_path: Path
) -> None:
    ill = EXAMPLES / "leader-ill.toml"
    out = tmp_path / "new.csv"
    proc = run(
        "whatif", TINY, "--baseline", base_csv, "--scenario", ill, "--out", out, "--workers", "1",
        "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    whatif_diff = json.loads(proc.stdout)["diff"]
    same = run("diff", TINY, base_csv, out, "--scenario", ill, "--json")
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout) == whatif_diff
    # Without the scenario both rosters are scored on the unchanged instance: M01 still counts.
    plain = json.loads(run("diff", TINY, base_csv, out, "--json").stdout)
    assert plain["changes"] == whatif_diff["changes"]
    assert plain["goals_after"] != whatif_diff["goals_after"]
    assert plain["left"][0]["reason"] == "" and whatif_diff["left"][0]["reason"]
    text = run("diff", TINY, base_csv, out, "--scenario", ill)
    assert "leader leaves (member suspended)" in text.stdout
    lonely = run("diff", TINY, base_csv, out, "--name", "x")
    assert lonely.returncode == 2 and "--scenario" in lonely.stderr


@pytestmark_cli
def test_cli_freeze_problems_read_as_usage_errors(base_csv: Path) -> None:
    ill = EXAMPLES / "leader-ill.toml"
    unknown = run("whatif", TINY, "--baseline", base_csv, "--scenario", ill, "--freeze", "G9")
    assert unknown.returncode == 2
    assert "--freeze: unknown group 'G9' (groups: G1, G2)" in unknown.stderr
    assert "input" not in unknown.stderr and "column" not in unknown.stderr
    out = run("whatif", TINY, "--baseline", base_csv, "--scenario", ill, "--freeze", "G1")
    assert out.returncode == 2
    assert "--freeze: frozen group 'G1' keeps its baseline seats, but member 'M12'" in out.stderr
    assert "leave G1 out of --freeze" in out.stderr


@pytestmark_cli
def test_cli_freeze(base_csv: Path) -> None:
    proc = run(
        "whatif", TINY, "--baseline", base_csv, "--scenario", EXAMPLES / "stricter.toml",
        "--freeze", "G1", "--json", "--workers", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["changes"] >= 1
    assert all(c["group"] != "G1" for c in doc["diff"]["left"] + doc["diff"]["joined"])


# -- the neighbourhood step ----------------------------------------------------------------------
def test_the_neighbourhood_pins_the_groups_the_changes_do_not_touch() -> None:
    inst = crafted(rounds=2)
    base = crafted_baseline(inst)
    changed = apply_scenario(inst, scenario('[[member]]\nid = "M2"\nunavailable_rounds = ["R2"]'))
    near = neighbourhood(changed, base)
    assert near is not None
    added = near.pins[len(changed.pins) :]
    assert {(p.member, p.group, p.role, p.kind) for p in added} == {
        ("L1", "G1", "leader", "require"),
        ("D1", "G1", "deputy", "require"),
        ("M1", "G1", "member", "require"),
    }
    assert neighbourhood(changed, Roster()) is None  # nothing to pin


def test_the_better_of_the_two_steps_is_kept() -> None:
    inst = crafted(rounds=2)
    base = crafted_baseline(inst)
    changed = apply_scenario(inst, scenario('out = ["M2"]'))
    keep = roster(changed, {"G1": "L1:leader D1:deputy M1", "G2": "L2:leader D2:deputy S1"})
    worse = roster(changed, {"G1": "L1:leader D1:deputy M1", "G2": "SL:leader SD:deputy S1"})

    def fake(near: Result, full: Result) -> Result:
        calls: list[Instance] = []

        def solve(inst: Instance, limit: float | None) -> Result:
            calls.append(inst)
            return near if len(calls) == 1 else full

        result = solve_whatif(changed, base, time_limit=10, solve=solve)
        assert len(calls) == 2 and len(calls[0].pins) >= len(calls[1].pins)
        return result

    good = Result(status="OPTIMAL", objective=5, roster=keep)
    # the whole search, cut by the time limit, did worse: the neighbourhood's roster, FEASIBLE
    kept = fake(good, Result(status="FEASIBLE", objective=9, roster=worse))
    assert kept.roster == keep and kept.status == "FEASIBLE"
    # the whole search proved its roster best: that one, OPTIMAL
    best = fake(good, Result(status="OPTIMAL", objective=5, roster=worse))
    assert best.roster == worse and best.status == "OPTIMAL"
    # no roster from the whole search in time: the neighbourhood's
    assert fake(good, Result(status="UNKNOWN")).roster == keep
