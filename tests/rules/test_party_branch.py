"""party-branch: per group max(0, min − P), P = seats of party members."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "party-branch"


def plan(**settings: Any) -> Instance:
    return instance(
        [member(f"P{i}") for i in range(1, 6)] + [member("N1", party_member=False)],
        [group("G1"), group("G2"), group("G3")],
        rules={"party-branch": settings},
    )


def test_three_party_members_form_a_branch() -> None:
    inst = plan(min=3)
    found = of(inst, roster(inst, {"G1": "P1 P2 P3 N1", "G2": "P4 P5 N1"}), RULE)
    # G1: 3 ≥ 3; G2: 3 − 2 = 1; G3 empty: 3.
    assert [(v.group, v.count) for v in found] == [("G2", 1), ("G3", 3)]
    assert cost(found) == 4
    assert found[0].message == (
        "group G2 has 2 party members; a temporary party branch needs at least 3"
    )


def test_soft_mode_counts_the_same() -> None:
    inst = plan(mode="soft", weight=500)
    assert cost(of(inst, roster(inst, {"G1": "P1", "G2": "P2 P3 P4", "G3": "N1"}), RULE)) == 5


def test_off_reports_nothing() -> None:
    inst = plan(mode="off")
    assert of(inst, roster(inst, {"G1": "N1"}), RULE) == []
