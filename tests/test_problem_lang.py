"""Located input problems in the planner's language (issue 16): ``成员.csv，第 4 行，列“可任组长”：
应为 是/否（true/false、yes/no、1/0），实际为“maybe”``.

A problem is made from data (:attr:`teamsolver.data.errors.Problem.phrase`: a catalogue key and
its values), so it is rendered in any language without parsing its English back; English and
every ``--json`` document stay exactly as they were.

* As a planner runs it: a Chinese-headed copy of the city instance with a few broken cells,
  as CSV files and as a workbook, is refused in Chinese (file, 第 N 行, the column as typed, what
  is expected, what was found), exit 2, with the same ``--json`` as in English.
* Every ``problem.*`` key of the catalogues is reached by a broken input below (the corpus) and
  rendered in both languages with every placeholder filled; the Chinese text keeps no word of
  the English template, values excepted (the rules' ``inputs()`` sentences too).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import string
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

import teamsolver
from teamsolver import files, i18n
from teamsolver.cli import common
from teamsolver.data.errors import InputError, Problem
from teamsolver.files import csvdir
from teamsolver.files.rosters import read_roster
from teamsolver.i18n.phrase import Count, Label, Listed, Phrase, Shown
from teamsolver.limits import objective_problem, size_problem
from teamsolver.service import inputs as service
from teamsolver.whatif import prepare
from teamsolver.whatif.scenario import Scenario, apply_scenario, read_scenarios

from . import helpers
from .test_cli import CITY, TEAMSOLVER, TINY, run
from .test_formats import chinese_excel_copy
from .test_input_errors import (
    CASES,
    append_rows,
    drop_column,
    make,
    read_table,
    rename_column,
    set_cell,
    write_rules,
    write_table,
)
from .test_input_fidelity import edit_book, edit_zip, save_values_like_excel, sheet_part
from .test_whatif import TINY_OPTIMUM

needs_cli = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")


# -- as a planner runs it ----------------------------------------------------------------------
def _city_zh(folder: Path) -> Path:
    """The city instance with Chinese file names and headers, and four broken cells."""
    chinese_excel_copy(CITY, folder, "utf-8")
    _set(folder / "成员.csv", 4, "可任组长", "maybe")
    _set(folder / "成员.csv", 6, "评分", "150")
    _set(folder / "成员.csv", 9, "单位", "NOPE")
    _set(folder / "巡察组.csv", 3, "最少人数", "many")
    return folder


def _set(path: Path, row: int, header: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row - 1][rows[0].index(header)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def _workbook(folder: Path, out: Path) -> Path:
    """The CSV files of ``folder`` as sheets of one workbook, named as the files are."""
    book = Workbook()
    book.remove(book.active)
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        sheet = book.create_sheet(path.stem)
        for row in rows:
            sheet.append([int(v) if v.isdigit() else v for v in row])
    book.save(out)
    return out


CITY_ZH = [
    "成员.csv，第 4 行，列“可任组长”：应为 是/否（true/false、yes/no、1/0），实际为“maybe”",
    "成员.csv，第 6 行，列“评分”：应为不大于 100 的数，实际为“150”",
    "巡察组.csv，第 3 行，列“最少人数”：应为整数，实际为“many”",
    "成员.csv，第 9 行，列“单位”：未知单位“NOPE”（应为 units 中的编号）",
]
CITY_EN = [
    "成员.csv, row 4, column can_lead: expected true/false, yes/no, 1/0 or 是/否, got 'maybe'",
    "成员.csv, row 6, column rating: expected a number less than or equal to 100, got 150",
    "巡察组.csv, row 3, column size_min: expected a whole number, got 'many'",
    "成员.csv, row 9, column unit: unknown unit 'NOPE' (expected an id from units)",
]


@needs_cli
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_chinese_instance_is_refused_in_chinese(fmt: str, tmp_path: Path) -> None:
    folder = _city_zh(tmp_path / "市级")
    path = folder if fmt == "csv" else _workbook(folder, tmp_path / "市级.xlsx")
    zh = run("validate", path)
    assert zh.returncode == 2 and zh.stdout == ""
    lines = zh.stderr.splitlines()
    expected = CITY_ZH
    if fmt == "xlsx":  # the sheet's file: 市级.xlsx，工作表 成员
        expected = [re.sub(r"^(\S+)\.csv，", r"市级.xlsx，工作表 \1，", line) for line in CITY_ZH]
    assert sorted(lines[:-1]) == sorted(expected)
    assert lines[-1] == "发现 4 个问题。"
    en = run("validate", path, "--lang", "en")
    assert en.returncode == 2
    english = CITY_EN
    if fmt == "xlsx":
        english = [re.sub(r"^(\S+)\.csv, ", r"市级.xlsx, sheet \1, ", line) for line in CITY_EN]
    assert sorted(en.stderr.splitlines()[:-1]) == sorted(english)
    docs = [run("validate", path, "--json", *lang) for lang in ((), ("--lang", "en"))]
    assert docs[0].returncode == docs[1].returncode == 2
    assert docs[0].stdout == docs[1].stdout
    assert {p["message"] for p in json.loads(docs[0].stdout)["problems"]} == {
        line.split(": ", 1)[1] for line in english
    }


@needs_cli
def test_solve_and_check_refuse_in_chinese(tmp_path: Path) -> None:
    """``solve`` names the input problems in Chinese; ``check`` a roster's."""
    folder = _city_zh(tmp_path / "市级")
    solve = run("solve", folder, "--solutions", "1", "--workers", "1", "--time-limit", "0")
    assert solve.returncode == 2
    assert CITY_ZH[0] in solve.stderr.splitlines()
    roster = tmp_path / "名单.csv"
    roster.write_text("巡察组,成员编号,角色\nG01,M001,组长\nG01,M002,老大\n", encoding="utf-8")
    check = run("check", TINY, roster, "--lang", "zh")
    assert check.returncode == 2
    assert (
        "名单.csv，第 3 行，列“角色”：应为 组长/副组长/组员（leader、deputy 或 member），"
        "实际为“老大”" in check.stderr.splitlines()
    )


