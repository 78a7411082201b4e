"""eligibility: per seat of a member not active, unavailable that round, or not in the pool: 1."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from teamsolver.data.instance import Instance
from teamsolver.data.settings import Rules

from ..helpers import cost, group, instance, member, of, roster

RULE = "eligibility"


def plan() -> Instance:
    return instance(
        [
            member("M1"),
            member("M2", status="suspended"),
            member("M3", status="removed"),
            member("M4", unavailable_rounds=("R2",)),
            member("M5", status="suspended", unavailable_rounds=("R1",)),
        ],
        [group("G1"), group("H1", round="R2")],
    )


def test_active_available_members_are_clean() -> None:
    inst = plan()
    assert of(inst, roster(inst, {"G1": "M1 M4", "H1": "M1"}), RULE) == []


def test_each_ineligible_seat_counts_once() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M2 M3 M4 M5", "H1": "M4 M2"})
    found = of(inst, ros, RULE)
    # G1: M2 suspended, M3 removed, M5 suspended and unavailable (still 1); M4 is available in
    # R1. H1: M4 unavailable in R2, M2 suspended. 5 seats.
    assert [(v.group, v.member) for v in found] == [
        ("G1", "M2"),
        ("G1", "M3"),
        ("G1", "M5"),
        ("H1", "M4"),
        ("H1", "M2"),
    ]
    assert cost(found) == 5
    assert found[2].message == (
        "member M5 in group G1 (round R1) is suspended and is unavailable in round R1; "
        "only active, available members may sit"
    )


def test_a_member_not_in_the_pool_is_ineligible() -> None:
    inst = plan()
    found = of(inst, roster(inst, {"G1": "M1 X9"}), RULE)
    assert [(v.member, v.count) for v in found] == [("X9", 1)]
    assert found[0].message == "member X9 in group G1 (round R1) is not in the pool"


def test_it_can_never_be_switched_off() -> None:
    with pytest.raises(ValidationError):
        Rules.model_validate({"eligibility": {"mode": "soft"}})
