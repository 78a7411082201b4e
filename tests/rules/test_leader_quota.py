"""leader-quota: per group |L − leaders|, plus 1 per leader seat of a member who cannot lead."""

from __future__ import annotations

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "leader-quota"


def plan(mode: str = "hard") -> Instance:
    return instance(
        [member("L1", can_lead=True), member("L2", can_lead=True), member("M1"), member("M2")],
        [group("G1"), group("G2", leaders=2), group("G3", leaders=0), group("G4")],
        rules={"leader-quota": {"mode": mode}},
    )


def test_exact_leaders_who_can_lead_are_clean() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "L1:leader M1", "G2": "L2:leader M2:leader"})
    found = of(inst, ros, RULE)
    # G2 has two leaders as it should, but M2 cannot lead; G4 has no leader.
    assert [(v.group, v.members, v.count) for v in found] == [
        ("G2", ("M2",), 1),
        ("G4", (), 1),
    ]


def test_too_few_too_many_and_unfit_leaders() -> None:
    inst = plan()
    ros = roster(
        inst,
        {"G1": "L1:leader L2:leader M1:leader", "G3": "M2:leader", "G4": "L1"},
    )
    found = of(inst, ros, RULE)
    # G1: 3 − 1 = 2 too many, M1 cannot lead: +1. G2: 2 missing. G3: 1 too many, M2 cannot
    # lead: +1. G4: 1 missing (L1 sits as a member).
    assert [(v.group, v.count) for v in found] == [
        ("G1", 2),
        ("G1", 1),
        ("G2", 2),
        ("G3", 1),
        ("G3", 1),
        ("G4", 1),
    ]
    assert cost(found) == 8
    assert found[0].message == "group G1 has 3 leaders (L1, L2 and M1); it needs exactly 1"
    assert found[1].message == (
        "member M1 leads group G1 but is not in the leader pool (can_lead is false)"
    )
    assert found[2].message == "group G2 has 0 leaders; it needs exactly 2"


def test_off_reports_nothing() -> None:
    inst = plan("off")
    assert of(inst, roster(inst, {"G1": "M1:leader M2:leader"}), RULE) == []


def test_a_member_not_in_the_pool_counts_as_a_leader_seat_only() -> None:
    inst = plan()
    found = of(
        inst,
        roster(
            inst,
            {"G1": "X9:leader"},
        ),
        RULE,
    )
    # X9 fills the one leader seat; that X9 is not in the pool is eligibility's to say.
    assert [v.group for v in found] == ["G2", "G4"]
    assert cost(found) == 2 + 1