@needs_cli
def test_a_whatif_scenario_is_refused_in_chinese(tmp_path: Path) -> None:
    scenario = tmp_path / "调整.toml"
    scenario.write_text('out = ["M99"]\n', encoding="utf-8")
    proc = run(
        "whatif",
        TINY,
        "--baseline",
        "tests/data/tiny-optimum.csv",
        "--scenario",
        scenario,
        "--lang",
        "zh",
    )
    assert proc.returncode == 2
    assert (
        f"{scenario}，第 1 行，out：未知成员“M99”（是否应为“M09”？）；应为成员编号"
        in proc.stderr.splitlines()
    )


def test_problem_json_has_the_fields_it_always_had() -> None:
    """The phrase, the place and the typed header are for rendering only: never dumped."""
    p = Problem(
        phrase=Phrase("problem.cell.int"),
        file=Label(Phrase("problem.where.sheet", file="a.xlsx", sheet="成员")),
        row=3,
        column="rating",
        header="评分",
    )
    assert p.model_dump() == {
        "message": "expected a whole number",
        "file": "a.xlsx, sheet 成员",
        "table": None,
        "row": 3,
        "column": "rating",
        "severity": "error",
        "rule": None,
        "row_word": "row",
    }
    assert str(p) == "a.xlsx, sheet 成员, row 3, column rating: expected a whole number"
    assert p.render("zh") == "a.xlsx，工作表 成员，第 3 行，列“评分”：应为整数"


def test_a_replaced_message_is_never_hidden_by_its_old_phrase() -> None:
    """A copy whose message another module replaced says that message, in every language."""
    p = Problem(phrase=Phrase("problem.cell.int"), file="m.csv")
    q = p.model_copy(update={"message": "something else"})
    assert q.text("zh") == q.text("en") == "something else"


def test_input_error_head_in_chinese() -> None:
    errors = [Problem(phrase=Phrase("problem.cell.int"), file="m.csv", row=n) for n in (2, 3)]
    assert InputError(errors[:1]).render("zh").splitlines()[0] == "输入中有 1 个问题"
    assert InputError(errors).render("zh").splitlines() == [
        "输入中有 2 个问题",
        "  m.csv，第 2 行：应为整数",
        "  m.csv，第 3 行：应为整数",
    ]
    assert str(InputError(errors)).splitlines()[0] == "2 problems in the input"


# -- the corpus: broken inputs that reach every problem key ----------------------------------
Make = Callable[[Path], list[Problem]]
CORPUS: dict[str, Make] = {}


def corpus(name: str) -> Callable[[Make], Make]:
    def add(make_problems: Make) -> Make:
        CORPUS[name] = make_problems
        return make_problems

    return add


