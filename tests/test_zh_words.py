"""Rule violations, explanations, suggestions and diff reasons in Chinese (issue 16).

Every sentence is built as data (:mod:`teamsolver.i18n.phrase`) and said in the run's language:
for each rule of the registry a roster that breaks it, every explanation sentence and suggestion
of the explain catalogue (``tests/test_explain.py``), a why-not answer and every reason a seat
leaves in a diff are said in Chinese with every placeholder filled, differently from English,
and without an English word of the English text left in them, except the ids and the setting
names that the Chinese text keeps on purpose (``can_lead``, ``max_drawn``...). The English
stays what it was (the other tests assert many exact messages).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import teamsolver
from teamsolver import i18n
from teamsolver.data.instance import Instance, Pin, Unit
from teamsolver.data.roster import Roster, Seat
from teamsolver.engine.conflict import Oracle
from teamsolver.explainer import explain, why_not
from teamsolver.explainer.suggest import candidates
from teamsolver.explainer.words import Context, sentence
from teamsolver.files.rosters import read_roster, write_roster
from teamsolver.i18n.phrase import Count, Ids, Listed, Phrase, Saying, Spoken, Words
from teamsolver.rules import RULES
from teamsolver.rules.base import Violation
from teamsolver.whatif.diff import roster_diff

from .helpers import group, instance, member, past, roster
from .strategies import tiny_instances
from .test_cli import ROOT, TEAMSOLVER, run
from .test_explain import CASES

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text))


def _kept(words: object) -> set[str]:
    """The Latin tokens a Chinese rendering may keep: those of the raw values (ids, settings'
    values) and of the Chinese templates themselves (setting names kept on purpose)."""
    zh = i18n.catalogue("zh")
    if isinstance(words, str):
        return _tokens(words)
    if isinstance(words, Saying):
        said = words.values["said"]
        inner = said.words if isinstance(said, Spoken) else None
        return _kept(inner) if inner is not None else set()
    if not isinstance(words, Phrase):
        return set()
    if isinstance(words, Count):
        keys = [f"{words.key}.one", f"{words.key}.other"]
    elif isinstance(words, Ids):
        keys = ["phrase.list.sep", "phrase.list.last", "phrase.list.more"]
    elif isinstance(words, Listed):
        keys = ["problem.list"]
    else:
        keys = [words.key] if words.key in zh else []
    out = set().union(*(_tokens(zh[k]) for k in keys))
    for value in words.values.values():
        items = value if isinstance(value, tuple) else (value,)
        out = out.union(*(_kept(v) for v in items))
    return out


def assert_chinese(words: Words) -> str:
    """``words`` said in Chinese: filled, not English, no English word of it left."""
    english, chinese = words.render("en"), words.render("zh")
    assert chinese and chinese != english
    assert "{" not in chinese and "}" not in chinese, chinese
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    left = (_tokens(chinese) & _tokens(english)) - _kept(words)
    assert not left, f"English left in {chinese!r}: {sorted(left)}"
    return chinese


def assert_said(said: Spoken, english: str) -> str:
    """A model's words: English as it was, Chinese by ``say``."""
    assert said.words is not None
    assert said.say() == said.say("en") == english
    assert said.say("zh") == said.words.render("zh")
    return assert_chinese(said.words)


