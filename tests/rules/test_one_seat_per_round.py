"""one-seat-per-round: per member and round with k > 1 seats, k − 1."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from teamsolver.data.instance import Instance
from teamsolver.data.settings import Rules

from ..helpers import cost, group, instance, member, of, roster, seat

RULE = "one-seat-per-round"


def plan() -> Instance:
    return instance(
        [member("M1"), member("M2"), member("M3")],
        [group("G1"), group("G2"), group("G3"), group("H1", round="R2")],
    )


def test_one_seat_in_each_round_is_clean() -> None:
    inst = plan()
    assert of(inst, roster(inst, {"G1": "M1", "G2": "M2", "H1": "M1 M2"}), RULE) == []


def test_k_seats_in_a_round_count_k_minus_1() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M1 M2", "G2": "M1 M2", "G3": "M2", "H1": "M1"})
    found = of(inst, ros, RULE)
    # M1: 2 seats in R1 → 1; M2: 3 seats in R1 → 2; R2 is fine.
    assert [(v.member, v.round, v.count) for v in found] == [("M1", "R1", 1), ("M2", "R1", 2)]
    assert cost(found) == 3
    assert found[1].message == (
        "member M2 holds 3 seats in round R1 (groups G1, G2 and G3); "
        "a member holds at most one seat per round"
    )


def test_a_seat_repeated_in_the_same_group_counts() -> None:
    inst = plan()
    found = of(inst, roster(inst, {"G1": "M1 M1:deputy"}), RULE)
    assert [(v.member, v.group, v.count) for v in found] == [("M1", "G1", 1)]


def test_the_group_decides_the_round_of_a_seat() -> None:
    inst = plan()
    # The seat says R2, but G2 is a group of R1: it is checked as a seat of R1.
    ros = roster(inst, {"G1": "M1"}, seat("R2", "G2", "M1"))
    assert cost(of(inst, ros, RULE)) == 1


def test_it_can_never_be_switched_off() -> None:
    with pytest.raises(ValidationError):
        Rules.model_validate({"one-seat-per-round": {"mode": "off"}})