def problems_of(call: Callable[[], object]) -> list[Problem]:
    """The problems ``call`` raises (an :class:`InputError`), or those it returns."""
    try:
        got = call()
    except InputError as exc:
        return exc.problems
    if isinstance(got, files.LoadResult):
        return got.problems
    if isinstance(got, Problem):
        return [got]
    return []


def load(path: Path, **options: Any) -> list[Problem]:
    return files.read(path, **options).problems


def tiny_with(tmp: Path, change: Callable[[Path], object], fmt: str = "csv") -> list[Problem]:
    return load(make(tmp, fmt, change))


@corpus("the catalogue of broken instances")
def _cases(tmp: Path) -> list[Problem]:
    out: list[Problem] = []
    for case in CASES:
        for fmt in case.formats:
            folder = tmp / f"{case.id}-{fmt}"
            folder.mkdir()
            encoding = case.args[1] if case.args[:1] == ("--encoding",) else None
            out += load(make(folder, fmt, case.mutate), encoding=encoding)
    return out


@corpus("cells")
def _cells(tmp: Path) -> list[Problem]:
    def change(f: Path) -> None:
        set_cell(f, "groups", 2, "targets", ";")  # too short
        set_cell(f, "groups", 3, "requires", "finance:-1")
        set_cell(f, "members", 2, "unit", "D\x0bIS")  # vertical tab, named
        set_cell(f, "members", 3, "unit", "D\x01IS")  # unnamed control character
        set_cell(f, "members", 4, "unit", "D\uffffIS")
        set_cell(f, "members", 5, "unavailable_rounds", "R9")
        set_cell(f, "members", 7, "can_lead", "maybe")

    out = tiny_with(tmp / "a", change)
    out += tiny_with(tmp / "b", lambda f: set_cell(f, "groups", 2, "requires", "law:1;law:2"))
    doc = tmp / "doc.json"
    make(tmp / "c", "json").rename(doc)
    data = json.loads(doc.read_text(encoding="utf-8"))
    data["members"][0]["unit"] = True  # not text
    data["members"][1]["unit"] = "D\ud800IS"  # a lone surrogate
    data["members"][2]["ratng"] = 3  # an unknown field, near rating
    doc.write_text(json.dumps(data), encoding="utf-8")
    return out + load(doc)


@corpus("headers")
def _headers(tmp: Path) -> list[Problem]:
    def change(f: Path) -> None:
        rename_column(f, "members", "rating", "ratng")
        rename_column(f, "members", "gender", "hair")

    return tiny_with(tmp, change)


@corpus("files")
def _files(tmp: Path) -> list[Problem]:
    (tmp / "plan.json").mkdir()
    (tmp / "plan").write_text("", encoding="utf-8")
    (tmp / "members.csv").write_text("", encoding="utf-8")
    (tmp / "old.xls").write_text("", encoding="utf-8")
    (tmp / "plan.txt").write_text("", encoding="utf-8")
    out = [p for name in ("plan.json", "plan", "nowhere") for p in load(tmp / name)]
    for name in ("members.csv", "old.xls", "plan.txt"):
        out += problems_of(lambda name=name: files.format_of(tmp / name))
    taken = tmp / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("", encoding="utf-8")
    out += problems_of(lambda: csvdir.write(teamsolver.load(TINY), taken))
    out += problems_of(lambda: common.refuse_existing(str(taken), False))
    no_units = make(tmp / "j", "json")
    data = json.loads(no_units.read_text(encoding="utf-8"))
    del data["units"]
    no_units.write_text(json.dumps(data), encoding="utf-8")
    out += load(no_units)
    book = make(tmp / "x", "xlsx")
    edit_book(book, lambda b: b.remove(b["units"]))
    return out + load(book)


@corpus("CSV files")
def _csv(tmp: Path) -> list[Problem]:
    out: list[Problem] = load(make(tmp / "a"), encoding="no-such-encoding")
    roster = tmp / "roster.csv"
    roster.write_text("group,member,role\nG1,M01,leader\n", encoding="utf-8")
    out += problems_of(lambda: read_roster(roster, encoding="no-such-encoding"))

    def gb(text: str) -> bytes:
        return text.encode("gb18030")

    files_bytes = {
        "bom": b"\xef\xbb\xbfid,name\nDIS," + gb("纪委") + b"\n",
        "pasted": "id,name\nDIS,纪委\nEDU,教育\n".encode() + b"HEA," + gb("卫健") + b"\n",
        "quote": b'id,name\nDIS,"Discipline\n',
        "huge": b"id,name\nDIS," + b"x" * 200_000 + b"\n",
        "semicolons": b"id;name\nDIS;x\n",
        "tabs": b"id\tname\nDIS\tx\n",
    }
    for name, data in files_bytes.items():
        folder = make(tmp / name)
        (folder / "units.csv").write_bytes(data)
        out += load(folder)
    folder = make(tmp / "extra")
    shutil.copy(folder / "members.csv", folder / "成员.csv")  # a second file for members
    (folder / "notes.csv").write_text("a\n", encoding="utf-8")
    return out + load(folder)


