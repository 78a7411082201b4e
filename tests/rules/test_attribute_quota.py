"""attribute-quota: per bound and group, max(0, N − c) for >=, max(0, c − N) for <=."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import teamsolver
from teamsolver.data.instance import Instance, Unit
from teamsolver.data.settings import Rules
from teamsolver.explainer import explain
from teamsolver.validation import validate_instance

from ..helpers import cost, group, instance, member, of, roster

RULE = "attribute-quota"


def plan(**settings: Any) -> Instance:
    return instance(
        [
            member("F1", gender="F", birth_year=1991, full_time=True),
            member("F2", gender="F", birth_year=1985, unit="U2", full_time=True),
            member("M1", gender="M", birth_year=1992),  # the only one not full-time
            member("M2", gender="M", birth_year=1978, unit="U2", full_time=True),
            member("X1", full_time=True),  # no gender, no birth year
        ],
        [group("G1"), group("G2"), group("G3")],
        units=[Unit(id="U1", zone="north"), Unit(id="U2"), Unit(id="T1")],
        rules={RULE: settings},
    )


def test_each_bound_counts_per_group() -> None:
    inst = plan(quotas="gender=F>=1; birth_decade=1990<=1; full_time=false<=0; zone=north>=2")
    found = of(inst, roster(inst, {"G1": "F1 M1 X1", "G2": "F2 M2", "G3": ""}), RULE)
    by = sorted((v.group, v.message, v.count) for v in found)
    assert by == [
        # G1: F1 F; F1, M1 born in the 1990s (2 > 1); M1 not full-time; F1, M1, X1 in U1 (north).
        ("G1", "group G1 has 1 member with full_time false; attribute-quota asks for at most 0", 1),
        (
            "G1",
            "group G1 has 2 members with birth_decade 1990; attribute-quota asks for at most 1",
            1,
        ),
        # G2: F2 is F; nobody in the north zone (U2 has none).
        ("G2", "group G2 has 0 members with zone north; attribute-quota asks for at least 2", 2),
        ("G3", "group G3 has 0 members with gender F; attribute-quota asks for at least 1", 1),
        ("G3", "group G3 has 0 members with zone north; attribute-quota asks for at least 2", 2),
    ]
    assert cost(found) == 7


def test_soft_mode_counts_the_same_and_off_reports_nothing() -> None:
    layout = {"G1": "M1 M2", "G2": "X1", "G3": "F1 F2"}
    soft = plan(mode="soft", weight=7, quotas="gender=M<=1; gender=F>=1")
    # G1: 2 men (1 over), no woman (1 short); G2: no woman; G3: fine.
    assert cost(of(soft, roster(soft, layout), RULE)) == 3
    off = plan(mode="off", quotas="gender=M<=1; gender=F>=1")
    assert of(off, roster(off, layout), RULE) == []


def test_no_bounds_ask_nothing() -> None:
    inst = plan()
    assert of(inst, roster(inst, {"G1": "M1 M2"}), RULE) == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("gender=F", "is not a bound"),
        ("gender=F>1", "is not a bound"),
        ("height=180>=1", "unknown attribute 'height'"),
        ("gender=F>=-1", "is not a bound"),
    ],
)
def test_a_bad_bound_is_refused_with_what_is_expected(text: str, why: str) -> None:
    with pytest.raises(ValidationError) as err:
        Rules.model_validate({RULE: {"quotas": [text]}})
    assert why in str(err.value)


def test_a_bad_bound_in_rules_toml_is_a_located_input_error(tmp_path: Path) -> None:
    tiny = Path(__file__).resolve().parents[2] / "instances" / "tiny"
    rules = tmp_path / "rules.toml"
    rules.write_text('[attribute-quota]\nquotas = ["gender=F=>1"]\n', encoding="utf-8")
    loaded = teamsolver.read(tiny, rules=rules)
    assert loaded.instance is None
    (problem,) = loaded.errors
    assert problem.file == "rules.toml" and problem.row == 2
    assert "ATTRIBUTE=VALUE>=N" in problem.message


def test_bounds_are_written_back_normalised() -> None:
    rules = Rules.model_validate({RULE: {"quotas": " gender = F >= 1 ;zone=north<=2"}})
    assert rules.attribute_quota.quotas == ("gender=F>=1", "zone=north<=2")
    assert rules.to_dict() == {RULE: {"quotas": ["gender=F>=1", "zone=north<=2"]}}


def test_the_solver_keeps_a_hard_quota_and_the_checker_agrees() -> None:
    tiny = teamsolver.load(Path(__file__).resolve().parents[2] / "instances" / "tiny")
    genders = {m.id: ("F" if i % 3 == 0 else "M") for i, m in enumerate(tiny.members)}
    members = tuple(m.model_copy(update={"gender": genders[m.id]}) for m in tiny.members)
    data = tiny.rules.model_dump(by_alias=True)
    data[RULE] = {"quotas": ["gender=F>=2", "gender=M<=3"]}
    inst = tiny.model_copy(update={"members": members, "rules": Rules.model_validate(data)})
    result = teamsolver.solve(inst, time_limit=None, workers=1)
    assert result.status == "OPTIMAL"
    assert teamsolver.audit.hard_violations(inst, teamsolver.check(inst, result.roster)) == []
    for g in inst.groups:
        seated = [s.member for s in result.roster if s.group == g.id]
        assert sum(genders[m] == "F" for m in seated) >= 2
        assert sum(genders[m] == "M" for m in seated) <= 3


def test_explain_reads_an_impossible_quota_off_the_input_and_suggests_a_fix() -> None:
    inst = instance(
        [member(f"M{i}", gender="F" if i == 1 else "M", can_lead=True) for i in range(1, 5)],
        [group("G1", size_min=2, deputies_min=0)],
        rules={
            RULE: {"quotas": ["gender=F>=2"]},
            "party-branch": {"mode": "off"},
            "full-time-anchor": {"mode": "off"},
            "mentoring": {"mode": "off"},
        },
    )
    result = explain(inst, time_limit=30)
    assert result.status == "INFEASIBLE" and result.found_by == "input"
    (item,) = result.core
    assert (item.rule, item.group, item.other) == (RULE, "G1", "gender=F>=2")
    assert item.message == (
        "Group G1 (round R1) needs at least 2 members with gender F (attribute-quota "
        "gender=F>=2); the pool has 1 member with gender F: 1 may sit in G1 (M1)"
    )
    texts = [s.text for s in result.suggestions]
    assert "lower the attribute-quota bound gender=F>=2 to gender=F>=1" in texts
    assert all(s.scope == "plan" for s in result.suggestions)


def test_validation_refuses_a_bound_the_pool_cannot_meet_and_names_the_values_found() -> None:
    """Three groups with gender=女>=1 but the genders were typed F/M: an error at load, located
    on the groups table, listing the values the pool has; soft, it is a warning."""
    inst = plan(quotas="gender=女>=1")
    problems = validate_instance(inst)
    (found,) = [p for p in problems if p.rule == RULE]
    assert found.severity == "error" and found.table == "groups"
    assert found.message == (
        "round 'R1' (3 groups) needs 3 members with gender 女 (gender=女>=1 in every group) "
        "but only 0 are available; the values found: F, M [attribute-quota]"
    )
    soft = plan(quotas="gender=F>=1", mode="soft")  # 2 women for 3 groups
    (warning,) = [p for p in validate_instance(soft) if p.rule == RULE]
    assert warning.severity == "warning" and "only 2 are available" in warning.message
    assert "the values found" not in warning.message
