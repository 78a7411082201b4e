"""The LP solved beside a search stops when it is no longer wanted: its thread never outlives
the solve (a GLOP solve left running at interpreter exit aborted the process)."""

from __future__ import annotations

import threading

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.engine import lpguide
from teamsolver.engine.lns import LpBound
from teamsolver.engine.model import Model


def _city_model() -> Model:
    return Model(teamsolver.load("instances/city"), None, relax=False)


def test_the_lp_bound_stops_and_its_thread_ends_when_asked_for_its_result() -> None:
    lp = LpBound(_city_model(), 60.0)  # the city's LP takes seconds: asked before it ends
    assert lp.result(0.0) is None
    assert not lp.thread.is_alive()
    assert "lp-bound" not in {t.name for t in threading.enumerate()}


def test_a_set_stop_ends_the_lp_without_a_bound() -> None:
    stop = threading.Event()
    stop.set()
    assert lpguide.lp_support(_city_model(), 60.0, stop) is None


def test_an_lp_that_is_not_stopped_gives_the_bound_of_a_roster() -> None:
    inst = teamsolver.load("instances/tiny")
    found = lpguide.lp_support(Model(inst, None, relax=False), 60.0, threading.Event())
    assert found is not None
    result = teamsolver.solve(inst, time_limit=10, workers=1, seed=0)
    assert result.roster is not None and not teamsolver.check(inst, result.roster)
    assert found[1] <= result.objective


def test_no_lp_thread_is_left_after_a_solve_of_the_city() -> None:
    inst = teamsolver.load("instances/city")
    stop = threading.Event()
    before = set(threading.enumerate())
    timer = threading.Timer(3.0, stop.set)  # Ctrl-C in the middle of the LP
    timer.start()
    result = teamsolver.solve(inst, time_limit=40, workers=1, seed=0, stop=stop)
    assert result.roster is not None
    assert not hard_violations(inst, teamsolver.check(inst, result.roster))
    assert result.stats.get("lns") == 1  # the layer that solves the LP beside its search
    timer.join()
    assert [t.name for t in threading.enumerate() if t not in before] == []
    assert result.interrupted
