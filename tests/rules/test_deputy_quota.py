"""deputy-quota: per group max(0, min − D) + max(0, D − max), plus 1 per unfit deputy."""

from __future__ import annotations

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "deputy-quota"


def plan(mode: str = "hard") -> Instance:
    return instance(
        [member(f"D{i}", can_deputy=True) for i in range(1, 5)] + [member("M1"), member("M2")],
        [
            group("G1"),  # 1..2 deputies
            group("G2", deputies_min=2, deputies_max=3),
            group("G3", deputies_min=0, deputies_max=0),
        ],
        rules={"deputy-quota": {"mode": mode}},
    )


def test_deputies_within_bounds_are_clean() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "D1:deputy", "G2": "D2:deputy D3:deputy D4:deputy", "G3": "M1"})
    assert of(inst, ros, RULE) == []


def test_missing_surplus_and_unfit_deputies() -> None:
    inst = plan()
    ros = roster(
        inst,
        {"G1": "D1:deputy D2:deputy D3:deputy M1:deputy", "G3": "D4:deputy M2:deputy"},
    )
    found = of(inst, ros, RULE)
    # G1: 4 − 2 = 2 surplus, M1 cannot be deputy: +1. G2: 2 missing. G3: 2 surplus, M2: +1.
    assert [(v.group, v.count) for v in found] == [
        ("G1", 2),
        ("G1", 1),
        ("G2", 2),
        ("G3", 2),
        ("G3", 1),
    ]
    assert cost(found) == 8
    assert found[2].message == "group G2 has 0 deputies; it needs at least 2"
    assert found[3].message == "group G3 has 2 deputies (D4 and M2); it needs at most 0"
    assert found[4].message == (
        "member M2 is a deputy of group G3 but is not in the deputy pool (can_deputy is false)"
    )


def test_off_reports_nothing() -> None:
    inst = plan("off")
    assert of(inst, roster(inst, {"G3": "M1:deputy"}), RULE) == []
