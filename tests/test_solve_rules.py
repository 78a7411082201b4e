"""Each rule changes what the solver does: off, it is broken; hard, it holds; soft, it bends.

Every case is a tiny instance where only the rule under test is on and the ``affinity`` goal
pulls the roster towards breaking it. The counts come from the independent checker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from teamsolver import check, solve
from teamsolver.data.instance import Conflict, Group, Instance, Member, Pin, Unit
from teamsolver.data.roster import Roster
from teamsolver.data.settings import RELAXABLE_RULES, Rules

from .test_bruteforce import is_hard_clean


def rules_only(rule: str, mode: str, extra: dict[str, Any] | None = None, **settings: Any) -> Rules:
    """Every relaxable rule off except ``rule``; only the affinity goal counts."""
    data: dict[str, Any] = {r: {"mode": "off"} for r in RELAXABLE_RULES}
    data[rule] = {"mode": mode, "weight": 1, **settings}
    data["objective"] = {
        g: 0
        for g in (
            "strength-balance",
            "development",
            "workload-balance",
            "rating",
            "complementarity",
            "mix",
        )
    }
    for key, value in (extra or {}).items():
        data.setdefault(key, {}).update(value)
    return Rules.model_validate(data)


def member(mid: str, unit: str = "H", **kw: Any) -> Member:
    return Member(id=mid, name=mid, unit=unit, party_member=kw.pop("party_member", False), **kw)


def group(gid: str, round_: str = "R1", **kw: Any) -> Group:
    kw.setdefault("size_min", 0)
    kw.setdefault("leaders", 0)
    kw.setdefault("deputies_min", 0)
    return Group(id=gid, round=round_, targets=kw.pop("targets", ("T",)), **kw)


UNITS = (Unit(id="H"), Unit(id="H2"), Unit(id="T"), Unit(id="T2", parent="T"))


@dataclass
class Case:
    rule: str
    members: list[Member]
    groups: list[Group]
    likes: dict[tuple[str, str], int]
    settings: dict[str, Any]
    conflicts: tuple[Conflict, ...] = ()
    extra: dict[str, Any] | None = None

    def instance(self, mode: str) -> Instance:
        from teamsolver.data.instance import Affinity

        return Instance(
            members=tuple(self.members),
            units=UNITS,
            groups=tuple(self.groups),
            conflicts=self.conflicts,
            affinity=tuple(
                Affinity(member=m, group=g, score=s) for (m, g), s in self.likes.items()
            ),
            rules=rules_only(self.rule, mode, self.extra, **self.settings),
        )


CASES = [
    Case(
        "group-size",
        [member("A"), member("B")],
        [group("G", size_max=1)],
        {("A", "G"): 5, ("B", "G"): 5},
        {},
    ),
    Case("recusal", [member("A", unit="T2")], [group("G")], {("A", "G"): 5}, {}),
    Case(
        "member-conflict",
        [member("A"), member("B")],
        [group("G")],
        {("A", "G"): 5, ("B", "G"): 5},
        {},
        (Conflict(member_a="A", member_b="B"),),
    ),
    Case(
        "leader-quota", [member("L", can_lead=True)], [group("G", leaders=1)], {("L", "G"): -3}, {}
    ),
    Case(
        "deputy-quota",
        [member("D", can_deputy=True)],
        [group("G", deputies_min=1)],
        {("D", "G"): -3},
        {},
    ),
    Case(
        "specialty-coverage",
        [member("F", specialties=("finance",))],
        [group("G", requires=(("finance", 1),))],
        {("F", "G"): -3},
        {},
    ),
    Case(
        "mentoring",
        [member("N"), member("E", rounds_served=3)],
        [group("G")],
        {("N", "G"): 5, ("E", "G"): -3},
        {},
    ),
    Case(
        "new-leader-support",
        [
            member("L", can_lead=True, newly_promoted=True, rounds_served=3),
            member("D", can_deputy=True, rounds_served=3),
        ],
        [group("G", leaders=1, deputies_max=1)],
        {("D", "G"): -3},
        {},
        extra={"leader-quota": {"mode": "hard"}},
    ),
    Case(
        "full-time-anchor",
        [member("F", full_time=True)],
        [group("G")],
        {("F", "G"): -3},
        {"min": 1},
    ),
    Case(
        "party-branch", [member("P", party_member=True)], [group("G")], {("P", "G"): -3}, {"min": 1}
    ),
    Case(
        "unit-draw-cap",
        [member("A"), member("B")],
        [group("G")],
        {("A", "G"): 5, ("B", "G"): 5},
        {"max_per_group": 1},
    ),
    Case(
        "rotation",
        [member("A")],
        [group("G1"), group("G2", "R2")],
        {("A", "G1"): 5, ("A", "G2"): 5},
        {"max_rounds": 1},
    ),
    Case(
        "attribute-quota",
        [member("A", gender="F"), member("B", gender="F", unit="H2"), member("C", gender="M")],
        [group("G1")],
        {("A", "G1"): 5, ("B", "G1"): 5},
        {"quotas": ["gender=F<=1", "gender=M>=1"]},
    ),
    Case(
        "no-repeat-pairing",
        [member("A"), member("B", unit="H2")],
        [group("G1"), group("G2", "R2")],
        {("A", "G1"): 5, ("A", "G2"): 5, ("B", "G1"): 5, ("B", "G2"): 5},
        {},
    ),
]


def broken(instance: Instance, rule: str, roster: Roster) -> int:
    """How many times ``roster`` breaks ``rule`` (counted with the rule switched on)."""
    data = instance.rules.model_dump(by_alias=True)
    data[rule]["mode"] = "hard"
    judged = instance.model_copy(update={"rules": Rules.model_validate(data)})
    return sum(v.count for v in check(judged, roster) if v.rule == rule)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_changes_the_outcome(case: Case) -> None:
    off = solve(case.instance("off"), workers=1)
    assert off.status == "OPTIMAL"
    assert broken(case.instance("off"), case.rule, off.roster) >= 1, "off: the goal breaks it"

    hard_instance = case.instance("hard")
    hard = solve(hard_instance, workers=1)
    assert hard.status == "OPTIMAL"
    assert broken(hard_instance, case.rule, hard.roster) == 0
    assert is_hard_clean(hard_instance, hard.roster)

    soft_instance = case.instance("soft")  # weight 1: cheaper to bend than to lose affinity
    soft = solve(soft_instance, workers=1)
    assert soft.status == "OPTIMAL"
    bends = broken(soft_instance, case.rule, soft.roster)
    assert bends >= 1
    assert soft.rule_costs.get(case.rule) == bends
    assert sum(v.count for v in soft.violations if v.rule == case.rule) == bends


def test_always_rules_hold_against_the_goals() -> None:
    members = [
        member("S", status="suspended"),
        member("U", unavailable_rounds=("R1",)),
        member("F"),
        member("R"),
    ]
    likes = {("S", "G"): 9, ("U", "G"): 9, ("F", "G"): 9, ("R", "G"): -9, ("R", "G2"): 9}
    from teamsolver.data.instance import Affinity

    inst = Instance(
        members=tuple(members),
        units=UNITS,
        groups=(group("G"), group("G2")),
        affinity=tuple(Affinity(member=m, group=g, score=s) for (m, g), s in likes.items()),
        pins=(
            Pin(member="F", group="G", kind="forbid"),
            Pin(member="R", group="G", kind="require", role="member"),
        ),
        rules=rules_only("group-size", "off"),
    )
    result = solve(inst, workers=1)
    seats = {(s.member, s.group) for s in result.roster}
    assert ("R", "G") in seats  # the require pin
    assert ("R", "G2") not in seats  # one seat per round keeps R out of G2, where it is liked
    assert ("F", "G") not in seats  # the forbid pin
    assert not {m for m, _ in seats} & {"S", "U"}  # eligibility: suspended, unavailable
    # (F in G2 or not is a tie of the goals here: the test does not pick one.)
    assert check(inst, result.roster) == []