def _sheet(path: Path, change: Callable[[Workbook], object]) -> list[Problem]:
    edit_book(path, change)
    return load(path)


@corpus("workbooks")
def _xlsx(tmp: Path) -> list[Problem]:
    out: list[Problem] = []

    def merges(b: Workbook) -> None:
        b["members"].merge_cells("A1:B1")
        b["units"].merge_cells("B3:C3")  # name and parent
        b["groups"].merge_cells("A2:A3")  # two ids

    out += _sheet(make(tmp / "merged", "xlsx"), merges)

    def sheets(b: Workbook) -> None:
        b["units"].sheet_state = "hidden"
        b["groups"].sheet_state = "veryHidden"
        b.create_sheet("notes")["A1"] = "x"
        b.copy_worksheet(b["members"]).title = "成员"
        b.create_sheet("history")  # empty: fine, not required
        b.remove(b["rules"])
        rules = b.create_sheet("rules")
        for row in (["key", "value"], [None, 3], ["pins.mode", "hard"], ["pins.mode", "hard"]):
            rules.append(row)
        b["members"]["C2"] = "#N/A"  # an error value, not a formula
        b["members"]["C3"] = "=1+1"  # a formula never computed

    out += _sheet(make(tmp / "sheets", "xlsx"), sheets)

    def empty(b: Workbook) -> None:
        b.remove(b["members"])
        b.create_sheet("members")
        b.remove(b["rules"])
        b.create_sheet("rules").append(["name", "value"])

    out += _sheet(make(tmp / "empty", "xlsx"), empty)
    path = make(tmp / "errors", "xlsx")
    edit_book(path, lambda b: [b["members"].__setitem__(c, "=1/0") for c in ("C4", "C5")])
    save_values_like_excel(path, "members", {"C4": "#DIV/0!", "C5": "0"})
    part = sheet_part(path, "members")
    edit_zip(path, part, lambda t: t.replace('<c r="C4"', '<c r="C4" t="e"'))
    edit_zip(path, part, lambda t: re.sub(r'<c r="C5"[^>]*>', '<c r="C5" t="e">', t))
    edit_zip(path, part, lambda t: re.sub(r'(<c r="C5"[^>]*>.*?</f>)<v>0</v>', r"\1", t))
    out += load(path)
    old = tmp / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    junk = tmp / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    return out + load(old) + load(junk)


@corpus("rules")
def _rules(tmp: Path) -> list[Problem]:
    texts = [
        'recusal = 3\n[objective]\nmix_attributes = ["hair"]\n',
        "[recusal",  # at the end of the file
        '[attribute-quota]\nquotas = ["nonsense"]\n',  # the rule's own words
        '[attribute-quota]\nquotas = ["hair=red>=1"]\n',
    ]
    out: list[Problem] = []
    for i, text in enumerate(texts):
        out += tiny_with(
            tmp / f"t{i}", lambda f, text=text: (f / "rules.toml").write_text(text, "utf-8")
        )

    def soft_shortage(f: Path) -> None:
        write_rules(f, '[leader-quota]\nmode = "soft"\n')
        for row in (2, 3):
            set_cell(f, "groups", row, "leaders", "9")

    out += tiny_with(tmp / "soft", soft_shortage)
    out += tiny_with(
        tmp / "nogender",
        lambda f: (
            drop_column(f, "members", "gender"),
            write_rules(f, '[objective]\nmix_attributes = ["gender"]\n'),
        ),
    )
    bad = tmp / "bad.toml"
    bad.write_bytes(b"\xff\xfe")
    (tmp / "folder.toml").mkdir()
    for rules in (tmp / "none.toml", bad, tmp / "folder.toml"):
        out += load(TINY, rules=rules)
    return out


