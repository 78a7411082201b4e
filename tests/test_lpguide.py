"""The LP-guided stage: the LP support as a neighbourhood, the LP bound as a bound."""

from __future__ import annotations

import pytest

from teamsolver import check, objective, solve
from teamsolver.audit import hard_violations
from teamsolver.data.result import Progress
from teamsolver.engine import lns, lpguide
from teamsolver.engine.model import Model
from teamsolver.engine.solve import greedy_roster
from teamsolver.generate import generate


def test_the_lp_bound_is_never_above_the_optimum_and_the_restriction_fixes_only_other_seats() -> (
    None
):
    inst = generate("tiny", 3)
    best = solve(inst, workers=1, backend="cp-sat")
    assert best.status == "OPTIMAL" and best.objective is not None
    model = Model(inst)
    support = lpguide.lp_support(model, 30.0)
    assert support is not None
    keep, bound = support
    assert bound <= best.objective
    assert keep and keep <= set(model.x)
    cut = lpguide.restricted(model, keep)
    domains = {key: list(cut.proto.variables[v.index].domain) for key, v in model.x.items()}
    assert all(d == ([0, 1] if key in keep else [0, 0]) for key, d in domains.items())
    # the model itself is untouched
    assert all(list(model.cp.proto.variables[v.index].domain) == [0, 1] for v in model.x.values())


def test_city_with_a_time_limit_gets_the_lp_guided_roster_and_the_lp_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """City (521 members, 7,447 allowed seats): the stage runs, its roster is checker-clean and
    never worse than the greedy start, and the bound is the LP's (or better), below it.

    Nothing here depends on how fast the machine is: the time limit is far above what the
    stages need (the LP takes 3–4 s alone), and the solve ends at the first improving roster
    (``solutions=1``): the restricted search's first (stages 1 and 2 report none), so the whole
    search that would follow (until the limit) never starts."""
    # The staged search, not the LNS layer that city gets by default (engine/lns.py).
    monkeypatch.setattr(lns, "ONE_ROUND_FROM", 10**12)
    inst = generate("city", 0)
    greedy = greedy_roster(inst)
    assert greedy is not None
    progress: list[Progress] = []
    result = solve(
        inst, time_limit=600, workers=2, backend="cp-sat", solutions=1, on_progress=progress.append
    )
    assert result.has_roster and result.objective is not None
    assert not hard_violations(inst, check(inst, result.roster))
    assert result.objective <= objective(inst, greedy)
    assert result.stats["lp_guided"] == 1
    assert result.bound is not None and result.bound <= result.objective
    assert result.bound >= -3046  # the LP bound of city seed 0 (GLOP: −3,046.0)
    # Live progress never shows the restricted search's own bound (it proves nothing about the
    # whole model): the bound shown is the LP's.
    assert progress and all(p.bound == result.bound for p in progress)


def test_without_a_time_limit_in_explain_mode_or_over_rounds_the_stage_does_not_run() -> None:
    inst = generate("university", 0, rounds=1)
    assert lpguide.applies(Model(inst), 60.0)
    assert not lpguide.applies(Model(inst), None)
    assert not lpguide.applies(Model(inst), lpguide.MIN_LEFT_S - 1)
    assert not lpguide.applies(Model(inst, guarded=True), 60.0)
    assert not lpguide.applies(Model(generate("university", 0)), 60.0)  # 10 rounds
