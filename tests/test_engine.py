"""Multi-round behaviour, determinism and the bundled instances, all re-checked by the checker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import teamsolver
from teamsolver import Result, check, objective, solve
from teamsolver.data.instance import Group, Instance, Member, Pin, Unit
from teamsolver.data.settings import Rules

from .bruteforce import is_hard_clean

ROOT = Path(__file__).parent.parent
QUIET = {
    g: 0
    for g in (
        "strength-balance",
        "development",
        "workload-balance",
        "rating",
        "affinity",
        "complementarity",
        "mix",
    )
}


def plain_rules(**sections: dict[str, Any]) -> Rules:
    """Quotas and attribute minimums off, so a test states only what it is about."""
    data: dict[str, Any] = {
        "leader-quota": {"mode": "off"},
        "deputy-quota": {"mode": "off"},
        "full-time-anchor": {"mode": "off"},
        "party-branch": {"mode": "off"},
        "objective": dict(QUIET),
    }
    for key, value in sections.items():
        data.setdefault(key.replace("_", "-"), {}).update(value)
    return Rules.model_validate(data)


def solved(instance: Instance, **kw: Any) -> Result:
    """Solve with one worker and assert the roster is clean for the independent checker."""
    result = solve(instance, workers=1, **kw)
    if result.has_roster:
        assert is_hard_clean(instance, result.roster), check(instance, result.roster)
        assert result.objective == objective(instance, result.roster)
        assert result.solver_objective is not None
        assert result.objective <= result.solver_objective
        if result.bound is not None:
            assert result.bound <= result.objective + 1e-6
        if result.status == "OPTIMAL":
            assert result.solver_objective == result.objective
    return result


UNITS = (Unit(id="H"), Unit(id="T"))


def m(mid: str, **kw: Any) -> Member:
    return Member(id=mid, name=mid, unit=kw.pop("unit", "H"), **kw)


def g(gid: str, round_: str, **kw: Any) -> Group:
    return Group(id=gid, round=round_, targets=("T",), **kw)


def test_experience_grows_within_the_plan() -> None:
    """N is new in R1; its R1 seat makes it experienced in R2, where only it can mentor N2."""
    members = (
        m("A", rounds_served=1, unavailable_rounds=("R2",)),
        m("N"),
        m("N2", unavailable_rounds=("R1",)),
    )
    groups = (g("G1", "R1", size_min=2), g("G2", "R2", size_min=2))
    rules = plain_rules(experience={"experienced_min": 1}, unit_draw_cap={"mode": "off"})
    inst = Instance(members=members, units=UNITS, groups=groups, rules=rules)
    result = solved(inst)
    assert result.status == "OPTIMAL"
    seats = {(s.group, s.member): s.mentor for s in result.roster}
    assert seats == {("G1", "A"): None, ("G1", "N"): "A", ("G2", "N"): None, ("G2", "N2"): "N"}

    # Without the R1 seat, N stays new in R2 and nobody can mentor N2: no roster exists.
    blocked = inst.model_copy(update={"pins": (Pin(member="N", group="G1", kind="forbid"),)})
    assert solved(blocked).status == "INFEASIBLE"


def test_rotation_rest_and_cap() -> None:
    leaders = (m("L1", can_lead=True), m("L2", can_lead=True))
    groups = tuple(g(f"G{i}", f"R{i}", leaders=1, size_min=1) for i in (1, 2, 3))
    rules = plain_rules(
        leader_quota={"mode": "hard"}, rotation={"min_rest": 1}, mentoring={"mode": "off"}
    )
    inst = Instance(members=leaders, units=UNITS, groups=groups, rules=rules)
    result = solved(inst)
    assert result.status == "OPTIMAL"
    rounds_of: dict[str, list[int]] = {}
    for s in result.roster:
        rounds_of.setdefault(s.member, []).append(int(s.round[1:]))
    for rounds in rounds_of.values():
        assert all(b - a >= 2 for a, b in zip(sorted(rounds), sorted(rounds)[1:], strict=False))
    capped = inst.model_copy(
        update={
            "rules": plain_rules(
                leader_quota={"mode": "hard"},
                rotation={"min_rest": 1, "max_rounds": 1},
                mentoring={"mode": "off"},
            )
        }
    )
    assert solved(capped).status == "INFEASIBLE"


def test_no_repeat_pairing_across_rounds() -> None:
    groups = (g("G1", "R1", size_min=2, size_max=2), g("G2", "R2", size_min=2, size_max=2))
    two = (m("A", rounds_served=3), m("B", rounds_served=3))
    hard = plain_rules(no_repeat_pairing={"mode": "hard"})
    assert (
        solved(Instance(members=two, units=UNITS, groups=groups, rules=hard)).status == "INFEASIBLE"
    )
    soft = plain_rules(no_repeat_pairing={"mode": "soft", "weight": 7})
    result = solved(Instance(members=two, units=UNITS, groups=groups, rules=soft))
    assert result.rule_costs == {"no-repeat-pairing": 1}
    assert result.objective == 7
    three = (*two, m("C", rounds_served=3))
    result = solved(Instance(members=three, units=UNITS, groups=groups, rules=hard))
    assert result.status == "OPTIMAL"
    pairs = [frozenset(s.member for s in result.roster if s.group == gid) for gid in ("G1", "G2")]
    assert pairs[0] != pairs[1]


def test_same_seed_and_one_worker_give_the_same_roster() -> None:
    inst = teamsolver.load(ROOT / "instances" / "tiny")
    first = solved(inst, seed=3)
    second = solved(inst, seed=3)
    assert first.status == "OPTIMAL"
    assert first.roster == second.roster


@pytest.mark.parametrize("name", ["tiny", "university", "year", "city"])
def test_bundled_instances_solve_clean(name: str) -> None:
    """Each bundled instance gets a CP-SAT roster (its first improving one: ``solutions=1``).
    No time limit: under one, a busy machine may end before the greedy roster is completed in
    the model, and the result then has no solver objective."""
    path = ROOT / "instances" / name
    if not path.exists():
        pytest.skip(f"instances/{name} is not bundled")
    inst = teamsolver.load(path)
    result = solved(inst, solutions=1)
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.solutions >= 1
    assert len(result.roster) >= sum(gr.size_min for gr in inst.groups)


def test_history_cooldown_ends_within_the_plan() -> None:
    """Inspected T1 one round before the plan, cooldown 1: barred in R1, allowed again in R2."""
    units = (Unit(id="U1"), Unit(id="T0"), Unit(id="T1"))
    inst = Instance(
        members=(m("M1", unit="U1"),),
        units=units,
        groups=(
            Group(id="G1", round="R1", targets=("T1",), size_min=0),
            Group(id="H1", round="R2", targets=("T1",), size_min=1),
        ),
        history=(teamsolver.HistoryEntry(member="M1", rounds_ago=1, group="P1", unit="T1"),),
        rules=plain_rules(
            recusal={"reinspect_cooldown": 1},
            mentoring={"mode": "off"},
            group_size={"mode": "hard"},
        ),
    )
    result = solved(inst)
    assert result.status == "OPTIMAL"
    assert {(s.group, s.member) for s in result.roster} == {("H1", "M1")}


def test_every_solve_in_the_tests_is_rechecked() -> None:
    """tests/conftest.py wraps the engine so that no test can see an unchecked roster."""
    from teamsolver.engine import solve as engine_solve

    assert engine_solve.solve_model.__name__ == "checked"


# -- regressions found in review ------------------------------------------------------------
def test_anyone_may_deputise_when_the_deputy_quota_is_off() -> None:
    """E cannot be deputy, but with deputy-quota off it may, and that supports the new leader."""
    from teamsolver import Roster, Seat

    members = (m("L", can_lead=True, newly_promoted=True), m("E", rounds_served=3))
    rules = plain_rules(
        leader_quota={"mode": "hard"},
        new_leader_support={"mode": "hard"},
        mentoring={"mode": "off"},
    )
    inst = Instance(members=members, units=UNITS, groups=(g("G1", "R1", leaders=1),), rules=rules)
    witness = Roster.of(
        [
            Seat(round="R1", group="G1", member="L", role="leader"),
            Seat(round="R1", group="G1", member="E", role="deputy"),
        ]
    )
    assert check(inst, witness) == []
    result = solved(inst)
    assert result.status == "OPTIMAL"
    assert result.objective == objective(inst, witness) == 0


def test_relax_softens_recusal_and_validates_the_relaxed_rules() -> None:
    inst = Instance(
        members=(m("A", unit="T", specialties=("finance",)),),
        units=UNITS,
        groups=(g("G1", "R1", size_min=1, requires=(("finance", 2),)),),
        rules=plain_rules(
            group_size={"mode": "hard", "weight": 1000},
            recusal={"mode": "hard", "weight": 1},
            specialty_coverage={"mode": "hard", "weight": 10},
            mentoring={"mode": "off"},
        ),
    )
    with pytest.raises(teamsolver.InputError):
        solve(inst)  # one finance member cannot cover two
    result = solve(inst, relax=True, workers=1)
    assert result.status == "OPTIMAL"
    # Seating A costs one recusal (1) and leaves one finance seat short (10); leaving the group
    # empty would cost 1000 + 20.
    assert [s.member for s in result.roster] == ["A"]
    assert result.rule_costs == {"recusal": 1, "specialty-coverage": 1}
    assert result.objective == 11


def test_every_conflicts_row_counts() -> None:
    from teamsolver.data.instance import Affinity, Conflict

    inst = Instance(
        members=(m("A"), m("B")),
        units=UNITS,
        groups=(g("G1", "R1", size_min=0),),
        conflicts=(Conflict(member_a="A", member_b="B"), Conflict(member_a="B", member_b="A")),
        affinity=(
            Affinity(member="A", group="G1", score=15),
            Affinity(member="B", group="G1", score=15),
        ),
        rules=plain_rules(
            objective={"affinity": 1},
            unit_draw_cap={"mode": "off"},
            member_conflict={"mode": "soft", "weight": 10},
            mentoring={"mode": "off"},
        ),
    )
    result = solved(inst)
    # Together: −30 + 2 rows × 10 = −10; one of them alone: −15.
    assert result.objective == -15
    assert len(result.roster) == 1


@pytest.mark.parametrize(
    "baseline_seats",
    [
        [("R1", "G1", "Z", "member"), ("R1", "G1", "Z", "member")],  # unknown member, twice
        [("R1", "G1", "A", "leader"), ("R1", "G1", "A", "member")],  # one seat, two roles
        [("R2", "G1", "A", "member")],  # the round is not G1's
    ],
)
def test_stability_against_unusual_baselines(baseline_seats: list[tuple[str, ...]]) -> None:
    from teamsolver import Roster, Seat

    inst = Instance(
        members=(m("A", can_lead=True), m("B")),
        units=UNITS,
        groups=(g("G1", "R1", size_min=0), g("G2", "R2", size_min=0)),
        rules=plain_rules(objective={"stability": 1}, mentoring={"mode": "off"}),
    )
    base = Roster.of(
        [
            Seat(round=r, group=gr, member=mem, role=role)  # type: ignore[arg-type]
            for r, gr, mem, role in baseline_seats
        ]
    )
    result = solve(inst, baseline=base, workers=1)
    assert result.status == "OPTIMAL"
    assert result.solver_objective == result.objective == objective(inst, result.roster, base)
    best = min(
        objective(inst, Roster.of(c), base)
        for c in (
            [],
            [Seat(round="R1", group="G1", member="A", role="leader")],
            [Seat(round="R1", group="G1", member="A", role="member")],
        )
    )
    assert result.objective == best


def test_the_time_limit_includes_building_and_keeps_an_early_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Staged search on a small model: whatever the later stages do, a found roster is kept;
    and the search's deadline counts from before the model was built (the instants are read,
    not how long anything took: the test holds on a machine busy with other work)."""
    import time

    from teamsolver.engine import model as engine_model
    from teamsolver.engine import solve as engine_solve

    monkeypatch.setattr(engine_solve, "STAGED_FROM", 0)
    built: list[float] = []
    deadlines: list[float | None] = []
    build, solve_model = engine_model.Model.__init__, engine_solve.solve_model

    def timed_build(self: engine_model.Model, *args: Any, **kwargs: Any) -> None:
        built.append(time.perf_counter())
        build(self, *args, **kwargs)

    def spied_solve_model(*args: Any, **kwargs: Any) -> Result:
        deadlines.append(kwargs["deadline"])
        return solve_model(*args, **kwargs)

    monkeypatch.setattr(engine_model.Model, "__init__", timed_build)
    monkeypatch.setattr(engine_solve, "solve_model", spied_solve_model)
    inst = teamsolver.load(ROOT / "instances" / "tiny")
    called = time.perf_counter()
    result = solved(inst, time_limit=5)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert built and len(deadlines) == 1 and deadlines[0] is not None
    assert called <= deadlines[0] - 5 <= built[0]  # the clock started before the build
