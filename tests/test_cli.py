"""End-to-end tests of ``teamsolver solve`` and ``teamsolver check`` (SPEC §5–§7).

Every test drives the installed ``teamsolver`` entry point in a subprocess, as a planner or a
script would, and every run is checked for a traceback. Most use the bundled ``instances/tiny``
(20 members, solved in well under a second); instances with special data are built in
``tmp_path`` with :func:`teamsolver.save`.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import teamsolver
from teamsolver import GOAL_IDS, Member, Pin

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
CITY = ROOT / "instances" / "city"
UNIVERSITY = ROOT / "instances" / "university"
TEAMSOLVER = shutil.which("teamsolver", path=str(Path(sys.executable).parent)) or shutil.which(
    "teamsolver"
)
SPEC_COLUMNS = ["round", "group", "member", "role", "mentor"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NAMES = {
    "M01": '=HYPERLINK("http://x","y")',
    "M02": "+1",
    "M03": "-x",
    "M04": "@a",
    "M05": "\tTab",
    "M06": "\rCR",
}
#: Where each formula-named member is pinned (never in a group that inspects their own unit).
FORMULA_PINS = {"M01": "G2", "M02": "G1", "M03": "G2", "M04": "G1", "M05": "G1", "M06": "G2"}

pytestmark = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")


# -- helpers ---------------------------------------------------------------------------------
def run(*args: Any, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``teamsolver ARGS`` to the end; no run may print a traceback."""
    assert TEAMSOLVER is not None
    proc = subprocess.run(
        [TEAMSOLVER, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )
    assert_no_traceback(proc.stdout, proc.stderr)
    return proc


def assert_no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text


def one_json(stdout: str) -> dict[str, Any]:
    """Exactly one JSON document and nothing else (``json.loads`` rejects trailing text)."""
    doc = json.loads(stdout)
    assert isinstance(doc, dict)
    return doc


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def copy_tiny(tmp_path: Path, name: str = "inst") -> Path:
    target = tmp_path / name
    shutil.copytree(TINY, target)
    return target


def seats_of_tiny() -> int:
    return 12  # two groups of 5–6; the best roster of tiny fills both to 6


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The tiny instance solved once per roster format, with the JSON document of the run."""
    folder = tmp_path_factory.mktemp("solved")
    out: dict[str, Any] = {}
    for kind in ("csv", "xlsx", "json"):
        path = folder / f"roster.{kind}"
        proc = run("solve", TINY, "--out", path, "--json", "--workers", "1")
        assert proc.returncode == 0, proc.stderr
        out[kind] = path
        out[f"{kind}-doc"] = one_json(proc.stdout)
    return out


@pytest.fixture(scope="module")
def formula_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny, with members named like spreadsheet formulas, pinned so that they are seated, and
    a member whose id starts with ``-``."""
    inst = teamsolver.load(TINY)
    members = [
        m.model_copy(update={"name": FORMULA_NAMES[m.id]}) if m.id in FORMULA_NAMES else m
        for m in inst.members
    ]
    members.append(
        Member(id="-M21", name="@boss", unit="DIS", specialties=("finance",), rounds_served=3)
    )
    pins = [Pin(member=m, group=g, kind="require") for m, g in FORMULA_PINS.items()]
    pins.append(Pin(member="-M21", group="G1", kind="require"))
    inst = inst.model_copy(update={"members": tuple(members), "pins": tuple(pins)})
    path = tmp_path_factory.mktemp("formula") / "formula"
    teamsolver.save(inst, path)
    return path


# The hand-made roster: two leaders in G1 (leader-quota), M13 of unit EDU-S1 inspects EDU-S1
# (recusal), and nobody in G2 knows law (specialty-coverage). Every other rule holds: M02 is a
# newly promoted leader with the experienced deputy M04; the new members M16 and M11 have
# mentors.
HAND_MADE = [
    ("G1", "M01", "组长", ""),
    ("G1", "M02", "组长", ""),
    ("G1", "M04", "副组长", ""),
    ("G1", "M10", "组员", ""),
    ("G1", "M13", "组员", ""),
    ("G2", "M12", "组长", ""),
    ("G2", "M03", "副组长", ""),
    ("G2", "M18", "组员", ""),
    ("G2", "M16", "组员", "M12"),
    ("G2", "M11", "组员", "M03"),
]
HAND_MADE_RULES = {"leader-quota", "recusal", "specialty-coverage"}


def write_hand_made(path: Path) -> Path:
    """The hand-made roster with Chinese headers, as CSV, XLSX (after a notes sheet) or JSON."""
    header = ["巡察组", "成员", "角色", "导师"]
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(HAND_MADE)
    elif path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        notes = book.active
        assert notes is not None
        notes.title = "说明"  # a notes sheet first, as planners often keep one
        notes.append(["第一轮巡察组人员安排（草稿）"])
        sheet = book.create_sheet("巡察名单")
        sheet.append(header)
        for row in HAND_MADE:
            sheet.append([c or None for c in row])
        book.save(path)
    else:
        seats = [
            {"group": g, "member": m, "role": r, "mentor": t or None} for g, m, r, t in HAND_MADE
        ]
        path.write_text(json.dumps(seats, ensure_ascii=False), encoding="utf-8")
    return path


# -- help ------------------------------------------------------------------------------------
def commands() -> list[str]:
    listing = run("--help").stdout
    block = listing.split("Commands:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^\s{2}(\S+)\s", block, re.M)]