# -- rule violations -----------------------------------------------------------------------
def _broken() -> dict[str, tuple[Instance, Roster]]:
    """For every rule of the registry, an instance and a roster that breaks it."""
    cases: dict[str, tuple[Instance, Roster]] = {}

    def add(rule: str, inst: Instance, layout: dict[str, str], *extra: Seat) -> None:
        cases[rule] = (inst, roster(inst, layout, *extra))

    lead = {"can_lead": True, "rounds_served": 3}
    two_rounds = [group("G1"), group("G2"), group("H1", round="R2")]
    add(
        "one-seat-per-round",
        instance([member("M1", **lead), member("M2")], two_rounds),
        {"G1": "M1:leader", "G2": "M1 M2"},
    )
    add(
        "eligibility",
        instance(
            [member("M1", status="suspended"), member("M2", unavailable_rounds=("R1",))], two_rounds
        ),
        {"G1": "M1 M2"},
    )
    add(
        "pins",
        instance(
            [member("M1", **lead), member("M2"), member("M3")],
            [group("G1")],
            pins=[
                Pin(member="M1", group="G1", kind="require", role="leader"),
                Pin(member="M2", group="G1", kind="forbid"),
                Pin(member="M3", group="G1", kind="require", role="deputy"),
            ],
        ),
        {"G1": "M2 M3"},
    )
    add("group-size", instance([member("M1")], [group("G1", size_min=3, size_max=4)]), {"G1": "M1"})
    add("recusal", instance([member("M1", unit="T1")], [group("G1")]), {"G1": "M1"})
    add(
        "member-conflict",
        instance([member("M1"), member("M2")], [group("G1")], conflicts=[("M1", "M2")]),
        {"G1": "M1 M2"},
    )
    add(
        "leader-quota",
        instance([member("M1"), member("M2")], [group("G1"), group("G2")]),
        {"G1": "M1:leader", "G2": "M2"},
    )
    add(
        "deputy-quota",
        instance(
            [member("M1"), member("M2"), member("M3")],
            [group("G1", deputies_min=1, deputies_max=1)],
        ),
        {"G1": "M1:deputy M2:deputy M3"},
    )
    add(
        "specialty-coverage",
        instance([member("M1")], [group("G1", requires="audit:2")]),
        {"G1": "M1"},
    )
    add(
        "mentoring",
        instance(
            [
                member("M1", rounds_served=0),
                member("M2", rounds_served=0),
                member("M3", rounds_served=1),
            ],
            [group("G1")],
        ),
        {"G1": "M1 M2>M2 M3>M1"},
        Seat(round="R1", group="G1", member="M4", role="member", mentor="M9"),
    )
    add(
        "new-leader-support",
        instance([member("M1", newly_promoted=True, **lead), member("M2")], [group("G1")]),
        {"G1": "M1:leader M2"},
    )
    add(
        "full-time-anchor",
        instance(
            [member("M1")], [group("G1")], rules={"full-time-anchor": {"mode": "hard", "min": 2}}
        ),
        {"G1": "M1"},
    )
    add(
        "party-branch",
        instance(
            [member("M1", party_member=False)],
            [group("G1")],
            rules={"party-branch": {"mode": "hard", "min": 3}},
        ),
        {"G1": "M1"},
    )
    add(
        "unit-draw-cap",
        instance(
            [member(f"M{i}") for i in range(1, 5)],
            [group("G1"), group("G2")],
            units=[Unit(id="U1", max_drawn=2), Unit(id="T1")],
            rules={"unit-draw-cap": {"max_per_group": 1}},
        ),
        {"G1": "M1 M2", "G2": "M3 M4"},
    )
    add(
        "rotation",
        instance(
            [member("M1", max_rounds=1), member("M2")],
            [group("G1"), group("H1", round="R2")],
            rules={"rotation": {"max_rounds": 1, "min_rest": 1}},
        ),
        {"G1": "M1 M2", "H1": "M1 M2"},
    )
    add(
        "no-repeat-pairing",
        instance(
            [member("M1"), member("M2")],
            [group("G1"), group("H1", round="R2")],
            history=[past("M1", 1, "P1"), past("M2", 1, "P1")],
        ),
        {"G1": "M1 M2", "H1": "M1 M2"},
    )
    add(
        "attribute-quota",
        instance(
            [member("M1", gender="M"), member("M2", gender="M")],
            [group("G1")],
            rules={"attribute-quota": {"quotas": ["gender=F>=1", "gender=M<=1"]}},
        ),
        {"G1": "M1 M2"},
    )
    return cases


BROKEN = _broken()


def test_every_rule_has_a_broken_roster() -> None:
    assert set(BROKEN) == {r.RULE_ID for r in RULES}


@pytest.mark.parametrize("rule", [r.RULE_ID for r in RULES])
def test_a_rules_violations_are_said_in_chinese(rule: str) -> None:
    inst, ros = BROKEN[rule]
    found = teamsolver.check(inst, ros)
    assert any(v.rule == rule for v in found), [v.message for v in found]
    for v in found:
        assert_said(v, v.message)


def test_the_roster_pseudo_rule_is_said_in_chinese() -> None:
    inst = instance([member("M1")], [group("G1")])
    seats = [Seat(round="R1", group="GX", member="M1"), Seat(round="R2", group="G1", member="M1")]
    found = [v for v in teamsolver.check(inst, seats) if v.rule == "roster"]
    assert len(found) == 2
    for v in found:
        assert_said(v, v.message)