def _pins(f: Path) -> None:
    set_cell(f, "members", 3, "unavailable_rounds", "R1")
    set_cell(f, "members", 4, "can_lead", "no")
    set_cell(f, "members", 4, "can_deputy", "no")
    member = [row[0] for row in read_table(f, "members")[1:]]
    append_rows(
        f,
        "pins",
        ["member", "group", "kind", "role"],
        [member[0], "G1", "forbid", "leader"],
        [member[0], "G1", "forbid", "leader"],
        [member[1], "G1", "require", ""],
        [member[2], "G2", "require", "leader"],
        [member[2], "G2", "require", "deputy"],
    )


@corpus("checks between tables")
def _checks(tmp: Path) -> list[Problem]:
    def change(f: Path) -> None:
        set_cell(f, "units", 3, "parent", read_table(f, "units")[2][0])  # its own parent
        set_cell(f, "groups", 2, "targets", "EDU;EDU")
        member = [row[0] for row in read_table(f, "members")[1:]]
        pair = ["member_a", "member_b"]
        append_rows(f, "conflicts", pair, [member[0], member[1]], [member[1], member[0]])
        score = ["member", "group", "score"]
        append_rows(f, "affinity", score, [member[0], "G1", "1"], [member[0], "G1", "2"])

    out = tiny_with(tmp / "a", change) + tiny_with(tmp / "pins", _pins)

    def broken_row_and_shortage(f: Path) -> None:
        set_cell(f, "members", 6, "unit", "")  # a row that cannot be read
        for row in (2, 3):
            set_cell(f, "groups", row, "leaders", "9")

    out += tiny_with(tmp / "slack", broken_row_and_shortage)
    for table in ("members", "units"):
        out += tiny_with(tmp / table, lambda f, t=table: write_table(f, t, read_table(f, t)[:1]))
    return out


@corpus("requirements no roster can meet")
def _requirements(tmp: Path) -> list[Problem]:
    def rules(f: Path) -> None:
        write_rules(
            f,
            '[full-time-anchor]\nmode = "hard"\nmin = 9\n'
            '[party-branch]\nmode = "hard"\nmin = 10\n'
            '[attribute-quota]\nmode = "hard"\nquotas = ["gender=F>=9", "gender=X>=1"]\n',
        )
        set_cell(f, "groups", 2, "requires", "finance:9")

    def seats(f: Path) -> None:
        for row in (2, 3):
            set_cell(f, "groups", row, "size_min", "99")
            set_cell(f, "groups", row, "size_max", "")
            set_cell(f, "groups", row, "deputies_min", "9")
            set_cell(f, "groups", row, "deputies_max", "9")

    return tiny_with(tmp / "rules", rules) + tiny_with(tmp / "seats", seats)


@corpus("rosters")
def _rosters(tmp: Path) -> list[Problem]:
    tiny = teamsolver.load(TINY)
    city = teamsolver.load(CITY)
    twins = [helpers.member(m).model_copy(update={"name": "王芳"}) for m in ("M1", "M2")]
    same = helpers.instance(twins, [helpers.group("G1")])
    csvs = {
        "empty.csv": ("", tiny),
        "control.csv": ("\x01\nx\n", tiny),
        "columns.csv": ("x,y\n1,2\n", tiny),
        "cells.csv": "group,member,role,mentor\nG1,M01,boss,\n,M02,member,\nG1,M03,member,M98\n"
        "G9,M99,leader,\n",
        "names.csv": ("group,member,role\nG1,王芳,leader\n", same),
        "city.csv": ("group,member,role\nG99,M001,leader\n", city),
    }
    out: list[Problem] = []
    for name, spec in csvs.items():
        text, inst = spec if isinstance(spec, tuple) else (spec, tiny)
        (tmp / name).write_text(text, encoding="utf-8")
        out += problems_of(lambda name=name, inst=inst: read_roster(tmp / name, inst))
    jsons = {
        "bad.json": "{",
        "shape.json": '{"a": 1}',
        "seat.json": "[1]",
        "field.json": '[{"group": "G1", "member": "M01"}]',
    }
    for name, text in jsons.items():
        (tmp / name).write_text(text, encoding="utf-8")
        out += problems_of(lambda name=name: read_roster(tmp / name, tiny))
    (tmp / "latin.json").write_bytes(b"\xff")
    (tmp / "junk.xlsx").write_bytes(b"junk")
    (tmp / "roster.txt").write_text("", encoding="utf-8")
    (tmp / "folder.csv").mkdir()
    for name in ("latin.json", "junk.xlsx", "roster.txt", "folder.csv", "nowhere.csv"):
        out += problems_of(lambda name=name: read_roster(tmp / name, tiny))
    book = Workbook()
    book.active.title = "名单"
    for row in (["巡察组", "成员编号", "角色"], ["G1", "M01", "boss"]):
        book.active.append(row)
    book.save(tmp / "book.xlsx")
    return out + problems_of(lambda: read_roster(tmp / "book.xlsx", tiny))


