"""The greedy planner asks the rules of the registry, seat by seat (``Seating``), and never
breaks a rule whose desk check it runs: only the seats it could not fill stay short."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings

import teamsolver
from teamsolver.data.instance import Instance
from teamsolver.engine import greedy
from teamsolver.engine.greedy import Greedy, plan
from teamsolver.rules import RULES
from teamsolver.rules.base import Seating

from .strategies import tiny_instances

#: Rules whose desk check forbids a seat: the planner's roster never breaks them (hard or soft),
#: except a soft no-repeat-pairing, which it weighs. The others ask for seats (sizes, roles,
#: specialists, anchors, at-least quotas) that the planner, which never backtracks, may leave
#: short.
FORBIDDING = (
    "one-seat-per-round",
    "eligibility",
    "recusal",
    "member-conflict",
    "mentoring",
    "unit-draw-cap",
    "rotation",
    "no-repeat-pairing",
)


def _with_rules(inst: Instance, **sections: dict[str, object]) -> Instance:
    data = inst.rules.model_dump(by_alias=True) | sections
    return inst.model_copy(update={"rules": type(inst.rules).model_validate(data)})


def test_the_greedy_keeps_an_attribute_quota_like_every_rule() -> None:
    """On main before the planner looped over the registry, it knew rules by name and ignored
    attribute-quota: 5 seats of quota broken on the city."""
    inst = _with_rules(
        teamsolver.load("instances/city"),
        **{"attribute-quota": {"mode": "hard", "quotas": ["gender=F>=3", "gender=M<=9"]}},
    )
    roster = plan(inst)
    broken = teamsolver.check(inst, roster)
    assert not [v for v in broken if v.rule == "attribute-quota"]
    assert {v.rule for v in broken} <= {"no-repeat-pairing"}  # soft on the city: weighed
    assert len(roster.seats) == 173


def test_the_planner_asks_every_rule_of_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule added to the registry is asked like the others: one that forbids the leader the
    planner would seat keeps them out, and the planner seats another."""
    inst = teamsolver.load("instances/tiny")
    first = plan(inst)
    leader = next(s for s in first.seats if s.role == "leader")

    class Forbid(Seating):
        def __init__(self, planner: Greedy):
            self.barred = planner.index[leader.member]

        def allows(self, mi: int, gi: int, role: str) -> bool:
            return mi != self.barred

    extra = SimpleNamespace(RULE_ID="test-forbid", seating=Forbid)
    monkeypatch.setattr(greedy, "RULES", (*RULES, extra))
    again = plan(inst)
    assert leader.member not in {s.member for s in again.seats}
    group = next(s.group for s in again.seats if s.role == "leader")
    assert sum(1 for s in again.seats if s.group == group and s.role == "leader") == 1
    assert not teamsolver.check(inst, again)


def test_a_rule_that_is_off_asks_nothing_of_the_planner() -> None:
    inst = teamsolver.load("instances/tiny")
    on = Greedy(inst)
    off = Greedy(_with_rules(inst, **{"unit-draw-cap": {"mode": "off"}}))
    assert len(off.seating) == len(on.seating) - 1


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(tiny_instances())
def test_the_greedy_never_breaks_a_rule_it_checks_at_the_desk(inst: Instance) -> None:
    """Without require pins (which the planner seats whatever the checks say), every violation
    of the planner's roster is a seat it could not fill, never a seat a rule forbids."""
    if any(p.kind == "require" for p in inst.pins):
        inst = inst.model_copy(update={"pins": tuple(p for p in inst.pins if p.kind != "require")})
    roster = plan(inst)
    rules = inst.rules
    for v in teamsolver.check(inst, roster):
        if v.rule == "no-repeat-pairing" and rules.mode(v.rule) == "soft":
            continue
        assert v.rule not in FORBIDDING, v
        assert rules.mode(v.rule) != "off", v
    groups = inst.group_by_id
    for g in inst.groups:
        here = [s for s in roster.seats if s.group == g.id]
        if rules.mode("group-size") != "off" and g.size_max is not None:
            assert len(here) <= g.size_max
        leaders = [s for s in here if s.role == "leader"]
        deputies = [s for s in here if s.role == "deputy"]
        assert len(leaders) <= groups[g.id].leaders
        assert len(deputies) <= groups[g.id].deputies_max
        assert all(inst.member_by_id[s.member].can_lead for s in leaders)
        assert all(inst.member_by_id[s.member].can_deputy for s in deputies)
