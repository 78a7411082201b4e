"""A catalogue of broken instances: each mistake gives exit code 2 and a located message.

Every case starts from the valid instance ``instances/tiny``, applies one small mutation to the
CSV folder, and runs ``teamsolver validate`` on it. Cases marked for XLSX and JSON are converted
cell by cell (the instance writers cannot write broken data) and must report the same mistake in
the location style of that format:

* CSV: ``members.csv, row 6, column unit`` (the header is row 1, as a spreadsheet shows it);
* XLSX: ``book.xlsx, sheet members, row 6, column unit``;
* JSON: ``plan.json, members, item 5, field unit`` (items count from 1).

Most runs go through :class:`click.testing.CliRunner`; a few representative ones run the installed
``teamsolver`` entry point in a subprocess, as a planner would.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import teamsolver
from teamsolver.cli import main

BASE = Path(__file__).parent.parent / "instances" / "tiny"
FORMATS = ("csv", "xlsx", "json")
#: Words that must never reach a planner: Python and pydantic internals.
JARGON = ("Traceback", "Input should", "pydantic", "errors.pydantic.dev", "Value error", "\\u")


# --- editing a CSV instance folder -------------------------------------------------------------


def read_table(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_table(folder: Path, table: str, rows: list[list[str]]) -> None:
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set the cell at spreadsheet ``row`` (header = 1); a missing column is added."""
    rows = read_table(folder, table)
    if column not in rows[0]:
        for r in rows:
            r.append("")
        rows[0][-1] = column
    rows[row - 1][rows[0].index(column)] = value
    write_table(folder, table, rows)


def drop_column(folder: Path, table: str, column: str) -> None:
    rows = read_table(folder, table)
    j = rows[0].index(column)
    write_table(folder, table, [r[:j] + r[j + 1 :] for r in rows])


def rename_column(folder: Path, table: str, old: str, new: str) -> None:
    rows = read_table(folder, table)
    rows[0][rows[0].index(old)] = new
    write_table(folder, table, rows)


def append_rows(folder: Path, table: str, header: list[str], *rows: list[str]) -> None:
    """Add rows (given in ``header`` order); the file is created when it does not exist."""
    if not (folder / f"{table}.csv").exists():
        write_table(folder, table, [header, *rows])
        return
    old = read_table(folder, table)
    for column in header:
        if column not in old[0]:
            for r in old:
                r.append("")
            old[0][-1] = column
    for row in rows:
        new = [""] * len(old[0])
        for column, value in zip(header, row, strict=True):
            new[old[0].index(column)] = value
        old.append(new)
    write_table(folder, table, old)


def write_rules(folder: Path, text: str) -> None:
    (folder / "rules.toml").write_text(text, encoding="utf-8")


# --- the same broken data as XLSX and JSON -----------------------------------------------------


def _native(text: str) -> Any:
    """A cell as a spreadsheet or JSON file would hold it: whole numbers as numbers."""
    if re.fullmatch(r"-?[1-9]\d*|0", text):
        return int(text)
    return text


def _tables(folder: Path) -> dict[str, list[list[str]]]:
    return {p.stem: read_table(folder, p.stem) for p in sorted(folder.glob("*.csv"))}


def _rules(folder: Path) -> dict[str, Any]:
    path = folder / "rules.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def to_xlsx(folder: Path, out: Path) -> None:
    """Copy every CSV file to a sheet of its name, and rules.toml to a ``rules`` sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table, rows in _tables(folder).items():
        sheet = book.create_sheet(table)
        for i, row in enumerate(rows):
            sheet.append([c if i == 0 else (_native(c) if c else None) for c in row])
    sheet = book.create_sheet("rules")
    sheet.append(["key", "value"])
    for section, body in _rules(folder).items():
        if not isinstance(body, dict):  # a top-level key: written as it stands
            sheet.append([section, body])
            continue
        for key, value in body.items():
            sheet.append(
                [f"{section}.{key}", ";".join(value) if isinstance(value, list) else value]
            )
    book.save(out)


def to_json(folder: Path, out: Path) -> None:
    """Copy every CSV file to a list of objects (empty cells left out), plus ``rules``."""
    doc: dict[str, Any] = {}
    for table, rows in _tables(folder).items():
        header, body = rows[0], rows[1:]
        doc[table] = [{h: _native(c) for h, c in zip(header, r, strict=True) if c} for r in body]
    doc["rules"] = _rules(folder)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


# --- the catalogue ------------------------------------------------------------------------------


def at(table: str, row: int, column: str) -> dict[str, str]:
    """Where a cell problem is reported, in each format's own words."""
    return {
        "csv": f"{table}.csv, row {row}, column {column}: ",
        "xlsx": f"book.xlsx, sheet {table}, row {row}, column {column}: ",
        "json": f"plan.json, {table}, item {row - 1}, field {column}: ",
    }


