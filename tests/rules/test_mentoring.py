"""mentoring: per group max(0, N − k·E), plus bad mentors, plus mentors over capacity."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import Group, Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "mentoring"

# With the default experience settings: new ≤ 0 rounds, experienced ≥ 2 rounds.
POOL = [
    member("E1", rounds_served=2),
    member("E2", rounds_served=5),
    member("E3", rounds_served=3),
    member("H1", rounds_served=1),  # neither new nor experienced
    member("N1"),
    member("N2"),
    member("N3"),
    member("N4"),
]


def plan(groups: list[Group] | None = None, **mentoring: Any) -> Instance:
    return instance(
        POOL, groups or [group("G1"), group("G2")], rules={"mentoring": dict(mentoring)}
    )


def test_enough_experienced_members_and_good_mentors_are_clean() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "E1 N1>E1 H1", "G2": "E2 E3 N2>E2 N3>E3"})
    assert of(inst, ros, RULE) == []


def test_an_empty_mentor_is_fine_when_mentors_could_be_given() -> None:
    inst = plan()
    assert of(inst, roster(inst, {"G1": "E1 N1", "G2": "H1"}), RULE) == []


def test_too_many_new_members_count_the_excess() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "E1 H1 N1 N2 N3", "G2": "N4"})
    found = of(inst, ros, RULE)
    # G1: N = 3, E = 1, k = 1 → 2. G2: N = 1, E = 0 → 1. H1 is neither.
    assert [(v.group, v.count, v.members) for v in found] == [
        ("G1", 2, ("N1", "N2", "N3")),
        ("G2", 1, ("N4",)),
    ]
    assert found[0].message == (
        "group G1 has 3 new members (N1, N2 and N3) and 1 experienced member; "
        "each experienced member may mentor at most 1, so 2 are too many"
    )
    assert cost(found) == 3


def test_k_new_members_per_experienced_member() -> None:
    inst = plan(max_new_per_experienced=2)
    ros = roster(inst, {"G1": "E1 N1 N2 N3"})
    # N = 3, E = 1, k = 2 → 1.
    assert cost(of(inst, ros, RULE)) == 1


def test_each_bad_mentor_counts_one() -> None:
    inst = plan()
    ros = roster(
        inst,
        {
            # N1's mentor E2 sits in G2; N2's mentor H1 is not experienced; N3 names itself.
            "G1": "E1 E3 H1 N1>E2 N2>H1 N3>N3",
            # N4's mentor X9 is not in the pool.
            "G2": "E2 N4>X9",
        },
    )
    found = of(inst, ros, RULE)[1:]
    # First: G1 has N = 3 new members and E = 2 experienced ones → 1 too many.
    assert cost(of(inst, ros, RULE)[:1]) == 1
    assert [(v.group, v.members, v.count) for v in found] == [
        ("G1", ("N1", "E2"), 1),
        ("G1", ("N2", "H1"), 1),
        ("G1", ("N3", "N3"), 1),
        ("G2", ("N4", "X9"), 1),
    ]
    assert [v.message for v in found] == [
        "mentor E2 of member N1 is not in group G1",
        "mentor H1 of member N2 in group G1 has experience 1; a mentor needs at least 2",
        "member N3 in group G1 is named as their own mentor",
        "mentor X9 of member N4 in group G2 is not in the pool",
    ]
    assert cost(of(inst, ros, RULE)) == 1 + 4


def test_a_mentor_over_capacity_counts_the_excess() -> None:
    inst = plan()
    # E = 3 and N = 3 is fine, but E1 is named by all three new members: 3 − 1 = 2.
    ros = roster(inst, {"G1": "E1 E2 E3 N1>E1 N2>E1 N3>E1"})
    found = of(inst, ros, RULE)
    assert [(v.members, v.count) for v in found] == [(("E1", "N1", "N2", "N3"), 2)]
    assert found[0].message == (
        "member E1 mentors 3 members in group G1 (N1, N2 and N3); a mentor may take at most 1"
    )
    two = plan(max_new_per_experienced=2)
    assert cost(of(two, ros, RULE)) == 1


def test_experience_grows_across_rounds_of_the_plan() -> None:
    groups = [group("G1"), group("G2", round="R2"), group("G3", round="R3")]
    inst = plan(groups)
    # H1 (1 round served) sits in R1 and R2: experienced (1 + 2 = 3 ≥ 2) in R3 only.
    # N1 sits in R1, so in R2 it has experience 1: no longer new.
    ros = roster(inst, {"G1": "E1 H1 N1>E1", "G2": "E2 H1 N1", "G3": "H1 N2>H1"})
    assert of(inst, ros, RULE) == []
    # Without the R2 seat H1 has experience 2 in R3 … still experienced (1 + 1 = 2).
    ros = roster(inst, {"G1": "E1 H1 N1>E1", "G3": "H1 N2>H1"})
    assert of(inst, ros, RULE) == []
    # … but without any earlier seat H1 has 1: N2 has no experienced member beside it.
    found = of(inst, roster(inst, {"G3": "H1 N2>H1"}), RULE)
    assert [(v.group, v.count) for v in found] == [("G3", 1), ("G3", 1)]


def test_off_reports_nothing() -> None:
    inst = plan(mode="off")
    assert of(inst, roster(inst, {"G1": "N1>N1 N2 N3"}), RULE) == []
