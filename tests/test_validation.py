"""Cross-table checks on instances built in code."""

from __future__ import annotations

from teamsolver.instance import Group, Instance, Member, Pin, Unit
from teamsolver.validation import validate_instance


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