SCENARIOS = [
    'out = "M01"\nname = 3\nrules = 3\nmember = 3\nfoo = 1\n',
    '[[scenario]]\nname = "a"\n[[scenario]]\nname = "a"\n',
    'x = 1\n[[scenario]]\nname = "b"\n',
    "[[member]\n",
    'out = ["M99"]\nremove-groups = ["G9"]\n[[member]]\nrating = 1\n[[group]]\nsize_min = 1\n',
    '[[member]]\nid = "M01"\nratng = 1\n[[group]]\nid = "G1"\nsiz = 1\n'
    '[[new-unit]]\nid = "DIS"\nname = "x"\nnam = 1\n[[conflict]]\nmember_a = "M01"\n'
    'member_b = "M02"\nmembr = 1\n[[pin]]\nmember = "M01"\ngroup = "G1"\nkind = "forbid"\n'
    "grp = 1\n",
    '[[new-member]]\nid = "M01"\nname = "x"\nunit = "DIS"\nspecialties = 3\n'
    '[[new-member]]\nid = "N1"\nname = "y"\nunit = "NOPE"\n[[new-member]]\nid = "N1"\n'
    'name = "z"\nunit = "DIS"\n[[new-group]]\nid = "G1"\ntargets = "EDU"\nrequires = 3\n',
    '[[member]]\nid = "M02"\nrating = 1\n[[new-member]]\nid = "M02"\nname = "x"\nunit = "DIS"\n'
    '[[group]]\nid = "G2"\nsize_min = 1\n[[new-group]]\nid = "G2"\ntargets = "EDU"\n',
    "[[member]]\nid = 3\n[[group]]\nid = 3\n",
]


@corpus("scenarios")
def _scenarios(tmp: Path) -> list[Problem]:
    tiny = teamsolver.load(TINY)
    out: list[Problem] = []
    for i, text in enumerate(SCENARIOS):
        path = tmp / f"s{i}.toml"
        path.write_text(text, encoding="utf-8")
        for scenario in _scenarios_of(path, out):
            out += problems_of(lambda s=scenario: apply_scenario(tiny, s))
    leaders = [m.id for m in tiny.members if m.can_lead]
    everyone_out = Scenario.from_text(f"out = {json.dumps(leaders)}\n", "out.toml")[0]
    out += problems_of(lambda: apply_scenario(tiny, everyone_out))
    latin = tmp / "latin.toml"
    latin.write_bytes(b"\xff")
    (tmp / "empty").mkdir()
    for path in (latin, tmp / "empty", tmp / "nowhere.toml"):
        out += problems_of(lambda path=path: read_scenarios(path))
    return out + _cli_scenarios(tmp)


def _scenarios_of(path: Path, problems: list[Problem]) -> list[Scenario]:
    try:
        return read_scenarios(path)
    except InputError as exc:
        problems += exc.problems
        return []


class Refused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def _cli_scenarios(tmp: Path) -> list[Problem]:
    """The CLI's own: a --name that the file lacks, a file of many without --name."""
    many = tmp / "many.toml"
    many.write_text('[[scenario]]\nname = "a"\n[[scenario]]\nname = "b"\n', encoding="utf-8")
    out: list[Problem] = []

    def refuse(problems: list[Problem], *args: Any, **kwargs: Any) -> None:
        raise Refused(list(problems))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(common, "bad_input", refuse)
        for name in ("c", None):
            with pytest.raises(Refused) as got:
                common.read_scenario(str(many), name, False, {})
            out += got.value.problems
    return out


@corpus("what-if and why-not arguments")
def _arguments(tmp: Path) -> list[Problem]:
    """``--freeze`` naming an unknown group or a group whose baseline member is out, and
    why-not asked about an unknown member or group."""
    from teamsolver.explainer.whynot import UnknownId

    tiny = teamsolver.load(TINY)
    base = read_roster(TINY_OPTIMUM, tiny)
    out = list(problems_of(lambda: prepare(tiny, base, Scenario.empty(), ["G9"])))
    (ill,) = Scenario.from_text('out = ["M12"]', "ill.toml")
    out += problems_of(lambda: prepare(tiny, base, ill, ["G1"]))
    for member, group in (("M99", None), ("M12", "G9")):
        with pytest.raises(UnknownId) as got:
            teamsolver.why_not(tiny, base, member, group)
        out.append(Problem(phrase=got.value.phrase, file="--why"))
    return out


