"""The price ``explain --why`` puts on seating a member in a group (issue 13, item 14).

The price is the objective of the best roster found with the member there minus the given
roster's, and never above a roster the answer shows: on tiny instances it is the exact best
(enumeration of every roster), and it is never above a single swap of the given roster (the
swap search tries every one before CP-SAT starts from the best). Every roster an answer
carries is re-judged here by the independent checker and scorer. Limits are deterministic:
one worker, solution counts and evaluation counts, no wall clock.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import teamsolver
from teamsolver.audit import check
from teamsolver.data.instance import Instance
from teamsolver.data.roster import Roster, Seat
from teamsolver.engine.conflict import Limits
from teamsolver.explainer import WhyNot, why_not
from teamsolver.explainer import whynot as whynot_module
from teamsolver.explainer.report import GroupPrice
from teamsolver.explainer.swaps import judge, moves, swap_search
from teamsolver.explainer.words import Context
from teamsolver.score import objective

from .bruteforce import is_hard_clean, rosters
from .helpers import group, instance, member, roster
from .strategies import tiny_instances

CITY = Path(__file__).resolve().parents[1] / "instances" / "city"


def seated(ros: Roster, member_id: str, group_id: str) -> bool:
    return any(s.member == member_id and s.group == group_id for s in ros.seats)


def assert_shows_its_price(inst: Instance, given: Roster, answer: WhyNot) -> None:
    """The answer's roster is checker-clean, seats the member in the forced group, has the
    objective said, and its moves are the seat changes from the given roster."""
    assert answer.status == "allowed" and answer.roster is not None
    assert answer.forced_group is not None
    assert is_hard_clean(inst, answer.roster)
    assert seated(answer.roster, answer.member, answer.forced_group)
    assert answer.objective_forced == objective(inst, answer.roster)
    assert answer.objective_given == objective(inst, given)
    assert answer.moves == moves(inst, given, answer.roster)
    best = answer.prices[0]
    assert best.group == answer.forced_group
    assert best.price == answer.objective_forced - answer.objective_given


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@given(tiny_instances(max_options=1500), st.data())
def test_the_price_is_the_enumerated_best(inst: Instance, data: st.DataObject) -> None:
    clean = [(r, objective(inst, r)) for r in rosters(inst) if is_hard_clean(inst, r)]
    assume(clean)  # no roster at all: nothing to ask about
    given_roster, given_objective = data.draw(st.sampled_from(clean), label="given roster")
    pairs = [
        (m.id, g.id)
        for m in inst.members
        for g in inst.groups
        if not seated(given_roster, m.id, g.id)
    ]
    assume(pairs)
    member_id, group_id = data.draw(st.sampled_from(pairs), label="question")
    with_seat = [v for r, v in clean if seated(r, member_id, group_id)]
    answer = why_not(inst, given_roster, member_id, group_id, workers=1, time_limit=math.inf)
    if not with_seat:
        assert answer.status == "forbidden", answer.message
        return
    assert answer.status == "allowed", answer.message
    assert answer.objective_forced == min(with_seat)
    assert answer.objective_given == given_objective
    assert answer.proven
    assert_shows_its_price(inst, given_roster, answer)


def ratings_plan() -> tuple[Instance, Roster]:
    """One group of exactly three: a leader and two weak members seated, strong M5 and M6
    (and weak M7) without a seat. Rating is the only goal."""
    people = [
        member("L1", unit="A", can_lead=True, rounds_served=3, full_time=True, rating=70),
        member("M2", unit="A", rounds_served=3, full_time=True, rating=50),
        member("M3", unit="B", rounds_served=3, full_time=True, rating=60),
        member("M4", unit="B", rounds_served=3, full_time=True, rating=55),
        member("M5", unit="C", rounds_served=3, full_time=True, rating=90),
        member("M6", unit="C", rounds_served=3, full_time=True, rating=80),
        member("M7", unit="C", rounds_served=3, full_time=True, rating=40),
    ]
    weights = {g: 0 for g in teamsolver.GOAL_IDS}
    weights["rating"] = 1
    inst = instance(
        people,
        [group("G1", size_min=3, size_max=3, deputies_min=0)],
        rules={"objective": weights},
    )
    return inst, roster(inst, {"G1": "L1:leader M2 M3"})


def single_swaps(inst: Instance, given: Roster, member_id: str, group_id: str) -> list[int]:
    """The objective of every checker-clean roster that seats ``member_id`` in ``group_id`` in
    place of one of its members (same role; a mentor named for the one who left is dropped),
    the member leaving any seat of that round: swaps a planner makes by hand."""
    round_id = inst.group_by_id[group_id].round
    out = []
    for x in given.in_group(group_id):
        seats = []
        for s in given.seats:
            if s.round == round_id and s.member == member_id:
                continue
            if s == x:
                s = Seat(round=round_id, group=group_id, member=member_id, role=x.role)
            elif s.mentor == x.member:
                s = s.model_copy(update={"mentor": None})
            seats.append(s)
        swapped = Roster.of(seats)
        if is_hard_clean(inst, swapped):
            out.append(objective(inst, swapped))
    return out


def test_a_single_swap_bounds_the_price_and_the_swap_is_shown() -> None:
    inst, given_roster = ratings_plan()
    hand = single_swaps(inst, given_roster, "M5", "G1")
    assert hand and min(hand) == objective(inst, given_roster) - 40  # M5 for M2
    answer = why_not(inst, given_roster, "M5", "G1", workers=1, solutions=1)
    assert_shows_its_price(inst, given_roster, answer)
    assert answer.objective_forced is not None and answer.objective_forced <= min(hand)
    price = answer.prices[0]
    assert price.swap_price == min(hand) - objective(inst, given_roster)
    assert "seat change" in answer.message


def test_city_the_price_is_never_above_a_hand_swap() -> None:
    """The bundled city plan, as in the issue: the price of seating a member who has no seat
    in a full group is at most that of the best swap a planner makes by hand."""
    from teamsolver.engine.solve import greedy_roster

    inst = teamsolver.load(CITY)
    given_roster = greedy_roster(inst)
    assert given_roster is not None and is_hard_clean(inst, given_roster)
    g08 = inst.group_by_id["G08"]
    ctx = Context(inst)
    free = [
        m.id
        for m in inst.members
        if not any(s.member == m.id for s in given_roster.seats) and ctx.barred(m, g08) is None
    ]
    who = free[0]
    hand = single_swaps(inst, given_roster, who, "G08")
    assert hand
    answer = why_not(
        inst,
        given_roster,
        who,
        "G08",
        workers=1,
        time_limit=math.inf,
        solutions=1,
        max_evaluations=40,
    )
    assert_shows_its_price(inst, given_roster, answer)
    assert answer.objective_forced is not None and answer.objective_forced <= min(hand)
    swap = answer.prices[0].swap_price
    assert swap is not None and swap <= min(hand) - objective(inst, given_roster)


def test_any_group_prices_every_group_cheapest_first() -> None:
    inst, given_roster = ratings_plan()
    second = group("G2", targets=("T2",), size_min=3, size_max=3, leaders=0, deputies_min=0)
    inst = inst.model_copy(update={"groups": (*inst.groups, second)})
    given_roster = Roster.of([*given_roster.seats, *roster(inst, {"G2": "M4 M6 M7"}).seats])
    assert is_hard_clean(inst, given_roster)
    answer = why_not(inst, given_roster, "M5", workers=1, time_limit=math.inf, solutions=1)
    assert_shows_its_price(inst, given_roster, answer)
    assert {p.group for p in answer.prices} == {"G1", "G2"}
    assert [p.price for p in answer.prices] == sorted(p.price or 0 for p in answer.prices)
    for p in answer.prices:
        assert p.status == "allowed" and p.price is not None and p.swap_price is not None
        assert p.price <= p.swap_price
    assert "cheapest of the 2 groups" in answer.message


def test_each_group_gets_an_equal_share_of_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a group, the time limit is split evenly (on a clock each group uses up), so the
    whole answer stays within it; a group that ends early leaves its time to the next."""
    inst, given_roster = ratings_plan()
    groups = [
        group(f"G{i}", targets=(f"T{i}",), size_min=0, size_max=4, leaders=0, deputies_min=0)
        for i in (2, 3, 4)
    ]
    inst = inst.model_copy(update={"groups": (*inst.groups, *groups)})
    now = [0.0]
    shares: list[float] = []

    def clock() -> float:
        return now[0]

    def fake_price(*args: Any, limits: Limits, **kwargs: Any) -> tuple[Any, ...]:
        share = limits.deadline - now[0]
        shares.append(share)
        now[0] += share if len(shares) != 2 else 0.0  # the second group ends at once
        return GroupPrice(group=args[4].id), None, None, []

    monkeypatch.setattr(whynot_module, "time", SimpleNamespace(perf_counter=clock))
    monkeypatch.setattr(whynot_module, "_price", fake_price)
    answer = why_not(inst, given_roster, "M5", time_limit=40)
    assert shares == [10.0, 10.0, 15.0, 15.0]
    assert answer.status == "UNKNOWN"
    assert len(answer.prices) == 4


