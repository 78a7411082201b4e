"""``--lang zh|en`` for what the commands print (issue 16): the summaries and messages of
solve, check, whatif, validate, diff, sweep, generate and convert come from the catalogue of
the language chosen, run as a planner would (the installed entry point in a subprocess).

English prints exactly what it printed before the catalogue (the texts below are main's output
before this change); Chinese prints Chinese sentences with no English left in what the
catalogue covers (ids, statuses, specialties, paths and option names stay as they are; the
rules' violation sentences and the reasons in a diff are Chinese too: tests/test_zh_words.py);
every ``--json`` document is the same in both languages; and an instance with Chinese headers
speaks Chinese unless told otherwise.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import teamsolver
from teamsolver import check, i18n
from teamsolver.cli.common import Live, percent
from teamsolver.data.instance import Instance
from teamsolver.data.result import Progress
from teamsolver.data.settings import GOAL_IDS, RULE_IDS
from teamsolver.files.rosters import read_roster

from .test_cli import CITY, ROOT, TEAMSOLVER, TINY, one_json, run

pytestmark = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")

OPTIMUM = "tests/data/tiny-optimum.csv"
SCENARIO = "instances/scenarios/leader-ill.toml"
FAST = ("--solutions", "1", "--workers", "1", "--time-limit", "0")
STATUSES = {"OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "GIVEN", "ERROR"}  # sweep: GIVEN, ERROR
#: Words that are the same in every language: the program, its options' values, the solver.
KEPT = {"teamsolver", "explain", "check", "CP-SAT", "Ctrl-C", "baseline"}


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run from the repository's root, with relative paths as a planner types them."""
    monkeypatch.chdir(ROOT)


def untimed(text: str) -> str:
    """``text`` with durations masked (``0.3 s``, ``0.3 秒``)."""
    return re.sub(r"\d+\.\d+ (s|秒)\b", r"T \1", text)


def untimed_doc(doc: Any) -> Any:
    """A JSON document without its measured times (keys ending in ``_s``)."""
    if isinstance(doc, dict):
        return {k: untimed_doc(v) for k, v in doc.items() if not k.endswith("_s")}
    if isinstance(doc, list):
        return [untimed_doc(v) for v in doc]
    return doc


def english_left(text: str, inst: Instance, *kept: str) -> list[str]:
    """The Latin-script words of ``text`` that are not ids, statuses, specialties or ``kept``
    (paths, option names): what a Chinese planner would find untranslated. Violation rows
    (a rule id, then the rule's own English sentence) are left out: the rules are not
    translated yet."""
    for path in sorted(kept, key=len, reverse=True):
        text = text.replace(path, " ")
    lines = [
        line
        for line in text.splitlines()
        if not any(line.startswith(f"  {rule} ") for rule in RULE_IDS)
    ]
    allowed = (
        set(GOAL_IDS)
        | set(RULE_IDS)
        | STATUSES
        | KEPT
        | {m.id for m in inst.members}
        | {g.id for g in inst.groups}
        | set(inst.rounds)
        | {u.id for u in inst.units}
        | {s for m in inst.members for s in m.specialties}
        | {s for g in inst.groups for s in dict(g.requires)}
    )
    words = re.findall(r"--?[a-z][a-z-]*|[A-Za-z][A-Za-z0-9_-]*", "\n".join(lines))
    return [w for w in words if w not in allowed and not w.startswith("-")]


def broken_roster(tmp_path: Path) -> Path:
    """tiny's optimum without its G1 leader (M12): two hard rules broken."""
    lines = (ROOT / OPTIMUM).read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "broken.csv"
    path.write_text("".join(x for x in lines if ",M12,leader," not in x), encoding="utf-8")
    return path


def chinese_copy(tmp_path: Path) -> Path:
    """tiny with the members table's headers in Chinese."""
    folder = tmp_path / "中文"
    shutil.copytree(TINY, folder)
    members = folder / "members.csv"
    text = members.read_text(encoding="utf-8").replace("id,name,unit", "编号,姓名,单位", 1)
    members.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny() -> Instance:
    return teamsolver.load(TINY)


@pytest.fixture(scope="module")
def city() -> Instance:
    return teamsolver.load(CITY)


