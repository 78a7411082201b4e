"""member-conflict: per conflicts row and group holding both members, 1."""

from __future__ import annotations

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "member-conflict"


def plan(mode: str = "hard") -> Instance:
    return instance(
        [member(f"M{i}") for i in range(1, 5)],
        [group("G1"), group("G2"), group("H1", round="R2")],
        conflicts=[("M1", "M2"), ("M4", "M3")],
        rules={"member-conflict": {"mode": mode}},
    )


def test_members_in_conflict_in_different_groups_are_clean() -> None:
    inst = plan()
    assert of(inst, roster(inst, {"G1": "M1 M3", "G2": "M2 M4", "H1": "M1 M4"}), RULE) == []


def test_each_shared_group_counts_one() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M1 M2", "G2": "M3 M4", "H1": "M1 M2 M3"})
    found = of(inst, ros, RULE)
    # (M1, M2) share G1 and H1; (M4, M3) share G2 (the row's order does not matter).
    assert [(v.members, v.group) for v in found] == [
        (("M1", "M2"), "G1"),
        (("M1", "M2"), "H1"),
        (("M4", "M3"), "G2"),
    ]
    assert cost(found) == 3
    assert found[0].message == (
        "members M1 and M2 are both in group G1, but a conflict row keeps them apart"
    )


def test_off_reports_nothing() -> None:
    inst = plan("off")
    assert of(inst, roster(inst, {"G1": "M1 M2"}), RULE) == []
