"""benchmarks/side_by_side.py: two commits' runs of a bench_solve.py CSV in one table."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import side_by_side  # noqa: E402


def row(commit: str, limit: str, **fields: str) -> dict[str, str]:
    base = {
        "preset": "city:tighten=1",
        "seed": "0",
        "time_limit_s": limit,
        "commit": commit,
        "first_total_s": "",
        "objective": "",
        "call_s": "10.53",
        "hard_clean": "",
        "hard_violations": "",
        "load_avg_1m": "5.5",
    }
    return {**base, **fields}


def test_cells_say_roster_none_or_violations() -> None:
    rows = [
        row("aaa", "10.0"),
        row("bbb+edits", "10.0", first_total_s="3.12", objective="-1063", hard_clean="True"),
        row(
            "aaa",
            "30.0",
            first_total_s="29.4",
            objective="530",
            hard_clean="False",
            hard_violations="2",
            load_avg_1m="6.2",
        ),
    ]
    text = side_by_side.table(rows, "aaa", "bbb")
    lines = text.splitlines()
    assert (
        lines[0]
        == "| preset | seed | aaa at 10 s | bbb at 10 s | aaa at 30 s | bbb at 30 s | load |"
    )
    assert lines[2] == (
        "| city:tighten=1 | 0 | none (10.5 s) | 3.1 s / -1,063 | **2 violations** | – | 5.5–6.2 |"
    )
