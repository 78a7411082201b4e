"""The independent scorer: every goal on hand-computed rosters, and the objective."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import Instance, Unit
from teamsolver.data.settings import GOAL_IDS, RULE_IDS
from teamsolver.score import GOAL_SENSE, objective, objective_parts, reference_rating, score

from .helpers import group, instance, member, roster


def plan(**objective_settings: Any) -> Instance:
    """Four active members and one suspended; G1, G2 in R1 and H1 alone in R2."""
    off = {rule: {"mode": "off"} for rule in RULE_IDS[3:]}
    return instance(
        [
            member(
                "A",
                "U1",
                rounds_served=5,
                rating=90,
                specialties=("finance", "audit"),
                gender="F",
                birth_year=1975,
                full_time=True,
            ),
            member(
                "B",
                "U2",
                rounds_served=1,
                rating=71,
                specialties=("law",),
                gender="M",
                birth_year=1982,
            ),
            member("C", "U1", rating=None, specialties=("finance",), gender="F", birth_year=1990),
            member("D", "U3", rounds_served=3, rating=80),
            member("S", "U3", rating=20, status="suspended"),
        ],
        [group("G1"), group("G2"), group("H1", round="R2")],
        units=[
            Unit(id="U1", zone="east"),
            Unit(id="U2", zone="east"),
            Unit(id="U3"),
            Unit(id="T1"),
        ],
        affinity=[("A", "G1", 5), ("C", "H1", -2), ("A", "G2", 7), ("C", "G1", 3)],
        rules={
            **off,
            "party-branch": {"mode": "soft", "weight": 500},
            "leader-quota": {"mode": "hard"},
            "objective": {"mix_attributes": ["gender", "unit"], **objective_settings},
        },
    )


LAYOUT = {"G1": "A:leader C", "G2": "B D", "H1": "C B"}
BASELINE = {"G1": "A C", "G2": "B D", "H1": "D"}


def test_reference_rating_is_the_rounded_mean_of_active_members() -> None:
    # (90 + 71 + 80) / 3 = 80.33 → 80; C has none; S is suspended.
    assert reference_rating(plan()) == 80
    # (90 + 71) / 2 = 80.5 → 81 (half up).
    two = instance([member("A", rating=90), member("B", rating=71), member("C")], [group("G1")])
    assert reference_rating(two) == 81
    assert reference_rating(instance([member("A")], [group("G1")])) == 60


def test_every_goal_on_a_hand_computed_roster() -> None:
    inst = plan()
    values = score(inst, roster(inst, LAYOUT), roster(inst, BASELINE))
    assert list(values) == list(GOAL_IDS)
    assert values == {
        # ρ = 80. s(A) = 10·5 + 90 = 140, s(B) = 10·1 + 71 = 81, s(C) = 0 + ρ = 80,
        # s(D) = 10·3 + 80 = 110. R1: S(G1) = 220, S(G2) = 191: 220 − 191 = 29.
        # R2 has a single group: nothing.
        "strength-balance": 29,
        # Experienced ≥ 2. R1: C (0) and B (1) are not. R2: C (0 + 1) is not, B (1 + 1) is.
        "development": 3,
        # seats: A 1, B 2, C 2, D 1 → 0 + 1 + 1 + 0.
        "workload-balance": 2,
        # A +10, C 0, B −9, D 0, C 0, B −9.
        "rating": -8,
        # (A, G1) 5 + (C, G1) 3 + (C, H1) −2; (A, G2) is not seated.
        "affinity": 6,
        # G1: {finance, audit} + {U1} = 3; G2: {law} + {U2, U3} = 3; H1: {finance, law} +
        # {U1, U2} = 4.
        "complementarity": 10,
        # R1 only, max − min per value. gender F: c = (2, 0) → 2; M: (0, 1) → 1; D has none.
        # unit U1: (2, 0) → 2; U2: (0, 1) → 1; U3: (0, 1) → 1. 3 + 4.
        "mix": 7,
        # Gone: (R2, H1, D). New: (R2, H1, C), (R2, H1, B). Role changed: A member → leader.
        "stability": 4,
    }


def test_stability_is_zero_without_a_baseline() -> None:
    inst = plan()
    assert score(inst, roster(inst, LAYOUT))["stability"] == 0
    assert score(inst, roster(inst, LAYOUT), roster(inst, LAYOUT))["stability"] == 0


def test_mix_values_of_every_attribute() -> None:
    attributes = ["birth_decade", "full_time", "party_member", "newly_promoted", "zone"]
    inst = plan(mix_attributes=attributes)
    values = score(inst, roster(inst, {"G1": "A C", "G2": "B D"}))
    # R1, max − min per value. birth_decade: A 1970, C 1990 | B 1980, D none → 1970: (1, 0)
    # → 1, 1990: 1, 1980: 1 → 3. full_time: true (1, 0) → 1; false (1, 2) → 1 → 2.
    # party_member: true (2, 2) → 0. newly_promoted: false (2, 2) → 0. zone: east
    # (A, C both U1) | (B U2 east, D U3 none) → (2, 1) → 1.
    assert values["mix"] == 3 + 2 + 0 + 0 + 1


def test_one_round_plans_have_no_workload_and_single_groups_no_balance() -> None:
    inst = instance([member("A", rating=50), member("B", rating=90)], [group("G1")])
    values = score(inst, roster(inst, {"G1": "A B"}))
    assert values["workload-balance"] == 0
    assert values["strength-balance"] == 0
    assert values["rating"] == (50 - 70) + (90 - 70)


def test_goals_ignore_seats_they_cannot_place() -> None:
    inst = plan()
    base = score(inst, roster(inst, LAYOUT))
    # An unknown member in G1 adds to no goal.
    assert score(inst, roster(inst, {**LAYOUT, "G1": "A:leader C X9"})) == base


def test_the_objective_adds_soft_rules_and_signed_goals() -> None:
    inst = plan()
    ros, baseline = roster(inst, LAYOUT), roster(inst, BASELINE)
    parts = objective_parts(inst, ros, baseline)
    # party-branch is soft (weight 500, min 3): every group has 2 seats → 3 violations.
    # leader-quota is hard (G2 and H1 have no leader): not in the objective.
    # Default weights: strength 2, development 5, workload 10, rating 1, affinity 10,
    # complementarity 3, mix 2, stability 100.
    assert parts == {
        "party-branch": 1500,
        "strength-balance": 2 * 29,
        "development": -5 * 3,
        "workload-balance": 10 * 2,
        "rating": -1 * -8,
        "affinity": -10 * 6,
        "complementarity": -3 * 10,
        "mix": 2 * 7,
        "stability": 100 * 4,
    }
    # 1500 + 58 − 15 + 20 + 8 − 60 − 30 + 14 + 400
    assert objective(inst, ros, baseline) == 1895


def test_weights_of_zero_switch_goals_off() -> None:
    zero = {goal: 0 for goal in GOAL_IDS}
    inst = plan(**zero)
    assert objective(inst, roster(inst, LAYOUT)) == 1500


def test_goal_senses() -> None:
    assert list(GOAL_SENSE) == list(GOAL_IDS)
    assert {g for g, s in GOAL_SENSE.items() if s == "max"} == {
        "development",
        "rating",
        "affinity",
        "complementarity",
    }
