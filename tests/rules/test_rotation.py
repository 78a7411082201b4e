"""rotation: per member max(0, seats − cap), plus 1 per two consecutive seats without
enough rest."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, past, roster

RULE = "rotation"


def plan(**settings: Any) -> Instance:
    return instance(
        [member("M1"), member("M2", max_rounds=1), member("M3", max_rounds=3)],
        [group(f"G{i}", round=f"R{i}") for i in range(1, 5)],
        history=[past("M1", 1, "P1")],
        rules={"rotation": settings},
    )


def test_unbounded_by_default() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M1 M3", "G2": "M1 M3", "G3": "M1 M3", "G4": "M1"})
    # M3 has max_rounds = 3 of its own and sits 3 times.
    assert of(inst, ros, RULE) == []


def test_seats_above_the_cap_count_one_each() -> None:
    inst = plan(max_rounds=2)
    ros = roster(inst, {"G1": "M1 M2 M3", "G2": "M1 M2 M3", "G3": "M1 M3", "G4": "M1 M3"})
    found = of(inst, ros, RULE)
    # M1: 4 − 2 = 2. M2 (own cap 1): 2 − 1 = 1. M3 (own cap 3 overrides 2): 4 − 3 = 1.
    assert [(v.member, v.count, v.round) for v in found] == [
        ("M1", 2, "R4"),
        ("M2", 1, "R2"),
        ("M3", 1, "R4"),
    ]
    assert cost(found) == 4
    assert found[0].message == "member M1 holds 4 seats in the plan; at most 2 are allowed"
    assert found[1].message == (
        "member M2 holds 2 seats in the plan; at most 1 are allowed (their max_rounds)"
    )


def test_rest_between_consecutive_seats() -> None:
    inst = plan(min_rest=1)
    ros = roster(inst, {"G1": "M1 M3", "G2": "M1", "G3": "M1 M3", "G4": "M3"})
    found = of(inst, ros, RULE)
    # M1 in R1, R2, R3: two pairs without rest → 2. M3 in R1, R3, R4: R1–R3 rests 1 round
    # (fine), R3–R4 none → 1. The history seat of M1 one round before the plan is not counted.
    assert [(v.member, v.round) for v in found] == [("M1", "R2"), ("M1", "R3"), ("M3", "R4")]
    assert cost(found) == 3
    assert found[0].message == (
        "member M1 sits in rounds R1 and R2 with 0 rounds of rest between; at least 1 is needed"
    )
    two = plan(min_rest=2)
    # M1: R1–R2 0, R2–R3 0 → 2. M3: R1–R3 rests 1 < 2 → 1, R3–R4 → 1.
    assert cost(of(two, ros, RULE)) == 4


def test_off_reports_nothing() -> None:
    inst = plan(mode="off", max_rounds=0, min_rest=3)
    assert of(inst, roster(inst, {"G1": "M1", "G2": "M1"}), RULE) == []
