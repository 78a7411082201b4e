"""The synthetic instance generator: scale, validity, determinism, tightness, planted roster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import teamsolver
from teamsolver.cli import main
from teamsolver.data.instance import HistoryEntry, Instance
from teamsolver.data.roster import Roster, Seat
from teamsolver.generate import PRESETS, GenerateError, generate, generate_plan

ROOT = Path(__file__).parent.parent
SMALL = ("tiny", "university", "city", "year")
CASES = [(p, s) for p in SMALL for s in (0, 1, 2)] + [("province", 0)]


@cache
def plan(preset: str, seed: int, tighten: float = 0.0) -> tuple[Instance, Roster]:
    """Generated once per test session: the instances are immutable."""
    return generate_plan(preset, seed, tighten=tighten)


# --------------------------------------------------------------------------------------------
# Loads back, valid, at the advertised scale


@pytest.mark.parametrize(("preset", "seed"), CASES)
def test_instance_saves_and_loads_back_without_problems(
    preset: str, seed: int, tmp_path: Path
) -> None:
    inst, _ = plan(preset, seed)
    teamsolver.save(inst, tmp_path / "inst")
    result = teamsolver.read(tmp_path / "inst")
    assert result.errors == []
    assert result.warnings == []
    assert result.instance == inst


def test_tiny_scale() -> None:
    inst, roster = plan("tiny", 0)
    assert len(inst.members) == 20
    assert len(inst.groups) == 2
    assert inst.rounds == ("R1",)
    assert 8 <= len(roster) <= 12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_university_scale(seed: int) -> None:
    inst, _ = plan("university", seed)
    assert len(inst.members) == 60
    assert sum(m.can_lead for m in inst.members) == 10
    assert sum(m.can_lead or m.can_deputy for m in inst.members) == 25
    assert len(inst.rounds) == 10
    assert [len(inst.groups_in(r)) for r in inst.rounds] == [3] * 9 + [2]
    targets = [t for g in inst.groups for t in g.targets]
    assert len(targets) == len(set(targets)) == 29  # each inspected once over the plan
    units = inst.unit_by_id
    assert all(units[t].parent is not None for t in targets)  # colleges under the university
    assert any(units[m.unit].parent not in (None, "SCH") for m in inst.members)  # deeper units


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_city_scale_has_173_seats(seed: int) -> None:
    inst, roster = plan("city", seed)
    assert len(inst.members) == 521
    assert len(inst.groups) == 15
    assert inst.rounds == ("R1",)
    assert len(roster) == 173
    assert sum(g.size_min for g in inst.groups) == 173
    assert sum(g.size_max or 0 for g in inst.groups) == 173
    assert all(10 <= g.size_min <= 13 for g in inst.groups)
    kinds = {u.id[0] for u in inst.units}
    assert {"B", "D", "S"} <= kinds  # bureaus, districts, state-owned enterprises
    assert all(u.zone for u in inst.units)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_year_scale(seed: int) -> None:
    inst, roster = plan("year", seed)
    assert len(inst.members) == 300
    assert [len(inst.groups_in(r)) for r in inst.rounds] == [8, 8, 8, 8]
    assert inst.rules.rotation.max_rounds == 2
    assert max(Counter(s.member for s in roster).values()) <= 2
    assert any(m.unavailable_rounds for m in inst.members)


def test_province_scale() -> None:
    inst, roster = plan("province", 0)
    assert len(inst.members) == 7000
    assert sum(m.can_lead for m in inst.members) == 903
    assert len(inst.groups) == 100
    assert inst.rounds == ("R1",)
    assert inst.rules.recusal.own_zone
    cities = [u for u in inst.units if u.parent is None and u.zone]
    assert len(cities) == 14
    assert len({u.zone for u in cities}) == 4
    assert 800 <= len(roster) <= 1200


@pytest.mark.parametrize("preset", list(PRESETS))
def test_pool_shares_are_realistic(preset: str) -> None:
    inst, _ = plan(preset, 0)
    members = inst.members
    n = len(members)
    specialties = Counter(s for m in members for s in m.specialties)
    party = sum(m.party_member for m in members) / n
    assert 0.85 <= party <= 1.0
    assert all(60 <= (m.rating or 0) <= 98 for m in members)
    assert all(1965 <= (m.birth_year or 0) <= 2000 for m in members)
    if n >= 300:
        assert 0.15 <= specialties["finance"] / n <= 0.35
        assert 0.20 <= sum(m.rounds_served == 0 for m in members) / n <= 0.40
        assert 0.05 <= sum(m.can_lead for m in members) / n <= 0.14
        assert 0.12 <= sum(m.full_time for m in members) / n <= 0.28
        assert 0.005 <= sum(m.status != "active" for m in members) / n <= 0.05
        assert inst.history and inst.conflicts and inst.pins and inst.affinity
    served = {m.id for m in members if m.rounds_served > 0}
    assert {h.member for h in inst.history} <= served


# --------------------------------------------------------------------------------------------
# Determinism


@pytest.mark.parametrize("preset", SMALL)
def test_same_seed_same_instance_and_roster(preset: str) -> None:
    a = generate_plan(preset, 5)
    b = generate_plan(preset, 5)
    assert a[0] == b[0]
    assert a[1] == b[1]
    assert a[0].to_document() == b[0].to_document()


@pytest.mark.parametrize("preset", SMALL)
def test_different_seeds_different_instances(preset: str) -> None:
    assert plan(preset, 0)[0] != plan(preset, 1)[0]
    assert plan(preset, 0)[1] != plan(preset, 1)[1]


def test_output_does_not_depend_on_hash_randomisation() -> None:
    code = (
        "import json, sys; from teamsolver.generate import generate; "
        "sys.stdout.write(json.dumps(generate('city', 3, tighten=0.5).to_document()))"
    )
    outs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outs.append(done.stdout)
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["members"]


# --------------------------------------------------------------------------------------------
# Tightness


def _spare_specialists(inst: Instance, roster: Roster, required: set[str]) -> int:
    """(member, specialty) pairs of active unseated members, for the ``required`` specialties."""
    seated = {s.member for s in roster}
    return sum(
        1
        for m in inst.members
        if m.status == "active" and m.id not in seated
        for s in m.specialties
        if s in required
    )


@pytest.mark.parametrize("preset", SMALL)
def test_tighten_one_is_tighter_than_zero(preset: str) -> None:
    loose, loose_roster = plan(preset, 1, 0.0)
    tight, tight_roster = plan(preset, 1, 1.0)
    assert loose_roster == tight_roster  # the same planted roster, less slack around it
    assert teamsolver.validate_instance(tight) == []

    def required(inst: Instance) -> int:
        return sum(n for g in inst.groups for _, n in g.requires)

    def slack(inst: Instance) -> int:
        return sum((g.size_max or 0) - g.size_min for g in inst.groups)

    def capped(inst: Instance) -> int:
        return sum(u.max_drawn is not None for u in inst.units)

    assert required(tight) > required(loose)
    assert slack(tight) == 0
    assert slack(tight) <= slack(loose)
    assert capped(tight) > capped(loose)
    assert all(g.deputies_min == g.deputies_max for g in tight.groups)
    cap = tight.rules.unit_draw_cap.max_per_round
    assert cap is not None
    per_round = Counter((s.round, tight.member_by_id[s.member].unit) for s in tight_roster)
    assert cap == max(per_round.values())
    required_ = {name for g in tight.groups for name, _ in g.requires}
    spare_tight = _spare_specialists(tight, tight_roster, required_)
    spare_loose = _spare_specialists(loose, loose_roster, required_)
    assert spare_tight <= spare_loose
    if spare_loose >= 10:
        assert spare_tight < 0.4 * spare_loose  # few spare specialists left


@pytest.mark.parametrize("preset", SMALL)
def test_tight_requirements_equal_what_the_planted_roster_achieves(preset: str) -> None:
    inst, roster = plan(preset, 2, 1.0)
    members = inst.member_by_id
    for g in inst.groups:
        seats = [s for s in roster if s.group == g.id]
        cover = Counter(sp for s in seats for sp in members[s.member].specialties)
        assert dict(g.requires) == {k: v for k, v in cover.items() if v}
        assert g.size_min == g.size_max == len(seats)


# --------------------------------------------------------------------------------------------
# The planted roster obeys every hard rule


TIGHT_CASES = [(p, s, t) for p, s in CASES for t in (0.0, 1.0)]


@pytest.mark.parametrize(("preset", "seed", "tighten"), TIGHT_CASES)
def test_planted_roster_has_no_hard_violation(preset: str, seed: int, tighten: float) -> None:
    audit = pytest.importorskip("teamsolver.audit")
    inst, roster = plan(preset, seed, tighten)
    hard = [v for v in audit.check(inst, roster) if inst.rules.mode(v.rule) == "hard"]
    assert hard == []


def _ancestors(inst: Instance, unit: str) -> set[str]:
    out: set[str] = set()
    cur = inst.unit_by_id[unit].parent
    while cur is not None:
        out.add(cur)
        cur = inst.unit_by_id[cur].parent
    return out


@pytest.mark.parametrize(("preset", "seed", "tighten"), TIGHT_CASES)
def test_planted_roster_is_consistent(preset: str, seed: int, tighten: float) -> None:
    """Our own checks of the main rules, independent of teamsolver.audit."""
    inst, roster = plan(preset, seed, tighten)
    rules = inst.rules
    members = inst.member_by_id
    units = inst.unit_by_id
    seats_of: dict[str, list[Seat]] = defaultdict(list)
    history: dict[str, list[HistoryEntry]] = defaultdict(list)
    for h in inst.history:
        history[h.member].append(h)
    per_round: Counter[tuple[str, str]] = Counter()
    for s in roster:
        seats_of[s.group].append(s)
        per_round[(s.round, s.member)] += 1
        assert inst.group_by_id[s.group].round == s.round
    assert max(per_round.values()) == 1  # one seat per round
    round_index = {r: i for i, r in enumerate(inst.rounds)}
    earlier: Counter[str] = Counter()
    exp_at: dict[tuple[str, str], int] = {}
    for r in inst.rounds:
        for s in roster:
            if s.round == r:
                exp_at[(r, s.member)] = members[s.member].rounds_served + earlier[s.member]
        for s in roster:
            if s.round == r:
                earlier[s.member] += 1
    k = rules.mentoring.max_new_per_experienced
    for g in inst.groups:
        seats = seats_of[g.id]
        assert g.size_min <= len(seats) <= (g.size_max or len(seats))
        leaders = [s for s in seats if s.role == "leader"]
        deputies = [s for s in seats if s.role == "deputy"]
        assert len(leaders) == g.leaders == 1
        assert all(members[s.member].can_lead for s in leaders)
        assert g.deputies_min <= len(deputies) <= g.deputies_max
        assert all(members[s.member].can_deputy for s in deputies)
        for name, n in g.requires:
            assert sum(name in members[s.member].specialties for s in seats) >= n
        assert sum(members[s.member].full_time for s in seats) >= rules.full_time_anchor.min
        assert sum(members[s.member].party_member for s in seats) >= rules.party_branch.min
        by_unit = Counter(members[s.member].unit for s in seats)
        assert max(by_unit.values()) <= (rules.unit_draw_cap.max_per_group or 10**9)
        related = set(g.targets)
        for t in g.targets:
            related |= _ancestors(inst, t)
        zones = {units[t].zone for t in g.targets if units[t].zone}
        for s in seats:
            m = members[s.member]
            assert m.status == "active" and g.round not in m.unavailable_rounds
            # no target is the home unit, one above it (related) or one below it
            assert m.unit not in related, f"{m.id} of {m.unit} inspects {g.targets}"
            assert not set(g.targets) & _ancestors(inst, m.unit)
            assert not set(m.conflict_units) & set(g.targets)
            if rules.recusal.own_zone:
                assert units[m.unit].zone not in zones
            for h in history[m.id]:
                if h.unit in g.targets:
                    c = rules.recusal.reinspect_cooldown
                    assert not (c > 0 and h.rounds_ago <= c + round_index[g.round])
        new = [s for s in seats if exp_at[(g.round, s.member)] <= rules.experience.new_max]
        experienced = {
            s.member
            for s in seats
            if exp_at[(g.round, s.member)] >= rules.experience.experienced_min
        }
        assert len(new) <= k * len(experienced)
        assert all(s.mentor in experienced for s in new)
        assert max(Counter(s.mentor for s in new).values(), default=0) <= k
        leader = members[leaders[0].member]
        if leader.newly_promoted:
            assert any(s.member in experienced for s in deputies)
    pairs = {frozenset((c.member_a, c.member_b)) for c in inst.conflicts}
    for seats in seats_of.values():
        ids = [s.member for s in seats]
        assert not any(frozenset((a, b)) in pairs for a in ids for b in ids if a < b)
    keys = {(s.group, s.member): s.role for s in roster}
    for p in inst.pins:
        if p.kind == "require":
            assert (p.group, p.member) in keys
            assert p.role is None or keys[(p.group, p.member)] == p.role
        else:
            assert (p.group, p.member) not in keys
    cap = rules.rotation.max_rounds
    for member, n in Counter(s.member for s in roster).items():
        own = members[member].max_rounds
        limit = own if own is not None else cap
        assert limit is None or n <= limit


# --------------------------------------------------------------------------------------------
# Knobs and errors


def test_scale_knobs_are_honoured() -> None:
    inst = generate("province", 3, members=2000, groups=30)
    assert len(inst.members) == 2000
    assert len(inst.groups) == 30
    inst = generate("year", 3, rounds=6, groups=5)
    assert [len(inst.groups_in(r)) for r in inst.rounds] == [5] * 6
    inst = generate("university", 3, rounds=4)
    assert len(inst.groups) == 12  # 3 groups a round once the preset's plan is overridden
    assert teamsolver.validate_instance(inst) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("preset", "knobs"),
    [
        ("province", {"members": 10000}),
        ("province", {"members": 10000, "groups": 150}),
        ("city", {"members": 2000, "groups": 60}),
        ("year", {"members": 2000, "groups": 40}),
        ("university", {"members": 200, "groups": 6}),
    ],
)
def test_large_knobs_stay_valid(preset: str, knobs: dict[str, int]) -> None:
    audit = pytest.importorskip("teamsolver.audit")
    for tighten in (0.0, 1.0):
        inst, roster = generate_plan(preset, 0, tighten=tighten, **knobs)
        assert len(inst.members) == knobs["members"]
        assert teamsolver.validate_instance(inst) == []
        hard = [v for v in audit.check(inst, roster) if inst.rules.mode(v.rule) == "hard"]
        assert hard == []


def test_bad_arguments_raise_a_clear_error() -> None:
    with pytest.raises(GenerateError, match="unknown preset"):
        generate("county", 0)
    with pytest.raises(GenerateError, match="tighten"):
        generate("tiny", 0, tighten=1.5)
    with pytest.raises(GenerateError, match="too few"):
        generate("city", 0, members=40)


# --------------------------------------------------------------------------------------------
# Command line and bundled instances


def test_cli_generate_writes_a_valid_instance(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "uni.json"
    done = runner.invoke(main, ["generate", "--preset", "university", "--seed", "4", str(out)])
    assert done.exit_code == 0, done.output
    assert teamsolver.load(out) == generate("university", 4)
    done = runner.invoke(main, ["validate", str(out)])
    assert done.exit_code == 0, done.output


def test_cli_generate_excel_writes_csv_files_excel_reads_as_utf8(tmp_path: Path) -> None:
    """``--excel`` starts every CSV with a byte-order mark (Excel otherwise guesses the local
    code page and garbles Chinese); the folder still loads as the same instance."""
    out = tmp_path / "tiny-csv"
    done = CliRunner().invoke(main, ["generate", "--preset", "tiny", "--excel", str(out)])
    assert done.exit_code == 0, done.output
    csvs = sorted(out.glob("*.csv"))
    assert csvs and all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in csvs)
    assert teamsolver.load(out) == generate("tiny", 0)
    # convert: the same flag, and without it plain UTF-8 as before
    for flag, starts in (["--excel"], True), ([], False):
        again = tmp_path / f"again{len(flag)}"
        done = CliRunner().invoke(main, ["convert", str(out), str(again), *flag])
        assert done.exit_code == 0, done.output
        marks = {f.read_bytes().startswith(b"\xef\xbb\xbf") for f in again.glob("*.csv")}
        assert marks == {starts}
        assert teamsolver.load(again) == teamsolver.load(out)


def test_cli_generate_refuses_an_unknown_preset(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["generate", "--preset", "nope", str(tmp_path / "x")])
    assert done.exit_code == 2
    assert "tiny" in done.output


@pytest.mark.parametrize("preset", ["university", "city", "year"])
def test_bundled_instance_is_what_its_command_regenerates(preset: str) -> None:
    """instances/README.md says `teamsolver generate --preset NAME --seed 1 instances/NAME`."""
    assert teamsolver.load(ROOT / "instances" / preset) == generate(preset, 1)