def test_every_command_has_help_with_an_example() -> None:
    names = commands()
    assert {"solve", "check"} <= set(names)
    for name in names:
        proc = run(name, "--help")
        assert proc.returncode == 0, name
        assert "Example" in proc.stdout, name
        assert "teamsolver " + name in proc.stdout, name


def test_solve_and_check_help_name_their_options() -> None:
    solve_help = run("solve", "--help").stdout
    for option in ("--out", "--time-limit", "--workers", "--seed", "--json", "--baseline"):
        assert option in solve_help
    for option in ("--rules", "--excel"):
        assert option in solve_help
    assert "--json" in run("check", "--help").stdout


# -- solve: the roster files -----------------------------------------------------------------
def test_solve_json_is_exactly_one_document(solved: dict[str, Any]) -> None:
    doc = solved["json-doc"]
    for key in ("status", "objective", "bound", "wall_time_s", "roster", "goals"):
        assert key in doc
    assert doc["status"] == "OPTIMAL"
    assert doc["objective"] == round(doc["bound"])
    assert set(doc["goals"]) == set(GOAL_IDS)
    assert len(doc["roster"]) == seats_of_tiny()
    for seat in doc["roster"]:
        assert set(SPEC_COLUMNS) <= set(seat)
    assert doc["out"] == str(solved["json"])


def test_solve_csv_has_spec_columns_then_readable_ones(solved: dict[str, Any]) -> None:
    rows = csv_rows(solved["csv"])
    assert rows[0][:5] == SPEC_COLUMNS
    assert {"name", "unit", "specialties"} <= set(rows[0][5:])
    assert len(rows) == 1 + seats_of_tiny()
    names = {r[rows[0].index("name")] for r in rows[1:]}
    assert names & {"王建国", "李秀英", "孙涛"}  # Chinese names, readable
    leaders = [r for r in rows[1:] if r[3] == "leader"]
    assert sorted(r[1] for r in leaders) == ["G1", "G2"]
    roles = {r[2]: r[3] for r in rows[1:]}
    for r in rows[1:]:
        if r[4]:  # a mentor is an experienced member of the same group
            assert r[4] in roles
    assert not solved["csv"].read_bytes().startswith(b"\xef\xbb\xbf")


def test_solve_json_file_holds_the_roster_and_the_result(solved: dict[str, Any]) -> None:
    doc = json.loads(solved["json"].read_text(encoding="utf-8"))
    assert all(list(s)[:5] == SPEC_COLUMNS for s in doc["roster"])
    assert len(doc["roster"]) == seats_of_tiny()
    assert doc["status"] == "OPTIMAL"
    assert set(doc["goals"]) == set(GOAL_IDS)
    assert all(s["mentor"] is None or isinstance(s["mentor"], str) for s in doc["roster"])


