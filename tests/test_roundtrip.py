"""Any instance converts between CSV, XLSX and JSON without loss."""

from __future__ import annotations

from pathlib import Path

import pytest

import teamsolver

# Instance folders (instances/scenarios holds what-if scenarios, not an instance).
INSTANCES = sorted(
    p
    for p in (Path(__file__).parent.parent / "instances").iterdir()
    if p.is_dir() and (p / "members.csv").exists()
)


@pytest.mark.parametrize("folder", INSTANCES, ids=lambda p: p.name)
def test_csv_xlsx_json_csv_round_trip(folder: Path, tmp_path: Path) -> None:
    original = teamsolver.load(folder)
    teamsolver.save(original, tmp_path / "a.xlsx")
    from_xlsx = teamsolver.load(tmp_path / "a.xlsx")
    teamsolver.save(from_xlsx, tmp_path / "b.json")
    from_json = teamsolver.load(tmp_path / "b.json")
    teamsolver.save(from_json, tmp_path / "c")
    back = teamsolver.load(tmp_path / "c")
    assert from_xlsx == original
    assert from_json == original
    assert back == original
