"""specialty-coverage: per group and specialty:n of requires, max(0, n − c)."""

from __future__ import annotations

from teamsolver.data.instance import Instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "specialty-coverage"


def plan(mode: str = "hard") -> Instance:
    return instance(
        [
            member("F1", specialties=("finance",)),
            member("F2", specialties=("finance",)),
            member("FA", specialties=("finance", "audit")),
            member("L1", specialties=("law",)),
            member("N1"),
        ],
        [
            group("G1", requires=(("finance", 2), ("audit", 1))),
            group("G2", requires=(("law", 1), ("audit", 2))),
            group("G3"),
        ],
        rules={"specialty-coverage": {"mode": mode}},
    )


def test_a_member_counts_for_each_specialty_they_have() -> None:
    inst = plan()
    # FA counts as finance and as audit: finance 2, audit 1.
    found = of(inst, roster(inst, {"G1": "F1 FA", "G2": "L1", "G3": "N1"}), RULE)
    # Only G2 misses 2 auditors.
    assert [(v.group, v.count) for v in found] == [("G2", 2)]
    assert found[0].message == "group G2 has 0 members with specialty audit; it needs at least 2"


def test_each_missing_specialist_counts_one() -> None:
    inst = plan()
    found = of(inst, roster(inst, {"G1": "F1 N1", "G2": "FA F2"}), RULE)
    # G1: finance 2 − 1 = 1, audit 1 − 0 = 1. G2: law 1 − 0 = 1, audit 2 − 1 = 1.
    assert [(v.group, v.count) for v in found] == [("G1", 1), ("G1", 1), ("G2", 1), ("G2", 1)]
    assert cost(found) == 4
    assert found[0].message == "group G1 has 1 member with specialty finance; it needs at least 2"


def test_off_reports_nothing() -> None:
    inst = plan("off")
    assert of(inst, roster(inst, {"G1": "N1"}), RULE) == []
