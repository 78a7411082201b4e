"""Roster files in Chinese (issue 16): headers, roles, sheet names and the summary sheet come
from the catalogue, and every file written in Chinese reads back to the same roster; the CLI's
``check`` and ``solve --baseline`` accept it. LibreOffice opens the Chinese workbook intact."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import teamsolver
from teamsolver import i18n
from teamsolver.files.rosters import read_roster, seat_rows, write_roster
from teamsolver.i18n.source import source_lang
from teamsolver.summary import SHEET_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
UNIVERSITY = ROOT / "instances" / "university"
TEAMSOLVER = [sys.executable, "-m", "teamsolver"]
ZH_COLUMNS = [
    "轮次",
    "巡察组",
    "成员编号",
    "角色",
    "导师",
    "姓名",
    "单位",
    "专长",
    "巡察经历（轮）",
]


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[teamsolver.Instance, teamsolver.Roster]]:
    """tiny (one round) and university (ten rounds), each with its first roster."""
    out = {}
    for folder in (TINY, UNIVERSITY):
        inst = teamsolver.load(folder)
        result = teamsolver.solve(inst, solutions=1, workers=1, seed=0)
        assert result.has_roster
        out[folder.name] = (inst, result.roster)
    return out


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("name", ["tiny", "university"])
def test_a_chinese_roster_reads_back_to_the_same_roster(
    plans: dict[str, tuple[teamsolver.Instance, teamsolver.Roster]],
    name: str,
    kind: str,
    tmp_path: Path,
) -> None:
    inst, roster = plans[name]
    path = tmp_path / f"名单.{kind}"
    write_roster(inst, roster, path, lang="zh", bom=True)
    back = read_roster(path, inst)
    assert back == roster
    assert teamsolver.check(inst, back) == teamsolver.check(inst, roster)


def test_csv_headers_and_roles_are_chinese(
    plans: dict[str, tuple[teamsolver.Instance, teamsolver.Roster]], tmp_path: Path
) -> None:
    inst, roster = plans["tiny"]
    path = tmp_path / "roster.csv"
    write_roster(inst, roster, path, lang="zh")
    rows = csv_rows(path)
    assert rows[0] == ZH_COLUMNS
    assert {r[3] for r in rows[1:]} == {"组长", "副组长", "组员"}
    # The English file is unchanged by the catalogue.
    write_roster(inst, roster, tmp_path / "en.csv")
    english = csv_rows(tmp_path / "en.csv")
    assert english[0][:5] == ["round", "group", "member", "role", "mentor"]
    assert {r[3] for r in english[1:]} == {"leader", "deputy", "member"}
    assert [r[:3] + r[4:] for r in english][1:] == [r[:3] + r[4:] for r in rows][1:]


def test_json_keeps_its_stable_keys_and_role_ids_in_chinese(
    plans: dict[str, tuple[teamsolver.Instance, teamsolver.Roster]], tmp_path: Path
) -> None:
    inst, roster = plans["tiny"]
    write_roster(inst, roster, tmp_path / "zh.json", lang="zh")
    write_roster(inst, roster, tmp_path / "en.json", lang="en")
    assert (tmp_path / "zh.json").read_bytes() == (tmp_path / "en.json").read_bytes()
    seats = json.loads((tmp_path / "zh.json").read_text(encoding="utf-8"))["roster"]
    assert {s["role"] for s in seats} == {"leader", "deputy", "member"}


def test_workbook_sheets_and_summary_are_chinese(
    plans: dict[str, tuple[teamsolver.Instance, teamsolver.Roster]], tmp_path: Path
) -> None:
    inst, roster = plans["tiny"]
    violations = teamsolver.check(inst, roster) or [
        teamsolver.Violation(rule="party-branch", group="G1", message="made up for the sheet")
    ]
    path = tmp_path / "roster.xlsx"
    write_roster(inst, roster, path, lang="zh", extra={"status": "FEASIBLE"}, violations=violations)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["名单", "汇总", "违规情况", "求解结果"]
    assert [c.value for c in book["名单"][1]] == ZH_COLUMNS
    summary = [c.value for c in book["汇总"][1]]
    assert summary[:3] == ["轮次", "巡察组", "被巡察单位"]
    assert summary == [i18n.text(f"roster.summary.{c}", "zh") for c in SHEET_COLUMNS]
    assert summary[-1] == "带教（新人←导师）"
    violation_header = ["规则", "轮次", "巡察组", "成员", "次数", "说明"]
    assert [c.value for c in book["违规情况"][1]] == violation_header
    assert [c.value for c in book["求解结果"][1]] == ["项目", "值"]
    assert book["求解结果"]["B2"].value == "FEASIBLE"
    seats_col = summary.index("人数")
    assert all(isinstance(r[seats_col].value, int) for r in book["汇总"].iter_rows(min_row=2))


def test_check_and_baseline_accept_a_chinese_roster(
    plans: dict[str, tuple[teamsolver.Instance, teamsolver.Roster]], tmp_path: Path
) -> None:
    inst, roster = plans["tiny"]
    for kind in ("csv", "xlsx"):
        path = tmp_path / f"zh.{kind}"
        write_roster(inst, roster, path, lang="zh")
        proc = subprocess.run(
            [*TEAMSOLVER, "check", str(TINY), str(path), "--json"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert json.loads(proc.stdout)["ok"] is True
    proc = subprocess.run(
        [
            *TEAMSOLVER,
            "solve",
            str(TINY),
            "--baseline",
            str(tmp_path / "zh.xlsx"),
            "--json",
            "--workers",
            "1",
            "--time-limit",
            "60",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "stability" in json.loads(proc.stdout)["goals"]


def test_libreoffice_opens_the_chinese_workbook_intact(
    plans: dict[str, tuple[teamsolver.Instance, teamsolver.Roster]], tmp_path: Path
) -> None:
    """LibreOffice headless converts the roster sheet to CSV: the Chinese text and the
    numbers come back as written (a number stays a number, not text or a date)."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office is not None, "libreoffice-calc-nogui is needed (see .ci/run)"
    inst, roster = plans["university"]
    path = tmp_path / "名单.xlsx"
    write_roster(inst, roster, path, lang="zh")
    profile = (tmp_path / "lo-profile").as_uri()
    proc = subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = tmp_path / "out" / "名单.csv"
    assert out.exists(), proc.stdout + proc.stderr
    rows = csv_rows(out)
    header, expected = seat_rows(inst, roster, "zh")
    assert rows[0] == header
    as_text = [["" if v is None else str(v) for v in row] for row in expected]
    assert rows[1:] == as_text
    assert any("组长" in r for r in rows) and any(
        any("\u4e00" <= c <= "\u9fff" for c in r[5]) for r in rows[1:]
    )


def test_source_lang_tells_chinese_headers(tmp_path: Path) -> None:
    assert source_lang(TINY) == "en"
    folder = tmp_path / "zh"
    shutil.copytree(TINY, folder)
    members = folder / "members.csv"
    lines = members.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("id,name,unit", "编号,姓名,单位")
    members.write_text("\n".join(lines) + "\n", encoding="gb18030")
    zh = teamsolver.load(folder)
    assert zh == teamsolver.load(TINY)  # the loader reads the Chinese headers...
    assert source_lang(folder) == "zh"  # ...and the header tells the language
    teamsolver.save(zh, tmp_path / "en.xlsx")
    teamsolver.save(zh, tmp_path / "en.json")
    assert source_lang(tmp_path / "en.xlsx") == "en"
    assert source_lang(tmp_path / "en.json") == "en"
    book = openpyxl.load_workbook(tmp_path / "en.xlsx")
    book["members"].title = "人才库"
    book.save(tmp_path / "zh.xlsx")
    assert teamsolver.load(tmp_path / "zh.xlsx") == zh
    assert source_lang(tmp_path / "zh.xlsx") == "zh"
    assert source_lang(tmp_path / "nothing-here") == "en"
