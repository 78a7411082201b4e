"""pins: per require pin not met, 1; per forbid pin broken, 1 (a forbid pin ignores its role)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from teamsolver.data.instance import Instance, Pin
from teamsolver.data.settings import Rules

from ..helpers import cost, group, instance, member, of, roster

RULE = "pins"


def plan(*pins: Pin) -> Instance:
    return instance(
        [member(f"M{i}", can_lead=True, can_deputy=True) for i in range(1, 5)],
        [group("G1"), group("G2"), group("H1", round="R2")],
        pins=pins,
    )


def test_pins_that_hold_are_clean() -> None:
    inst = plan(
        Pin(member="M1", group="G1", kind="require", role="leader"),
        Pin(member="M2", group="G1", kind="require"),
        Pin(member="M3", group="G1", kind="forbid"),
        Pin(member="M3", group="H1", kind="require", role="member"),
    )
    assert of(inst, roster(inst, {"G1": "M1:leader M2:deputy", "G2": "M3", "H1": "M3"}), RULE) == []


def test_each_pin_not_met_counts_one() -> None:
    inst = plan(
        Pin(member="M1", group="G1", kind="require", role="leader"),  # there, but as deputy
        Pin(member="M2", group="G1", kind="require"),  # not there
        Pin(member="M2", group="G1", kind="require"),  # the same row twice counts twice
        Pin(member="M3", group="G2", kind="forbid"),  # broken
        Pin(member="M4", group="H1", kind="require", role="deputy"),  # met
    )
    ros = roster(inst, {"G1": "M1:deputy", "G2": "M3", "H1": "M4:deputy"})
    found = of(inst, ros, RULE)
    assert [(v.member, v.group, v.round) for v in found] == [
        ("M1", "G1", "R1"),
        ("M2", "G1", "R1"),
        ("M2", "G1", "R1"),
        ("M3", "G2", "R1"),
    ]
    assert cost(found) == 4
    assert found[0].message == "member M1 is pinned to group G1 as leader but sits there as deputy"
    assert found[1].message == "member M2 is pinned to group G1 but holds no seat there"
    assert found[3].message == "member M3 is pinned out of group G2 but sits there"


def test_a_forbid_pin_forbids_the_whole_group_whatever_its_role() -> None:
    inst = plan(Pin(member="M1", group="G1", kind="forbid", role="leader"))
    assert cost(of(inst, roster(inst, {"G1": "M1"}), RULE)) == 1
    assert of(inst, roster(inst, {"G2": "M1:leader"}), RULE) == []


def test_a_require_pin_without_role_is_met_by_any_role() -> None:
    inst = plan(Pin(member="M1", group="G1", kind="require"))
    for role in ("leader", "deputy", "member"):
        assert of(inst, roster(inst, {"G1": f"M1:{role}"}), RULE) == []


def test_it_can_never_be_switched_off() -> None:
    with pytest.raises(ValidationError):
        Rules.model_validate({"pins": {"mode": "off"}})
