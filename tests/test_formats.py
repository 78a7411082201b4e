"""The file formats as planners meet them: Chinese Excel, Chinese headers, formulas, conversion."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import teamsolver
from teamsolver import Affinity, Conflict, Instance
from teamsolver.cli import main
from teamsolver.data.instance import TABLES
from teamsolver.data.values import parse_bool
from teamsolver.files.cells import escape, unescape
from teamsolver.files.tables import COLUMN_ALIASES, TABLE_ALIASES, VALUE_ALIASES, map_headers

BASE = Path(__file__).parent.parent / "instances" / "tiny"
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-x", "@a", "'=quoted", "'plain")


@pytest.fixture(scope="module")
def tiny() -> Instance:
    return teamsolver.load(BASE)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _records(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def _chinese_header(table: str, column: str) -> str:
    return next(
        zh for zh, name in COLUMN_ALIASES[table].items() if name == column and zh.isascii() is False
    )


def _chinese_table(table: str) -> str:
    return next(zh for zh, name in TABLE_ALIASES.items() if name == table)


YES_NO = {"yes": "是", "no": "否"}


def chinese_excel_copy(folder: Path, out: Path, encoding: str) -> None:
    """The base instance as Chinese Excel saves it: Chinese file names, headers and 是/否."""
    out.mkdir()
    for path in folder.glob("*.csv"):
        table = path.stem
        header, *rows = _records(path)
        header = [_chinese_header(table, c) for c in header]
        rows = [[YES_NO.get(c, c) for c in r] for r in rows]
        with (out / f"{_chinese_table(table)}.csv").open("w", encoding=encoding, newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerows([header, *rows])
    shutil.copy(folder / "rules.toml", out / "rules.toml")


# --- encodings ----------------------------------------------------------------------------------


def test_gb18030_csv_with_chinese_headers_and_booleans(tiny: Instance, tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    chinese_excel_copy(BASE, folder, "gb18030")
    raw = (folder / "成员.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "是".encode("gb18030") in raw
    assert teamsolver.load(folder) == tiny
    assert teamsolver.load(folder, encoding="gb18030") == tiny
    code, out, err = run("validate", str(folder))
    assert code == 0, err
    assert "成员 20 名" in out  # Chinese headers: Chinese messages by default


def test_utf8_with_bom(tiny: Instance, tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    for path in BASE.iterdir():
        text = path.read_text(encoding="utf-8")
        (folder / path.name).write_text(text, encoding="utf-8-sig")
    assert (folder / "members.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert teamsolver.load(folder) == tiny
    assert teamsolver.load(folder, encoding="utf-8") == tiny  # a forced UTF-8 still drops the BOM
    chinese = tmp_path / "zh"
    chinese_excel_copy(BASE, chinese, "utf-8-sig")
    assert teamsolver.load(chinese) == tiny


def test_writer_with_bom_reads_back(tiny: Instance, tmp_path: Path) -> None:
    from teamsolver.files import csvdir

    csvdir.write(tiny, tmp_path / "out", bom=True)
    assert (tmp_path / "out" / "members.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert teamsolver.load(tmp_path / "out") == tiny


# --- Chinese words ------------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(COLUMN_ALIASES))
def test_every_column_alias_maps_to_its_column(table: str) -> None:
    aliases = COLUMN_ALIASES[table]
    for alias, column in aliases.items():
        mapped, problems = map_headers(table, ["id", alias] if table != "members" else [alias], "f")
        assert column in mapped, (alias, problems)


def test_every_table_alias_names_a_table() -> None:
    assert set(TABLE_ALIASES.values()) <= {*TABLES, "rules"}


def test_chinese_value_words(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(BASE, folder)
    with (folder / "members.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("M21,某人,DIS,law,否,否,0,否,是,否,,,\n")
    rows = _records(folder / "members.csv")
    rows[0].append("状态")
    for r in rows[1:]:
        r.append("")
    rows[-1][-1] = "暂停"
    with (folder / "members.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    (folder / "指定.csv").write_text(
        "成员,巡察组,类型,角色\nM01,G1,必须,组长\nM03,G2,排除,\nM05,G1,指定,任意\n",
        encoding="utf-8",
    )
    inst = teamsolver.load(folder)
    assert inst.member_by_id["M21"].status == "suspended"
    assert [(p.member, p.kind, p.role) for p in inst.pins] == [
        ("M01", "require", "leader"),
        ("M03", "forbid", None),
        ("M05", "require", None),
    ]
    for field, words in VALUE_ALIASES.items():
        assert all(isinstance(w, str) for w in words.values()), field


def test_lists_typed_with_chinese_separators(tmp_path: Path) -> None:
    """A planner typing in Chinese separates list items with ``、`` or ``；``, not ``;``."""
    folder = tmp_path / "plan"
    shutil.copytree(BASE, folder)
    with (folder / "members.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("M21,某人,DIS,law、audit；finance,否,否,0,否,是,否,,,\n")
    inst = teamsolver.load(folder)
    assert inst.member_by_id["M21"].specialties == ("law", "audit", "finance")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("FALSE", False),
        ("Yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        ("是", True),
        ("否", False),
        (" 是 ", True),
    ],
)
def test_booleans(text: str, value: bool) -> None:
    assert parse_bool(text) is value


def test_chinese_sheet_names_and_headers(tiny: Instance, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for path in sorted(BASE.glob("*.csv")):
        table = path.stem
        sheet = book.create_sheet(_chinese_table(table))
        header, *rows = _records(path)
        sheet.append([_chinese_header(table, c) for c in header])
        for r in rows:
            sheet.append([_excel_value(c) for c in r])
    sheet = book.create_sheet("规则")
    sheet.append(["键", "值"])
    sheet.append(["recusal.reinspect_cooldown", 1])
    sheet.append(["recusal.own_zone", False])
    sheet.append(["objective.mix_attributes", "gender"])
    sheet.append(["unit-draw-cap.max_per_round", None])  # an empty value keeps the default
    book.save(tmp_path / "计划.xlsx")
    assert teamsolver.load(tmp_path / "计划.xlsx") == tiny


def _excel_value(text: str) -> Any:
    """What Excel stores for a typed cell: numbers as numbers, 是/否 for booleans."""
    if text.lstrip("-").isdigit():
        return int(text)
    return YES_NO.get(text, text) if text else None


# --- formulas are never executed ----------------------------------------------------------------


@pytest.fixture(scope="module")
def risky(tiny: Instance) -> Instance:
    """Names, a unit name and a conflict reason that a spreadsheet would take for formulas."""
    members = tuple(
        m.model_copy(update={"name": FORMULAS[i]}) if i < len(FORMULAS) else m
        for i, m in enumerate(tiny.members)
    )
    units = (tiny.units[0].model_copy(update={"name": "=1+1"}), *tiny.units[1:])
    return Instance(
        members=members,
        units=units,
        groups=tiny.groups,
        conflicts=(Conflict(member_a="M03", member_b="M10", reason="-same office"),),
        history=tiny.history,
        affinity=(
            Affinity(member="M01", group="G1", score=-5),
            Affinity(member="M02", group="G2", score=3),
        ),
        rules=tiny.rules,
    )


def test_escape_round_trip() -> None:
    for text in (*FORMULAS, "plain", "", "'", "''", "-5", "\t=x"):
        assert unescape(escape(text)) == text
    assert escape('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert escape("plain") == "plain"


def test_csv_escapes_formulas_and_keeps_numbers(risky: Instance, tmp_path: Path) -> None:
    teamsolver.save(risky, tmp_path / "out")
    members = _records(tmp_path / "out" / "members.csv")
    names = [r[members[0].index("name")] for r in members[1 : len(FORMULAS) + 1]]
    assert names == ['\'=HYPERLINK("http://x","y")', "'+1", "'-x", "'@a", "''=quoted", "'plain"]
    for row in _records(tmp_path / "out" / "units.csv")[1:]:
        assert not row[1].startswith(("=", "+", "-", "@")), row
    assert _records(tmp_path / "out" / "conflicts.csv")[1][2] == "'-same office"
    assert _records(tmp_path / "out" / "affinity.csv")[1] == ["M01", "G1", "-5"]
    back = teamsolver.load(tmp_path / "out")
    assert back == risky
    assert back.affinity[0].score == -5


def test_xlsx_stores_formulas_as_text(risky: Instance, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "out.xlsx"
    teamsolver.save(risky, path)
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name), name
    book = load_workbook(path)  # formulas would come back as formulas here
    members = book["members"]
    header = [c.value for c in members[1]]
    col = header.index("name") + 1
    cell = members.cell(row=2, column=col)
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"
    assert all(members.cell(row=r, column=col).data_type == "s" for r in range(2, 8))
    score = book["affinity"].cell(row=2, column=3)
    assert (score.value, score.data_type) == (-5, "n")
    back = teamsolver.load(path)
    assert back == risky
    assert back.affinity[0].score == -5


def test_json_keeps_formulas_verbatim(risky: Instance, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    teamsolver.save(risky, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["members"][0]["name"] == '=HYPERLINK("http://x","y")'
    assert doc["affinity"][0]["score"] == -5
    assert teamsolver.load(path) == risky


def test_hand_typed_apostrophe_is_dropped(tmp_path: Path) -> None:
    """A planner who typed '=x to keep Excel from computing it means =x."""
    folder = tmp_path / "plan"
    shutil.copytree(BASE, folder)
    (folder / "affinity.csv").write_text("member,group,score\nM01,G1,'-5\n", encoding="utf-8")
    assert teamsolver.load(folder).affinity[0].score == -5


