"""Scenario files (issue 8): parsing, every kind of change, and problems named by file, line
and key."""

from __future__ import annotations

from pathlib import Path

import pytest

import teamsolver
from teamsolver.data.errors import InputError, Problem
from teamsolver.whatif.scenario import (
    Scenario,
    apply_scenario,
    nearest_id,
    read_scenarios,
    toml_key_lines,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = teamsolver.load(ROOT / "instances" / "tiny")
EXAMPLES = ROOT / "instances" / "scenarios"


def one(text: str, file: str = "s.toml") -> Scenario:
    (scenario,) = Scenario.from_text(text, file)
    return scenario


def problems(text: str, instance: teamsolver.Instance = TINY) -> list[Problem]:
    with pytest.raises(InputError) as exc:
        apply_scenario(instance, one(text))
    return exc.value.errors


def test_an_empty_scenario_changes_nothing() -> None:
    assert apply_scenario(TINY, one("")) == TINY
    assert apply_scenario(TINY, Scenario.empty()) == TINY


def test_out_suspends_members_and_member_tables_change_fields() -> None:
    changed = apply_scenario(
        TINY,
        one(
            'out = ["M01", "M05"]\n'
            "[[member]]\n"
            'id = "M03"\n'
            'unavailable_rounds = ["R1"]\n'
            "rating = 99\n"
        ),
    )
    assert changed.member_by_id["M01"].status == "suspended"
    assert changed.member_by_id["M05"].status == "suspended"
    assert changed.member_by_id["M03"].unavailable_rounds == ("R1",)
    assert changed.member_by_id["M03"].rating == 99
    assert changed.member_by_id["M04"] == TINY.member_by_id["M04"]
    assert TINY.member_by_id["M01"].status == "active"  # a pure function: the input is kept


def test_new_rows_groups_conflicts_pins_and_rules() -> None:
    changed = apply_scenario(
        TINY,
        one(
            "[[new-member]]\n"
            'id = "M90"\n'
            'name = "New Person"\n'
            'unit = "FIN"\n'
            'specialties = "audit;law"\n'
            "can_deputy = true\n"
            "[[new-unit]]\n"
            'id = "NEW"\n'
            "[[new-group]]\n"
            'id = "G3"\n'
            'targets = ["NEW"]\n'
            "size_min = 3\n"
            "[[group]]\n"
            'id = "G2"\n'
            'requires = "finance:1;law:2"\n'
            "[[conflict]]\n"
            'member_a = "M03"\n'
            'member_b = "M04"\n'
            "[[pin]]\n"
            'member = "M90"\n'
            'group = "G3"\n'
            'kind = "require"\n'
            "[rules.party-branch]\n"
            'mode = "soft"\n'
            "[rules.objective]\n"
            "rating = 4\n"
        ),
    )
    assert changed.member_by_id["M90"].specialties == ("audit", "law")
    assert changed.unit_by_id["NEW"].id == "NEW"
    assert changed.group_by_id["G3"].size_min == 3
    assert dict(changed.group_by_id["G2"].requires) == {"finance": 1, "law": 2}
    assert changed.conflicts[-1].member_a == "M03"
    assert changed.pins[-1].member == "M90"
    assert changed.rules.party_branch.mode == "soft"
    assert changed.rules.party_branch.min == TINY.rules.party_branch.min  # merged, not replaced
    assert changed.rules.objective.rating == 4
    assert changed.rules.recusal == TINY.rules.recusal


def test_removing_a_group_drops_its_pins_and_affinity() -> None:
    inst = TINY.model_copy(
        update={
            "pins": (teamsolver.Pin(member="M05", group="G2", kind="forbid"),),
            "affinity": (teamsolver.Affinity(member="M05", group="G2", score=3),),
        }
    )
    changed = apply_scenario(inst, one('remove-groups = ["G2"]\n'))
    assert [g.id for g in changed.groups] == ["G1"]
    assert changed.pins == () and changed.affinity == ()


def test_unknown_member_is_named_with_its_line_and_key() -> None:
    (p,) = problems('name = "x"\n\n[[member]]\nid = "M99"\nrating = 5\n')
    assert (p.file, p.row, p.column) == ("s.toml", 4, "[[member]] id")
    assert "unknown member 'M99'" in p.message
    assert str(p).startswith("s.toml, line 4, [[member]] id: unknown member 'M99'")


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = problems(
        'out = ["M01", "NOBODY"]\n'
        "[[member]]\n"
        'id = "M02"\n'
        "ratng = 5\n"
        "[[group]]\n"
        'id = "G1"\n'
        "size_max = -1\n"
        "[[new-member]]\n"
        'id = "M91"\n'
        'name = "Secret Name"\n'
        "[rules.party-branch]\n"
        "mn = 2\n"
        "[rules.no-such-rule]\n"
        "x = 1\n"
    )
    where = {(p.row, p.column) for p in found}
    assert (1, "out") in where  # NOBODY
    assert (4, "[[member]] ratng") in where
    assert (7, "[[group]] size_max") in where
    assert (8, "[[new-member]] unit") in where  # missing: the line of its table
    assert (12, "[rules.party-branch] mn") in where
    assert (13, "[rules.no-such-rule]") in where
    messages = " ".join(p.message for p in found)
    assert "did you mean 'ratng'" not in messages and "did you mean 'rating'" in messages
    assert "did you mean 'min'" in messages
    assert "Secret Name" not in str(InputError(found))


def test_row_and_cross_table_problems_come_in_one_go_in_line_order() -> None:
    found = problems(
        'out = ["M1O"]\n'  # 1
        "[[member]]\n"
        'id = "M99"\n'  # 3
        "[[group]]\n"
        'id = "G1"\n'
        "size_max = -1\n"  # 6
        "[rules.recusal]\n"
        'mode = "sideways"\n'  # 8
        "[[pin]]\n"
        'group = "G1"\n'
        'member = "M77"\n'  # 11: unknown only to the check of the whole instance
        'kind = "require"\n'
        "[rules.party-branch]\n"
        "mn = 2\n"  # 14
    )
    assert [(p.row, p.column) for p in found] == [
        (1, "out"),
        (3, "[[member]] id"),
        (6, "[[group]] size_max"),
        (8, "[rules.recusal] mode"),
        (11, "[[pin]] member"),
        (14, "[rules.party-branch] mn"),
    ]
    assert "did you mean 'M10'" in found[0].message  # O for 0
    assert found[4].message.startswith("unknown member 'M77'")
    assert "did you mean" in found[4].message and "expected" in found[4].message


def test_a_new_member_with_a_taken_id_a_bad_unit_and_a_bad_flag_is_three_problems() -> None:
    found = problems('[[new-member]]\nid = "M03"\nname = "X"\nunit = "XYZ"\ncan_lead = "maybe"\n')
    assert [(p.row, p.column) for p in found] == [
        (2, "[[new-member]] id"),
        (4, "[[new-member]] unit"),
        (5, "[[new-member]] can_lead"),
    ]
    assert "already a member of the instance (members.csv, row 4)" in found[0].message
    assert "item" not in found[0].message
    assert "unknown unit 'XYZ'" in found[1].message


def test_an_id_added_twice_names_the_first_line() -> None:
    (p,) = problems('[[new-unit]]\nid = "NEW"\n\n[[new-unit]]\nid = "NEW"\n')
    assert (p.row, p.column) == (5, "[[new-unit]] id")
    assert "already added by the [[new-unit]] on line 1" in p.message


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('[[group]]\nid = "G1"\nrequires = 5\n', "[[group]] requires"),
        ('[[member]]\nid = "M02"\nunit = 7\n', "[[member]] unit"),
        ('[[member]]\nid = "M02"\nspecialties = [1, 2]\n', "[[member]] specialties"),
        ('[[pin]]\nmember = "M01"\ngroup = "G1"\nkind = true\n', "[[pin]] kind"),
    ],
)
def test_a_value_of_the_wrong_type_is_named_on_its_line(text: str, column: str) -> None:
    (p,) = problems(text)
    assert (p.row, p.column) == (3 if "pin" not in text else 4, column)
    assert p.message.startswith("expected ") and ", got " in p.message


