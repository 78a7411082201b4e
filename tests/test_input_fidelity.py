"""Nothing silently misread (issue 13, items 1-5): what a planner sees is what is read, or the
input is refused with its sheet, cell, row and line, never read as a default.

XLSX workbooks are built here with openpyxl (merged ranges, formulas, hidden sheets). A workbook
whose formulas hold saved values, as Excel and LibreOffice write them, is made by editing the
sheet XML of an openpyxl workbook: the saved value goes into ``<v>`` and the workbook's request
to be recalculated on opening (``fullCalcOnLoad``) is dropped, as Excel does when it saves.
"""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import teamsolver
from teamsolver import check
from teamsolver.data.values import parse_str
from teamsolver.files import xlsx
from teamsolver.files.rosters import read_roster

from .test_input_errors import BASE, JARGON, make, read_table, run_cli, set_cell

OPTIMUM = Path(__file__).parent / "data" / "tiny-optimum.csv"


def edit_book(path: Path, change: Callable[[Workbook], object]) -> None:
    book = load_workbook(path)
    change(book)
    book.save(path)


def edit_zip(path: Path, member: str, change: Callable[[str], str]) -> None:
    """Rewrite one XML part of a workbook."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    parts[member] = change(parts[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


def sheet_part(path: Path, title: str) -> str:
    """The zip member that holds sheet ``title``."""
    book = load_workbook(path, read_only=True)
    try:
        return str(book[title]._worksheet_path)
    finally:
        book.close()


def save_values_like_excel(path: Path, title: str, values: dict[str, str]) -> None:
    """Store a saved value for each formula cell in ``values`` (cell → number), as Excel does
    on saving, and drop the workbook's request to recalculate everything on opening."""

    def store(text: str) -> str:
        for cell, value in values.items():
            text, n = re.subn(
                rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\g<1><v>{value}</v>", text
            )
            assert n == 1, (cell, text)
        return text

    edit_zip(path, sheet_part(path, title), store)
    edit_zip(path, "xl/workbook.xml", lambda t: re.sub(r'\s*fullCalcOnLoad="1"', "", t))


def column_of(path: Path, title: str, name: str) -> str:
    book = load_workbook(path)
    header = [c.value for c in book[title][1]]
    return str(book[title].cell(1, header.index(name) + 1).column_letter)


def no_traceback(code: int, out: str, err: str) -> None:
    """Refused with located problems: exit 2, nothing on stdout, no Python internals."""
    assert code == 2, err
    assert out == ""
    assert not [word for word in JARGON if word in err], err
    assert re.search(r"\d+ problems? found", err), err


# --- 1. merged cells --------------------------------------------------------------------------


def _round_column(book: Workbook, first: str, merged: bool) -> None:
    sheet = book["groups"]
    sheet["F1"] = "round"
    sheet["F2"] = first
    if merged:
        sheet.merge_cells("F2:F3")


def test_a_merged_data_cell_reads_as_its_value_in_every_cell(tmp_path: Path) -> None:
    """Both groups sit in the round of the merged cell; before, the second took the default."""
    path = make(tmp_path, "xlsx")
    edit_book(path, lambda b: _round_column(b, "R2", merged=True))
    inst = teamsolver.load(path)
    assert [g.round for g in inst.groups] == ["R2", "R2"]
    code, _, err = run_cli("validate", str(path))
    assert code == 0, err


def test_a_merged_id_is_refused_with_its_range(tmp_path: Path) -> None:
    path = make(tmp_path, "xlsx")

    def merge_ids(book: Workbook) -> None:
        book["members"]["A4"] = None
        book["members"].merge_cells("A3:A4")

    edit_book(path, merge_ids)
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    for row in (3, 4):
        assert (
            f"book.xlsx, sheet members, row {row}, column id: cells A3:A4 are merged, so rows 3 "
            "to 4 would have one id; unmerge them and give each row its own id" in err
        ), err


def test_a_merged_header_is_refused(tmp_path: Path) -> None:
    path = make(tmp_path, "xlsx")
    edit_book(path, lambda b: b["units"].merge_cells("C1:D1"))
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert (
        "book.xlsx, sheet units, row 1: cells C1:D1 are merged; the header needs one cell per "
        "column" in err
    ), err


