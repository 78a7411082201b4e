"""``teamsolver.explain`` on a catalogue of infeasible instances, each with its known conflict.

Every case asserts that the core names the right rules, groups and members, and re-solves to
prove it irreducible: the core cannot hold, and without any one item the rest can. Every
suggestion printed is applied and re-solved: it gives a roster (scope ``plan``) or at least
lifts the conflict (scope ``conflict``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import teamsolver
from teamsolver.data.instance import Instance, Pin, Unit
from teamsolver.engine.conflict import SAT, UNSAT, Oracle, feasible
from teamsolver.explainer import Explanation, apply_changes, explain, why_not
from teamsolver.rules.base import Where

from .helpers import group, instance, member, past

#: Home units of the base pool: A (M1-M4), B (M5-M8), C (M9-M12); targets T1, T2, T3.
UNITS = {**{f"M{i}": "A" for i in range(1, 5)}, **{f"M{i}": "B" for i in range(5, 9)}}
UNITS.update({f"M{i}": "C" for i in range(9, 13)})


def base(
    people: dict[str, dict[str, Any]] | None = None,
    groups: int = 2,
    rounds: int = 1,
    group_fields: dict[str, dict[str, Any]] | None = None,
    **kwargs: Any,
) -> Instance:
    """A feasible plan: 12 experienced full-time party members in units A, B, C; M1, M5, M9 can
    lead, M2, M6, M10 can be deputy; ``groups`` groups per round of 3 to 4 members."""
    people = people or {}
    members = []
    for i in range(1, 13):
        mid = f"M{i}"
        fields: dict[str, Any] = {
            "can_lead": i in (1, 5, 9),
            "can_deputy": i in (2, 6, 10),
            "rounds_served": 3,
            "full_time": True,
        }
        fields.update(people.get(mid, {}))
        members.append(member(mid, unit=fields.pop("unit", UNITS[mid]), **fields))
    gs = []
    for r in range(1, rounds + 1):
        for k in range(1, groups + 1):
            gid = f"G{(r - 1) * groups + k}"
            fields = {"size_min": 3, "size_max": 4, **(group_fields or {}).get(gid, {})}
            targets = fields.pop("targets", (f"T{k}",))
            gs.append(group(gid, targets=targets, round=f"R{r}", **fields))
    units = [Unit(id=u) for u in ("A", "B", "C", "T1", "T2", "T3", "T4")]
    return instance(members, gs, units=units, **kwargs)


def drawn_per_round() -> Instance:
    """Round draw cap: unit A (M1-M6) gives at most 1 member per round and B (M7-M12) at
    most 2 per group, but two groups of at least 3 need 6 members (and two of the three who can
    lead, M1 and M5, and of the three who can be deputy, M2 and M6, are in A)."""
    people = {f"M{i}": {"unit": "A" if i <= 6 else "B"} for i in range(1, 13)}
    inst = base(people)
    units = tuple(u.model_copy(update={"max_drawn": 1}) if u.id == "A" else u for u in inst.units)
    return inst.model_copy(update={"units": units})


def two_units() -> Instance:
    """Draw cap vs size: every member comes from A or B, at most one per unit in a group."""
    people = {f"M{i}": {"unit": "A" if i <= 6 else "B"} for i in range(1, 13)}
    return base(people, groups=1, rules={"unit-draw-cap": {"max_per_group": 1}})


#: Only M1 can lead; only M2 can be deputy.
ONE_LEADER = {"M5": {"can_lead": False}, "M9": {"can_lead": False}}
ONE_DEPUTY = {"M6": {"can_deputy": False}, "M10": {"can_deputy": False}}


def one_leader_two_rounds(rotation: dict[str, int]) -> Instance:
    """One group per round over two rounds; M1 is the only leader; ``rotation`` settings."""
    return base(ONE_LEADER, groups=1, rounds=2, rules={"rotation": rotation})


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], Instance]
    expected: tuple[Where, ...]
    exact: bool = True
    """The core is exactly ``expected`` (else it contains it)."""


def w(rule: str, round: str | None = "R1", group: str | None = "G1", **kw: Any) -> Where:
    return Where(rule, round, group, **kw)


AUDIT = {"specialties": ("audit",)}
CASES = [
    Case(
        "specialty shortage by recusal",
        lambda: base(
            {"M3": AUDIT, "M4": AUDIT, "M7": AUDIT},
            group_fields={"G1": {"targets": ("A",), "requires": "audit:2"}},
        ),
        (
            w("specialty-coverage", specialty="audit"),
            w("recusal", member="M3"),
            w("recusal", member="M4"),
        ),
    ),
    Case(
        "leader shortage",
        lambda: base({"M9": {"can_lead": False}}, groups=3),
        (w("leader-quota"), w("leader-quota", group="G2"), w("leader-quota", group="G3")),
    ),
    Case(
        "draw cap vs size",
        two_units,
        (w("group-size"), w("unit-draw-cap", unit="A"), w("unit-draw-cap", unit="B")),
    ),
    Case(
        "unit draw cap per round",
        drawn_per_round,
        # Several conflicts (leaders and deputies, or party members, against the cap): every
        # one of them holds A's round cap.
        (w("unit-draw-cap", group=None, unit="A"),),
        exact=False,
    ),
    Case(
        "mentoring vs new members",
        lambda: base(
            {"M3": {"rounds_served": 0}, "M4": {"rounds_served": 0}},
            group_fields={"G1": {"size_max": 3, "leaders": 0, "deputies_min": 0}},
            pins=[Pin(member=m, group="G1", kind="require") for m in ("M3", "M4")],
        ),
        (w("mentoring"), w("group-size"), w("pins", member="M3"), w("pins", member="M4")),
    ),
    Case(
        "party branch",
        lambda: base({f"M{i}": {"party_member": False} for i in range(6, 13)}),
        (w("party-branch"), w("party-branch", group="G2")),
    ),
    Case(
        "full-time anchor",
        lambda: base({f"M{i}": {"full_time": False} for i in range(2, 13)}),
        (w("full-time-anchor"), w("full-time-anchor", group="G2")),
    ),
    Case(
        "rotation over rounds",
        lambda: one_leader_two_rounds({"max_rounds": 1}),
        (
            w("leader-quota"),
            w("leader-quota", round="R2", group="G2"),
            w("rotation", round=None, group=None, member="M1"),
        ),
    ),
    Case(
        "rest between rounds",
        lambda: one_leader_two_rounds({"min_rest": 1}),
        (
            w("leader-quota"),
            w("leader-quota", round="R2", group="G2"),
            w("rotation", round="R2", group=None, member="M1"),
        ),
    ),
    Case(
        "member conflict",
        lambda: base(
            {**ONE_LEADER, **ONE_DEPUTY},
            groups=1,
            conflicts=[("M1", "M2")],
        ),
        (w("leader-quota"), w("deputy-quota"), w("member-conflict", member="M1", other="M2")),
    ),
    Case(
        "pins clashing",
        lambda: base(
            pins=[Pin(member=m, group="G1", kind="require", role="leader") for m in ("M1", "M5")]
        ),
        (w("leader-quota"), w("pins", member="M1"), w("pins", member="M5")),
    ),
    Case(
        "group size vs pool",
        lambda: base(
            group_fields={
                "G1": {"size_min": 7, "size_max": 8},
                "G2": {"size_min": 6, "size_max": 7},
            },
            rules={"unit-draw-cap": {"max_per_group": 8}},
        ),
        (w("group-size"), w("group-size", group="G2")),
    ),
    Case(
        "new leader support",
        lambda: base(
            {
                "M1": {"newly_promoted": True},
                **ONE_LEADER,
                **{m: {"rounds_served": 0} for m in ("M2", "M6", "M10")},
            },
            groups=1,
            rules={"mentoring": {"max_new_per_experienced": 2}},
        ),
        (w("new-leader-support"), w("leader-quota")),
    ),
    Case(
        "deputy quota",
        lambda: base(
            {"M10": {"can_deputy": False}, "M3": {"can_deputy": True}},
            group_fields={"G1": {"deputies_min": 2}, "G2": {"deputies_min": 2}},
        ),
        (w("deputy-quota"), w("deputy-quota", group="G2")),
    ),
    Case(
        "reinspection cooldown",
        lambda: base(
            ONE_LEADER,
            groups=1,
            rules={"recusal": {"reinspect_cooldown": 2}},
            history=[past("M1", 1, "P1", "T1")],
        ),
        (w("leader-quota"), w("recusal", member="M1")),
    ),
    Case(
        "pairing lookback",
        lambda: base(
            {**ONE_LEADER, **ONE_DEPUTY},
            groups=1,
            rules={"no-repeat-pairing": {"mode": "hard", "lookback": 2}},
            history=[past("M1", 1, "P1", "T4"), past("M2", 1, "P1", "T4")],
        ),
        (w("leader-quota"), w("deputy-quota"), w("no-repeat-pairing", other="P1@-1")),
    ),
    Case(
        "specialists wanted by two groups",
        lambda: base(
            {"M3": AUDIT, "M7": AUDIT, "M11": AUDIT},
            group_fields={"G1": {"requires": "audit:2"}, "G2": {"requires": "audit:2"}},
        ),
        (
            w("specialty-coverage", specialty="audit"),
            w("specialty-coverage", group="G2", specialty="audit"),
        ),
    ),
    Case(
        "forbid pin on the only specialist",
        lambda: base(
            {"M3": {"specialties": ("law",)}},
            group_fields={"G1": {"requires": "law:1"}},
            pins=[Pin(member="M3", group="G1", kind="forbid")],
        ),
        (w("specialty-coverage", specialty="law"), w("pins", member="M3")),
    ),
    Case(
        "attribute quota at most",
        lambda: base(
            {f"M{i}": {"gender": "M"} for i in range(1, 13)},
            groups=1,
            rules={"attribute-quota": {"quotas": "gender=M<=2"}},
        ),
        (w("attribute-quota", other="gender=M<=2"), w("group-size")),
    ),
    Case(
        "own zone",
        lambda: instance(
            [
                member("M1", "A", can_lead=True, can_deputy=True, rounds_served=3, full_time=True),
                member("M2", "B", can_deputy=True, rounds_served=3, full_time=True),
                member("M3", "B", rounds_served=3, full_time=True),
            ],
            [group("G1", targets=("T1",), size_min=2)],
            units=[Unit(id="A", zone="Z"), Unit(id="B"), Unit(id="T1", zone="Z")],
            rules={"recusal": {"own_zone": True}, "party-branch": {"min": 1}},
        ),
        (w("leader-quota"), w("recusal", member="M1")),
    ),
]


def case(name: str) -> Instance:
    """The instance of the catalogue case ``name``."""
    return next(c for c in CASES if c.name == name).build()


def where(item: Any) -> Where:
    return Where(
        item.rule, item.round, item.group, item.member, item.specialty, item.unit, item.other
    )


def assert_irreducible(inst: Instance, core: list[Where]) -> None:
    oracle = Oracle(inst)
    assert oracle.check(core, 20)[0] == UNSAT, "the core is satisfiable"
    for item in core:
        rest = [x for x in core if x != item]
        assert oracle.check(rest, 20)[0] == SAT, f"still unsatisfiable without {item}"


def assert_suggestions_work(inst: Instance, result: Explanation) -> None:
    core = [where(c) for c in result.core]
    for s in result.suggestions:
        changed = apply_changes(inst, s.changes)
        if s.scope == "plan":
            solved = teamsolver.solve(changed, time_limit=20, workers=1)
            assert solved.has_roster, f"{s.text!r} does not make the plan feasible"
        else:
            oracle = Oracle(changed)
            still = [x for x in core if x in oracle.model.guards]
            assert oracle.check(still, 20)[0] == SAT, f"{s.text!r} does not lift the conflict"
            around = [x for x in oracle.items if x.group in {c.group for c in core}]
            assert oracle.check(around, 20)[0] == SAT, f"{s.text!r}: the groups still conflict"


def test_the_base_plan_is_feasible() -> None:
    assert explain(base()).status == "FEASIBLE"
    assert explain(base(groups=1, rounds=2)).status == "FEASIBLE"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue(case: Case) -> None:
    inst = case.build()
    assert feasible(inst, 20) == UNSAT
    result = explain(inst, time_limit=30)
    assert result.status == "INFEASIBLE"
    assert result.irreducible
    core = [where(c) for c in result.core]
    if case.exact:
        assert set(core) == set(case.expected), result.message
    else:
        assert set(case.expected) <= set(core), result.message
    assert_irreducible(inst, core)
    assert all(c.message for c in result.core)
    assert result.suggestions, f"no suggestion for {case.name}"
    assert_suggestions_work(inst, result)


def test_the_words_carry_the_numbers() -> None:
    result = explain(case("specialty shortage by recusal"))
    assert result.found_by == "input"
    first = result.core[0].message
    assert "requires 2 audit" in first
    assert "the pool has 3 audit specialists" in first
    assert "M3 is recused (their own unit A is a target)" in first
    assert "1 may sit in G1 (M7)" in first
    assert "person" not in result.message  # names are personal data: ids only


def test_obvious_shortage_is_found_without_solving() -> None:
    result = explain(case("specialty shortage by recusal"), suggest=False)
    assert result.found_by == "input"
    assert result.solves == 0
    assert result.irreducible


def test_competition_names_who_else_needs_them() -> None:
    result = explain(case("specialists wanted by two groups"))
    assert "M3, M7 and M11 also count for G2, which needs 2 audit specialists" in result.message


def test_shrinking_cut_short_says_so() -> None:
    from teamsolver.engine.conflict import shrink
    from teamsolver.explainer.core import _message

    inst = case("leader shortage")
    oracle = Oracle(inst)
    verdict, first = oracle.check(oracle.items, 20)
    assert verdict == UNSAT
    kept, proven = shrink(oracle, first, deadline=0.0)
    assert kept == first and not proven
    assert "cut the shrinking short" in _message((), proven, "solver", True)


def test_why_not_names_the_rules_a_pin_would_break() -> None:
    inst = base({"M3": {"max_rounds": 0}}, groups=1)
    solved = teamsolver.solve(inst, time_limit=20, workers=1)
    assert solved.has_roster
    answer = why_not(inst, solved.roster, "M3", "G1", time_limit=30)
    assert answer.status == "forbidden"
    rules = {(r.rule, r.member) for r in answer.reasons}
    assert ("rotation", "M3") in rules
    assert "may hold at most 0 seats in the plan" in answer.message


def test_why_not_any_group_lists_each_static_reason() -> None:
    inst = base(group_fields={"G1": {"targets": ("A",)}, "G2": {"targets": ("A",)}})
    solved = teamsolver.solve(inst, time_limit=20, workers=1)
    answer = why_not(inst, solved.roster, "M3")
    assert answer.status == "forbidden"
    assert [(r.rule, r.group) for r in answer.reasons] == [("recusal", "G1"), ("recusal", "G2")]


def test_a_raised_requirement_in_a_real_plan() -> None:
    """tiny with G1 requiring 4 finance specialists: exactly 4 may sit there (two more are
    recused), and two of those 4 are a conflicts row. No input check sees it; the conflict is
    found among all of the plan's guarded rule instances and shrunk to the four that clash."""
    inst = teamsolver.load(Path(__file__).resolve().parents[1] / "instances" / "tiny")
    g = inst.groups[0]
    raised = g.model_copy(update={"requires": (("finance", 4), ("audit", 1))})
    inst = inst.model_copy(update={"groups": (raised, *inst.groups[1:])})
    result = explain(inst, time_limit=30)
    assert result.found_by == "solver" and result.irreducible
    assert {(c.rule, c.member, c.specialty) for c in result.core} == {
        ("specialty-coverage", None, "finance"),
        ("member-conflict", "M03", None),
        ("recusal", "M06", None),
        ("recusal", "M13", None),
    }
    assert all(c.group == "G1" for c in result.core)
    assert "M03 and M10 must never share a group (here G1)" in result.message
    assert_irreducible(inst, [where(c) for c in result.core])
    texts = {s.text for s in result.suggestions}
    assert "lower the finance requirement of G1 from 4 to 3" in texts
    assert_suggestions_work(inst, result)


