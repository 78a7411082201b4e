"""The goal encodings narrow their variables' domains with the group sizes (engine-levers lever 7):
the optimum must stay the enumerated one whether the sizes bind (hard) or not (soft, relaxed)."""

from __future__ import annotations

from typing import Any

import pytest

from teamsolver import objective, solve
from teamsolver.data.instance import Instance, Member

from .bruteforce import best, is_hard_clean
from .helpers import group, instance, member

QUIET = {
    "strength-balance": 0,
    "development": 0,
    "workload-balance": 0,
    "rating": 0,
    "affinity": 0,
    "complementarity": 0,
    "mix": 0,
}


def two_single_seats(members: list[Member], **rules: Any) -> Instance:
    """Two groups of one seat each, quotas and attribute minimums off, ``rules`` on top."""
    groups = [group(f"G{k}", size_min=1, size_max=1) for k in (1, 2)]
    base: dict[str, Any] = {
        rule: {"mode": "off"}
        for rule in ("leader-quota", "deputy-quota", "full-time-anchor", "party-branch")
    }
    return instance(members, groups, rules={**base, **rules})


def balance_instance(size_mode: str, **objective: Any) -> Instance:
    """Two groups of one seat each and four members of very different strength: with a hard
    size each group sum is one member's strength; with a soft one a group may hold several."""
    ratings = [100, 95, 40, 30]
    members = [
        member(f"M{i}", unit=f"U{i}", rounds_served=i % 3, rating=r, gender="F" if i % 2 else "M")
        for i, r in enumerate(ratings)
    ]
    return two_single_seats(
        members,
        **{
            "unit-draw-cap": {"mode": "off"},
            "group-size": {"mode": size_mode, "weight": 1},
            "objective": {**QUIET, **objective, "mix_attributes": ["gender"]},
        },
    )


@pytest.mark.parametrize("size_mode", ["hard", "soft"])
@pytest.mark.parametrize(
    "weights",
    [
        {"strength-balance": 3, "rating": 1},  # soft: overfilling one group pays the rating
        # soft: the optimum seats 3 of 4 members, one group sum outside a one-seat range (a
        # domain narrowed by size_max under a soft size makes this case fail)
        {"strength-balance": 1, "rating": 2, "mix": 5},
        {"mix": 4, "rating": 1},
    ],
)
def test_balance_domains_keep_the_enumerated_optimum(
    size_mode: str, weights: dict[str, int]
) -> None:
    inst = balance_instance(size_mode, **weights)
    expected, witness = best(inst)
    assert expected is not None
    result = solve(inst, workers=1, seed=0)
    assert result.status == "OPTIMAL"
    assert is_hard_clean(inst, result.roster)
    assert result.objective == objective(inst, result.roster)
    assert result.objective == expected, f"enumeration found {expected} with {witness}"


def complementarity_instance(cap_mode: str) -> Instance:
    """Two groups of one seat; unit U1 has three members (at most one seated a round when the
    draw cap is hard), so U1 and its members' specialties count in one group only."""
    members = [
        member("A", unit="U1", rounds_served=2, specialties=("audit", "law")),
        member("B", unit="U1", rounds_served=2, specialties=("law",)),
        member("C", unit="U1", rounds_served=2, specialties=("finance", "law")),
        member("D", unit="U2", rounds_served=2, specialties=("law",)),
    ]
    return two_single_seats(
        members,
        **{
            "unit-draw-cap": {"mode": cap_mode, "max_per_round": 1, "weight": 2},
            "objective": {**QUIET, "complementarity": 3},
        },
    )


@pytest.mark.parametrize("cap_mode", ["hard", "soft", "off"])
def test_complementarity_caps_keep_the_enumerated_optimum(cap_mode: str) -> None:
    inst = complementarity_instance(cap_mode)
    expected, witness = best(inst)
    assert expected is not None
    result = solve(inst, workers=1, seed=0)
    assert result.status == "OPTIMAL"
    assert is_hard_clean(inst, result.roster)
    assert result.objective == expected, f"enumeration found {expected} with {witness}"
