"""The decomposition search (engine/lns.py) starts from the baseline only when the baseline
keeps every hard rule of the instance being solved: after a what-if change (a member out) the
baseline seats that member, and a search started from it returned it unchanged, suspended
member and all (found through the service's what-if on the city)."""

from __future__ import annotations

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.whatif.scenario import Scenario, apply_scenario

from .serving import CITY


def test_a_baseline_that_breaks_a_hard_rule_is_not_a_start() -> None:
    city = teamsolver.load(CITY)
    baseline = teamsolver.solve(city, time_limit=3, workers=1).roster
    assert baseline.seats and not hard_violations(city, teamsolver.check(city, baseline))
    out = baseline.seats[0].member
    changed = apply_scenario(city, Scenario.from_text(f'out = ["{out}"]')[0])
    result = teamsolver.solve(changed, baseline=baseline, time_limit=3, workers=1)
    assert result.stats.get("lns") == 1  # the decomposition search ran
    assert result.has_roster
    assert out not in {s.member for s in result.roster.seats}
    assert not hard_violations(changed, teamsolver.check(changed, result.roster))