@pytest.fixture(scope="module")
def city_zh(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The city solved once with --lang zh: the roster file and the run."""
    out = tmp_path_factory.mktemp("city") / "city.csv"
    proc = run("solve", CITY, "--out", out, "--lang", "zh", *FAST)
    assert proc.returncode == 0, proc.stderr
    return out, proc


# -- English: exactly as before ---------------------------------------------------------------
TINY_GOALS = """\
goals:
  strength-balance  {sb:>2}  lower is better   weight 2
  development        3  higher is better  weight 5
  workload-balance   0  lower is better   weight 10
  rating            {rating}  higher is better  weight 1
  affinity           0  higher is better  weight 10
  complementarity   {comp}  higher is better  weight 3
  mix                {mix}  lower is better   weight 2
"""


@pytest.mark.parametrize("lang", [(), ("--lang", "en")])
def test_english_prints_what_it_printed_before(tmp_path: Path, lang: tuple[str, ...]) -> None:
    proc = run("validate", "instances/tiny", *lang)
    assert proc.stdout == (
        "instances/tiny: OK: 20 members (20 active), 10 units, 2 groups in 1 round, "
        "at least 10 seats\n"
    )
    proc = run("check", "instances/tiny", OPTIMUM, *lang)
    assert proc.returncode == 0
    assert proc.stdout == (
        f"{OPTIMUM}: 12 seats in 2 groups\n"
        + TINY_GOALS.format(sb=1, rating=49, comp=21, mix=0)
        + "OK: every rule holds\n"
    )
    broken = broken_roster(tmp_path)
    proc = run("check", "instances/tiny", broken, *lang)
    assert proc.returncode == 1
    assert proc.stdout == (
        f"{broken}: 11 seats in 2 groups\n"
        "hard rules broken (2 violations):\n"
        "  rule          round  group  members   what\n"
        "  leader-quota  R1     G1               group G1 has 0 leaders; it needs exactly 1\n"
        "  mentoring     R1     G1     M08, M12  mentor M12 of member M08 is not in group G1\n"
        + TINY_GOALS.format(sb=42, rating=37, comp=20, mix=1)
        + "NOT OK: 2 hard-rule violations\n"
    )
    proc = run("diff", "instances/tiny", OPTIMUM, broken, *lang)
    assert proc.stdout == (
        f"{OPTIMUM} → {broken}: 1 change\n"
        "G1 (R1):\n"
        "  -  M12 孙涛  leader leaves\n"
        "goals:\n"
        "                    before  after\n"
        "  strength-balance       1     42\n"
        "  development            3      3\n"
        "  rating                49     37\n"
        "  complementarity       21     20\n"
        "  mix                    0      1\n"
        "  stability              0      1\n"
        "  objective           -125     74\n"
    )


def test_lang_en_is_the_default_for_english_headers(tmp_path: Path) -> None:
    """solve, whatif, sweep and a bad input say the same with --lang en as without it."""
    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    members = bad / "members.csv"
    members.write_text(
        members.read_text(encoding="utf-8").replace(",no,yes,", ",maybe,yes,", 1), "utf-8"
    )
    said = {}
    for name, args in {
        "solve": ("solve", "instances/tiny", *FAST),
        "whatif": ("whatif", "instances/tiny", "--baseline", OPTIMUM, "--scenario", SCENARIO,
                   "--workers", "1", "--time-limit", "0"),
        "sweep": ("sweep", "instances/tiny", "--scenarios", SCENARIO, "--baseline", OPTIMUM,
                  "--parallel", "1", *FAST),
        "validate": ("validate", bad),
        "bad": ("solve", bad),
    }.items():  # fmt: skip
        plain, en = run(*args), run(*args, "--lang", "en")
        assert plain.returncode == en.returncode
        assert untimed(plain.stdout) == untimed(en.stdout), args
        assert untimed(plain.stderr) == untimed(en.stderr), args
        said[name] = en
    assert said["solve"].stdout.startswith("12 seats in 2 groups:\n  round  group  leader ")
    assert "\nevery rule holds, soft rules included.\ngoals:\n" in said["solve"].stdout
    assert re.search(r"^status FEASIBLE · objective -?\d+ · bound ", said["solve"].stdout, re.M)
    assert said["whatif"].stdout.startswith(
        "scenario leader-ill: status OPTIMAL · 2 changes against the baseline · "
    )
    assert "  ~  M01 王建国  member → leader\n" in said["whatif"].stdout
    assert said["sweep"].stderr == "sweep: 1 scenario on 1 process, 1 CP-SAT thread each\n"
    assert said["validate"].stderr.endswith(", got 'maybe'\n1 problem found.\n")
    assert said["bad"].stderr.endswith("1 problem found; nothing was done.\n")


# -- Chinese -------------------------------------------------------------------------------------
TABLE_HEADER = re.compile(
    r"^  轮次 +巡察组 +组长 +副组长 +人数 +专业 现有/要求 +新人 +有经验 +带教 新人←导师$", re.M
)
GOAL_HEADER = "目标：\n  strength-balance（各组力量均衡）"


def test_solve_tiny_in_chinese(tmp_path: Path, tiny: Instance) -> None:
    out = tmp_path / "名单.csv"
    proc = run("solve", "instances/tiny", "--out", out, "--lang", "zh", *FAST)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("2 个组，共 12 人次：\n")
    assert TABLE_HEADER.search(text)
    assert "6（要求 5–6）" in text
    assert GOAL_HEADER in text and "越低越好  权重 2" in text
    assert "全部规则均满足，柔性规则亦无放宽。" in text
    status = re.search(r"^状态：(.*)$", text, re.M)
    assert status and "目标函数值" in status[1] and "用时" in status[1]
    assert f"名单已写入 {out}" in text
    assert english_left(text + proc.stderr, tiny, str(out)) == []
    read_roster(out, tiny)  # the Chinese roster reads back...
    assert check(tiny, read_roster(out, tiny)) == []  # ...and keeps every rule


def test_solve_city_in_chinese(city_zh: tuple[Path, Any], city: Instance) -> None:
    out, proc = city_zh
    assert proc.stdout.startswith("15 个组，共 173 人次：\n")
    assert TABLE_HEADER.search(proc.stdout)
    assert GOAL_HEADER in proc.stdout
    assert re.search(r"^状态：可行（FEASIBLE） · 目标函数值 -?\d+ · ", proc.stdout, re.M)
    assert "找到 1 份更优名单后停止" in proc.stdout
    assert english_left(proc.stdout + proc.stderr, city, str(out)) == []
    assert [v for v in check(city, read_roster(out, city)) if v.rule != "no-repeat-pairing"] == []


def test_check_in_chinese(tmp_path: Path, tiny: Instance, city_zh: Any, city: Instance) -> None:
    proc = run("check", "instances/tiny", OPTIMUM, "--lang", "zh")
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"{OPTIMUM}：2 个组，共 12 人次\n目标：\n")
    assert proc.stdout.endswith("通过：全部规则均满足\n")
    broken = broken_roster(tmp_path)
    proc = run("check", "instances/tiny", broken, "--lang", "zh")
    assert proc.returncode == 1
    assert "违反硬性规则（2 处）：\n  规则          轮次  巡察组  成员      说明\n" in proc.stdout
    assert proc.stdout.endswith("不通过：2 处违反硬性规则\n")
    assert english_left(proc.stdout, tiny, str(broken)) == []
    out, _ = city_zh
    proc = run("check", "instances/city", out, "--lang", "zh")
    assert proc.returncode == 0
    assert re.search(
        r"^通过：(全部规则均满足|硬性规则全部满足；柔性规则放宽 \d+ 处)$", proc.stdout, re.M
    )
    assert english_left(proc.stdout, city, str(out)) == []


def test_whatif_in_chinese(tiny: Instance, city_zh: Any, city: Instance, tmp_path: Path) -> None:
    proc = run(
        "whatif", "instances/tiny", "--baseline", OPTIMUM, "--scenario", SCENARIO,
        "--workers", "1", "--time-limit", "0", "--lang", "zh",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(
        "情形 leader-ill：状态：最优（OPTIMAL） · 相对原名单 2 处变动 · 用时 "
    )
    assert "G1（R1）：\n  -  M12 孙涛    组长，调出（成员暂停参加）\n" in proc.stdout
    assert "  ~  M01 王建国  组员 → 组长\n" in proc.stdout
    assert re.search(r"^ +变动前 +变动后$", proc.stdout, re.M)
    left = english_left(proc.stdout, tiny, "leader-ill")
    assert left == []  # the reason a seat left too (it was English before)
    out, _ = city_zh
    # someone the roster does not seat: the baseline still holds, found at once however busy
    seated = {s.member for s in read_roster(out, city)}
    away = next(m.id for m in city.members if m.id not in seated)
    scenario = tmp_path / "away.toml"
    scenario.write_text(f'name = "城区人员请假"\nout = ["{away}"]\n', encoding="utf-8")
    proc = run(
        "whatif", "instances/city", "--baseline", out, "--scenario", scenario,
        "--workers", "1", "--time-limit", "5", "--lang", "zh",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("情形 城区人员请假：状态：")
    assert "目标：\n" in proc.stdout and "目标函数值" in proc.stdout
    assert english_left(proc.stdout + proc.stderr, city, str(out)) == []


def test_validate_in_chinese(tmp_path: Path, tiny: Instance, city: Instance) -> None:
    proc = run("validate", "instances/tiny", "--lang", "zh")
    assert proc.stdout == (
        "instances/tiny：通过：成员 20 名（在岗 20 名），单位 10 个，1 轮共 2 个组，至少 10 人次\n"
    )
    proc = run("validate", "instances/city", "--lang", "zh")
    active = sum(m.status == "active" for m in city.members)
    assert proc.stdout == (
        f"instances/city：通过：成员 521 名（在岗 {active} 名），单位 122 个，1 轮共 15 个组，"
        "至少 173 人次\n"
    )
    missing = tmp_path / "nothing-here"
    proc = run("validate", missing, "--lang", "zh")
    assert proc.returncode == 2
    assert proc.stderr.endswith("发现 1 个问题。\n")


def test_sweep_diff_generate_convert_in_chinese(tmp_path: Path, tiny: Instance) -> None:
    csv = tmp_path / "rows.csv"
    proc = run(
        "sweep", "instances/tiny", "--scenarios", SCENARIO, "--baseline", OPTIMUM,
        "--parallel", "1", "--out", csv, "--lang", "zh", *FAST,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert re.match(r"情形 +状态 +目标函数值 +变动 +人次 +柔性违规 +用时\n", proc.stdout)
    assert proc.stderr == "批量情形：1 个情形，使用 1 个进程，每个求解 1 个 CP-SAT 线程\n"
    assert csv.read_text(encoding="utf-8").startswith("scenario,")  # the file keeps its header
    assert english_left(proc.stdout, tiny, str(csv), "leader-ill") == []
    proc = run("diff", "instances/tiny", OPTIMUM, OPTIMUM, "--lang", "zh")
    assert proc.stdout.startswith(
        f"{OPTIMUM} → {OPTIMUM}：0 处变动\n没有变动：人员安排与原来相同。\n"
    )
    assert english_left(proc.stdout, tiny, OPTIMUM) == []
    out = tmp_path / "gen.json"
    proc = run("generate", "--preset", "tiny", "--lang", "zh", out)
    assert proc.stderr == f"已写入 {out}：成员 20 名，2 个组，共 1 轮\n"
    proc = run("generate", "--preset", "tiny", "--lang", "zh", out)
    assert proc.returncode == 2 and proc.stderr.endswith("发现 1 个问题；未写入任何文件。\n")
    proc = run("convert", "instances/tiny", tmp_path / "c.json", "--lang", "zh")
    assert proc.stderr == f"已写入 {tmp_path / 'c.json'}\n"


def test_problems_and_notes_in_chinese(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.csv"
    text = (ROOT / OPTIMUM).read_text(encoding="utf-8")
    unknown.write_text(text + "R1,G2,M99,member,,,,,\n", encoding="utf-8")
    proc = run("check", "instances/tiny", unknown, "--lang", "zh")
    assert proc.returncode == 2
    assert proc.stderr.endswith("发现 1 个问题；未检查名单。\n")
    proc = run("solve", "instances/tiny", "--baseline", unknown, "--lang", "zh", *FAST)
    assert proc.returncode == 0
    assert proc.stderr == (
        "unknown.csv：警告：原名单中有 1 名成员不在本数据中（M99），其安排计为变动\n"
    )
    proc = run(
        "solve", "instances/tiny", "--excel", "--out", tmp_path / "r.json", "--lang", "zh", *FAST
    )
    assert proc.stderr == "提示：--excel 只影响 CSV 文件；.xlsx 或 .json 文件照常写入\n"


def test_the_progress_line_speaks_the_language(tiny: Instance) -> None:
    live = Live(enabled=False, time_limit=30, lang="zh")
    first = live.text()
    assert re.fullmatch(
        r"求解中 \d+\.\d 秒（搜索限时 30 秒） · 正在寻找第一份满足全部硬性规则的名单……", first
    )
    found = Progress(objective=-30, bound=-40.0, elapsed_s=1.0, solutions=3)
    gap = percent(found.gap)
    live.update(found)
    assert live.text().endswith(f" · 目前最好 -30 · 下界 -40 · 差距 {gap} · 3 份名单")
    assert live.text(stopping=True).endswith(" · 正在停止，保留目前最好的名单……")
    assert english_left(first + live.text(), tiny) == []
    english = Live(enabled=False, time_limit=30)
    english.update(found.model_copy(update={"solutions": 1}))
    assert re.fullmatch(
        rf"solving \d+\.\d s \(search limit 30 s\) · best -30 · bound -40 · gap {gap} · 1 roster",
        english.text(),
    )


# -- JSON is the same in every language ----------------------------------------------------------
def test_json_documents_are_the_same_in_both_languages(tmp_path: Path) -> None:
    broken = broken_roster(tmp_path)
    exact: Iterable[tuple[Any, ...]] = (
        ("validate", "instances/tiny", "--json"),
        ("check", "instances/tiny", broken, "--json"),
        ("diff", "instances/tiny", OPTIMUM, broken, "--json"),
    )
    for args in exact:
        zh, en = run(*args, "--lang", "zh"), run(*args, "--lang", "en")
        assert zh.stdout == en.stdout and zh.returncode == en.returncode, args
        json.loads(zh.stdout)
    timed: Iterable[tuple[Any, ...]] = (
        ("solve", "instances/tiny", "--json", *FAST),
        ("whatif", "instances/tiny", "--baseline", OPTIMUM, "--scenario", SCENARIO, "--json",
         "--workers", "1", "--time-limit", "0"),
        ("sweep", "instances/tiny", "--scenarios", SCENARIO, "--baseline", OPTIMUM, "--json",
         "--parallel", "1", *FAST),
    )  # fmt: skip
    for args in timed:
        zh, en = run(*args, "--lang", "zh"), run(*args, "--lang", "en")
        assert zh.returncode == en.returncode == 0, args
        assert untimed_doc(one_json(zh.stdout)) == untimed_doc(one_json(en.stdout)), args


# -- the default -------------------------------------------------------------------------------
def test_chinese_headers_default_to_chinese(tmp_path: Path) -> None:
    folder = chinese_copy(tmp_path)
    proc = run("validate", folder)
    assert proc.stdout.startswith(f"{folder}：通过：成员 20 名")
    proc = run("solve", folder, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("2 个组，共 12 人次：\n")
    assert re.search(r"^状态：", proc.stdout, re.M)
    proc = run("solve", folder, "--lang", "en", *FAST)
    assert proc.stdout.startswith("12 seats in 2 groups:\n")
    # a problem found before the instance is read speaks Chinese too
    (folder / "members.csv").write_text(
        (folder / "members.csv").read_text(encoding="utf-8").replace(",no,yes,", ",也许,yes,", 1),
        encoding="utf-8",
    )
    proc = run("solve", folder, *FAST)
    assert proc.returncode == 2 and proc.stderr.endswith("发现 1 个问题；未做任何处理。\n")


def test_counts_pick_the_form_for_the_number() -> None:
    assert i18n.count("cli.count.seat", 1) == "1 seat"
    assert i18n.count("cli.count.seat", 2) == "2 seats"
    assert i18n.count("cli.count.seat", 2, "zh") == "2 人次"
    # English shows a goal id alone, Chinese the id and its name
    assert i18n.text("summary.label", "en", id="mix", name="x") == "mix"
    assert i18n.text("summary.label", "zh", id="mix", name="结构") == "mix（结构）"


def test_a_damaged_workbook_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    """The default language reads the instance's headers before the loader does: a file that
    is no workbook must still reach the loader's problem list (exit 2, no traceback)."""
    junk = tmp_path / "plan.xlsx"
    junk.write_bytes(b"not a zip file")
    for command in ("validate", "solve", "explain"):
        proc = run(command, junk)
        assert proc.returncode == 2, command
        assert proc.stderr.startswith("plan.xlsx") and "1 problem found" in proc.stderr
