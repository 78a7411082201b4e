"""The independent checker as a whole: structure of any roster, the registry, the output."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import teamsolver
from teamsolver.audit import Violation, check, hard_violations
from teamsolver.data.instance import Conflict, HistoryEntry, Instance, Member, Unit
from teamsolver.data.roster import Roster, Seat
from teamsolver.data.settings import RULE_IDS, Rules
from teamsolver.rules import RULES
from teamsolver.score import objective, score

from .helpers import cost, group, instance, member, roster, seat


def test_the_registry_lists_every_rule_in_spec_order() -> None:
    spec = (  # SPEC §3, in its order
        "one-seat-per-round",
        "eligibility",
        "pins",
        "group-size",
        "recusal",
        "member-conflict",
        "leader-quota",
        "deputy-quota",
        "specialty-coverage",
        "mentoring",
        "new-leader-support",
        "full-time-anchor",
        "party-branch",
        "unit-draw-cap",
        "rotation",
        "no-repeat-pairing",
    )
    assert tuple(rule.RULE_ID for rule in RULES)[: len(spec)] == spec == RULE_IDS[: len(spec)]


def test_every_rule_module_states_its_meaning() -> None:
    import importlib

    for rule_id in RULE_IDS:
        module = importlib.import_module(f"teamsolver.rules.{rule_id.replace('-', '_')}")
        assert rule_id == module.RULE_ID
        assert module.__doc__ and module.__doc__.startswith(f"``{rule_id}``")


def test_violation_json_has_every_field_and_the_first_member() -> None:
    v = Violation(rule="member-conflict", round="R1", group="G1", members=("M1", "M2"), message="x")
    data = v.model_dump(mode="json")
    assert list(data) == ["rule", "round", "group", "member", "members", "count", "message"]
    assert data["member"] == "M1" and data["count"] == 1
    assert json.loads(v.model_dump_json())["members"] == ["M1", "M2"]
    assert Violation(rule="group-size", message="x").member is None
    assert str(v) == "[member-conflict] x"


def tiny() -> Instance:
    return instance(
        [member("M1", can_lead=True), member("M2", can_deputy=True), member("M3")],
        [group("G1", size_min=0, deputies_min=0), group("H1", round="R2", size_min=0)],
        rules={
            "party-branch": {"min": 0},
            "full-time-anchor": {"min": 0},
            "leader-quota": {"mode": "soft"},
            "mentoring": {"mode": "off"},
        },
    )


def test_a_clean_roster_has_no_violation() -> None:
    inst = tiny()
    assert check(inst, roster(inst, {"G1": "M1:leader M2", "H1": "M2:leader M3:deputy"})) != []
    clean = roster(inst, {"G1": "M1:leader M3", "H1": "M1:leader M2:deputy"})
    assert check(inst, clean) == []


def test_an_unknown_group_is_a_roster_problem_and_nothing_else() -> None:
    inst = tiny()
    ros = roster(inst, {"G1": "M1:leader", "H1": "M1:leader M2:deputy"}, seat("R1", "G9", "X1"))
    found = check(inst, ros)
    assert [(v.rule, v.group, v.member) for v in found] == [("roster", "G9", "X1")]
    assert found[0].message == (
        "the seat of member X1 names group G9, which is not in the instance; "
        "no rule can check this seat"
    )


def test_a_seat_in_the_wrong_round_is_checked_in_its_groups_round() -> None:
    inst = tiny()
    ros = Roster.of(
        [
            seat("R2", "G1", "M1", "leader"),
            seat("R2", "H1", "M1", "leader"),
            seat("R2", "H1", "M2", "deputy"),
        ]
    )
    found = check(inst, ros)
    assert [(v.rule, v.round, v.group) for v in found] == [("roster", "R1", "G1")]
    assert "says round R2, but group G1 is in round R1" in found[0].message


def test_an_unknown_member_is_not_in_the_pool_but_holds_a_seat() -> None:
    inst = tiny()
    ros = roster(inst, {"G1": "X1:leader", "H1": "M1:leader M2:deputy X1"})
    found = check(inst, ros)
    # X1 fills G1's leader seat (no leader-quota violation), and is ineligible twice.
    assert [(v.rule, v.group) for v in found] == [("eligibility", "G1"), ("eligibility", "H1")]


def test_duplicated_seats_count_as_seats() -> None:
    inst = tiny()
    ros = roster(inst, {"G1": "M1:leader M1:leader", "H1": "M1:leader M2:deputy"})
    found = check(inst, ros)
    # Two seats of M1 in R1, and two leader seats in G1 (soft: costs 1).
    assert [(v.rule, v.count) for v in found] == [("one-seat-per-round", 1), ("leader-quota", 1)]


def test_hard_violations_leave_out_soft_rules() -> None:
    inst = tiny()
    ros = roster(inst, {"G1": "M1:leader M3:leader"}, seat("R1", "G9", "M2"))
    found = check(inst, ros)
    assert [v.rule for v in found] == ["roster"] + ["leader-quota"] * 3 + ["deputy-quota"]
    # leader-quota is soft here: G1 has one leader too many (1), M3 cannot lead (1), H1 has
    # none (1). deputy-quota is hard: H1 has no deputy.
    assert [v.rule for v in hard_violations(inst, found)] == ["roster", "deputy-quota"]
    assert cost(v for v in found if v.rule == "leader-quota") == 3


def test_rules_in_mode_off_are_not_run() -> None:
    off = {rule: {"mode": "off"} for rule in RULE_IDS[3:]}
    inst = instance([member("M1")], [group("G1", size_min=5)], rules=off)
    assert check(inst, roster(inst, {})) == []


def test_the_library_exports_the_checker() -> None:
    assert teamsolver.check is check
    assert teamsolver.score is score
    assert teamsolver.objective is objective
    assert teamsolver.Violation is Violation


def test_the_checker_and_scorer_never_import_ortools() -> None:
    code = (
        "import teamsolver.audit, teamsolver.score, teamsolver.rules, sys; "
        "assert 'ortools' not in sys.modules, 'ortools was imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def big(
    n_members: int = 10_000, n_groups: int = 100, n_rounds: int = 5, size: int = 10
) -> tuple[Instance, Roster]:
    """A pool of 10,000, 100 groups over 5 rounds, 1,000 seats, rich history."""
    rng = random.Random(7)
    units = [Unit(id="ROOT")] + [
        Unit(id=f"U{i}", parent="ROOT" if i < 20 else f"U{i % 20}", zone=f"Z{i % 7}")
        for i in range(200)
    ]
    members = [
        Member(
            id=f"M{i}",
            name="x",
            unit=f"U{rng.randrange(200)}",
            specialties=tuple(rng.sample(("finance", "audit", "law", "data"), 2)),
            can_lead=i % 10 == 0,
            can_deputy=i % 4 == 0,
            rounds_served=rng.randrange(5),
            rating=rng.randrange(50, 100),
            gender=rng.choice(("F", "M")),
            birth_year=rng.randrange(1960, 2000),
        )
        for i in range(n_members)
    ]
    groups = [
        group(
            f"G{i}",
            (f"U{rng.randrange(200)}", f"U{rng.randrange(200)}"),
            round=f"R{i % n_rounds}",
            requires=(("finance", 2), ("audit", 1)),
        )
        for i in range(n_groups)
    ]
    history = [
        HistoryEntry(member=f"M{i}", rounds_ago=1 + i % 4, group=f"P{i % 300}", unit=f"U{i % 200}")
        for i in range(0, n_members, 2)
    ]
    conflicts = [Conflict(member_a=f"M{i}", member_b=f"M{i + 1}") for i in range(0, n_members, 10)]
    inst = Instance(
        members=tuple(members),
        units=tuple(units),
        groups=tuple(groups),
        history=tuple(history),
        conflicts=tuple(conflicts),
        rules=Rules.model_validate(
            {
                "recusal": {"own_zone": True, "reinspect_cooldown": 2},
                "rotation": {"max_rounds": 2, "min_rest": 1},
                "unit-draw-cap": {"max_per_round": 3},
                "objective": {"mix_attributes": ["gender", "birth_decade", "unit", "zone"]},
            }
        ),
    )
    seats: list[Seat] = []
    for g in groups:
        for j, mid in enumerate(rng.sample(range(n_members // 2), size)):
            role = "leader" if j == 0 else "deputy" if j == 1 else "member"
            seats.append(seat(g.round, g.id, f"M{mid}", role))
    return inst, Roster.of(seats)


def test_check_and_score_run_at_scale() -> None:
    """How fast they run is benchmarks/bench_scale.py's business (a unit test asserts no speed)."""
    inst, ros = big()
    assert len(ros) == 1000
    found = check(inst, ros)
    values = score(inst, ros, baseline=ros)
    value = objective(inst, ros)
    assert found and values["stability"] == 0 and isinstance(value, int)
