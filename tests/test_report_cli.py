"""``--report FILE.html`` and ``--lang`` on solve, check, whatif and explain (issue 16), run
as a planner would: the installed entry point in a subprocess, never a traceback."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

import teamsolver

from .test_cli import TEAMSOLVER, TINY, one_json, run
from .test_explain_cli import case_file

pytestmark = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")
SCENARIO = TINY.parent / "scenarios" / "leader-ill.toml"
FAST = ("--solutions", "1", "--workers", "1")


def csv_header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_solve_writes_a_chinese_roster_and_report(tmp_path: Path) -> None:
    out, page = tmp_path / "名单.xlsx", tmp_path / "方案.html"
    proc = run("solve", TINY, "--out", out, "--lang", "zh", "--report", page, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert f"报告已写入 {page}" in proc.stderr  # --lang zh: the messages too (cli.report_written)
    text = page.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "巡察组组建方案" in text
    inst = teamsolver.load(TINY)
    assert all(f'id="group-{g.id}"' in text for g in inst.groups)
    assert openpyxl.load_workbook(out).sheetnames[:2] == ["名单", "汇总"]
    # the Chinese workbook is accepted as it is by check and as a baseline by whatif
    checked = run("check", TINY, out, "--report", tmp_path / "check.html")
    assert checked.returncode == 0, checked.stderr
    assert "every rule holds" in checked.stdout
    assert 'id="violations"' not in (tmp_path / "check.html").read_text(encoding="utf-8")
    what = run(
        "whatif", TINY, "--baseline", out, "--scenario", SCENARIO, "--json",
        "--report", tmp_path / "whatif.html", "--workers", "1", "--time-limit", "30",
    )  # fmt: skip
    assert what.returncode == 0, what.stderr
    doc = one_json(what.stdout)
    html = (tmp_path / "whatif.html").read_text(encoding="utf-8")
    assert 'id="diff"' in html and "What if: leader-ill" in html
    assert f"<dd>{doc['changes']}</dd>" in html


def test_check_report_highlights_violations(tmp_path: Path) -> None:
    inst = teamsolver.load(TINY)
    result = teamsolver.solve(inst, solutions=1, workers=1)
    leader = next(s for s in result.roster if s.role == "leader")
    broken = teamsolver.Roster.of(s for s in result.roster if s != leader)
    from teamsolver.files.rosters import write_roster

    write_roster(inst, broken, tmp_path / "broken.csv", lang="zh")
    proc = run("check", TINY, tmp_path / "broken.csv", "--report", tmp_path / "r.html")
    assert proc.returncode == 1, proc.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f'<article id="group-{leader.group}" class="card warn">' in html
    assert "<code>leader-quota</code>" in html
    assert '<html lang="en">' in html  # tiny's headers are English: English by default


def test_explain_report_shows_the_conflict(tmp_path: Path) -> None:
    plan = case_file(tmp_path, "specialty shortage by recusal")
    proc = run("explain", plan, "--report", tmp_path / "why.html")
    assert proc.returncode == 1, proc.stderr
    html = (tmp_path / "why.html").read_text(encoding="utf-8")
    assert 'id="explanation"' in html
    assert "<code>specialty-coverage</code>" in html and "Verified suggestions" in html
    refused = run("explain", TINY, "--roster", plan, "--why", "M1", "--report", "x.html")
    assert refused.returncode == 2
    assert "--report explains a plan, not --why" in refused.stderr


def test_lang_defaults_to_the_instance_headers(tmp_path: Path) -> None:
    folder = tmp_path / "中文"
    shutil.copytree(TINY, folder)
    members = folder / "members.csv"
    text = members.read_text(encoding="utf-8").replace("id,name,unit", "编号,姓名,单位", 1)
    members.write_text(text, encoding="utf-8")
    proc = run("solve", folder, "--out", tmp_path / "zh.csv", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert csv_header(tmp_path / "zh.csv")[:4] == ["轮次", "巡察组", "成员编号", "角色"]
    proc = run("solve", folder, "--out", tmp_path / "en.csv", "--lang", "en", *FAST)
    assert csv_header(tmp_path / "en.csv")[:4] == ["round", "group", "member", "role"]


def test_a_bad_report_path_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    for bad, says in (
        (tmp_path / "r.txt", "expected a file ending in .html"),
        (tmp_path / "a-file" / "r.html", "cannot write in"),
    ):
        proc = run("solve", TINY, "--report", bad, "--out", tmp_path / "x.csv")
        assert proc.returncode == 2
        assert says in proc.stderr
        assert not (tmp_path / "x.csv").exists()
    proc = run("solve", TINY, "--lang", "fr")
    assert proc.returncode == 2 and "'fr' is not one of 'en', 'zh'" in proc.stderr