@dataclass(frozen=True)
class Case:
    """One mistake: how to make it, where it must be reported, and a phrase of the message."""

    id: str
    mutate: Callable[[Path], object]
    where: dict[str, str]
    phrase: str
    formats: tuple[str, ...] = FORMATS
    args: tuple[str, ...] = ()


def _cycle(folder: Path) -> None:
    set_cell(folder, "units", 2, "parent", "HEA-H1")  # DIS → HEA-H1 → HEA → DIS
    set_cell(folder, "units", 9, "parent", "DIS")


def _leaders(folder: Path) -> None:
    set_cell(folder, "groups", 2, "leaders", "2")
    set_cell(folder, "groups", 3, "leaders", "2")


def _no_fit(folder: Path) -> None:
    set_cell(folder, "groups", 2, "size_min", "3")
    set_cell(folder, "groups", 2, "size_max", "3")
    set_cell(folder, "groups", 2, "leaders", "2")
    set_cell(folder, "groups", 2, "deputies_min", "2")


def _suspended_pin(folder: Path) -> None:
    set_cell(folder, "members", 6, "status", "suspended")
    append_rows(folder, "pins", ["member", "group", "kind"], ["M05", "G1", "require"])


PIN = ["member", "group", "kind"]

CASES: list[Case] = [
    # members
    Case(
        "members-missing-required-column",
        lambda f: drop_column(f, "members", "unit"),
        {
            "csv": "members.csv, row 1, column unit: ",
            "xlsx": "book.xlsx, sheet members, row 1, column unit: ",
        },
        "required column 'unit' is missing",
        formats=("csv", "xlsx"),
    ),
    Case(
        "members-empty-required-cell",
        lambda f: set_cell(f, "members", 6, "unit", ""),
        at("members", 6, "unit"),
        "a value is required",
    ),
    Case(
        "members-empty-name",
        lambda f: set_cell(f, "members", 4, "name", " "),
        at("members", 4, "name"),
        "a value is required",
    ),
    Case(
        "members-duplicate-id",
        lambda f: set_cell(f, "members", 3, "id", "M01"),
        at("members", 3, "id"),
        "duplicate member id 'M01' (first at",
    ),
    Case(
        "members-unknown-unit",
        lambda f: set_cell(f, "members", 4, "unit", "FIM"),
        at("members", 4, "unit"),
        "unknown unit 'FIM'",
    ),
    Case(
        "members-unknown-conflict-unit",
        lambda f: set_cell(f, "members", 5, "conflict_units", "EDU;NOPE"),
        at("members", 5, "conflict_units"),
        "unknown unit 'NOPE'",
    ),
    Case(
        "members-bad-boolean",
        lambda f: set_cell(f, "members", 2, "can_lead", "maybe"),
        at("members", 2, "can_lead"),
        "expected true/false, yes/no, 1/0 or 是/否",
    ),
    Case(
        "members-negative-rounds-served",
        lambda f: set_cell(f, "members", 7, "rounds_served", "-1"),
        at("members", 7, "rounds_served"),
        "greater than or equal to 0",
    ),
    Case(
        "members-rating-150",
        lambda f: set_cell(f, "members", 4, "rating", "150"),
        at("members", 4, "rating"),
        "less than or equal to 100",
    ),
    Case(
        "members-birth-year-text",
        lambda f: set_cell(f, "members", 5, "birth_year", "nineteen"),
        at("members", 5, "birth_year"),
        "expected a whole number",
    ),
    Case(
        "members-fractional-rounds",
        lambda f: set_cell(f, "members", 5, "rounds_served", "2.5"),
        at("members", 5, "rounds_served"),
        "expected a whole number",
    ),
    Case(
        "members-unknown-status",
        lambda f: set_cell(f, "members", 8, "status", "retired"),
        at("members", 8, "status"),
        "expected 'active', 'suspended' or 'removed'",
    ),
    # units
    Case(
        "units-unknown-parent",
        lambda f: set_cell(f, "units", 8, "parent", "EDUC"),
        at("units", 8, "parent"),
        "unknown unit 'EDUC'",
    ),
    Case("units-parent-cycle", _cycle, at("units", 2, "parent"), "cycle in unit parents"),
    Case(
        "units-duplicate-id",
        lambda f: append_rows(f, "units", ["id", "name"], ["HEA", "Health Commission"]),
        at("units", 12, "id"),
        "duplicate unit id 'HEA' (first at",
    ),
    Case(
        "units-negative-max-drawn",
        lambda f: set_cell(f, "units", 3, "max_drawn", "-2"),
        at("units", 3, "max_drawn"),
        "greater than or equal to 0",
    ),
    # groups
    Case(
        "groups-unknown-target",
        lambda f: set_cell(f, "groups", 3, "targets", "HEA-H1;TRX"),
        at("groups", 3, "targets"),
        "unknown unit 'TRX'",
    ),
    Case(
        "groups-duplicate-id",
        lambda f: set_cell(f, "groups", 3, "id", "G1"),
        at("groups", 3, "id"),
        "duplicate group id 'G1' (first at",
    ),
    Case(
        "groups-size-min-above-max",
        lambda f: set_cell(f, "groups", 2, "size_min", "7"),
        at("groups", 2, "size_min"),
        "size_min (7) is larger than size_max (6)",
    ),
    Case(
        "groups-negative-size",
        lambda f: set_cell(f, "groups", 3, "size_max", "-6"),
        at("groups", 3, "size_max"),
        "greater than or equal to 0",
    ),
    Case(
        "groups-malformed-requires",
        lambda f: set_cell(f, "groups", 3, "requires", "finance:x;law:1"),
        at("groups", 3, "requires"),
        "expected specialty:count items like 'finance:1;audit:2'",
    ),
    Case(
        "groups-requires-more-than-pool",
        lambda f: set_cell(f, "groups", 2, "requires", "finance:1;data-analysis:4"),
        at("groups", 2, "requires"),
        "requires 4 data-analysis but only 3 active members in the whole pool",
    ),
    Case(
        "groups-requires-unknown-specialty",
        lambda f: set_cell(f, "groups", 3, "requires", "finanse:1"),
        at("groups", 3, "requires"),
        "no active member in the whole pool has that specialty (did you mean 'finance'?)",
    ),
    Case(
        "groups-more-leaders-than-can-lead",
        _leaders,
        at("groups", 2, "leaders"),
        "needs 4 leaders but only 3 available members can lead",
    ),
    Case(
        "groups-deputies-min-above-max",
        lambda f: set_cell(f, "groups", 3, "deputies_min", "3"),
        at("groups", 3, "deputies_min"),
        "deputies_min (3) is larger than deputies_max (2)",
    ),
    Case(
        "groups-quota-does-not-fit",
        _no_fit,
        at("groups", 2, "size_max"),
        "2 leaders and at least 2 deputies do not fit in size_max 3",
    ),
    Case(
        "groups-targets-with-commas",
        lambda f: set_cell(f, "groups", 3, "targets", "HEA-H1,TRA"),
        at("groups", 3, "targets"),
        "unknown unit 'HEA-H1,TRA' (expected an id from units; separate several with ';')",
    ),
    Case(
        "groups-empty-table",
        lambda f: write_table(f, "groups", read_table(f, "groups")[:1]),
        {
            "csv": "groups.csv: ",
            "xlsx": "book.xlsx, sheet groups: ",
            "json": "plan.json, groups: ",
        },
        "the table is empty; expected at least one group",
    ),
    # conflicts and history
    Case(
        "conflicts-unknown-member",
        lambda f: set_cell(f, "conflicts", 2, "member_b", "M99"),
        at("conflicts", 2, "member_b"),
        "unknown member 'M99'",
    ),
    Case(
        "conflicts-self",
        lambda f: append_rows(f, "conflicts", ["member_a", "member_b"], ["M04", "M04"]),
        at("conflicts", 3, "member_b"),
        "member 'M04' is in conflict with itself",
    ),
    Case(
        "history-unknown-member",
        lambda f: set_cell(f, "history", 3, "member", "M91"),
        at("history", 3, "member"),
        "unknown member 'M91'",
    ),
    Case(
        "history-rounds-ago-zero",
        lambda f: set_cell(f, "history", 2, "rounds_ago", "0"),
        at("history", 2, "rounds_ago"),
        "greater than or equal to 1",
    ),
    # pins and affinity
    Case(
        "pins-unknown-group",
        lambda f: append_rows(f, "pins", PIN, ["M01", "G1", "require"], ["M02", "G9", "forbid"]),
        at("pins", 3, "group"),
        "unknown group 'G9'",
    ),
    Case(
        "pins-unknown-kind",
        lambda f: append_rows(f, "pins", PIN, ["M01", "G1", "maybe"]),
        at("pins", 2, "kind"),
        "expected 'require' or 'forbid'",
    ),
    Case(
        "pins-require-and-forbid",
        lambda f: append_rows(f, "pins", PIN, ["M03", "G2", "require"], ["M03", "G2", "forbid"]),
        at("pins", 3, "kind"),
        "member 'M03' is both required in and forbidden from group 'G2'",
    ),
    Case(
        "pins-two-groups-one-round",
        lambda f: append_rows(f, "pins", PIN, ["M04", "G1", "require"], ["M04", "G2", "require"]),
        at("pins", 3, "group"),
        "member 'M04' is required in 2 groups of round 'R1'",
    ),
    Case(
        "pins-suspended-member",
        _suspended_pin,
        at("pins", 2, "member"),
        "member 'M05' is suspended and cannot be required",
    ),
    Case(
        "affinity-unknown-member",
        lambda f: append_rows(
            f, "affinity", ["member", "group", "score"], ["M02", "G1", "-5"], ["M29", "G2", "3"]
        ),
        at("affinity", 3, "member"),
        "unknown member 'M29'",
    ),
    Case(
        "affinity-score-text",
        lambda f: append_rows(f, "affinity", ["member", "group", "score"], ["M02", "G1", "high"]),
        at("affinity", 2, "score"),
        "expected a whole number",
    ),
    # rules
    Case(
        "rules-unknown-key",
        lambda f: write_rules(f, "[recusal]\nhierarchy = true\nown_zon = true\n"),
        {
            "csv": "rules.toml, line 3, [recusal] own_zon: ",
            "xlsx": "book.xlsx, sheet rules, row 3, column key: ",
            "json": "plan.json, rules, [recusal] own_zon: ",
        },
        "did you mean 'own_zone'?",
    ),
    Case(
        "rules-unknown-section",
        lambda f: write_rules(f, "[recusl]\nown_zone = true\n"),
        {
            "csv": "rules.toml, line 1, [recusl]: ",
            "xlsx": "book.xlsx, sheet rules, row 2, column key: ",
            "json": "plan.json, rules, [recusl]: ",
        },
        "did you mean 'recusal",
    ),
    Case(
        "rules-bad-mode",
        lambda f: write_rules(f, '[party-branch]\nmin = 2\nmode = "sometimes"\n'),
        {
            "csv": "rules.toml, line 3, [party-branch] mode: ",
            "xlsx": "book.xlsx, sheet rules, row 3, column value (party-branch.mode): ",
            "json": "plan.json, rules, [party-branch] mode: ",
        },
        "expected 'hard', 'soft' or 'off', got 'sometimes'",
    ),
    Case(
        "rules-soft-pins",
        lambda f: write_rules(f, '[pins]\nmode = "soft"\n'),
        {
            "csv": "rules.toml, line 2, [pins] mode: ",
            "xlsx": "book.xlsx, sheet rules, row 2, column value (pins.mode): ",
            "json": "plan.json, rules, [pins] mode: ",
        },
        "pins always holds; its mode can only be 'hard'",
    ),
    Case(
        "rules-experience-order",
        lambda f: write_rules(f, "[experience]\nnew_max = 2\nexperienced_min = 2\n"),
        {
            "csv": "rules.toml, line 1, [experience]: ",
            "xlsx": "book.xlsx, sheet rules, row 2, column value (experience): ",
            "json": "plan.json, rules, [experience]: ",
        },
        "new_max (2) must be below experienced_min (2)",
    ),
    Case(
        "rules-bad-boolean",
        lambda f: write_rules(f, '[recusal]\nhierarchy = "maybe"\n'),
        {
            "csv": "rules.toml, line 2, [recusal] hierarchy: ",
            "xlsx": "book.xlsx, sheet rules, row 2, column value (recusal.hierarchy): ",
            "json": "plan.json, rules, [recusal] hierarchy: ",
        },
        "expected true/false, yes/no, 1/0 or 是/否, got 'maybe'",
    ),
    Case(
        "rules-negative-setting",
        lambda f: write_rules(f, "[unit-draw-cap]\nmax_per_group = -1\n"),
        {
            "csv": "rules.toml, line 2, [unit-draw-cap] max_per_group: ",
            "xlsx": "book.xlsx, sheet rules, row 2, column value (unit-draw-cap.max_per_group): ",
            "json": "plan.json, rules, [unit-draw-cap] max_per_group: ",
        },
        "greater than or equal to 0",
    ),
    Case(
        "rules-top-level-key",
        lambda f: write_rules(f, 'mode = "soft"\n'),
        {
            "csv": "rules.toml, line 1, [mode]: ",
            "xlsx": "book.xlsx, sheet rules, row 2, column key: ",
            "json": "plan.json, rules, [mode]: ",
        },
        "(did you mean 'pins.mode'?)",
    ),
    Case(
        "rules-toml-syntax",
        lambda f: write_rules(f, "[recusal]\nown_zone = yes\n"),
        {"csv": "rules.toml, line 2: "},
        "not valid TOML",
        formats=("csv",),
    ),
    # whole files
    Case(
        "members-file-missing",
        lambda f: (f / "members.csv").unlink(),
        {"csv": "plan/members.csv: "},
        "no such file; an instance folder needs members.csv, units.csv and groups.csv",
        formats=("csv",),
    ),
    Case(
        "members-file-empty",
        lambda f: (f / "members.csv").write_text("\n\n", encoding="utf-8"),
        {"csv": "members.csv, row 1: "},
        "the file is empty; expected a header row",
        formats=("csv",),
    ),
    Case(
        "members-duplicate-column",
        lambda f: rename_column(f, "members", "gender", "Unit"),
        {
            "csv": "members.csv, row 1, column Unit: ",
            "xlsx": "book.xlsx, sheet members, row 1, column Unit: ",
        },
        "column 'unit' appears twice (first in column C)",
        formats=("csv", "xlsx"),
    ),
    Case(
        "csv-not-decodable",
        lambda f: (f / "units.csv").write_bytes(b"id,name\nDIS,\xff\xfe\xff\n"),
        {"csv": "units.csv, line 2: "},
        "cannot decode the file as UTF-8 or GB18030",
        formats=("csv",),
    ),
    Case(
        "csv-forced-ascii",
        lambda f: None,
        {"csv": "members.csv, line 2: "},
        "cannot decode the file as ascii",
        formats=("csv",),
        args=("--encoding", "ascii"),
    ),
]


