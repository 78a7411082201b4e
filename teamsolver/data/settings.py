"""Rule settings (SPEC §3) and goal weights (SPEC §4), with their defaults.

``rules.toml`` has one table per rule id, plus ``[experience]`` and ``[objective]``. Every key
has a default, so an empty file (or none) is valid. :func:`parse_rules` turns a nested dict
(from TOML, JSON or a ``key``/``value`` sheet of dotted keys) into :class:`Rules` and reports
every unknown key with the nearest valid one.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator

from .. import rules
from ..i18n.phrase import Listed, Phrase, PhraseError, Shown
from ..rules import RULES
from ..rules.base import MAX_WEIGHT, MEMBER_ATTRIBUTES, AlwaysRule, Rule, SettingsModel
from .errors import Problem, did_you_mean, plain_phrase
from .values import Int, StrList

#: The largest magnitude of an affinity score (``affinity.csv``).
MAX_SCORE = 1_000_000

#: Rule ids in the order SPEC §3 lists them (the registry :data:`teamsolver.rules.RULES`);
#: the order of checks and reports.
RULE_IDS: tuple[str, ...] = tuple(rule.RULE_ID for rule in RULES)
#: Rules that can never be relaxed.
ALWAYS_RULES: frozenset[str] = frozenset({"one-seat-per-round", "eligibility", "pins"})
#: Rules whose mode may be hard, soft or off, in SPEC order.
RELAXABLE_RULES: tuple[str, ...] = tuple(r for r in RULE_IDS if r not in ALWAYS_RULES)
#: Goal ids of SPEC §4, in report order.
GOAL_IDS: tuple[str, ...] = (
    "strength-balance",
    "development",
    "workload-balance",
    "rating",
    "affinity",
    "complementarity",
    "mix",
    "stability",
)
#: Member attributes that ``objective.mix_attributes`` may name.
MIX_ATTRIBUTES: tuple[str, ...] = MEMBER_ATTRIBUTES


class Experience(SettingsModel):
    """*New*: experience ≤ ``new_max``; *experienced*: experience ≥ ``experienced_min``."""

    new_max: Int = Field(0, ge=0)
    experienced_min: Int = Field(2, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Experience:
        if self.new_max >= self.experienced_min:
            raise PhraseError(
                Phrase(
                    "problem.rules.experience_order",
                    new_max=self.new_max,
                    experienced_min=self.experienced_min,
                )
            )
        return self


class Objective(SettingsModel):
    """Integer weights of the goals (SPEC §4); 0 switches a goal off."""

    strength_balance: Int = Field(2, ge=0, le=MAX_WEIGHT, alias="strength-balance")
    development: Int = Field(5, ge=0, le=MAX_WEIGHT)
    workload_balance: Int = Field(10, ge=0, le=MAX_WEIGHT, alias="workload-balance")
    rating: Int = Field(1, ge=0, le=MAX_WEIGHT)
    affinity: Int = Field(10, ge=0, le=MAX_WEIGHT)
    complementarity: Int = Field(3, ge=0, le=MAX_WEIGHT)
    mix: Int = Field(2, ge=0, le=MAX_WEIGHT)
    stability: Int = Field(100, ge=0, le=MAX_WEIGHT)
    mix_attributes: StrList = ()

    def weight(self, goal: str) -> int:
        return int(getattr(self, goal.replace("-", "_")))


def _field(rule: ModuleType) -> Any:
    """The field of a rule's settings in :class:`Rules`: keyed by its rule id in files."""
    return Field(default_factory=rule.Settings, alias=rule.RULE_ID)


class Rules(SettingsModel):
    """All settings of one instance. Attribute names use ``_``; file keys use ``-``."""

    # One field per rule module of the registry, typed with the module's own settings.
    one_seat_per_round: rules.one_seat_per_round.Settings = _field(rules.one_seat_per_round)
    eligibility: rules.eligibility.Settings = _field(rules.eligibility)
    pins: rules.pins.Settings = _field(rules.pins)
    group_size: rules.group_size.Settings = _field(rules.group_size)
    recusal: rules.recusal.Settings = _field(rules.recusal)
    member_conflict: rules.member_conflict.Settings = _field(rules.member_conflict)
    leader_quota: rules.leader_quota.Settings = _field(rules.leader_quota)
    deputy_quota: rules.deputy_quota.Settings = _field(rules.deputy_quota)
    specialty_coverage: rules.specialty_coverage.Settings = _field(rules.specialty_coverage)
    mentoring: rules.mentoring.Settings = _field(rules.mentoring)
    new_leader_support: rules.new_leader_support.Settings = _field(rules.new_leader_support)
    full_time_anchor: rules.full_time_anchor.Settings = _field(rules.full_time_anchor)
    party_branch: rules.party_branch.Settings = _field(rules.party_branch)
    unit_draw_cap: rules.unit_draw_cap.Settings = _field(rules.unit_draw_cap)
    rotation: rules.rotation.Settings = _field(rules.rotation)
    no_repeat_pairing: rules.no_repeat_pairing.Settings = _field(rules.no_repeat_pairing)
    attribute_quota: rules.attribute_quota.Settings = _field(rules.attribute_quota)
    experience: Experience = Field(default_factory=Experience)
    objective: Objective = Field(default_factory=Objective)

    def rule(self, rule_id: str) -> AlwaysRule | Rule:
        """Settings of a rule by its id, e.g. ``rules.rule("party-branch").min``."""
        value = getattr(self, rule_id.replace("-", "_"))
        assert isinstance(value, AlwaysRule | Rule)
        return value

    def mode(self, rule_id: str) -> str:
        return self.rule(rule_id).mode

    def to_dict(self) -> dict[str, Any]:
        """The settings that differ from the defaults, keyed as in ``rules.toml``."""
        out: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        return {k: v for k, v in out.items() if v}