def test_a_merge_across_two_columns_is_refused(tmp_path: Path) -> None:
    path = make(tmp_path, "xlsx")
    edit_book(path, lambda b: b["members"].merge_cells("B5:C5"))  # name and unit
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert "sheet members, row 5, column unit: cells B5:C5 are merged across the columns" in err


def test_a_roster_with_merged_group_cells_is_read_as_seen(tmp_path: Path) -> None:
    """The usual hand-made roster: each group's cell merged over its seats."""
    inst = teamsolver.load(BASE)
    expected = read_roster(OPTIMUM, inst)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["group", "member", "role"])
    for seat in expected:
        sheet.append([seat.group, seat.member, seat.role])
    rows = [n for n, seat in enumerate(expected, 2)]
    for group in {s.group for s in expected}:
        mine = [n for n, s in zip(rows, expected, strict=True) if s.group == group]
        for n in mine[1:]:
            sheet.cell(n, 1).value = None
        sheet.merge_cells(f"A{mine[0]}:A{mine[-1]}")
    path = tmp_path / "roster.xlsx"
    book.save(path)
    roster = read_roster(path, inst)
    assert [(s.group, s.member, s.role) for s in roster] == [
        (s.group, s.member, s.role) for s in expected
    ]
    assert not [v for v in check(inst, roster) if v.severity == "hard"]


# --- 2. formulas --------------------------------------------------------------------------------


def _formula(book: Workbook, cell: str) -> None:
    book["members"][cell] = "=SUM(2,3)"


def test_a_formula_without_a_saved_value_is_refused(tmp_path: Path) -> None:
    """Before: read as empty, so a veteran of 5 rounds became a new member."""
    path = make(tmp_path, "xlsx")
    cell = column_of(path, "members", "rounds_served") + "7"
    edit_book(path, lambda b: _formula(b, cell))
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert (
        f"book.xlsx, sheet members, row 7, column rounds_served: cell {cell} holds a formula "
        "whose value was never saved (the workbook was written by a program); open and save "
        "the workbook in Excel or LibreOffice, which stores the formula's value" in err
    ), err
    assert "1 problem found" in err, err


def test_a_formula_with_a_saved_value_reads_that_value(tmp_path: Path) -> None:
    path = make(tmp_path, "xlsx")
    cell = column_of(path, "members", "rounds_served") + "7"
    edit_book(path, lambda b: _formula(b, cell))
    save_values_like_excel(path, "members", {cell: "5"})
    inst = teamsolver.load(path)
    assert inst.members[5].rounds_served == 5


def test_saved_values_of_a_workbook_to_recalculate_are_not_trusted(tmp_path: Path) -> None:
    """XlsxWriter (pandas) stores 0 for every formula and asks Excel to recalculate on opening:
    that 0 is a placeholder, not a value."""
    path = make(tmp_path, "xlsx")
    cell = column_of(path, "members", "rounds_served") + "7"
    edit_book(path, lambda b: _formula(b, cell))
    edit_zip(
        path,
        sheet_part(path, "members"),
        lambda t: t.replace("<f>SUM(2,3)</f><v />", "<f>SUM(2,3)</f><v>0</v>"),
    )
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert f"column rounds_served: cell {cell} holds a formula whose value was never" in err


def test_an_error_value_is_refused(tmp_path: Path) -> None:
    path = make(tmp_path, "xlsx")
    edit_book(path, lambda b: _formula(b, "C4"))  # unit
    save_values_like_excel(path, "members", {"C4": "#N/A"})
    edit_zip(path, sheet_part(path, "members"), lambda t: t.replace('<c r="C4"', '<c r="C4" t="e"'))
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert "sheet members, row 4, column unit: cell C4: its formula gives the error #N/A" in err


