"""One rule, one place: every rule module of the registry has every part, and nothing about a
rule is read back from a sentence."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import teamsolver
from teamsolver.data.settings import RELAXABLE_RULES, RULE_IDS, Rules
from teamsolver.explainer import why_not
from teamsolver.rules import RULE_BY_ID, RULES
from teamsolver.rules.base import AlwaysRule, Rule

from .helpers import group, instance, member

ROOT = Path(__file__).resolve().parents[1]
#: Each part of a rule module and the parameters it takes (the registry's protocol).
PARTS = {
    "check": ["ctx"],
    "encode": ["m"],
    "counting": ["item", "instance"],
    "requirements": ["g", "instance"],
    "sentence": ["item", "ctx", "core"],
    "suggestions": ["item", "ctx"],
    "inputs": ["v"],
    "seating": ["planner"],
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.RULE_ID)
def test_every_rule_module_has_every_part(rule: object) -> None:
    rule_id = getattr(rule, "RULE_ID")  # noqa: B009 (the module under test)
    module = RULE_BY_ID[rule_id]
    assert module.__name__ == f"teamsolver.rules.{rule_id.replace('-', '_')}"
    assert module.__doc__ and module.__doc__.startswith(f"``{rule_id}``"), "its meaning first"
    for part, params in PARTS.items():
        fn = getattr(module, part, None)
        assert callable(fn), f"{rule_id} lacks {part}()"
        assert inspect.getmodule(fn) in (module, teamsolver.rules.base), f"{rule_id}.{part}"
        assert list(inspect.signature(fn).parameters) == params, f"{rule_id}.{part}"
    assert isinstance(module.RANK, int)
    settings = module.Settings
    assert issubclass(settings, AlwaysRule if rule_id not in RELAXABLE_RULES else Rule)
    # Its settings are the section of rules.toml named by its id.
    field = Rules.model_fields[rule_id.replace("-", "_")]
    assert field.annotation is settings and field.alias == rule_id
    assert isinstance(Rules().rule(rule_id), settings)


def test_every_rule_of_the_settings_is_in_the_registry() -> None:
    sections = [
        f.alias or name
        for name, f in Rules.model_fields.items()
        if name not in ("experience", "objective")
    ]
    assert sections == list(RULE_IDS) == [r.RULE_ID for r in RULES]


def test_every_rule_has_its_row_in_the_measures_and_its_own_tests() -> None:
    measures = (ROOT / "docs" / "measures.md").read_text(encoding="utf-8")
    for rule_id in RULE_IDS:
        assert re.search(rf"`{re.escape(rule_id)}`", measures), f"docs/measures.md: {rule_id}"
        tests = ROOT / "tests" / "rules" / f"test_{rule_id.replace('-', '_')}.py"
        assert tests.exists(), f"no {tests.relative_to(ROOT)}"


def test_a_rule_module_never_imports_the_solver_or_the_explainer_at_run_time() -> None:
    """They import the model and the explainer for type hints only: the checker loads every
    rule module and must stay free of ortools (test_architecture checks the whole graph)."""
    for rule in RULES:
        source = inspect.getsource(rule)
        body = source.split("if TYPE_CHECKING:", 1)
        top = body[0]
        assert not re.search(r"^\s*(from|import) ortools", source, re.M), rule.RULE_ID
        assert not re.search(r"^from \.\.(engine|explainer)", top, re.M), rule.RULE_ID


def test_why_not_names_eligibility_for_a_member_whose_id_contains_pin() -> None:
    """The reason a member is barred is data (``Barred.rule``), never read back from its
    sentence: a suspended member called ``liping`` was told the rule was ``pins``."""
    inst = instance(
        [member(f"M{i}", can_lead=True, rounds_served=3) for i in range(1, 5)]
        + [member("liping", status="suspended"), member("pinned", status="removed")],
        [group("G1", size_min=2, size_max=2, deputies_min=0, deputies_max=0)],
        rules={"party-branch": {"mode": "off"}, "full-time-anchor": {"mode": "off"}},
    )
    solved = teamsolver.solve(inst, time_limit=None, workers=1)
    assert solved.has_roster and not teamsolver.check(inst, solved.roster)
    for mid, status in (("liping", "suspended"), ("pinned", "removed")):
        answer = why_not(inst, solved.roster, mid, "G1")
        assert answer.status == "forbidden"
        assert [(r.rule, r.member) for r in answer.reasons] == [("eligibility", mid)]
        assert f"{mid} is {status}" in answer.message