SECTIONS: tuple[str, ...] = (*RULE_IDS, "experience", "objective")


def section_keys(section: str) -> tuple[str, ...]:
    """The keys a section of ``rules.toml`` accepts."""
    field = Rules.model_fields[section.replace("-", "_")]
    model = field.annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return tuple(f.alias or name for name, f in model.model_fields.items())


def all_dotted_keys() -> tuple[str, ...]:
    return tuple(f"{s}.{k}" for s in SECTIONS for k in section_keys(s))


def parse_rules(
    data: dict[str, Any],
    file: str = "rules",
    line_of: Any = None,
    row_word: str = "line",
    *,
    sheet: bool = False,
) -> tuple[Rules, list[Problem]]:
    """Turn a nested dict of settings into :class:`Rules`, collecting every problem.

    ``line_of(section, key)`` may give the line number of a key, for messages. With ``sheet``
    the settings come from a ``key``/``value`` sheet of dotted keys, and problems name the
    column a planner must fix there: ``key`` for an unknown key, ``value (section.key)`` for a
    bad value.
    """
    problems: list[Problem] = []

    def add(section: str, key: str | None, message: Phrase, *, about_key: bool = False) -> None:
        line = line_of(section, key) if line_of else None
        if sheet:
            column = "key" if about_key else f"value ({section}{f'.{key}' if key else ''})"
        else:
            column = f"[{section}]" + (f" {key}" if key else "")
        problems.append(
            Problem(
                phrase=message,
                file=file,
                table="rules",
                row=line,
                column=column,
                row_word=row_word,
            )
        )

    clean: dict[str, Any] = {}
    for section, body in data.items():
        if section not in SECTIONS:
            if sheet and isinstance(body, dict):
                for key in body:
                    dotted = f"{section}.{key}"
                    add(
                        section,
                        key,
                        Phrase(
                            "problem.rules.unknown_section_in",
                            section=Shown(section),
                            dotted=Shown(dotted),
                            hint=did_you_mean(dotted, all_dotted_keys()),
                        ),
                        about_key=True,
                    )
                continue
            add(
                section,
                None,
                Phrase(
                    "problem.rules.unknown_section",
                    section=Shown(section),
                    hint=did_you_mean(section, SECTIONS + all_dotted_keys()),
                ),
                about_key=True,
            )
            continue
        if not isinstance(body, dict):
            add(section, None, Phrase("problem.rules.not_a_table"))
            continue
        keys = section_keys(section)
        good: dict[str, Any] = {}
        for key, value in body.items():
            if key not in keys:
                add(
                    section,
                    key,
                    Phrase(
                        "problem.rules.unknown_key",
                        key=Shown(key),
                        section=section,
                        hint=did_you_mean(key, keys),
                        keys=Listed(keys),
                    ),
                    about_key=True,
                )
                continue
            if section in ALWAYS_RULES and key == "mode" and value != "hard":
                add(section, key, Phrase("problem.rules.always", section=section))
                continue
            good[key] = value
        field = Rules.model_fields[section.replace("-", "_")]
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        try:
            clean[section] = model.model_validate(good)
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else None
                add(section, key, plain_phrase(err))
    rules = Rules.model_validate(clean)
    for attr in rules.objective.mix_attributes:
        if attr not in MIX_ATTRIBUTES:
            add(
                "objective",
                "mix_attributes",
                Phrase(
                    "problem.rules.unknown_attribute",
                    attribute=Shown(attr),
                    hint=did_you_mean(attr, MIX_ATTRIBUTES),
                    valid=Listed(MIX_ATTRIBUTES),
                ),
            )
    return rules, problems


def dotted_to_nested(
    pairs: list[tuple[str, Any, int]], file: str
) -> tuple[dict[str, Any], list[Problem]]:
    """``[("party-branch.min", 2, row)]`` → ``{"party-branch": {"min": 2}}`` (for a rules sheet)."""
    nested: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for key, value, row in pairs:
        section, dot, name = key.strip().rpartition(".")
        if not dot:
            problems.append(
                Problem(
                    phrase=Phrase(
                        "problem.rules.not_dotted",
                        key=Shown(key),
                        hint=did_you_mean(key, all_dotted_keys()),
                    ),
                    file=file,
                    table="rules",
                    row=row,
                    column="key",
                )
            )
            continue
        if section in nested and name in nested[section]:
            problems.append(
                Problem(
                    phrase=Phrase("problem.rules.twice", key=Shown(key)),
                    file=file,
                    table="rules",
                    row=row,
                    column="key",
                )
            )
            continue
        nested.setdefault(section, {})[name] = value
    return nested, problems


def nested_to_dotted(data: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (f"{section}.{key}", value) for section, body in data.items() for key, value in body.items()
    ]