def test_why_not_a_member_pinned_elsewhere_in_the_round() -> None:
    inst = base(pins=[Pin(member="M3", group="G2", kind="require")])
    solved = teamsolver.solve(inst, time_limit=20, workers=1)
    answer = why_not(inst, solved.roster, "M3", "G1")
    assert answer.status == "forbidden"
    assert "a pin requires M3 in G2, in the same round as G1" in answer.message


def test_further_obvious_conflicts_are_listed() -> None:
    inst = base(
        {"M3": AUDIT, "M4": AUDIT},
        group_fields={
            "G1": {"targets": ("A",), "requires": "audit:1"},
            "G2": {"requires": "law:1"},
        },
    )
    result = explain(inst)
    assert result.found_by == "input"
    assert {(c.rule, c.group, c.member) for c in result.core} == {
        ("specialty-coverage", "G1", None),
        ("recusal", "G1", "M3"),
        ("recusal", "G1", "M4"),
    }
    assert len(result.more) == 1
    assert result.more[0].startswith("Group G2 (round R1) requires 1 law; the pool has 0 law")
    assert all(s.scope == "conflict" for s in result.suggestions)  # two conflicts: no one fix
    assert_suggestions_work(inst, result)


@pytest.mark.slow
def test_city_with_one_raised_requirement_is_explained_within_a_minute() -> None:
    """The benchmark's ``size`` variant: the city preset, its first group requiring one finance
    specialist more than it has seats."""
    import time

    from teamsolver.generate import generate

    inst = generate("city", 0)
    g = inst.groups[0]
    assert g.size_max is not None
    requires = {**dict(g.requires), "finance": g.size_max + 1}
    groups = (g.model_copy(update={"requires": tuple(requires.items())}), *inst.groups[1:])
    inst = inst.model_copy(update={"groups": groups})
    start = time.perf_counter()
    result = explain(inst, time_limit=60, workers=2)
    assert time.perf_counter() - start < 60
    assert result.irreducible
    assert {(c.rule, c.group, c.specialty) for c in result.core} == {
        ("group-size", g.id, None),
        ("specialty-coverage", g.id, "finance"),
    }
    assert_suggestions_work(inst, result)


