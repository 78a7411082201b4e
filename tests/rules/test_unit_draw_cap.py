"""unit-draw-cap: per round and home unit max(0, n − cap(u)); per group and home unit
max(0, n − max_per_group)."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import Instance, Unit

from ..helpers import cost, group, instance, member, of, roster

RULE = "unit-draw-cap"


def plan(max_drawn: dict[str, int] | None = None, **settings: Any) -> Instance:
    caps = max_drawn or {}
    return instance(
        [member(f"A{i}", "UA") for i in range(1, 6)] + [member(f"B{i}", "UB") for i in range(1, 4)],
        [group("G1"), group("G2"), group("G3"), group("H1", round="R2")],
        units=[Unit(id=u, max_drawn=caps.get(u)) for u in ("UA", "UB", "T1")],
        rules={"unit-draw-cap": settings},
    )


def test_within_both_caps_is_clean() -> None:
    inst = plan(max_per_round=3)
    ros = roster(inst, {"G1": "A1 A2 B1", "G2": "A3 B2 B3", "H1": "A4 A5"})
    assert of(inst, ros, RULE) == []


def test_round_cap_counts_the_excess_per_round_and_unit() -> None:
    inst = plan(max_per_round=2, max_per_group=None)
    ros = roster(inst, {"G1": "A1 A2 B1", "G2": "A3 B2", "G3": "A4 B3", "H1": "A5 A1 A2"})
    found = of(inst, ros, RULE)
    # R1: UA draws 4 (A1..A4) → 2, UB draws 3 → 1. R2: UA draws 3 → 1.
    assert [(v.round, v.group, v.count) for v in found] == [
        ("R1", None, 2),
        ("R1", None, 1),
        ("R2", None, 1),
    ]
    assert cost(found) == 4
    assert found[0].members == ("A1", "A2", "A3", "A4")
    assert found[0].message == (
        "round R1 draws 4 members from unit UA (A1, A2, A3 and A4); "
        "at most 2 may be drawn from one unit in a round"
    )


def test_a_units_max_drawn_overrides_the_round_cap() -> None:
    layout = {"G1": "A1 B1", "G2": "A2 B2", "G3": "A3 B3"}
    # UA may give only 1 per round, UB up to 5, above max_per_round = 2.
    inst = plan({"UA": 1, "UB": 5}, max_per_round=2)
    found = of(inst, roster(inst, layout), RULE)
    assert [(v.members, v.count) for v in found] == [(("A1", "A2", "A3"), 2)]
    assert "at most 1 may be drawn from unit UA (its max_drawn)" in found[0].message
    # max_drawn applies even when max_per_round is unbounded.
    unbounded = plan({"UB": 2})
    assert [(v.count, v.member) for v in of(unbounded, roster(unbounded, layout), RULE)] == [
        (1, "B1")
    ]


def test_group_cap_defaults_to_two_per_unit() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "A1 A2 A3 A4 B1", "G2": "B2 B3", "H1": "A1 A2 A3"})
    found = of(inst, ros, RULE)
    # G1: UA 4 − 2 = 2. G2: UB 2, fine. H1: UA 3 − 2 = 1. No round cap by default.
    assert [(v.group, v.count) for v in found] == [("G1", 2), ("H1", 1)]
    assert found[0].message == (
        "group G1 has 4 members from unit UA (A1, A2, A3 and A4); at most 2 may come from one unit"
    )
    assert of(plan(max_per_group=None), ros, RULE) == []


def test_off_reports_nothing() -> None:
    inst = plan(mode="off", max_per_round=0)
    assert of(inst, roster(inst, {"G1": "A1 A2 A3"}), RULE) == []