# --- the rules sheet, JSON extras, conversion, schema -------------------------------------------


def test_rules_sheet_of_dotted_keys(tiny: Instance, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rules = tiny.rules.model_copy(
        update={
            "unit_draw_cap": tiny.rules.unit_draw_cap.model_copy(
                update={"max_per_group": None, "mode": "soft"}
            ),
            "objective": tiny.rules.objective.model_copy(
                update={"mix_attributes": ("gender", "unit")}
            ),
        }
    )
    inst = Instance(**{t: getattr(tiny, t) for t in TABLES}, rules=rules)
    teamsolver.save(inst, tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx")["rules"]
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows()]
    assert rows == [
        ("key", "value"),
        ("recusal.reinspect_cooldown", 1),
        ("unit-draw-cap.mode", "soft"),
        ("unit-draw-cap.max_per_group", "unbounded"),
        ("objective.mix_attributes", "gender;unit"),
    ]
    assert teamsolver.load(tmp_path / "out.xlsx").rules == rules


def test_json_schema_key_is_accepted(tiny: Instance, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    doc = {"$schema": "./instance.schema.json", **tiny.to_document()}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert teamsolver.load(path) == tiny
    code, out, err = run("validate", str(path))
    assert (code, err) == (0, "")
    assert "OK" in out


@pytest.mark.parametrize("source", ["csv", "xlsx", "json"])
def test_convert_between_all_formats(source: str, tiny: Instance, tmp_path: Path) -> None:
    names = {"csv": "plan", "xlsx": "plan.xlsx", "json": "plan.json"}
    src = tmp_path / "src" / names[source]
    code, _, err = run("convert", str(BASE), str(src))
    assert code == 0, err
    for target in ("csv", "xlsx", "json"):
        out = tmp_path / target / names[target]
        code, stdout, err = run("convert", str(src), str(out))
        assert code == 0, err
        assert stdout == ""
        assert f"wrote {out}" in err
        assert teamsolver.load(out) == tiny, (source, target)
    code, _, err = run("convert", str(tmp_path / "src" / names[source]), str(tmp_path / "x.csv"))
    assert code == 2
    assert "cannot tell the format" in err


def test_schema_lists_every_table_and_the_rules(tiny: Instance) -> None:
    code, out, err = run("schema")
    assert code == 0, err
    schema = json.loads(out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["properties"]) == {*TABLES, "rules", "$schema"}
    assert set(schema["required"]) == {"members", "units", "groups"}
    # Every field of the written document is described, with a JSON type that fits its value.
    doc = tiny.to_document()
    defs = schema["$defs"]
    kinds = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}
    for table, rows in doc.items():
        if table == "rules":
            continue
        ref = schema["properties"][table]["items"]["$ref"].rsplit("/", 1)[1]
        props = defs[ref]["properties"]
        for row in rows:  # type: ignore[attr-defined]
            for key, value in row.items():
                spec = props[key]
                types = [spec["type"]] if "type" in spec else [a["type"] for a in spec["anyOf"]]
                assert any(isinstance(value, kinds[t]) for t in types if t != "null"), (key, value)