def _make(case: Case, fmt: str, tmp_path: Path) -> Path:
    return make(tmp_path, fmt, case.mutate)


def make(
    tmp_path: Path, fmt: str = "csv", mutate: Callable[[Path], object] = lambda f: None
) -> Path:
    """The base instance, mutated, as ``plan/`` (CSV), ``book.xlsx`` or ``plan.json``."""
    folder = tmp_path / "plan"
    shutil.copytree(BASE, folder)
    mutate(folder)
    if fmt == "csv":
        return folder
    out = tmp_path / ("book.xlsx" if fmt == "xlsx" else "plan.json")
    (to_xlsx if fmt == "xlsx" else to_json)(folder, out)
    return out


def _names() -> list[str]:
    """Personal names of the base instance: a message must never repeat them."""
    return [row[1] for row in read_table(BASE, "members")[1:]]


def check_output(code: int, stdout: str, stderr: str) -> None:
    assert code == 2, stderr
    assert stdout == ""
    for word in JARGON:
        assert word not in stderr, stderr
    for name in _names():
        assert name not in stderr, stderr
    assert re.search(r"\d+ problems? found(; nothing was written)?\.", stderr), stderr


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


PARAMS = [
    pytest.param(case, fmt, id=f"{fmt}-{case.id}")
    for case in CASES
    for fmt in FORMATS
    if fmt in case.formats
]