def test_a_given_roster_that_breaks_hard_rules_is_said_to() -> None:
    inst, given_roster = ratings_plan()
    short = Roster.of(given_roster.seats[:2])  # G1 needs three
    answer = why_not(inst, short, "M5", "G1", workers=1, time_limit=math.inf)
    assert_shows_its_price(inst, short, answer)
    assert "The given roster breaks hard rules (2 violations" in answer.message


def test_no_time_left_tries_no_group() -> None:
    inst, given_roster = ratings_plan()
    answer = why_not(inst, given_roster, "M5", "G1", time_limit=1e-9)
    assert answer.status == "UNKNOWN" and "within the time limit" in answer.message
    assert [p.status for p in answer.prices] == ["UNKNOWN"]


def test_swap_search_judges_at_most_its_budget() -> None:
    inst, given_roster = ratings_plan()
    every = swap_search(inst, given_roster, "M5", "G1", allowed=lambda *_: True)
    assert every.complete and every.best is not None
    assert every.best.objective == min(single_swaps(inst, given_roster, "M5", "G1"))
    few = swap_search(inst, given_roster, "M5", "G1", allowed=lambda *_: True, max_evaluations=2)
    assert few.evaluations == 2 and not few.complete


def test_judge_agrees_with_the_checker_and_the_scorer() -> None:
    from teamsolver.engine.solve import greedy_roster

    inst = teamsolver.load(CITY)
    given_roster = greedy_roster(inst)
    assert given_roster is not None
    half = Roster.of(given_roster.seats[::2])  # breaks hard rules: sizes, leaders
    for ros in (given_roster, half):
        j = judge(inst, ros)
        hard = [v for v in check(inst, ros) if inst.rules.mode(v.rule) == "hard"]
        assert j.clean is (not hard)
        assert j.objective == objective(inst, ros)
        assert j.broken == {v.group for v in hard if v.group is not None}
