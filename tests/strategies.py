"""Hypothesis strategies for tiny random instances with random rules and modes."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from teamsolver.data.instance import (
    Affinity,
    Conflict,
    Group,
    HistoryEntry,
    Instance,
    Member,
    Pin,
    Unit,
)
from teamsolver.data.settings import RELAXABLE_RULES, Rules

UNITS = ("U0", "U1", "U2", "U3")
SPECIALTIES = ("finance", "audit")


@st.composite
def rules(draw: st.DrawFn, rounds: int) -> Rules:
    data: dict[str, Any] = {}
    for rule in RELAXABLE_RULES:
        mode = draw(st.sampled_from(("hard", "hard", "soft", "off")))
        data[rule] = {"mode": mode, "weight": draw(st.integers(1, 20))}
    data["recusal"] |= {
        "hierarchy": draw(st.booleans()),
        "own_zone": draw(st.booleans()),
        "reinspect_cooldown": draw(st.integers(0, 2)),
    }
    data["mentoring"]["max_new_per_experienced"] = draw(st.integers(1, 2))
    data["full-time-anchor"]["min"] = draw(st.integers(0, 1))
    data["party-branch"]["min"] = draw(st.integers(0, 2))
    data["unit-draw-cap"] |= {
        "max_per_group": draw(st.sampled_from((1, 2, None))),
        "max_per_round": draw(st.sampled_from((1, 2, None))),
    }
    if rounds > 1:
        data["rotation"] |= {
            "max_rounds": draw(st.sampled_from((1, None))),
            "min_rest": draw(st.integers(0, 1)),
        }
        data["no-repeat-pairing"]["lookback"] = draw(st.sampled_from((1, None)))
    data["attribute-quota"]["quotas"] = draw(
        st.sampled_from(
            ((), ("gender=F>=1",), ("gender=M<=1",), ("full_time=true>=1", "unit=U1<=1"))
        )
    )
    data["experience"] = {"new_max": 0, "experienced_min": draw(st.integers(1, 2))}
    data["objective"] = {
        goal: draw(st.integers(0, 3))
        for goal in (
            "strength-balance",
            "development",
            "workload-balance",
            "rating",
            "affinity",
            "complementarity",
            "mix",
        )
    }
    data["objective"]["mix_attributes"] = draw(st.sampled_from(((), ("gender",), ("unit",))))
    return Rules.model_validate(data)


@st.composite
def tiny_instances(draw: st.DrawFn, max_options: int = 3000) -> Instance:
    """An instance small enough to enumerate: at most ``max_options`` rosters."""
    n_rounds = draw(st.integers(1, 2))
    groups_per_round = [draw(st.integers(1, 2)) for _ in range(n_rounds)]
    n_members = draw(st.integers(2, 5 if n_rounds == 1 else 3))
    units = [
        Unit(id="U0", zone="Z1"),
        Unit(id="U1", parent="U0", zone="Z1"),
        Unit(id="U2", zone=draw(st.sampled_from(("Z1", "Z2")))),
        Unit(id="U3", parent=draw(st.sampled_from((None, "U2")))),
    ]
    members = []
    for i in range(n_members):
        members.append(
            Member(
                id=f"M{i}",
                name=f"P{i}",
                unit=draw(st.sampled_from(UNITS)),
                specialties=tuple(
                    draw(st.lists(st.sampled_from(SPECIALTIES), max_size=2, unique=True))
                ),
                can_lead=draw(st.booleans()),
                can_deputy=draw(st.booleans()),
                rounds_served=draw(st.integers(0, 3)),
                full_time=draw(st.booleans()),
                party_member=draw(st.booleans()),
                newly_promoted=draw(st.booleans()),
                rating=draw(st.one_of(st.none(), st.integers(50, 100))),
                gender=draw(st.sampled_from((None, "F", "M"))),
                status=draw(st.sampled_from(("active",) * 6 + ("suspended",))),
                max_rounds=draw(st.sampled_from((None,) * 4 + (1,))),
                unavailable_rounds=draw(st.sampled_from(((),) * 5 + (("R2",),))),
                conflict_units=draw(st.sampled_from(((),) * 4 + (("U2",),))),
            )
        )
    groups = []
    for r in range(n_rounds):
        for j in range(groups_per_round[r]):
            size_min = draw(st.integers(0, 2))
            deputies_min = draw(st.integers(0, 1))
            groups.append(
                Group(
                    id=f"G{r + 1}{j}",
                    round=f"R{r + 1}",
                    targets=tuple(
                        draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=2, unique=True))
                    ),
                    size_min=size_min,
                    size_max=draw(st.sampled_from((None, size_min + 1, size_min + 2))),
                    leaders=draw(st.integers(0, 1)),
                    deputies_min=deputies_min,
                    deputies_max=deputies_min + draw(st.integers(0, 1)),
                    requires=tuple(
                        draw(
                            st.dictionaries(
                                st.sampled_from(SPECIALTIES), st.integers(1, 2), max_size=1
                            )
                        ).items()
                    ),
                )
            )
    ids = [m.id for m in members]
    gids = [g.id for g in groups]
    conflicts = []
    if draw(st.booleans()) and n_members >= 2:
        a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        conflicts.append(Conflict(member_a=a, member_b=b))
    history = []
    for mid in draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)):
        history.append(
            HistoryEntry(
                member=mid,
                rounds_ago=draw(st.integers(1, 2)),
                group="P1",
                unit=draw(st.sampled_from(UNITS)),
            )
        )
    pins = []
    if draw(st.booleans()):
        pins.append(
            Pin(
                member=draw(st.sampled_from(ids)),
                group=draw(st.sampled_from(gids)),
                kind=draw(st.sampled_from(("require", "forbid"))),
                role=draw(st.sampled_from((None, "leader", "deputy", "member"))),
            )
        )
    affinity = (
        [
            Affinity(
                member=draw(st.sampled_from(ids)),
                group=draw(st.sampled_from(gids)),
                score=draw(st.integers(-5, 5)),
            )
        ]
        if draw(st.booleans())
        else []
    )
    instance = Instance(
        members=tuple(members),
        units=tuple(units),
        groups=tuple(groups),
        conflicts=tuple(conflicts),
        history=tuple(history),
        pins=tuple(pins),
        affinity=tuple(affinity),
        rules=draw(rules(n_rounds)),
    )
    from tests.bruteforce import count

    if count(instance) > max_options:
        # Too many rosters to enumerate quickly: drop groups of the last round until it fits.
        keep = [g for g in groups if g.round == "R1"][:1]
        instance = instance.model_copy(
            update={
                "groups": tuple(keep),
                "pins": tuple(p for p in pins if p.group in {g.id for g in keep}),
                "affinity": tuple(a for a in affinity if a.group in {g.id for g in keep}),
            }
        )
    return instance