@pytest.mark.parametrize(("case", "fmt"), PARAMS)
def test_broken_instance(case: Case, fmt: str, tmp_path: Path) -> None:
    path = _make(case, fmt, tmp_path)
    code, out, err = run_cli("validate", str(path), *case.args)
    check_output(code, out, err)
    lines = [line for line in err.splitlines() if line.startswith(case.where[fmt])]
    assert lines, f"nothing reported at {case.where[fmt]!r}:\n{err}"
    assert any(case.phrase in line for line in lines), err


def test_catalogue_size() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 25
    assert sum("xlsx" in c.formats for c in CASES) >= 25
    assert sum("json" in c.formats for c in CASES) >= 25


def test_base_instance_is_valid(tmp_path: Path) -> None:
    for fmt in FORMATS:
        path = make(tmp_path / fmt, fmt)
        code, out, err = run_cli("validate", str(path))
        assert code == 0, err
        assert "OK" in out


# --- many mistakes at once ----------------------------------------------------------------------


def _five(folder: Path) -> None:
    set_cell(folder, "members", 3, "id", "M01")  # duplicate id
    set_cell(folder, "members", 5, "rating", "150")  # out of range
    set_cell(folder, "groups", 3, "targets", "HEA-H1;TRX")  # unknown unit
    set_cell(folder, "units", 2, "parent", "HEA-H1")  # cycle with the next line
    set_cell(folder, "units", 9, "parent", "DIS")
    write_rules(folder, "[recusal]\nown_zon = true\n")  # unknown key