def test_a_name_of_the_wrong_type_is_not_repeated() -> None:
    (p,) = problems('[[new-member]]\nid = "M90"\nname = ["Secret", "Name"]\nunit = "FIN"\n')
    assert (p.row, p.column) == (3, "[[new-member]] name")
    assert "Secret" not in str(p)


def test_nearest_id_treats_o_and_l_as_digits_then_edit_distance() -> None:
    ids = ("M09", "M10", "M19", "G1")
    assert nearest_id("M1O", ids) == " (did you mean 'M10'?)"
    assert nearest_id("Ml9", ids) == " (did you mean 'M19'?)"
    assert nearest_id("g1", ids) == " (did you mean 'G1'?)"
    assert nearest_id("XYZ", ids) == ""


def test_an_unknown_top_level_key_suggests_the_nearest() -> None:
    (p,) = problems('name = "x"\nremove-group = ["G2"]\n')
    assert (p.row, p.column) == (2, "remove-group")
    assert "did you mean 'remove-groups'" in p.message


def test_a_change_that_breaks_the_instance_names_the_scenario_row() -> None:
    found = problems('[[new-member]]\nid = "M90"\nname = "A"\nunit = "NOWHERE"\n')
    (p,) = found
    assert (p.file, p.row, p.column) == ("s.toml", 4, "[[new-member]] unit")  # the key's line
    assert "unknown unit 'NOWHERE'" in p.message