def test_a_violation_read_back_from_json_is_the_same_and_says_its_english() -> None:
    inst, ros = BROKEN["recusal"]
    v = next(v for v in teamsolver.check(inst, ros) if v.rule == "recusal")
    back = Violation.model_validate_json(v.model_dump_json())
    assert back == v and hash(back) == hash(v)
    assert back.say("zh") == v.message  # no words to say it otherwise
    assert "words" not in v.model_dump() and "_words" not in v.model_dump_json()


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(tiny_instances(), st.randoms(use_true_random=False))
def test_random_rosters_break_rules_in_chinese_words(inst: Instance, rnd: object) -> None:
    """Seats drawn at random (unknown groups and members, wrong rounds, any role and mentor):
    each violation found is said in Chinese."""
    import random

    assert isinstance(rnd, random.Random)
    groups = [g.id for g in inst.groups] + ["GX"]
    members = [m.id for m in inst.members] + ["MX"]
    seats = [
        Seat(
            round=rnd.choice(["R1", "R2"]),
            group=rnd.choice(groups),
            member=rnd.choice(members),
            role=rnd.choice(["leader", "deputy", "member"]),
            mentor=rnd.choice([None, rnd.choice(members)]),
        )
        for _ in range(rnd.randint(0, 8))
    ]
    for v in teamsolver.check(inst, seats):
        assert_said(v, v.message)


# -- explanations and suggestions ---------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_explanation_sentences_and_suggestions_are_said_in_chinese(case: object) -> None:
    inst = case.build()  # type: ignore[attr-defined]
    ctx = Context(inst)
    items = Oracle(inst).items
    assert items
    for item in items:
        assert_chinese(sentence(item, ctx, items))
        for words, _ in candidates(item, ctx):
            assert_chinese(words)


def test_an_explanation_is_said_in_chinese() -> None:
    inst = next(c for c in CASES if c.name == "specialty shortage by recusal").build()
    result = explain(inst, time_limit=30, workers=1)
    assert result.status == "INFEASIBLE" and result.suggestions
    assert_said(result, result.message)
    for item in result.core:
        assert_said(item, item.message)
    for s in result.suggestions:
        assert_said(s, s.text)
    assert "没有名单" in result.say("zh")


def test_further_conflicts_are_said_in_chinese() -> None:
    inst = instance(
        [member(f"M{i}", specialties=("audit",) if i < 3 else ()) for i in range(1, 7)],
        [group("G1", requires="audit:3"), group("G2", requires="audit:3")],
    )
    result = explain(inst, time_limit=30, workers=1)
    assert result.found_by == "input" and result.more
    assert result.say_more("en") == result.more
    chinese = result.say_more("zh")
    assert len(chinese) == len(result.more)
    assert any("要求 3 名 audit 专业人员" in text for text in chinese)
    for text in chinese:
        assert _tokens(text) <= {"G1", "G2", "R1", "M1", "M2", "audit"}, text


def small_plan() -> Instance:
    """Two groups of one round that have rosters; M2 (unit T1) may not inspect G1."""
    lead = {"can_lead": True, "rounds_served": 3}
    small = {"size_min": 1, "size_max": 3, "deputies_min": 0, "deputies_max": 1}
    return instance(
        [member("M1", **lead), member("M2", unit="T1"), member("M3"), member("M4", **lead)],
        [group("G1", **small), group("G2", targets=("T2",), **small)],
        rules={"full-time-anchor": {"mode": "off"}, "party-branch": {"mode": "off"}},
    )


def test_the_feasible_answer_is_said_in_chinese() -> None:
    inst = small_plan()
    result = explain(inst, time_limit=30, workers=1)
    assert result.status == "FEASIBLE"
    assert_said(result, result.message)