def test_check_refuses_a_roster_formula_without_a_saved_value(tmp_path: Path) -> None:
    """Before: "member is empty"."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in read_table(OPTIMUM.parent, OPTIMUM.stem):
        sheet.append(row)
    sheet["C3"] = '=UPPER("m12")'
    path = tmp_path / "roster.xlsx"
    book.save(path)
    code, out, err = run_cli("check", str(BASE), str(path))
    no_traceback(code, out, err)
    assert (
        "roster.xlsx, sheet Sheet, row 3, column member: cell C3 holds a formula whose value "
        "was never saved" in err
    ), err
    assert "member is empty" not in err


# --- 3. hidden sheets and JSON NaN --------------------------------------------------------------


@pytest.mark.parametrize(("state", "word"), [("hidden", "hidden"), ("veryHidden", "very hidden")])
def test_a_hidden_sheet_is_read_with_a_warning(state: str, word: str, tmp_path: Path) -> None:
    path = make(tmp_path, "xlsx")

    def hide(book: Workbook) -> None:
        book["units"].sheet_state = state

    edit_book(path, hide)
    code, _, err = run_cli("validate", str(path))
    assert code == 0, err
    assert f"book.xlsx, sheet units: warning: sheet 'units' is {word}" in err, err


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_is_an_error_like_in_csv(token: str, tmp_path: Path) -> None:
    """Before: a NaN rating was read as no rating; a CSV NaN was already an error."""
    path = make(tmp_path, "json")
    text = path.read_text(encoding="utf-8").replace('"rating": 70', f'"rating": {token}', 1)
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert (
        f"plan.json, members, item 6, field rating: {token} is not a number JSON "
        "allows; write a number, or null for no value" in err
    ), err
    assert "1 problem found" in err, err
    csv_folder = make(tmp_path / "csv", "csv", lambda f: set_cell(f, "members", 7, "rating", "NaN"))
    code, out, err = run_cli("validate", str(csv_folder))
    no_traceback(code, out, err)


def test_json_nan_anywhere_is_located(tmp_path: Path) -> None:
    path = make(tmp_path, "json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["groups"][1]["requires"] = {"finance": float("nan")}
    doc["rules"] = {"party-branch": {"min": float("inf")}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    no_traceback(code, out, err)
    assert "plan.json, groups, item 2, field requires: NaN is not a number JSON allows" in err
    assert "plan.json, rules, [party-branch] min: Infinity is not a number JSON allows" in err


# --- 4. CSV: the real cause and line ------------------------------------------------------------


def test_one_gb18030_line_in_a_utf8_file_is_named(tmp_path: Path) -> None:
    folder = make(tmp_path)
    lines = (folder / "members.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    data = b"".join(
        line.encode("gb18030" if n == 6 else "utf-8") for n, line in enumerate(lines, 1)
    )
    (folder / "members.csv").write_bytes(data)
    code, out, err = run_cli("validate", str(folder))
    no_traceback(code, out, err)
    assert (
        "members.csv, line 6: this line is not UTF-8 (byte" in err
        and "it seems pasted from a file saved as GB18030 (GBK)" in err
    ), err
    assert "1 problem found" in err


def test_a_bom_before_gb18030_text_is_named(tmp_path: Path) -> None:
    folder = make(tmp_path)
    text = (folder / "members.csv").read_text(encoding="utf-8")
    (folder / "members.csv").write_bytes(codecs.BOM_UTF8 + text.encode("gb18030"))
    code, out, err = run_cli("validate", str(folder))
    no_traceback(code, out, err)
    assert "members.csv, line 2: the file starts with a UTF-8 byte-order mark, but this " in err
    assert "1 problem found" in err, err


def test_a_whole_gb18030_file_still_reads(tmp_path: Path) -> None:
    folder = make(tmp_path)
    text = (folder / "members.csv").read_text(encoding="utf-8")
    (folder / "members.csv").write_bytes(text.encode("gb18030"))
    assert teamsolver.load(folder) == teamsolver.load(BASE)


@pytest.mark.parametrize(("sep", "word"), [(";", "';'"), ("\t", "a tab")])
def test_another_separator_is_one_problem(sep: str, word: str, tmp_path: Path) -> None:
    folder = make(tmp_path)
    text = (folder / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text(text.replace(",", sep), encoding="utf-8")
    code, out, err = run_cli("validate", str(folder))
    no_traceback(code, out, err)
    assert f"units.csv, row 1: this file seems to use {word} as separator (expected ',')" in err, (
        err
    )
    assert "1 problem found" in err, err


def test_an_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    folder = make(tmp_path)
    lines = (folder / "units.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].replace(",", ',"', 1)  # line 5: a quote opened, never closed
    (folder / "units.csv").write_text("".join(lines), encoding="utf-8")
    code, out, err = run_cli("validate", str(folder))
    no_traceback(code, out, err)
    assert 'units.csv, line 5: the quote (") that opens a value on this line is never closed' in err
    assert "a value is required here" not in err


def test_a_closed_multiline_quote_is_still_one_value(tmp_path: Path) -> None:
    folder = make(tmp_path)
    text = (folder / "units.csv").read_text(encoding="utf-8")
    text = text.replace("Discipline Commission", '"Discipline\nCommission"')
    (folder / "units.csv").write_text(text, encoding="utf-8")
    assert teamsolver.load(folder).units[0].name == "Discipline\nCommission"


# --- 5. control characters ----------------------------------------------------------------------


def _vt_csv(folder: Path) -> None:
    set_cell(folder, "units", 4, "name", "Tax\x0bBureau")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_control_character_is_refused_at_load(fmt: str, tmp_path: Path) -> None:
    """Before: validate said OK, then solve --out x.xlsx and convert died with a traceback."""
    if fmt == "xlsx":  # as Excel stores it: escaped in the XML
        path = make(tmp_path, "xlsx")
        edit_book(path, lambda b: b["units"].cell(4, 2, "Tax_x000B_Bureau"))
    else:
        path = make(tmp_path, fmt, _vt_csv)
    where = {
        "csv": "units.csv, row 4, column name",
        "xlsx": "book.xlsx, sheet units, row 4, column name",
        "json": "plan.json, units, item 3, field name",
    }[fmt]
    for command in ("validate", "convert"):
        code, out, err = run_cli(
            command, str(path), *([str(tmp_path / "x.xlsx")] * (command == "convert"))
        )
        no_traceback(code, out, err)
        assert (
            f"{where}: character 4 of the text is the control character U+000B (vertical tab); "
            "remove it" in err
        ), err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_nul_in_a_member_name_is_refused_without_repeating_the_name(tmp_path: Path) -> None:
    folder = make(tmp_path, "csv", lambda f: set_cell(f, "members", 3, "name", "李\x00秀英"))
    code, out, err = run_cli("validate", str(folder))
    no_traceback(code, out, err)
    assert (
        "members.csv, row 3, column name: character 2 of the text is the control character "
        "U+0000 (NUL); remove it" in err
    ), err


def test_solve_to_a_workbook_through_the_real_entry_point(tmp_path: Path) -> None:
    folder = make(tmp_path, "csv", lambda f: set_cell(f, "members", 4, "name", "Zhang\x0bWei"))
    out = tmp_path / "roster.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "teamsolver", "solve", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "members.csv, row 4, column name: character 6 of the text is the control" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_the_model_refuses_a_control_character() -> None:
    with pytest.raises(ValueError, match="U\\+001B \\(escape\\)"):
        parse_str("a\x1bb")
    with pytest.raises(ValueError, match="lone surrogate U\\+D800"):
        teamsolver.Unit(id="X", name="a\ud800")


def test_writing_a_workbook_never_fails_and_reads_back(tmp_path: Path) -> None:
    """A library caller can bypass the checks: the writer escapes what XML cannot hold."""
    texts = ["a\x0bb", "nul\x00", "literal _x000B_ text", "\ud83d", "fine 中文"]
    path = tmp_path / "out.xlsx"
    xlsx.write_book(path, [("sheet", ["text"], [[t] for t in texts])])
    book = xlsx.Workbook(path)
    try:
        sheet = book.sheets[0]
        grid = xlsx.read_grid(sheet, book.marks(sheet))
    finally:
        book.close()
    assert [row[0] for row in grid[1:]] == texts


def test_convert_of_an_instance_built_in_code_cannot_crash(tmp_path: Path) -> None:
    inst = teamsolver.load(BASE)
    unit = inst.units[0].model_construct(**{**inst.units[0].model_dump(), "name": "a\x0bb"})
    broken = inst.model_copy(update={"units": (unit, *inst.units[1:])})
    teamsolver.save(broken, tmp_path / "plan.xlsx")
    code, out, err = run_cli("validate", str(tmp_path / "plan.xlsx"))
    no_traceback(code, out, err)
    assert "sheet units, row 2, column name: character 2 of the text is the control" in err