@corpus("JSON documents")
def _json(tmp: Path) -> list[Problem]:
    base = json.loads(make(tmp / "base", "json").read_text(encoding="utf-8"))
    nan = {**base, "members": [{**base["members"][0], "rating": float("nan")}, *base["members"]]}
    docs: dict[str, bytes] = {
        "nan.json": json.dumps(nan).encode(),
        "latin.json": b"\xff",
        "syntax.json": b'{"members": [}',
        "deep.json": b"[" * 100_000,
        "list.json": b"[]",
        "keys.json": json.dumps(
            {**base, "rules": 3, "membrs": [], "units": 3, "groups": [1]}
        ).encode(),
    }
    out: list[Problem] = []
    for name, data in docs.items():
        (tmp / name).write_bytes(data)
        out += load(tmp / name)
    return out


@corpus("limits")
def _limits(tmp: Path) -> list[Problem]:
    tiny = teamsolver.load(TINY)
    found = [objective_problem(2**62, tiny), objective_problem(2**62, tiny, tiny)]
    return [p for p in (*found, size_problem(tiny, memory=1)) if p is not None]


@corpus("uploads")
def _uploads(tmp: Path) -> list[Problem]:
    def zipped(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
        path = tmp / "z.zip"
        with zipfile.ZipFile(path, "w", method) as z:
            for name, data in entries.items():
                z.writestr(name, data)
        return path.read_bytes()

    members = (TINY / "members.csv").read_bytes()
    corrupt = bytearray(zipped({"members.csv": b"id,name\nM1,x\n"}, zipfile.ZIP_STORED))
    corrupt[corrupt.index(b"M1,x")] = ord("N")  # the CRC no longer matches
    uploads = [
        ("plan.txt", b""),
        ("plan.zip", b"not a zip"),
        ("plan.zip", zipped({"a/members.csv": members, "b/members.csv": members})),
        ("plan.zip", bytes(corrupt)),
    ]
    out = [p for name, data in uploads for p in service.read_upload(name, data).problems]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "MAX_UNZIPPED", 10)
        out += service.read_upload("plan.zip", zipped({"members.csv": members})).problems
    tiny = teamsolver.load(TINY)
    return out + problems_of(lambda: service.read_roster_upload("r.txt", b"", tiny))


# -- what the corpus reaches -------------------------------------------------------------------
#: Keys no input can reach: a fallback for a decoder that gave neither text nor a problem
#: (csvdir.decode always gives one), and a zip whose header lies about a size (zipfile stops at
#: the size the header gives, so the check never fires).
UNREACHABLE = frozenset(
    {
        "problem.file.unreadable",
        "problem.roster.unreadable",
        "problem.upload.larger",
    }
)


def phrases(value: Any) -> Iterator[Phrase]:
    """``value`` and every phrase inside it."""
    if isinstance(value, Label):
        yield from phrases(value.phrase)
    elif isinstance(value, Phrase):
        yield value
        for inner in value.values.values():
            yield from phrases(inner)
        if isinstance(value, Listed):
            for item in value.values["items"]:
                yield from phrases(item)


def family(key: str) -> str:
    """``problem.n.leader`` for ``problem.n.leader.one`` (a count's two forms are one key)."""
    return key.rsplit(".", 1)[0] if key.endswith((".one", ".other")) else key


def catalogue_keys() -> set[str]:
    return {family(k) for k in i18n.catalogue("en") if k.startswith("problem.")}


@pytest.fixture(scope="module")
def reached(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, list[tuple[Problem, Phrase | None]]]:
    """Every key the corpus reaches, with the problems (and phrase) that reach it."""
    out: dict[str, list[tuple[Problem, Phrase | None]]] = {}
    for name, make_problems in CORPUS.items():
        for problem in make_problems(tmp_path_factory.mktemp(re.sub(r"\W", "-", name))):
            for part in [*phrases(problem.phrase), *phrases(problem.place)]:
                out.setdefault(family(part.key), []).append((problem, part))
            for key in ["problem.line", *_where_keys(problem)]:  # the words of the line
                out.setdefault(key, []).append((problem, None))
    return out


