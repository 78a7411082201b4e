"""no-repeat-pairing: a pair with t shared plan groups and h shared past groups costs
t·(t − 1)/2 + t·h."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import HistoryEntry, Instance

from ..helpers import cost, group, instance, member, of, past, roster

RULE = "no-repeat-pairing"


def plan(history: tuple[HistoryEntry, ...] = (), **settings: Any) -> Instance:
    return instance(
        [member(f"M{i}") for i in range(1, 5)],
        [group("G1"), group("G2"), group("H1", round="R2"), group("K1", round="R3")],
        history=history,
        rules={"no-repeat-pairing": settings},
    )


def test_pairs_meeting_once_are_clean() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M1 M2", "G2": "M3 M4", "H1": "M1 M3", "K1": "M2 M4"})
    assert of(inst, ros, RULE) == []


def test_it_is_soft_by_default() -> None:
    assert plan().rules.mode(RULE) == "soft"


def test_t_shared_plan_groups_cost_t_choose_2() -> None:
    inst = plan()
    ros = roster(inst, {"G1": "M1 M2 M3", "H1": "M1 M2 M3", "K1": "M1 M2"})
    found = of(inst, ros, RULE)
    # (M1, M2) share 3 groups → 3; (M1, M3) and (M2, M3) share 2 → 1 each. Reported where a
    # pair meets again, with the number of earlier meetings as count.
    assert [(v.group, v.members, v.count) for v in found] == [
        ("H1", ("M1", "M2"), 1),
        ("H1", ("M1", "M3"), 1),
        ("H1", ("M2", "M3"), 1),
        ("K1", ("M1", "M2"), 2),
    ]
    assert cost(found) == 5
    assert found[3].message == (
        "members M1 and M2 share group K1 in round R3 after sharing "
        "group G1 (round R1) and group H1 (round R2)"
    )


def test_history_within_lookback_counts_for_each_plan_meeting() -> None:
    history = (past("M1", 1, "P1"), past("M2", 1, "P1"), past("M3", 3, "P2"), past("M4", 3, "P2"))
    # (M1, M2) shared P1 one round ago; (M3, M4) shared P2 three rounds ago.
    inst = plan(history, lookback=2)
    found = of(inst, roster(inst, {"G1": "M1 M2", "G2": "M3 M4"}), RULE)
    assert [(v.members, v.count) for v in found] == [(("M1", "M2"), 1)]
    assert found[0].message == (
        "members M1 and M2 share group G1 in round R1 after sharing "
        "past group P1 (1 round before the plan)"
    )
    # Unbounded lookback: both pairs; t = 2 plan groups and h = 1 → 1 + 2 = 3 for (M1, M2).
    inst = plan(history)
    ros = roster(inst, {"G1": "M1 M2", "G2": "M3 M4", "H1": "M1 M2"})
    found = of(inst, ros, RULE)
    assert [(v.group, v.members, v.count) for v in found] == [
        ("G1", ("M1", "M2"), 1),
        ("G2", ("M3", "M4"), 1),
        ("H1", ("M1", "M2"), 2),
    ]
    assert cost(found) == 4


def test_a_past_group_is_its_id_and_its_round() -> None:
    # The same group id in different past rounds is not the same past group.
    history = (past("M1", 1, "P1"), past("M2", 2, "P1"))
    inst = plan(history)
    assert of(inst, roster(inst, {"G1": "M1 M2"}), RULE) == []


def test_history_rows_per_target_count_the_past_group_once() -> None:
    history = (
        past("M1", 1, "P1", "T1"),
        past("M1", 1, "P1", "T2"),
        past("M2", 1, "P1", "T1"),
        past("M2", 1, "P1", "T2"),
    )
    inst = plan(history)
    assert cost(of(inst, roster(inst, {"G1": "M1 M2"}), RULE)) == 1


def test_off_reports_nothing() -> None:
    inst = plan(mode="off")
    assert of(inst, roster(inst, {"G1": "M1 M2", "H1": "M1 M2"}), RULE) == []
