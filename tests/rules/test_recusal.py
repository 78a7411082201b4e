"""recusal: per seat whose group has at least one target the member must not inspect, 1."""

from __future__ import annotations

from typing import Any

from teamsolver.data.instance import HistoryEntry, Instance, Member, Unit

from ..helpers import cost, group, instance, member, of, past, roster

RULE = "recusal"

# CITY ⊃ EDU ⊃ SCH ⊃ CLS; HEA in zone east with EDU and SCH; FIN in zone west; TRA no zone.
UNITS = (
    Unit(id="CITY"),
    Unit(id="EDU", parent="CITY", zone="east"),
    Unit(id="SCH", parent="EDU", zone="east"),
    Unit(id="CLS", parent="SCH"),
    Unit(id="HEA", zone="east"),
    Unit(id="FIN", zone="west"),
    Unit(id="TRA"),
)


def plan(
    members: list[Member],
    targets: dict[str, tuple[str, ...]],
    history: tuple[HistoryEntry, ...] = (),
    **recusal: Any,
) -> Instance:
    """Groups ``{"G1@R1": ("EDU",)}``: id, round and targets."""
    groups = []
    for key, units in targets.items():
        gid, _, round_id = key.partition("@")
        groups.append(group(gid, units, round=round_id or "R1"))
    return instance(members, groups, units=UNITS, history=history, rules={"recusal": recusal})


def test_unrelated_targets_are_clean() -> None:
    inst = plan([member("M1", "FIN"), member("M2", "TRA")], {"G1": ("HEA", "CITY")})
    assert of(inst, roster(inst, {"G1": "M1 M2"}), RULE) == []


def test_own_unit_counts_once_per_seat() -> None:
    inst = plan([member("M1", "EDU"), member("M2", "HEA")], {"G1": ("EDU",), "G2": ("HEA", "TRA")})
    found = of(inst, roster(inst, {"G1": "M1", "G2": "M2"}), RULE)
    assert [(v.group, v.member, v.count) for v in found] == [("G1", "M1", 1), ("G2", "M2", 1)]
    assert found[0].message == (
        "member M1 in group G1 (round R1) must not inspect unit EDU (their own unit)"
    )


def test_hierarchy_recuses_ancestors_and_descendants_at_any_depth() -> None:
    members = [member("M1", "SCH"), member("M2", "SCH"), member("M3", "SCH"), member("M4", "SCH")]
    targets = {"G1": ("CITY",), "G2": ("EDU",), "G3": ("CLS",), "G4": ("HEA",)}
    inst = plan(members, targets)
    ros = roster(inst, {"G1": "M1", "G2": "M2", "G3": "M3", "G4": "M4"})
    found = of(inst, ros, RULE)
    # CITY is two levels above SCH, EDU one level, CLS below; HEA is unrelated (own_zone off).
    assert [v.member for v in found] == ["M1", "M2", "M3"]
    assert "unit CITY (above their unit SCH)" in found[0].message
    assert "unit CLS (part of their unit SCH)" in found[2].message
    without = plan(members, targets, hierarchy=False)
    assert of(without, ros, RULE) == []


def test_conflict_units_are_recused() -> None:
    inst = plan([member("M1", "FIN", conflict_units=("TRA",))], {"G1": ("HEA", "TRA")})
    found = of(inst, roster(inst, {"G1": "M1"}), RULE)
    assert cost(found) == 1
    assert "unit TRA (one of their conflict units)" in found[0].message


def test_own_zone_recuses_units_of_the_same_non_empty_zone() -> None:
    members = [member("M1", "HEA"), member("M2", "TRA"), member("M3", "FIN")]
    targets = {"G1": ("EDU",), "G2": ("CLS",), "G3": ("TRA",)}
    ros_layout = {"G1": "M1", "G2": "M2", "G3": "M3"}
    # M1: HEA and EDU share zone east. M2: TRA has no zone, CLS neither. M3: FIN west, TRA none.
    inst = plan(members, targets, own_zone=True)
    found = of(inst, roster(inst, ros_layout), RULE)
    assert [(v.member, v.count) for v in found] == [("M1", 1)]
    assert "unit EDU (in zone east, like their unit HEA)" in found[0].message
    assert of(plan(members, targets), roster(inst, ros_layout), RULE) == []


def test_several_recused_targets_still_count_one() -> None:
    inst = plan(
        [member("M1", "EDU", conflict_units=("TRA",))],
        {"G1": ("EDU", "SCH", "TRA")},
    )
    found = of(inst, roster(inst, {"G1": "M1"}), RULE)
    assert cost(found) == 1
    assert found[0].message == (
        "member M1 in group G1 (round R1) must not inspect unit EDU (their own unit) or "
        "unit SCH (part of their unit EDU) or unit TRA (one of their conflict units)"
    )


def test_history_cooldown_counts_plan_rounds_as_rounds_ago() -> None:
    members = [member("M1", "FIN"), member("M2", "FIN")]
    history = (past("M1", 1, "P1", "TRA"), past("M2", 2, "P2", "TRA"))
    targets = {"G1@R1": ("TRA",), "H1@R2": ("TRA",)}
    # Cooldown 1: in R1, M1 inspected TRA 1 round ago → recused; M2 2 rounds ago → fine.
    inst = plan(members, targets, history, reinspect_cooldown=1)
    found = of(inst, roster(inst, {"G1": "M1 M2"}), RULE)
    assert [v.member for v in found] == ["M1"]
    assert "unit TRA (inspected by them 1 round ago (cooldown 1 round))" in found[0].message
    # In R2 (index 1) the round before the plan is 2 rounds ago: M1 is fine with cooldown 1 …
    assert of(inst, roster(inst, {"H1": "M1"}), RULE) == []
    # … but not with cooldown 2, where M2 (3 rounds ago in R2) is still fine.
    inst2 = plan(members, targets, history, reinspect_cooldown=2)
    found = of(inst2, roster(inst2, {"H1": "M1 M2"}), RULE)
    assert [(v.member, v.round) for v in found] == [("M1", "R2")]
    assert "inspected by them 2 rounds ago" in found[0].message


def test_cooldown_zero_ignores_history() -> None:
    inst = plan([member("M1", "FIN")], {"G1": ("TRA",)}, (past("M1", 1, "P1", "TRA"),))
    assert of(inst, roster(inst, {"G1": "M1"}), RULE) == []


def test_cooldown_covers_earlier_rounds_of_the_plan() -> None:
    members = [member("M1", "FIN")]
    targets = {"G1@R1": ("TRA",), "G2@R2": ("HEA",), "G3@R3": ("TRA",)}
    layout = {"G1": "M1", "G3": "M1"}
    # Rounds R1 (index 0) and R3 (index 2): 2 − 0 = 2 ≤ cooldown 2 → the R3 seat counts.
    inst = plan(members, targets, reinspect_cooldown=2)
    found = of(inst, roster(inst, layout), RULE)
    assert [(v.group, v.round, v.count) for v in found] == [("G3", "R3", 1)]
    assert "unit TRA (inspected by them in round R1 (cooldown 2 rounds))" in found[0].message
    # Cooldown 1: 2 > 1, fine.
    inst1 = plan(members, targets, reinspect_cooldown=1)
    assert of(inst1, roster(inst1, layout), RULE) == []


def test_off_reports_nothing() -> None:
    inst = plan([member("M1", "EDU")], {"G1": ("EDU",)}, mode="off")
    assert of(inst, roster(inst, {"G1": "M1"}), RULE) == []