def _where_keys(p: Problem) -> list[str]:
    keys = ["problem.where.sep"]
    if not p.file and not p.table:
        keys.append("problem.where.input")
    if p.row is not None:
        keys.append(f"problem.where.{p.row_word}")
    if p.column is not None:
        keys.append(f"problem.where.{ {'row': 'column', 'item': 'field'}.get(p.row_word, 'key') }")
    if p.severity == "warning":
        keys.append("problem.warning")
    return keys


#: Keys rendered with the problems around them, never on their own.
#: ``problem.verbatim`` is the fallback for words that never came from the catalogue (an error
#: type of pydantic's that no model of teamsolver's raises): the rules' own words, its last user,
#: are phrases now.
STRUCTURE = {"problem.count", "problem.quoted", "problem.list", "problem.verbatim"}
KEYS = sorted(catalogue_keys() - UNREACHABLE)


def test_every_key_is_reached_but_those_said(reached: dict[str, Any]) -> None:
    missing = set(KEYS) - set(reached) - STRUCTURE
    assert missing == set()
    assert UNREACHABLE & set(reached) == set()
    assert catalogue_keys() >= UNREACHABLE


#: English words a Chinese text may keep: names of formats, programs and encodings, and the
#: words a planner types as they are (true/false, yes/no, null, key/value; table, column and
#: setting ids; the role words of a roster).
KEPT = {
    "CSV", "UTF", "GB", "GBK", "Excel", "LibreOffice", "VBA", "JSON", "TOML", "xlsx", "xls",
    "zip", "MB", "teamsolver", "null", "true", "false", "yes", "no", "key", "value", "id",
    "utf", "gb", "units", "members", "groups", "group", "member", "role", "leader", "deputy",
    "mode", "min",
}  # fmt: skip
#: What a Chinese text quotes as typed (values, TOML and JSON examples, rule ids, options, file
#: names, identifiers): not prose, so not checked for English.
CODE = re.compile(
    r"“[^”]*”|\[\[?[^\]]*\]\]?|［[^］]*］|--[\w-]+|`[^`]*`|\"[^\"]*\"|\{[^}]*\}"
    r"|\S*\.(?:csv|toml|json|xlsx|xls)\b|[\w.-]*[_.:=<>\d-][\w.:=<>-]*"
)


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", CODE.sub(" ", text)))


def template_words(key: str) -> set[str]:
    """The English words of ``key``'s template, outside its placeholders."""
    template = i18n.catalogue("en")[key]
    literal = "".join(part for part, *_ in string.Formatter().parse(template))
    return words(literal)


def value_words(phrase: Phrase, lang: str) -> set[str]:
    """The words of the values filled into ``phrase`` (ids, headers, typed values)."""
    out: set[str] = set()
    for value in phrase.values.values():
        if isinstance(value, Phrase | Label):
            for inner in phrases(value):
                out |= value_words(inner, lang) | words(str(inner.render(lang)))
        else:
            out |= words(str(value))
    return out


@pytest.mark.parametrize("key", sorted(set(KEYS) - STRUCTURE))
def test_each_problem_key_renders_in_both_languages(key: str, reached: dict[str, Any]) -> None:
    problem, phrase = reached[key][0]
    keys = [key + ".one", key + ".other"] if isinstance(phrase, Count) else [key]
    for lang in i18n.languages():
        line = problem.render(lang)
        assert line.startswith(problem.where(lang))
        for k in keys:
            if phrase is None:  # a word of the line
                rendered, values = line, words(problem.file or "") | words(problem.column or "")
            elif isinstance(phrase, Count):
                n = 1 if k.endswith(".one") else 2
                others = {name: v for name, v in phrase.values.items() if name != "n"}
                rendered, values = Count(phrase.key, n, **others).render(lang), set()
            else:
                rendered, values = phrase.render(lang), value_words(phrase, lang)
            assert rendered, k
            if lang == "zh":
                left = template_words(k) & words(rendered)
                assert left - values - KEPT == set(), (k, rendered)


def test_the_structure_keys_render(reached: dict[str, Any]) -> None:
    assert Shown("x").render("zh") == "“x”" and Shown(3).render("zh") == "“3”"
    assert Listed(["a", "b"], shown=True).render("zh") == "“a”、“b”"
    assert Listed(["a", "b"]).render("en") == "a, b"
    assert Count("problem.count", 2).render("zh") == "输入中有 2 个问题"