# -- wording and the roster search (new-user trial) ------------------------------------------
def test_a_one_rule_conflict_reads_naturally() -> None:
    result = explain(base(group_fields={"G1": {"requires": "law:1"}}), suggest=False)
    assert len(result.core) == 1
    assert result.message.startswith("No roster: this rule cannot hold")
    assert "It cannot hold even on its own." in result.message
    assert "these 1 rules" not in result.message and "any one of them" not in result.message


def test_a_minimal_conflict_does_not_promise_a_feasible_plan() -> None:
    result = explain(case("specialty shortage by recusal"), suggest=False)
    assert len(result.core) > 1 and result.irreducible
    assert "Without any one of them, the others listed can hold together." in result.message
    assert "Another conflict may remain elsewhere in the plan" in result.message
    assert "would leave the rest satisfiable" not in result.message


def test_a_roster_found_by_solve_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan that ``solve`` fills is reported FEASIBLE even when the conflict search could not
    decide in time (the trial: city with G01 at finance:11, UNKNOWN at 20 s)."""
    from teamsolver.engine import conflict as search

    def undecided(*args: Any, **kwargs: Any) -> tuple[str, list[Any]]:
        return search.UNKNOWN, []

    monkeypatch.setattr(search.Oracle, "check", undecided)
    result = explain(base(), time_limit=10)
    assert result.status == "FEASIBLE", result.message
    assert result.core == () and result.found_by == "none"


def test_no_time_limit_is_accepted() -> None:
    assert explain(base(), time_limit=math.inf).status == "FEASIBLE"
    result = explain(case("specialty shortage by recusal"), time_limit=math.inf)
    assert result.status == "INFEASIBLE" and result.irreducible


@pytest.mark.slow
def test_city_with_many_finance_seats_is_feasible_as_solve_finds() -> None:
    """The trial's case: G01 of city seed 0 at finance:11 (of 12 seats) has a roster."""
    from teamsolver.generate import generate

    inst = generate("city", 0)
    g = inst.groups[0]
    raised = g.model_copy(update={"requires": tuple({**dict(g.requires), "finance": 11}.items())})
    inst = inst.model_copy(update={"groups": (raised, *inst.groups[1:])})
    result = explain(inst, time_limit=20)
    assert result.status == "FEASIBLE", result.message