FIVE = {
    "csv": [
        "members.csv, row 3, column id: duplicate member id 'M01'",
        "members.csv, row 5, column rating: ",
        "groups.csv, row 3, column targets: unknown unit 'TRX'",
        "units.csv, row 2, column parent: cycle in unit parents",
        "rules.toml, line 2, [recusal] own_zon: unknown key",
    ],
    "xlsx": [
        "book.xlsx, sheet members, row 3, column id: duplicate member id 'M01'",
        "book.xlsx, sheet members, row 5, column rating: ",
        "book.xlsx, sheet groups, row 3, column targets: unknown unit 'TRX'",
        "book.xlsx, sheet units, row 2, column parent: cycle in unit parents",
        "book.xlsx, sheet rules, row 2, column key: unknown key",
    ],
    "json": [
        "plan.json, members, item 2, field id: duplicate member id 'M01'",
        "plan.json, members, item 4, field rating: ",
        "plan.json, groups, item 2, field targets: unknown unit 'TRX'",
        "plan.json, units, item 1, field parent: cycle in unit parents",
        "plan.json, rules, [recusal] own_zon: unknown key",
    ],
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_five_mistakes_all_reported(fmt: str, tmp_path: Path) -> None:
    path = make(tmp_path, fmt, _five)
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "5 problems found" in err, err
    for expected in FIVE[fmt]:
        assert sum(line.startswith(expected) for line in err.splitlines()) == 1, (expected, err)


def test_mistakes_in_one_row_are_all_reported(tmp_path: Path) -> None:
    """A row with a bad cell is still checked for unknown references and duplicates."""
    folder = make(tmp_path, "csv")
    set_cell(folder, "members", 3, "id", "M01")
    set_cell(folder, "members", 3, "rating", "high")
    set_cell(folder, "members", 3, "unit", "XXX")
    code, out, err = run_cli("validate", str(folder))
    check_output(code, out, err)
    assert "members.csv, row 3, column rating: expected a whole number" in err
    assert "members.csv, row 3, column unit: unknown unit 'XXX'" in err
    assert "members.csv, row 3, column id: duplicate member id 'M01'" in err
    assert "3 problems found" in err


def test_a_broken_member_row_causes_no_follow_up_errors(tmp_path: Path) -> None:
    """A leader whose row is broken still counts as a possible leader: one problem, not two."""
    folder = make(tmp_path, "csv")
    set_cell(folder, "groups", 2, "leaders", "2")  # 3 leaders needed, 3 can lead
    set_cell(folder, "members", 2, "can_lead", "maybe")
    set_cell(folder, "members", 13, "unit", "")  # M12, who can lead
    code, out, err = run_cli("validate", str(folder))
    check_output(code, out, err)
    assert "2 problems found" in err, err


def test_missing_column_is_reported_once(tmp_path: Path) -> None:
    folder = make(tmp_path, "csv")
    drop_column(folder, "members", "unit")
    code, out, err = run_cli("validate", str(folder))
    check_output(code, out, err)
    assert "1 problem found" in err, err


@pytest.mark.parametrize("table", ["members", "units", "groups", "conflicts", "history"])
def test_any_bad_cell_is_located(table: str, tmp_path: Path) -> None:
    """Junk in any cell of a row never crashes, and every error names its file and row."""
    folder = make(tmp_path, "csv")
    original = read_table(folder, table)
    for column in original[0]:
        for junk in ("-1", "x", "=1", "1.5", "99999999999999999999"):
            set_cell(folder, table, 2, column, junk)
            result = teamsolver.read(folder)
            for problem in result.errors:
                assert problem.file and problem.row, problem
                assert not any(word in str(problem) for word in JARGON), problem
        write_table(folder, table, original)


# --- JSON- and XLSX-only mistakes ---------------------------------------------------------------


def _json_doc(tmp_path: Path) -> dict[str, Any]:
    path = make(tmp_path, "json")
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n "members": [\n  {"id": "M01",}\n ]\n}\n', encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "plan.json, line 3: not valid JSON" in err


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d.update(rules=["recusal"]),
            "plan.json, rules: expected an object of rule settings",
            id="rules-not-object",
        ),
        pytest.param(
            lambda d: d.update(members={"M01": {}}),
            "plan.json, members: expected a list of objects",
            id="table-not-list",
        ),
        pytest.param(
            lambda d: d["members"].__setitem__(2, "M03"),
            "plan.json, members, item 3: expected an object",
            id="item-not-object",
        ),
        pytest.param(
            lambda d: d.pop("groups"),
            "plan.json: the required table 'groups' is missing",
            id="table-missing",
        ),
        pytest.param(
            lambda d: d.update(grups=[]),
            "plan.json, grups: unknown key 'grups' (did you mean 'groups'?)",
            id="unknown-table",
        ),
        pytest.param(
            lambda d: d["members"][1].update(nmae="x"),
            "plan.json, members, item 2, field nmae: unknown field 'nmae' (did you mean 'name'?)",
            id="unknown-field",
        ),
        pytest.param(
            lambda d: d["members"][0].update(name=["王", "建国"]),
            "plan.json, members, item 1, field name: expected text",
            id="name-not-text",
        ),
        pytest.param(
            lambda d: d["members"][0].update(status=5),
            "plan.json, members, item 1, field status: expected 'active', 'suspended' or "
            "'removed', got 5",
            id="status-number",
        ),
        pytest.param(
            lambda d: d["groups"][0].update(targets=[]),
            "plan.json, groups, item 1, field targets: must not be empty",
            id="targets-empty-list",
        ),
        pytest.param(
            lambda d: d["groups"][0].update(requires={"finance": -1}),
            "plan.json, groups, item 1, field requires: the count for 'finance' must not be "
            "negative",
            id="requires-negative",
        ),
    ],
)
def test_json_document_mistakes(
    mutate: Callable[[dict[str, Any]], None], expected: str, tmp_path: Path
) -> None:
    doc = _json_doc(tmp_path)
    mutate(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert expected in err, err


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_text("id,name,unit\n", encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "book.xlsx: not an Excel workbook" in err, err


def test_xlsx_missing_sheet_and_empty_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = make(tmp_path, "xlsx")
    book = load_workbook(path)
    book.remove(book["groups"])
    for row in book["units"].iter_rows():
        for cell in row:
            cell.value = None
    book.save(path)
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "book.xlsx: the required sheet 'groups' is missing" in err, err
    assert "book.xlsx, sheet units, row 1: the sheet is empty" in err, err


def test_rules_sheet_without_key_column(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = make(tmp_path, "xlsx")
    book = load_workbook(path)
    book["rules"]["A1"] = "setting"
    book.save(path)
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "book.xlsx, sheet rules, row 1: the rules sheet needs columns 'key' and 'value'" in err


# --- other paths to bad input -------------------------------------------------------------------


def test_old_or_locked_workbook(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "locked.xlsx: an old .xls workbook or a password-protected one" in err
    (tmp_path / "old.xls").write_bytes(b"")
    code, out, err = run_cli("validate", str(tmp_path / "old.xls"))
    check_output(code, out, err)
    assert "save the workbook as .xlsx" in err


def test_unknown_encoding_is_reported_once() -> None:
    code, out, err = run_cli("validate", str(BASE), "--encoding", "klingon")
    check_output(code, out, err)
    assert err.splitlines()[0] == "--encoding: unknown encoding 'klingon' (try utf-8 or gb18030)"
    assert "1 problem found" in err


def test_no_such_instance(tmp_path: Path) -> None:
    code, out, err = run_cli("validate", str(tmp_path / "nowhere"))
    check_output(code, out, err)
    assert "nowhere: no such file or folder" in err


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    shutil.copy(BASE / "members.csv", path)
    code, out, err = run_cli("validate", str(path))
    check_output(code, out, err)
    assert "expected a folder of CSV files, an .xlsx workbook or a .json document" in err


def test_rules_option_with_a_bad_file(tmp_path: Path) -> None:
    rules = tmp_path / "strict.toml"
    rules.write_text("[party-branch]\nmni = 4\n", encoding="utf-8")
    code, out, err = run_cli("validate", str(BASE), "--rules", str(rules))
    check_output(code, out, err)
    assert "strict.toml, line 2, [party-branch] mni: unknown key 'mni'" in err
    assert "did you mean 'min'?" in err


def test_validate_json_output_on_bad_input(tmp_path: Path) -> None:
    folder = make(tmp_path, "csv", lambda f: set_cell(f, "units", 8, "parent", "X"))
    code, out, err = run_cli("validate", str(folder), "--json")
    assert code == 2
    assert "Traceback" not in err
    doc = json.loads(out)
    assert doc["ok"] is False
    [problem] = [p for p in doc["problems"] if p["severity"] == "error"]
    assert problem == {
        "message": "unknown unit 'X' (expected an id from units)",
        "file": "units.csv",
        "table": "units",
        "row": 8,
        "column": "parent",
        "severity": "error",
        "rule": None,  # not a requirement a rule cannot meet
    }


def test_library_reports_every_problem(tmp_path: Path) -> None:
    folder = make(tmp_path, "csv", _five)
    with pytest.raises(teamsolver.InputError) as info:
        teamsolver.load(folder)
    assert len(info.value.errors) == 5
    assert all(p.file and p.row for p in info.value.errors)


# --- convert never leaves half a file ------------------------------------------------------------


@pytest.mark.parametrize("out_name", ["out.xlsx", "out.json", "out"])
def test_convert_bad_input_leaves_output_alone(out_name: str, tmp_path: Path) -> None:
    folder = make(tmp_path, "csv", lambda f: set_cell(f, "groups", 2, "size_min", "9"))
    out = tmp_path / "target" / out_name
    out.parent.mkdir()
    if out_name == "out":
        out.mkdir()
        (out / "members.csv").write_text("old\n", encoding="utf-8")
    else:
        out.write_text("old\n", encoding="utf-8")
    code, stdout, err = run_cli("convert", str(folder), str(out), "--force")
    check_output(code, stdout, err)
    assert sorted(p.name for p in out.parent.iterdir()) == [out_name]
    kept = out / "members.csv" if out_name == "out" else out
    assert kept.read_text(encoding="utf-8") == "old\n"


def test_convert_bad_input_writes_nothing(tmp_path: Path) -> None:
    folder = make(tmp_path, "csv", lambda f: set_cell(f, "groups", 2, "size_min", "9"))
    (tmp_path / "target").mkdir()
    code, out, err = run_cli("convert", str(folder), str(tmp_path / "target" / "x.xlsx"))
    check_output(code, out, err)
    assert list((tmp_path / "target").iterdir()) == []


def test_convert_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("mine\n", encoding="utf-8")
    code, stdout, err = run_cli("convert", str(BASE), str(out))
    assert (code, stdout) == (2, "")
    assert "already exists; pass --force to replace it" in err
    assert out.read_text(encoding="utf-8") == "mine\n"
    code, stdout, err = run_cli("convert", str(BASE), str(out), "--force")
    assert (code, stdout) == (0, ""), err
    assert teamsolver.load(out) == teamsolver.load(BASE)


def test_convert_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n", encoding="utf-8")
    code, stdout, err = run_cli("convert", str(BASE), str(out), "--force")
    assert (code, stdout) == (2, "")
    assert "holds other files" in err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me\n"


# --- the real command, as a planner runs it -----------------------------------------------------


def _entry_point() -> list[str]:
    exe = Path(sys.executable).with_name("teamsolver")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "teamsolver"]


@pytest.mark.parametrize(
    ("case_id", "fmt"),
    [
        ("groups-unknown-target", "csv"),
        ("members-bad-boolean", "xlsx"),
        ("units-parent-cycle", "json"),
        ("rules-toml-syntax", "csv"),
    ],
)
def test_installed_command(case_id: str, fmt: str, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c.id == case_id]
    path = _make(case, fmt, tmp_path)
    proc = subprocess.run(
        [*_entry_point(), "validate", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    check_output(proc.returncode, proc.stdout, proc.stderr)
    assert any(
        line.startswith(case.where[fmt]) and case.phrase in line
        for line in proc.stderr.splitlines()
    ), proc.stderr


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "teamsolver", "validate", str(BASE)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "OK" in proc.stdout