def test_solve_xlsx_read_back_with_openpyxl(solved: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(solved["xlsx"])
    assert book.sheetnames[0] == "roster"
    assert "summary" in book.sheetnames
    roster = book["roster"]
    header = [c.value for c in roster[1]]
    assert header[:5] == SPEC_COLUMNS
    assert {"name", "unit", "specialties", "experience"} <= set(header)
    assert roster.max_row == 1 + seats_of_tiny()
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(c.font.bold for c in sheet[1]), sheet.title
    # columns sized to their content
    name_col = openpyxl.utils.get_column_letter(header.index("specialties") + 1)
    assert roster.column_dimensions[name_col].width > 10
    # numbers stay numbers
    exp_col = header.index("experience")
    assert all(row[exp_col].data_type == "n" for row in roster.iter_rows(min_row=2))
    summary = book["summary"]
    top = [c.value for c in summary[1]]
    assert {"group", "leader", "deputies", "seats", "new", "experienced"} <= set(top)
    assert any("specialties" in str(t) for t in top) and any("mentor" in str(t) for t in top)
    groups = [row[top.index("group")] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert groups == ["G1", "G2"]
    assert all(
        row[top.index("seats")] == 6 for row in summary.iter_rows(min_row=2, values_only=True)
    )
    result = {k: v for k, v in book["result"].iter_rows(min_row=2, values_only=True)}
    assert result["status"] == "OPTIMAL"


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_a_solved_roster_passes_check(solved: dict[str, Any], kind: str) -> None:
    proc = run("check", TINY, solved[kind])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout
    doc = one_json(run("check", TINY, solved[kind], "--json").stdout)
    assert doc["ok"] is True
    assert doc["violations"] == []
    assert doc["goals"] == solved[f"{kind}-doc"]["goals"]


def test_solve_summary_reads_at_a_glance(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    proc = run("solve", TINY, "--out", out, "--workers", "1")
    assert proc.returncode == 0
    text = proc.stdout
    for word in ("leader", "deputies", "seats", "specialties", "new", "exp", "mentor", "goals"):
        assert word in text
    assert "finance" in text and "/1" in text  # specialties covered against required
    assert re.search(r"M\d\d \S", text)  # leaders by id and name
    for goal in ("strength-balance", "development", "rating", "complementarity"):
        assert goal in text
    assert "status OPTIMAL" in text
    assert "s\n" in text or " s" in text  # the time
    assert str(out) in text
    # not a terminal: no progress line on stderr
    assert "\r" not in proc.stderr
    assert "solving" not in proc.stderr


def test_solve_without_out_writes_nothing(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(TEAMSOLVER), "solve", str(TINY), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0
    assert one_json(proc.stdout)["out"] is None
    assert list(tmp_path.iterdir()) == []


def test_excel_flag_writes_a_bom_that_check_reads(tmp_path: Path) -> None:
    out = tmp_path / "excel.csv"
    assert run("solve", TINY, "--out", out, "--excel").returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "王建国".encode() in data or "孙涛".encode() in data or "李秀英".encode() in data
    assert run("check", TINY, out).returncode == 0


def test_baseline_roster_is_read_and_stability_reported(
    solved: dict[str, Any], tmp_path: Path
) -> None:
    proc = run("solve", TINY, "--baseline", solved["csv"], "--json", "--workers", "1")
    assert proc.returncode == 0
    doc = one_json(proc.stdout)
    assert doc["goals"]["stability"] == 0  # the baseline is optimal; nothing needs to move
    # A baseline naming someone no longer in the pool is a warning, not an error.
    rows = csv_rows(solved["csv"])
    rows[1][2] = "M77"
    stale = tmp_path / "stale.csv"
    stale.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    proc = run("solve", TINY, "--baseline", stale, "--json")
    assert proc.returncode == 0
    assert "M77" in proc.stderr
    assert one_json(proc.stdout)["goals"]["stability"] >= 1


# -- solve: formula-like cells -------------------------------------------------------------------
def test_formula_like_names_are_text_in_csv(formula_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    proc = run("solve", formula_instance, "--out", out, "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    rows = csv_rows(out)
    header = rows[0]
    names = [r[header.index("name")] for r in rows[1:]]
    assert "'" + FORMULA_NAMES["M01"] in names
    assert {"'+1", "'-x", "'@a", "'@boss"} <= set(names)
    assert "'-M21" in [r[header.index("member")] for r in rows[1:]]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row
    # real numbers stay numbers
    assert all(r[header.index("experience")].isdigit() for r in rows[1:])
    # the escape is undone on reading: the checker finds the members
    assert run("check", formula_instance, out).returncode == 0


def test_formula_like_names_are_text_in_xlsx(formula_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert run("solve", formula_instance, "--out", out, "--workers", "1").returncode == 0
    book = openpyxl.load_workbook(out)
    texts: dict[str, str] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts[cell.value] = cell.data_type
    for name in (FORMULA_NAMES["M01"], "+1", "-x", "@a", "@boss", "-M21"):
        assert texts.get(name) == "s", name  # the value unchanged, stored as text
    assert not any(t.startswith(("\t", "\r")) for t in texts)
    assert run("check", formula_instance, out).returncode == 0


def test_formula_like_ids_survive_the_json_roster(formula_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = run("solve", formula_instance, "--out", out, "--json", "--workers", "1")
    assert proc.returncode == 0
    assert "-M21" in {s["member"] for s in one_json(proc.stdout)["roster"]}
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert FORMULA_NAMES["M01"] in {s["name"] for s in doc["roster"]}
    assert run("check", formula_instance, out).returncode == 0


# -- solve: no roster, bad input -------------------------------------------------------------------
@pytest.fixture
def infeasible(tmp_path: Path) -> Path:
    """tiny, valid, but infeasible: M02 and M12 (both of unit ORG) are pinned to G1 while a
    group may draw only one member from a unit."""
    inst = copy_tiny(tmp_path, "infeasible")
    with (inst / "rules.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[unit-draw-cap]\nmax_per_group = 1\n")
    (inst / "pins.csv").write_text(
        "member,group,kind\nM02,G1,require\nM12,G1,require\n", encoding="utf-8"
    )
    assert run("validate", inst).returncode == 0
    return inst


def test_infeasible_gives_exit_1_and_writes_nothing(infeasible: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    proc = run("solve", infeasible, "--out", out)
    assert proc.returncode == 1
    assert "no roster" in proc.stderr
    assert proc.stdout == ""
    assert not out.exists()
    proc = run("solve", infeasible, "--out", out, "--json")
    assert proc.returncode == 1
    doc = one_json(proc.stdout)
    assert doc["status"] == "INFEASIBLE"
    assert doc["roster"] == [] and doc["out"] is None
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".r.csv")] == []


def test_relax_bends_the_rule_that_cannot_hold(infeasible: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    proc = run("solve", infeasible, "--out", out, "--relax")
    assert proc.returncode == 0
    assert "unit-draw-cap" in proc.stdout
    book = openpyxl.load_workbook(out)
    rules = [row[0] for row in book["violations"].iter_rows(min_row=2, values_only=True)]
    assert "unit-draw-cap" in rules


def test_bad_instance_gives_exit_2_naming_file_and_row(tmp_path: Path) -> None:
    inst = copy_tiny(tmp_path)
    members = (inst / "members.csv").read_text(encoding="utf-8").splitlines()
    members.append(members[3])  # M03 again, as row 22
    (inst / "members.csv").write_text("\n".join(members) + "\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    proc = run("solve", inst, "--out", out)
    assert proc.returncode == 2
    assert "members.csv" in proc.stderr and "row 22" in proc.stderr
    assert not out.exists()
    proc = run("solve", inst, "--out", out, "--json")
    assert proc.returncode == 2
    doc = one_json(proc.stdout)
    assert doc["status"] is None
    assert any(p["row"] == 22 for p in doc["problems"])
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "no-such-instance"],
        ["solve", TINY, "--out", "roster.txt"],
        ["solve", TINY, "--time-limit", "-1"],
        ["solve", TINY, "--workers", "0"],
        ["solve", TINY, "--rules", "no-such-rules.toml"],
        ["solve", TINY, "--baseline", "no-such-roster.csv"],
        ["check", TINY, "no-such-roster.csv"],
        ["check", TINY, "roster.txt"],
        ["check", "no-such-instance", "roster.csv"],
        ["check", TINY],
        ["solve"],
    ],
)
def test_bad_input_or_usage_gives_exit_2(args: list[Any]) -> None:
    proc = run(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip()


def test_check_of_a_damaged_roster_gives_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    proc = run("check", TINY, bad)
    assert proc.returncode == 2 and "bad.xlsx" in proc.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"roster": [', encoding="utf-8")
    proc = run("check", TINY, broken, "--json")
    assert proc.returncode == 2
    assert one_json(proc.stdout)["ok"] is False


# -- solve: stopping early ---------------------------------------------------------------------
def test_time_limit_keeps_the_best_roster_so_far(tmp_path: Path) -> None:
    """university is not proven optimal in 4 s: the best roster is FEASIBLE, written, clean.

    On POSIX stderr is a terminal here, so the live progress line is checked too."""
    out = tmp_path / "u.csv"
    args = [TEAMSOLVER, "solve", str(UNIVERSITY), "--out", str(out), "--time-limit", "4"]
    args += ["--workers", "2", "--json"]
    stderr, proc = run_with_terminal_stderr([str(a) for a in args])
    assert_no_traceback(proc.stdout, stderr)
    assert proc.returncode == 0, stderr
    doc = one_json(proc.stdout)
    assert doc["status"] == "FEASIBLE"
    assert doc["stopped"] == "time-limit"
    assert "time limit" in stderr
    if os.name == "posix":
        assert "solving" in stderr and "\r" in stderr  # live progress on a terminal
    assert run("check", UNIVERSITY, out).returncode == 0


def test_solve_says_where_the_roster_went_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary on stdout names the file; the time-limit note on stderr does not repeat it
    (with --json, where no summary is printed, it does)."""
    from teamsolver.cli.solve import _report

    inst = teamsolver.load(TINY)
    result = teamsolver.solve(inst, time_limit=20, workers=1)
    cut = result.model_copy(update={"status": "FEASIBLE"})  # as if the time limit stopped it
    out = str(tmp_path / "r.csv")
    _report(str(TINY), inst, cut, out, "time-limit", 3.0, False, False)
    printed = capsys.readouterr()
    assert printed.out.count(out) == 1 and f"roster written to {out}" in printed.out
    assert "time limit of 3 s reached" in printed.err and out not in printed.err
    _report(str(TINY), inst, cut, out, "time-limit", 3.0, True, False)
    printed = capsys.readouterr()
    assert f"wrote {out}" in printed.err and one_json(printed.out)["out"] == out


def run_with_terminal_stderr(args: list[str]) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Run with stderr on a pseudo-terminal where there is one (stdout stays a pipe)."""
    if os.name != "posix":  # pragma: no cover
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
        return proc.stderr, proc
    import pty

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            args, stdout=subprocess.PIPE, stderr=slave, text=True, timeout=120, encoding="utf-8"
        )
    finally:
        os.close(slave)
    reader.join(5)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace"), proc


#: CPU seconds after which a run on city surely holds a roster: it finds the first one after
#: 3.5 to 4.5 CPU seconds (loading, building, two workers searching), on an idle machine or a
#: busy one alike.
CITY_FIRST_ROSTER_CPU_S = 9.0


def wait_for_work(procs: list[subprocess.Popen[bytes]], cpu_s: float, wall_cap_s: float) -> None:
    """Wait until every process has used ``cpu_s`` CPU seconds (or ``wall_cap_s`` passed).

    CPU time, not wall time, measures how far a search got, so the test holds on a machine
    busy with other work too. Without psutil, it waits a fixed time."""
    try:
        psutil: Any = importlib.import_module("psutil")
    except ImportError:  # pragma: no cover
        time.sleep(min(wall_cap_s, 2 * cpu_s))
        return
    watched = [psutil.Process(p.pid) for p in procs]
    deadline = time.monotonic() + wall_cap_s
    while time.monotonic() < deadline:
        try:
            used = [sum(w.cpu_times()[:2]) for w in watched]
        except psutil.NoSuchProcess:
            return
        if min(used) >= cpu_s:
            return
        time.sleep(0.2)


@pytest.fixture
def interrupted(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Two runs on city (one with --json), each sent Ctrl-C once it holds a roster.

    city finds a first roster in a few seconds and then keeps improving for minutes; the
    runs share the machine and are interrupted once each has worked long enough.
    """
    assert TEAMSOLVER is not None
    runs: dict[str, Any] = {}
    procs = {}
    for name, extra in (("text", []), ("json", ["--json"])):
        out = tmp_path / f"{name}.csv"
        # A limit no run reaches here (the wait below is capped at 120 s, the stop at 60 s):
        # what ends the runs is Ctrl-C, on a busy machine too.
        args = [TEAMSOLVER, "solve", str(CITY), "--out", str(out), "--time-limit", "600"]
        args += ["--workers", "2", *extra]
        procs[name] = (subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE), out)
    try:
        wait_for_work([p for p, _ in procs.values()], CITY_FIRST_ROSTER_CPU_S, wall_cap_s=120)
        for proc, _ in procs.values():
            assert proc.poll() is None, "the run ended before it was interrupted"
            proc.send_signal(signal.SIGINT)
        for name, (proc, out) in procs.items():
            stdout, stderr = proc.communicate(timeout=60)  # a guard against a hang, not a test
            runs[name] = {
                "code": proc.returncode,
                "stdout": stdout.decode("utf-8", "replace"),
                "stderr": stderr.decode("utf-8", "replace"),
                "out": out,
            }
        yield runs
    finally:
        for proc, _ in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child needs POSIX")
def test_ctrl_c_writes_the_best_roster_so_far(interrupted: dict[str, Any]) -> None:
    for name, r in interrupted.items():
        assert_no_traceback(r["stdout"], r["stderr"])
        assert r["code"] == 0, (name, r["stderr"])
        assert "interrupted" in r["stderr"], name
        out: Path = r["out"]
        rows = csv_rows(out)
        assert rows[0][:5] == SPEC_COLUMNS
        assert len(rows) == 1 + 173  # complete: every seat of city's 15 groups
        assert out.read_bytes().endswith(b"\r\n")
        assert [p for p in out.parent.iterdir() if p.name.startswith("." + out.name)] == []
        check = run("check", CITY, out, "--json")
        assert check.returncode == 0, check.stdout
        assert one_json(check.stdout)["ok"] is True
    doc = one_json(interrupted["json"]["stdout"])
    assert doc["status"] == "FEASIBLE"
    assert doc["interrupted"] is True and doc["stopped"] == "interrupted"
    assert len(doc["roster"]) == 173
    text = interrupted["text"]["stdout"]
    assert "status FEASIBLE" in text and "interrupted" in text


# -- check -----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_hand_made_roster_lists_its_known_violations(tmp_path: Path, suffix: str) -> None:
    roster = write_hand_made(tmp_path / f"hand{suffix}")
    proc = run("check", TINY, roster, "--json")
    assert proc.returncode == 1
    doc = one_json(proc.stdout)
    assert doc["ok"] is False
    assert {v["rule"] for v in doc["violations"]} == HAND_MADE_RULES
    assert len(doc["violations"]) == 3
    by_rule = {v["rule"]: v for v in doc["violations"]}
    assert by_rule["leader-quota"]["group"] == "G1"
    assert set(by_rule["leader-quota"]["members"]) == {"M01", "M02"}
    assert (by_rule["recusal"]["group"], by_rule["recusal"]["member"]) == ("G1", "M13")
    assert by_rule["specialty-coverage"]["group"] == "G2"
    assert "law" in by_rule["specialty-coverage"]["message"]
    for v in doc["violations"]:
        assert {"rule", "group", "member", "message"} <= set(v) and v["message"]
    assert set(doc["goals"]) == set(GOAL_IDS)
    text = run("check", TINY, roster)
    assert text.returncode == 1
    for rule in HAND_MADE_RULES:
        assert rule in text.stdout
    assert "M13" in text.stdout and "R1" in text.stdout
    assert "strength-balance" in text.stdout  # the roster's goal values


def test_soft_rule_bends_are_listed_but_exit_0(tmp_path: Path) -> None:
    rules = tmp_path / "soft.toml"  # tiny's own rules, with the three rules made soft
    rules.write_text(
        '[recusal]\nmode = "soft"\nown_zone = false\nreinspect_cooldown = 1\n\n'
        '[leader-quota]\nmode = "soft"\n\n[specialty-coverage]\nmode = "soft"\n\n'
        '[objective]\nmix_attributes = ["gender"]\n',
        encoding="utf-8",
    )
    roster = write_hand_made(tmp_path / "hand.csv")
    proc = run("check", TINY, roster, "--json", "--rules", rules)
    assert proc.returncode == 0
    doc = one_json(proc.stdout)
    assert doc["ok"] is True
    assert {v["rule"] for v in doc["violations"]} == HAND_MADE_RULES
    assert {v["mode"] for v in doc["violations"]} == {"soft"}
    text = run("check", TINY, roster, "--rules", rules)
    assert text.returncode == 0
    assert "soft" in text.stdout and "recusal" in text.stdout


def test_check_names_unknown_members_with_their_rows(tmp_path: Path) -> None:
    roster = tmp_path / "unknown.csv"
    roster.write_text(
        "group,member,role\nG1,M01,leader\nG1,M99,member\nG2,NOBODY,member\n", encoding="utf-8"
    )
    proc = run("check", TINY, roster)
    assert proc.returncode == 2
    assert "row 3" in proc.stderr and "M99" in proc.stderr
    assert "row 4" in proc.stderr and "NOBODY" in proc.stderr
    proc = run("check", TINY, roster, "--json")
    assert proc.returncode == 2
    doc = one_json(proc.stdout)
    assert {(p["row"], p["column"]) for p in doc["problems"]} == {(3, "member"), (4, "member")}


def test_check_names_unknown_groups_and_bad_roles(tmp_path: Path) -> None:
    roster = tmp_path / "groups.csv"
    roster.write_text(
        "group,member,role\nG1,M01,leader\nG9,M02,member\nG1,M03,boss\n", encoding="utf-8"
    )
    proc = run("check", TINY, roster)
    assert proc.returncode == 2
    assert "row 3" in proc.stderr and "G9" in proc.stderr
    assert "row 4" in proc.stderr and "boss" in proc.stderr


def test_check_names_missing_columns(tmp_path: Path) -> None:
    roster = tmp_path / "columns.csv"
    roster.write_text("组,姓名\nG1,王建国\n", encoding="utf-8")
    proc = run("check", TINY, roster)
    assert proc.returncode == 2
    assert "'role'" in proc.stderr and "row 1" in proc.stderr
    assert proc.stderr.count("columns.csv") == 1  # once, not again for every row
    roster.write_text("\n\nmember,role\nM01,leader\n", encoding="utf-8")
    proc = run("check", TINY, roster)
    assert proc.returncode == 2
    assert "'group'" in proc.stderr and "row 3" in proc.stderr  # the header's own row


def test_check_reads_members_by_name_and_other_separators(tmp_path: Path) -> None:
    roster = tmp_path / "names.csv"
    roster.write_text("巡察组;姓名;角色\nG1;王建国;组长\nG1;赵敏;副组长\n", encoding="utf-8")
    proc = run("check", TINY, roster, "--json")
    assert proc.returncode == 1  # far too small, but read
    doc = one_json(proc.stdout)
    assert doc["seats"] == 2
    assert "group-size" in {v["rule"] for v in doc["violations"]}


def test_no_command_prints_a_traceback_on_odd_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("巡察组,成员,角色\nG1,M01,组长\n".encode("gb18030"))
    for roster in (empty, folder):
        assert run("check", TINY, roster).returncode == 2
    assert run("check", TINY, gbk).returncode == 1  # read (GB18030), and too small
