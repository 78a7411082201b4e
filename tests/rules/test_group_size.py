"""group-size: per group, max(0, size_min − n) + max(0, n − size_max)."""

from __future__ import annotations

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "group-size"


def plan(mode: str = "hard") -> Instance:
    return instance(
        [member(f"M{i}") for i in range(1, 9)],
        [
            group("G1", size_min=2, size_max=3),
            group("G2", size_min=3),  # unbounded above
            group("G3", size_min=0, size_max=1),
        ],
        rules={"group-size": {"mode": mode}},
    )


def test_sizes_within_bounds_are_clean() -> None:
    inst = plan()
    assert of(inst, roster(inst, {"G1": "M1 M2 M3", "G2": "M4 M5 M6 M7 M8"}), RULE) == []


def test_missing_and_surplus_seats_count_one_each() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M1 M2 M3 M4 M5", "G3": "M6 M7 M8"})
    found = of(inst, ros, RULE)
    # G1: 5 − 3 = 2 surplus; G2 empty: 3 − 0 = 3 missing; G3: 3 − 1 = 2 surplus.
    assert [(v.group, v.count) for v in found] == [("G1", 2), ("G2", 3), ("G3", 2)]
    assert cost(found) == 7
    assert found[1].message == "group G2 has 0 seats; it needs at least 3"
    assert found[2].message == "group G3 has 3 seats; it needs at most 1"


def test_soft_mode_reports_the_same_count() -> None:
    inst = plan("soft")
    assert cost(of(inst, roster(inst, {"G1": "M1"}), RULE)) == 1 + 3


def test_off_reports_nothing() -> None:
    inst = plan("off")
    assert of(inst, roster(inst, {"G3": "M1 M2 M3"}), RULE) == []