def test_a_why_not_answer_is_said_in_chinese() -> None:
    inst = small_plan()
    ros = teamsolver.solve(inst, time_limit=10, workers=1).roster
    assert ros is not None and not teamsolver.check(inst, ros)
    forbidden = why_not(inst, ros, "M2", "G1", time_limit=10, workers=1)
    assert forbidden.status == "forbidden"
    assert "硬性规则禁止 M2 进入G1" in assert_said(forbidden, forbidden.message)
    seated = ros.seats[0]
    answer = why_not(inst, ros, seated.member, seated.group, time_limit=10, workers=1)
    assert answer.status == "seated"
    assert_said(answer, answer.message)
    other = next(g.id for g in inst.groups if g.id != seated.group)
    moved = why_not(inst, ros, seated.member, other, time_limit=10, workers=1)
    assert moved.status in ("allowed", "forbidden")
    assert_said(moved, moved.message)


# -- diff reasons --------------------------------------------------------------------------
def test_every_reason_a_seat_left_is_said_in_chinese() -> None:
    before_inst = instance(
        [member(f"M{i}") for i in range(1, 6)], [group("G1"), group("G2"), group("H1", round="R2")]
    )
    before = roster(before_inst, {"G1": "M1 M2", "G2": "M3 M4", "H1": "M5"})
    after_inst = before_inst.model_copy(
        update={
            "members": (
                member("M1", status="suspended"),
                member("M2", unavailable_rounds=("R1",)),
                member("M3"),
                member("M5"),
            ),
            "groups": (group("G1"), group("H1", round="R2")),
        }
    )
    after = roster(after_inst, {"G1": "M3", "H1": "M5"})
    diff = roster_diff(after_inst, before, after, before_instance=before_inst)
    reasons = {c.member: c for c in diff.left}
    assert {m: c.reason for m, c in reasons.items()} == {
        "M1": "member suspended",
        "M2": "unavailable in R1",
        "M3": "group removed",
        "M4": "group removed",
    }
    chinese = {m: assert_said(c, c.reason) for m, c in reasons.items()}
    assert chinese == {
        "M1": "成员暂停参加",
        "M2": "轮次 R1 不能参加",
        "M3": "该组已撤销",
        "M4": "该组已撤销",
    }
    gone = roster_diff(after_inst, Roster.of([Seat(round="R1", group="G1", member="M9")]), after)
    assert_said(gone.left[0], "member not in the pool")
    assert diff.joined and all(c.say("zh") == "" for c in diff.joined)
    assert json.loads(diff.model_dump_json())["left"][0]["reason"] == "member suspended"


# -- the workbook and the report ----------------------------------------------------------
def test_the_workbook_and_the_report_say_violations_in_the_runs_language(tmp_path: Path) -> None:
    inst, ros = BROKEN["mentoring"]
    found = teamsolver.check(inst, ros)
    assert found
    for lang in ("zh", "en"):
        path = tmp_path / f"{lang}.xlsx"
        write_roster(inst, ros, path, lang=lang, violations=found)
        sheet = openpyxl.load_workbook(path)[i18n.text("roster.sheet.violations", lang)]
        said = [row[5].value for row in sheet.iter_rows(min_row=2)]
        assert said == [v.say(lang) for v in found]
        page = teamsolver.report(inst, ros, violations=found, lang=lang)
        assert all(html.escape(v.say(lang), quote=False) in page for v in found)
    path = tmp_path / "zh.json"
    write_roster(inst, ros, path, lang="zh", violations=found)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [v["message"] for v in doc["violations"]] == [v.message for v in found]


# -- the command line ----------------------------------------------------------------------
needs_cli = pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")


@needs_cli
def test_check_in_chinese_prints_chinese_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "round,group,member,role\nR1,G1,M01,leader\nR1,G1,M02,member\nR1,G2,M01,member\n",
        encoding="utf-8",
    )
    zh = run("check", "instances/tiny", str(bad), "--lang", "zh")
    en = run("check", "instances/tiny", str(bad))
    assert zh.returncode == en.returncode == 1
    inst = teamsolver.load("instances/tiny")
    found = teamsolver.check(inst, read_roster(str(bad), inst))
    assert found
    for v in found:
        assert v.message in en.stdout
        assert v.say("zh") in zh.stdout
        assert v.message not in zh.stdout
    json_zh = run("check", "instances/tiny", str(bad), "--lang", "zh", "--json")
    json_en = run("check", "instances/tiny", str(bad), "--json")
    assert json_zh.stdout == json_en.stdout
    assert [v["message"] for v in json.loads(json_en.stdout)["violations"]] == [
        v.message for v in found
    ]
