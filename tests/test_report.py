"""The HTML report (issue 16): what it shows, that it is self-contained, and that it keeps out
of the engine. The browser tests are in test_report_browser.py."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import teamsolver
from teamsolver.data.roster import Roster
from teamsolver.explainer import Change, CoreItem, Explanation, Suggestion
from teamsolver.reporting import report, write_report
from teamsolver.whatif.diff import roster_diff

from .helpers import group, instance, member, roster

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
UNIVERSITY = ROOT / "instances" / "university"


@pytest.fixture(scope="module")
def tiny() -> tuple[teamsolver.Instance, teamsolver.Result]:
    inst = teamsolver.load(TINY)
    result = teamsolver.solve(inst, solutions=1, workers=1)
    assert result.has_roster
    return inst, result


def small() -> tuple[teamsolver.Instance, Roster]:
    """Two groups; G1 has no leader and no finance specialist; M3 is named like a script."""
    members = [
        member("M1", "U1", can_lead=True, rounds_served=3, specialties=("finance",)),
        member("M2", "U2", can_deputy=True, rounds_served=3),
        member("M3", "U3", rounds_served=2).model_copy(
            update={"name": "<script>alert(1)</script>"}
        ),
        member("M4", "U1", can_lead=True, can_deputy=True, rounds_served=4),
        member("M5", "U2", can_deputy=True, rounds_served=2),
        member("M6", "U3", rounds_served=2),
    ]
    groups = [
        group("G1", ("T1",), size_min=3, requires={"finance": 1}),
        group("G2", ("T2",), size_min=3),
    ]
    rules = {"party-branch": {"min": 0}, "full-time-anchor": {"min": 0}}
    inst = instance(members, groups, rules=rules)
    ros = roster(inst, {"G1": "M2:deputy M3 M6", "G2": "M4:leader M5:deputy M1"})
    return inst, ros


def test_the_report_shows_every_group_rule_and_goal(
    tiny: tuple[teamsolver.Instance, teamsolver.Result],
) -> None:
    inst, result = tiny
    page = report(inst, result, source="instances/tiny")
    for g in inst.groups:
        assert f'id="group-{g.id}"' in page
    for rule in teamsolver.RULE_IDS:
        assert f"<code>{rule}</code>" in page
    for seat in result.roster:
        assert f'<span class="id">{seat.member}</span>' in page
    assert "Feasible" in page or "Optimal" in page
    assert f"<dd>{result.objective}</dd>" in page
    assert 'id="seat-map"' not in page  # one round: no seat map
    assert "Group strength" in page and "Specialties by group" in page
    assert "Mix of gender" in page  # the mix_attributes of tiny's rules.toml
    assert "Mix of birth decade" not in page
    legend = page[page.index("Mix of gender") :].split("</p>")[0]
    assert "F" in legend and "M" in legend and "–" not in legend  # every member has a gender


def test_the_report_is_self_contained(
    tiny: tuple[teamsolver.Instance, teamsolver.Result],
) -> None:
    """No script, no external reference of any kind (the browser test proves no request)."""
    inst, result = tiny
    for lang in ("en", "zh"):
        page = report(inst, result, lang=lang)
        assert "<script" not in page.lower()
        assert re.findall(r'\b(?:src|href)\s*=\s*"(?!#)', page) == []
        assert re.findall(r"url\(|@import|@font-face|https?://", page) == []
        assert "default-src 'none'" in page
        assert "@page { size: A4" in page


def test_chinese_report(tiny: tuple[teamsolver.Instance, teamsolver.Result]) -> None:
    inst, result = tiny
    page = report(inst, result, lang="zh")
    assert '<html lang="zh-CN">' in page
    for word in ("巡察组组建方案", "组长", "副组长", "组员", "各组专业覆盖", "临时党支部"):
        assert word in page
    # ids and rule ids stay as they are
    assert "<code>party-branch</code>" in page
    assert "Group strength" not in page
    with pytest.raises(ValueError, match="unknown language"):
        report(inst, result, lang="fr")


def test_input_text_is_escaped_and_violations_are_on_the_cards() -> None:
    inst, ros = small()
    found = teamsolver.check(inst, ros)
    rules = {v.rule for v in found}
    assert {"leader-quota", "specialty-coverage"} <= rules
    page = report(inst, ros)
    assert "<script>alert(1)</script>" not in page
    assert html.escape("<script>alert(1)</script>", quote=False) in page
    g1 = page[page.index('id="group-G1"') : page.index('id="group-G2"')]
    g2 = page[page.index('id="group-G2"') :]
    assert '<article id="group-G1" class="card warn">' in page
    assert '<article id="group-G2" class="card">' in page
    assert "<code>leader-quota</code>" in g1
    assert '<span class="chip short">finance 0/1</span>' in g1
    assert "warnings" not in g2.split("</article>")[0]
    # the violations table and the rules table agree with check
    assert page.count('<tr><td><span class="rule"><code>') == len(found)
    assert '<span class="pill pill-broken">broken</span>' in page
    # given violations are used as given (check's, for a file the CLI read)
    quiet = report(inst, ros, violations=[])
    assert 'id="violations"' not in quiet and 'class="card warn"' not in quiet


def test_diff_and_explanation_sections() -> None:
    inst, before = small()
    after = roster(inst, {"G1": "M4:leader M2:deputy M3", "G2": "M1:leader M5:deputy M6"})
    diff = roster_diff(inst, before, after)
    assert diff.moved and diff.role_changes
    page = report(inst, after, diff=diff, lang="zh")
    section = page[page.index('id="diff"') :]
    assert "调组" in section and "职务变动" in section and "变动前后的目标值" in section
    assert f"<dd>{diff.changes}</dd>" in section
    explanation = Explanation(
        status="INFEASIBLE",
        core=(
            CoreItem(rule="leader-quota", group="G1", message="G1 needs a leader; none can lead"),
            CoreItem(rule="recusal", member="M4", group="G1", message="M4 may not inspect T1"),
        ),
        message="G1 has no leader: M4 is the only one who can lead and is recused.",
        suggestions=(
            Suggestion(
                text="let M1 lead",
                changes=(
                    Change(op="set", table="members", key="M1", column="can_lead", value=True),
                ),
            ),
        ),
        irreducible=True,
        found_by="solver",
    )
    page = report(inst, None, explanation=explanation)
    assert 'id="explanation"' in page
    assert "G1 has no leader" in page and "let M1 lead" in page
    assert page.count("<code>leader-quota</code>") >= 2  # rules table and the core
    assert 'id="group-G1"' not in page  # no roster, no cards
    rules = page[page.index('id="rules"') :].split("</section>")[0]
    assert "pill-held" not in rules and "pill-broken" not in rules  # no roster to judge
    assert rules.count('<span class="pill pill-none">no roster</span>') == len(teamsolver.RULE_IDS)
    assert "Infeasible" in page


def test_multi_round_plan_has_a_seat_map(tmp_path: Path) -> None:
    inst = teamsolver.load(UNIVERSITY)
    result = teamsolver.solve(inst, solutions=1, workers=1)
    page = report(inst, result)
    seat_map = page[page.index('id="seat-map"') :]
    seated = {s.member for s in result.roster}
    assert seat_map.count("<tr") == len(seated) + 1
    for r in inst.rounds:
        assert f'id="round-{r}"' in page
    write_report(tmp_path / "r.html", page)
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page


def test_the_report_never_imports_ortools(
    tiny: tuple[teamsolver.Instance, teamsolver.Result], tmp_path: Path
) -> None:
    inst, result = tiny
    teamsolver.save(inst, tmp_path / "tiny.json")
    (tmp_path / "roster.json").write_text(json.dumps(result.to_json()), encoding="utf-8")
    code = f"""
import sys
import teamsolver
from teamsolver.files.rosters import read_roster
inst = teamsolver.load({str(tmp_path / "tiny.json")!r})
ros = read_roster({str(tmp_path / "roster.json")!r}, inst)
page = teamsolver.report(inst, ros, lang="zh")
assert 'id="group-G1"' in page
bad = sorted(m for m in sys.modules if m.split(".")[0] == "ortools")
assert not bad, bad
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