def test_a_change_that_breaks_an_original_row_names_that_row_and_the_scenario() -> None:
    # G1 requires finance:1; suspending every finance member leaves it impossible.
    finance = [m.id for m in TINY.members if "finance" in m.specialties]
    found = problems(f"out = {finance!r}\n".replace("'", '"'))
    assert any(
        p.file == "groups.csv" and p.row is not None and "after scenario 's'" in p.message
        for p in found
    ), [str(p) for p in found]


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(InputError) as exc:
        Scenario.from_text('out = ["M01"\n[[member]]\n', "bad.toml")
    (p,) = exc.value.errors
    assert p.file == "bad.toml" and p.row is not None and "not valid TOML" in p.message


def test_many_scenarios_in_one_file_with_their_own_lines() -> None:
    text = (
        "[[scenario]]\n"
        'name = "a"\n'
        'out = ["M01"]\n'
        "\n"
        "[[scenario]]\n"
        "[[scenario.member]]\n"
        'id = "M02"\n'
        "rating = 1\n"
        "[[scenario.member]]\n"
        'id = "M404"\n'
        "[scenario.rules.party-branch]\n"
        "min = 2\n"
    )
    first, second = Scenario.from_text(text, "many.toml")
    assert (first.name, second.name) == ("a", "many#2")
    assert apply_scenario(TINY, first).member_by_id["M01"].status == "suspended"
    with pytest.raises(InputError) as exc:
        apply_scenario(TINY, second)
    (p,) = exc.value.errors
    assert (p.row, p.column) == (10, "[[scenario.member]] id")
    assert toml_key_lines(text)[("scenario", 1, "rules", "party-branch", "min")] == 12


def test_scenarios_of_a_folder_and_unique_names(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text('out = ["M02"]\n', encoding="utf-8")
    (tmp_path / "a.toml").write_text('[[scenario]]\nname = "b"\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_scenarios(tmp_path)
    assert "used twice" in str(exc.value)
    (tmp_path / "a.toml").write_text('[[scenario]]\nname = "first"\n', encoding="utf-8")
    assert [s.name for s in read_scenarios(tmp_path)] == ["first", "b"]


def test_the_bundled_examples_apply_to_tiny() -> None:
    scenarios = read_scenarios(EXAMPLES)
    assert len(scenarios) >= 4
    for s in scenarios:
        assert apply_scenario(TINY, s) != TINY, s.name
