"""full-time-anchor: per group max(0, min − F), F = seats of full-time members."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "full-time-anchor"


def plan(**settings: Any) -> Instance:
    return instance(
        [member("F1", full_time=True), member("F2", full_time=True), member("P1"), member("P2")],
        [group("G1"), group("G2"), group("G3")],
        rules={"full-time-anchor": settings},
    )


def test_one_full_timer_per_group_by_default() -> None:
    inst = plan()
    found = of(inst, roster(inst, {"G1": "F1 P1", "G2": "F2", "G3": "P2"}), RULE)
    assert [(v.group, v.count) for v in found] == [("G3", 1)]
    assert found[0].message == (
        "group G3 has 0 full-time members; it needs at least 1 to anchor its work"
    )


def test_each_missing_full_timer_counts_one() -> None:
    inst = plan(min=2)
    found = of(inst, roster(inst, {"G1": "F1 F2", "G2": "F1 P1"}), RULE)
    # G1: 0; G2: 2 − 1 = 1; G3 (no seats): 2.
    assert [(v.group, v.count) for v in found] == [("G2", 1), ("G3", 2)]
    assert cost(found) == 3


def test_min_zero_and_off_report_nothing() -> None:
    for inst in (plan(min=0), plan(mode="off")):
        assert of(inst, roster(inst, {"G1": "P1"}), RULE) == []
