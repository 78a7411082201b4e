"""new-leader-support: per group led by a newly promoted member without an experienced deputy."""

from __future__ import annotations

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "new-leader-support"


def plan(mode: str = "hard") -> Instance:
    return instance(
        [
            member("P1", can_lead=True, newly_promoted=True, rounds_served=4),
            member("P2", can_lead=True, newly_promoted=True),
            member("L1", can_lead=True, rounds_served=4),
            member("D1", can_deputy=True, rounds_served=3),  # experienced
            member("D2", can_deputy=True, rounds_served=1),  # not yet
            member("M1", rounds_served=6),
        ],
        [group("G1"), group("G2"), group("G3"), group("H1", round="R2")],
        rules={"new-leader-support": {"mode": mode}},
    )


def test_an_experienced_deputy_supports_a_new_leader() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "P1:leader D1:deputy", "G2": "L1:leader D2:deputy", "G3": "M1"})
    assert of(inst, ros, RULE) == []


def test_each_unsupported_group_counts_one() -> None:
    inst = plan()
    ros = roster(
        inst,
        {
            "G1": "P1:leader D2:deputy",  # the deputy is not experienced
            "G2": "P2:leader M1",  # an experienced member, but not a deputy
            "G3": "L1:leader P1:leader",  # no deputy at all (two leaders: one count)
        },
    )
    found = of(inst, ros, RULE)
    assert [(v.group, v.members) for v in found] == [
        ("G1", ("P1",)),
        ("G2", ("P2",)),
        ("G3", ("P1",)),
    ]
    assert cost(found) == 3
    assert found[0].message == (
        "group G1 is led by newly promoted member P1 but has no experienced deputy "
        "(experience at least 2)"
    )


def test_a_deputy_gains_experience_during_the_plan() -> None:
    inst = plan()
    # D2 (1 round served) has experience 1 in R1, 2 in R2 after a seat in R1.
    ros = roster(inst, {"G1": "D2:deputy", "H1": "P2:leader D2:deputy"})
    assert of(inst, ros, RULE) == []
    assert cost(of(inst, roster(inst, {"H1": "P2:leader D2:deputy"}), RULE)) == 1


def test_off_reports_nothing() -> None:
    inst = plan("off")
    assert of(inst, roster(inst, {"G1": "P1:leader"}), RULE) == []
