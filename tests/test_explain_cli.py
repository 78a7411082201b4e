"""End-to-end tests of ``teamsolver explain`` (SPEC §6): text, ``--json``, why-not, exit codes.

Each test drives the installed entry point in a subprocess; no run may print a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import teamsolver
from teamsolver.files.rosters import read_roster

from .test_cli import TEAMSOLVER, TINY, assert_no_traceback, one_json, run
from .test_explain import case

pytestmark = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")


def case_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name.replace(' ', '-')}.json"
    teamsolver.save(case(name), path)
    return path


@pytest.fixture(scope="module")
def tiny_roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    proc = run("solve", TINY, "--out", path, "--workers", "1", "--time-limit", "10")
    assert proc.returncode == 0, proc.stderr
    return path


def test_a_feasible_instance_says_so_and_exits_0() -> None:
    proc = run("explain", TINY)
    assert proc.returncode == 0, proc.stderr
    assert "can all hold together" in proc.stdout
    doc = one_json(run("explain", TINY, "--json").stdout)
    assert doc["status"] == "FEASIBLE" and doc["core"] == []


def test_text_names_rules_members_and_verified_changes(tmp_path: Path) -> None:
    proc = run("explain", case_file(tmp_path, "specialty shortage by recusal"))
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "these 3 rules cannot all hold together" in out
    assert "[specialty-coverage] Group G1 (round R1) requires 2 audit" in out
    assert "M3 is recused (their own unit A is a target)" in out
    assert "Changes that make the plan possible (each verified by a re-solve):" in out
    assert "- lower the audit requirement of G1 from 2 to 1" in out
    assert "explain: status INFEASIBLE" in proc.stderr
    assert "explain:" not in out


def test_json_is_one_document_per_spec(tmp_path: Path) -> None:
    proc = run("explain", case_file(tmp_path, "leader shortage"), "--json")
    assert proc.returncode == 1, proc.stderr
    doc: dict[str, Any] = one_json(proc.stdout)
    assert doc["status"] == "INFEASIBLE"
    assert doc["irreducible"] is True and doc["found_by"] == "solver"
    assert {(c["rule"], c["group"], c["round"]) for c in doc["core"]} == {
        ("leader-quota", g, "R1") for g in ("G1", "G2", "G3")
    }
    assert all(c["message"] for c in doc["core"])
    assert doc["message"].startswith("No roster")
    assert doc["suggestions"] and all(s["scope"] == "plan" for s in doc["suggestions"])
    assert doc["suggestions"][0]["changes"][0]["op"] == "add"


def test_no_suggestions_flag(tmp_path: Path) -> None:
    doc = one_json(
        run("explain", case_file(tmp_path, "pins clashing"), "--json", "--no-suggestions").stdout
    )
    assert doc["suggestions"] == []
    assert {c["rule"] for c in doc["core"]} == {"leader-quota", "pins"}


def test_why_not_a_recused_member(tiny_roster: Path) -> None:
    proc = run("explain", TINY, "--roster", tiny_roster, "--why", "M06", "--group", "G1")
    assert proc.returncode == 0, proc.stderr
    assert "Hard rules forbid M06 in G1" in proc.stdout
    assert "[recusal] M06 (unit EDU) may not inspect G1: their own unit EDU is a target" in (
        proc.stdout
    )


def test_why_not_an_allowed_member_costs_goal_by_goal(tiny_roster: Path) -> None:
    seated = {line.split(",")[2] for line in tiny_roster.read_text().splitlines()[1:]}
    assert "M04" not in seated
    proc = run("explain", TINY, "--roster", tiny_roster, "--why", "M04", "--group", "G1", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = one_json(proc.stdout)
    assert doc["status"] == "allowed" and doc["forced_group"] == "G1"
    assert doc["objective_forced"] >= doc["objective_given"]  # the given roster is optimal
    goals = {g["goal"]: g for g in doc["goals"]}
    assert set(teamsolver.GOAL_IDS) <= set(goals)
    assert "no-repeat-pairing" in goals  # a soft rule of tiny is a term too
    total = sum(g["cost"] for g in goals.values())
    assert total == doc["objective_forced"] - doc["objective_given"]
    inst = teamsolver.load(TINY)
    given = teamsolver.objective(inst, read_roster(tiny_roster, inst))
    assert doc["objective_given"] == given


def test_why_not_shows_the_roster_behind_the_price(tiny_roster: Path) -> None:
    """The price comes with the seat changes of a roster the checker accepts (issue 13)."""
    args = ("--roster", tiny_roster, "--why", "M04", "--group", "G2", "--workers", "1")
    proc = run("explain", TINY, *args, "--solutions", "1")
    assert proc.returncode == 0, proc.stderr
    assert "seat change" in proc.stdout and "the checker accepts it" in proc.stdout
    assert "- M04: no seat in R1 → G2 as " in proc.stdout
    doc = one_json(run("explain", TINY, *args, "--solutions", "1", "--json").stdout)
    inst = teamsolver.load(TINY)
    forced = teamsolver.Roster.model_validate(doc["roster"])
    assert not [v for v in teamsolver.check(inst, forced) if inst.rules.mode(v.rule) == "hard"]
    assert doc["objective_forced"] == teamsolver.objective(inst, forced)
    assert any(s.member == "M04" and s.group == "G2" for s in forced.seats)
    given = {(s.member, s.group, s.role) for s in read_roster(tiny_roster, inst).seats}
    now = {(s.member, s.group, s.role) for s in forced.seats}
    moved = {m["member"] for m in doc["moves"]}
    assert moved == {m for m, _, _ in given ^ now}
    assert doc["prices"][0]["group"] == "G2" and doc["prices"][0]["status"] == "allowed"


def test_why_not_a_seated_member(tiny_roster: Path) -> None:
    # Which seat M01 gets depends on ties between optimal rosters: read it off the roster.
    rows = [line.split(",") for line in tiny_roster.read_text(encoding="utf-8").splitlines()]
    header = rows[0]
    seat = next(r for r in rows[1:] if r[header.index("member")] == "M01")
    group, role = seat[header.index("group")], seat[header.index("role")]
    proc = run("explain", TINY, "--roster", tiny_roster, "--why", "M01")
    assert proc.returncode == 0
    assert f"M01 sits in {group} (R1) as {role}" in proc.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (("--why", "M01"), "--why needs --roster"),
        (("--group", "G1"), "--group needs --why"),
        (("--roster", "roster.csv", "--group", "G1"), "--group needs --why"),
        (("--roster", "roster.csv"), "--roster needs --why"),
        (("--name", "ill"), "--name needs --scenario"),
        (("--solutions", "1"), "--solutions needs --why"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], words: str) -> None:
    proc = run("explain", TINY, *args)
    assert proc.returncode == 2
    assert words in proc.stderr


def test_unknown_member_exits_2(tiny_roster: Path) -> None:
    proc = run("explain", TINY, "--roster", tiny_roster, "--why", "M99")
    assert proc.returncode == 2
    assert "unknown member 'M99'" in proc.stderr


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    proc = run("explain", tmp_path / "missing")
    assert proc.returncode == 2
    assert proc.stdout == ""


def test_two_conflicts_one_explained_the_other_listed(tmp_path: Path) -> None:
    from .test_explain import AUDIT, base

    inst = base(
        {"M3": AUDIT, "M4": AUDIT},
        group_fields={
            "G1": {"targets": ("A",), "requires": "audit:1"},
            "G2": {"requires": "law:1"},
        },
    )
    path = tmp_path / "two.json"
    teamsolver.save(inst, path)
    proc = run("explain", path)
    assert proc.returncode == 1
    assert "No single change makes the whole plan possible: another conflict remains" in (
        proc.stdout
    )
    assert "- Group G2 (round R1) requires 1 law; the pool has 0 law specialists" in proc.stdout
    # The relaxed reading of the input must not claim that a hard rule "will be bent".
    assert "will be bent" not in proc.stderr
    quiet = run("explain", path, "--no-suggestions")
    assert "change" not in quiet.stdout


# -- after a what-if scenario ----------------------------------------------------------------
def scenario(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MORE_FINANCE = 'name = "more finance"\n[[group]]\nid = "G1"\nrequires = "finance:4;audit:1"\n'


def test_explain_after_a_scenario(tmp_path: Path) -> None:
    """The command ``whatif`` points to when a scenario has no roster."""
    path = scenario(tmp_path, MORE_FINANCE)
    proc = run("explain", TINY, "--scenario", path)
    assert proc.returncode == 1, proc.stderr
    assert "[specialty-coverage] Group G1 (round R1) requires 4 finance" in proc.stdout
    assert "after scenario 'more finance'" in proc.stderr
    doc = one_json(run("explain", TINY, "--scenario", path, "--json").stdout)
    assert doc["status"] == "INFEASIBLE" and doc["found_by"] == "solver"


def test_a_scenario_beyond_the_pool_is_explained_not_rejected(tmp_path: Path) -> None:
    path = scenario(tmp_path, '[[group]]\nid = "G1"\nrequires = "finance:7"\n')
    proc = run("explain", TINY, "--scenario", path)
    assert proc.returncode == 1, proc.stderr
    assert "(seen in the input, without solving)" in proc.stdout
    assert "requires 7 finance; the pool has 6 finance specialists" in proc.stdout


def test_a_scenario_picked_by_name(tmp_path: Path) -> None:
    text = '[[scenario]]\nname = "calm"\n\n[[scenario]]\nname = "tight"\n[[scenario.group]]\n'
    text += 'id = "G1"\nrequires = "finance:4;audit:1"\n'
    path = scenario(tmp_path, text)
    assert run("explain", TINY, "--scenario", path, "--name", "calm").returncode == 0
    assert run("explain", TINY, "--scenario", path, "--name", "tight").returncode == 1
    many = run("explain", TINY, "--scenario", path)
    assert many.returncode == 2 and "pick one with --name" in many.stderr


def test_a_bad_scenario_exits_2_with_its_line(tmp_path: Path) -> None:
    path = scenario(tmp_path, 'name = "ill"\nout = ["M99"]\n')
    proc = run("explain", TINY, "--scenario", path, "--json")
    assert proc.returncode == 2
    assert_no_traceback(proc.stdout, proc.stderr)
    problems = one_json(proc.stdout)["problems"]
    assert any("M99" in p["message"] and p["row"] == 2 for p in problems), problems
    assert "M99" in proc.stderr


# -- errors with --json, did-you-mean, options -------------------------------------------------
def test_unknown_member_with_json_prints_one_document(tiny_roster: Path) -> None:
    proc = run("explain", TINY, "--roster", tiny_roster, "--why", "m04", "--json")
    assert proc.returncode == 2
    doc = one_json(proc.stdout)
    assert doc["status"] is None
    [problem] = doc["problems"]
    assert "unknown member 'm04' (did you mean 'M04'?)" in problem["message"]
    assert "did you mean 'M04'?" in proc.stderr


def test_unknown_group_suggests_the_nearest(tiny_roster: Path) -> None:
    proc = run("explain", TINY, "--roster", tiny_roster, "--why", "M04", "--group", "g2")
    assert proc.returncode == 2
    assert "unknown group 'g2' (did you mean 'G2'?)" in proc.stderr


def test_a_usage_error_with_json_prints_one_document() -> None:
    proc = run("explain", TINY, "--group", "G1", "--json")
    assert proc.returncode == 2
    assert "--group needs --why" in one_json(proc.stdout)["problems"][0]["message"]
    proc = run("explain", TINY, "--json", "--time-limit", "-1")
    assert proc.returncode == 2
    assert "'--time-limit'" in one_json(proc.stdout)["problems"][0]["message"]
    assert "'--time-limit'" in proc.stderr


def test_time_limit_0_means_no_limit() -> None:
    proc = run("explain", TINY, "--time-limit", "0")
    assert proc.returncode == 0, proc.stderr
    assert "can all hold together" in proc.stdout


def test_stderr_counts_in_words_and_shows_short_times(tmp_path: Path) -> None:
    from .test_explain import base

    path = tmp_path / "law.json"
    teamsolver.save(base(group_fields={"G1": {"requires": "law:1"}}), path)
    proc = run("explain", path, "--no-suggestions")
    assert proc.returncode == 1
    line = proc.stderr.strip().splitlines()[-1]
    assert "· 1 rule in the conflict, read off the input" in line
    took = line.rsplit("· ", 1)[1]
    assert took.endswith(" s") and took != "0.0 s"
    assert float(took[:-2]) >= 0.1 or len(took[:-2].split(".")[1]) == 2, line
