"""Cross-table checks on instances built in code."""

from __future__ import annotations

from teamsolver.data.instance import Group, Instance, Member, Pin, Unit
from teamsolver.validation import validate_instance

from . import helpers


def test_a_repeated_require_pin_is_a_warning_not_two_seats() -> None:
    inst = Instance(
        members=(Member(id="A", name="A", unit="H"),),
        units=(Unit(id="H"), Unit(id="T")),
        groups=(Group(id="G1", targets=("T",)), Group(id="G2", targets=("T",))),
        pins=(
            Pin(member="A", group="G1", kind="require"),
            Pin(member="A", group="G1", kind="require"),
        ),
    )
    problems = validate_instance(inst)
    assert [p.severity for p in problems if p.table == "pins"] == ["warning"]
    two = inst.model_copy(
        update={
            "pins": (
                Pin(member="A", group="G1", kind="require"),
                Pin(member="A", group="G2", kind="require"),
            )
        }
    )
    errors = [p for p in validate_instance(two) if p.severity == "error" and p.table == "pins"]
    assert len(errors) == 1
    assert "required in 2 groups" in errors[0].message and "G1, G2" in errors[0].message


def test_a_requirement_problem_names_its_rule_and_bends_when_soft() -> None:
    """A requirement no roster can meet carries its rule id: an error when the rule is hard, a
    warning when soft (what ``explain`` uses to tell relaxed-only warnings from real ones)."""
    members = [helpers.member("M1", specialties=("finance",))]
    groups = [helpers.group("G1", requires={"finance": 2})]
    hard = {p.rule: p for p in validate_instance(helpers.instance(members, groups)) if p.rule}
    assert hard["specialty-coverage"].severity == "error"
    assert all(f"[{rule}]" in p.message for rule, p in hard.items())
    soft = helpers.instance(members, groups, rules={"specialty-coverage": {"mode": "soft"}})
    bent = {p.rule: p for p in validate_instance(soft) if p.rule}
    assert bent.keys() == hard.keys()
    assert bent["specialty-coverage"].severity == "warning"
    assert "specialty-coverage is soft" in bent["specialty-coverage"].message
    assert all(p.severity == "error" for r, p in bent.items() if r != "specialty-coverage")
