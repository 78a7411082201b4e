"""Sweep (issue 8): many scenarios give the same rows serially, on two local processes and on a
local Dask cluster, for a fixed seed, one CP-SAT thread and a deterministic limit."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import teamsolver
from teamsolver.data.errors import InputError
from teamsolver.data.instance import Instance
from teamsolver.data.settings import GOAL_IDS
from teamsolver.files.rosters import read_roster, write_roster
from teamsolver.generate import generate
from teamsolver.whatif import solve_limited
from teamsolver.whatif.scenario import Scenario, apply_scenario, read_scenarios
from teamsolver.whatif.sweep import (
    CSV_HEADER,
    Options,
    SweepInterrupted,
    SweepRow,
    apply_all,
    cores,
    make_jobs,
    plan_parallel,
    run_job,
    sweep,
)

from .test_cli import TEAMSOLVER, run
from .test_mip import alive_children
from .test_whatif import TINY_OPTIMUM

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
EXAMPLES = ROOT / "instances" / "scenarios"
#: The baseline roster of the sweeps: deterministic too.
BASELINE_SOLVE: dict[str, Any] = {
    "baseline": None,
    "time_limit": None,
    "workers": 1,
    "seed": 3,
    "solutions": 20,
}
#: One CP-SAT thread, a fixed seed, and a solution count instead of a wall-clock limit.
DETERMINISTIC = ("--workers", "1", "--seed", "3", "--time-limit", "0", "--solutions", "20")


def university() -> Instance:
    """The university preset, one round of it (3 groups, the full pool of 60)."""
    return generate("university", 1, rounds=1)


def variants(inst: Instance, n: int) -> list[str]:
    """``n`` valid scenarios of ``inst``, as [[scenario]] tables: members out, groups resized or
    with more requirements, rules changed, members added, conflicts."""
    pinned = {p.member for p in inst.pins}
    members = [m.id for m in inst.members if m.status == "active" and m.id not in pinned]
    units = [u.id for u in inst.units]
    candidates: list[str] = []
    for g in inst.groups:
        candidates.append(f'name = "smaller-{g.id}"\n[[scenario.group]]\nid = "{g.id}"\n'
                          f"size_max = {g.size_min}\n")  # fmt: skip
        candidates.append(f'name = "bigger-{g.id}"\n[[scenario.group]]\nid = "{g.id}"\n'
                          f"size_min = {g.size_min + 1}\n")  # fmt: skip
    for i, m in enumerate(members):
        candidates.append(f'name = "out-{m}"\nout = ["{m}"]\n')
        other = members[(i + 7) % len(members)]
        candidates.append(
            f'name = "feud-{m}-{other}"\n[[scenario.conflict]]\n'
            f'member_a = "{m}"\nmember_b = "{other}"\n'
        )
    for k in range(5):
        candidates.append(
            f'name = "hire-{k}"\n[[scenario.new-member]]\nid = "N{k}"\nname = "New {k}"\n'
            f'unit = "{units[k]}"\nspecialties = "finance;audit"\nrounds_served = 3\n'
            "can_deputy = true\nfull_time = true\n"
        )
    candidates.append('name = "party-soft"\n[scenario.rules.party-branch]\nmode = "soft"\n')
    candidates.append('name = "two-full-time"\n[scenario.rules.full-time-anchor]\nmin = 2\n')
    texts: list[str] = []
    for body in candidates:
        (s,) = Scenario.from_text(f"[[scenario]]\n{body}", "v.toml")
        try:
            apply_scenario(inst, s)
        except InputError:
            continue
        texts.append(body)
        if len(texts) == n:
            break
    assert len(texts) == n
    return texts


def scenario_file(tmp_path: Path, inst: Instance, n: int) -> Path:
    path = tmp_path / "variants.toml"
    path.write_text("".join(f"[[scenario]]\n{t}\n" for t in variants(inst, n)), encoding="utf-8")
    return path


def outcomes(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr
    rows = [SweepRow.model_validate(r) for r in json.loads(proc.stdout)["rows"]]
    return [r.outcome() for r in rows]


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def same_everywhere(tmp_path: Path, n: int, dask_address: str) -> list[dict[str, Any]]:
    inst = university()
    path = tmp_path / "university.json"
    teamsolver.save(inst, path)
    base = tmp_path / "baseline.csv"
    write_roster(inst, solve_limited(inst, **BASELINE_SOLVE).roster, base)
    scenarios = scenario_file(tmp_path, inst, n)
    out = tmp_path / "serial.csv"
    common = ("sweep", path, "--scenarios", scenarios, "--baseline", base, *DETERMINISTIC)
    serial = outcomes(run(*common, "--parallel", "1", "--json", "--out", out))
    parallel = outcomes(run(*common, "--parallel", "2", "--json"))
    dask = outcomes(run(*common, "--dask", dask_address, "--json"))
    assert len(serial) == n + 1 and serial[0]["scenario"] == "baseline"
    assert serial == parallel
    assert serial == dask
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == n + 2
    return serial


needs_two_cores = pytest.mark.skipif(
    TEAMSOLVER is None or cores() < 2, reason="needs the teamsolver command and two cores"
)


@needs_two_cores
def test_sweep_is_the_same_serially_in_parallel_and_on_dask(
    tmp_path: Path, dask_address: str
) -> None:
    rows = same_everywhere(tmp_path, 8, dask_address)
    assert all(r["status"] in ("OPTIMAL", "FEASIBLE") for r in rows[1:])
    assert any(r["changes"] for r in rows[1:])  # the scenarios do move people


@pytest.mark.slow
@needs_two_cores
def test_sweep_of_100_university_variants(tmp_path: Path, dask_address: str) -> None:
    rows = same_everywhere(tmp_path, 100, dask_address)
    assert {r["status"] for r in rows[1:]} <= {"OPTIMAL", "FEASIBLE", "INFEASIBLE"}


def test_a_job_is_plain_json_in_and_out() -> None:
    inst = teamsolver.load(TINY)
    base = read_roster(TINY_OPTIMUM, inst)  # tiny's optimum, M12 leading G1
    assert teamsolver.objective(inst, base) == teamsolver.solve(inst, workers=1).objective
    (s,) = Scenario.from_text('out = ["M12"]', "ill.toml")
    (job,) = make_jobs(apply_all(inst, [s]), base, Options(time_limit=None, workers=1))
    doc = json.loads(job)
    assert Instance.model_validate(doc["instance"]) == apply_scenario(inst, s)
    row = SweepRow.model_validate_json(run_job(job))
    assert (row.scenario, row.status, row.changes) == ("ill", "OPTIMAL", 2)
    assert set(row.goals) == set(GOAL_IDS)


def test_every_bad_scenario_stops_the_sweep_before_any_solve() -> None:
    inst = teamsolver.load(TINY)
    bad = Scenario.from_text(
        '[[scenario]]\nout = ["M98"]\n[[scenario]]\nout = ["M01"]\n[[scenario]]\nout = ["M99"]\n',
        "many.toml",
    )
    with pytest.raises(InputError) as exc:
        sweep(inst, bad, baseline=teamsolver.Roster())
    assert [(p.row, p.column) for p in exc.value.errors] == [
        (2, "[[scenario]] out"),
        (6, "[[scenario]] out"),
    ]


def test_processes_times_threads_never_exceed_the_cores() -> None:
    assert plan_parallel(None, None, 8) == (8, 1)
    assert plan_parallel(None, 2, 8) == (4, 2)
    assert plan_parallel(2, None, 8) == (2, 4)
    assert plan_parallel(3, None, 8) == (3, 2)
    assert plan_parallel(4, 2, 8) == (4, 2)
    assert plan_parallel(8, None, 8) == (8, 1)
    with pytest.raises(ValueError, match="exceeds the 8 cores"):
        plan_parallel(4, 3, 8)
    with pytest.raises(ValueError, match="9 CP-SAT threads exceed the 8 cores"):
        plan_parallel(None, 9, 8)
    with pytest.raises(ValueError, match="16 processes exceed the 8 cores"):
        plan_parallel(16, None, 8)  # --parallel alone may not ask for more either


def invoke(*args: Any) -> Any:
    """``teamsolver ARGS`` in this process (so that a test can replace the core count)."""
    from click.testing import CliRunner

    from teamsolver.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        (("--parallel", "4"), "4 processes exceed the 2 cores"),
        (("--parallel", "2", "--workers", "2"), "= 4 exceeds the 2 cores"),
        (("--workers", "3"), "3 CP-SAT threads exceed the 2 cores"),
    ],
)
def test_cli_sweep_asking_for_more_than_the_cores_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], hint: str
) -> None:
    monkeypatch.setattr("teamsolver.cli.sweep.cores", lambda: 2)
    result = invoke("sweep", TINY, "--scenarios", EXAMPLES, *options, "--time-limit", "5")
    assert result.exit_code == 2, result.output
    assert hint in result.output and "sweep:" not in result.output


def test_a_scenario_without_a_roster_has_empty_cells_for_what_does_not_exist() -> None:
    from teamsolver.cli.sweep import rows_csv

    inst = teamsolver.load(TINY)
    (impossible,) = Scenario.from_text(
        "[rules.full-time-anchor]\nmin = 3\n[rules.unit-draw-cap]\nmax_per_group = 1\n", "x.toml"
    )
    (job,) = make_jobs(apply_all(inst, [impossible]), teamsolver.Roster(), Options(workers=1))
    row = SweepRow.model_validate_json(run_job(job))
    assert row.status == "INFEASIBLE"
    assert (row.objective, row.changes, row.seats, row.soft_violations) == (None,) * 4
    cells = dict(zip(CSV_HEADER, rows_csv([row]).splitlines()[1].split(","), strict=True))
    assert [cells[c] for c in ("objective", "changes", "seats", "soft_violations")] == [""] * 4


def test_cli_sweep_checks_every_scenario_before_announcing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('out = ["M1O"]\n', "utf-8")
    result = invoke("sweep", TINY, "--scenarios", bad, "--workers", "1", "--parallel", "1")
    assert result.exit_code == 2, result.output
    assert "did you mean 'M10'" in result.output and "sweep:" not in result.output


@pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")
def test_cli_sweep_of_the_examples(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    proc = run("sweep", TINY, "--scenarios", EXAMPLES, "--out", out, *DETERMINISTIC)
    assert proc.returncode == 0, proc.stderr
    rows = {r["scenario"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8")))}
    assert next(iter(rows)) == "baseline" and rows["baseline"]["changes"] == "0"
    assert int(rows["leader-ill"]["changes"]) >= 2  # the leader's seat goes, another comes
    assert rows["G2-removed"]["seats"] == "6"
    assert "leader-ill" in proc.stdout and "sweep: 7 scenarios" in proc.stderr


@pytest.mark.skipif(TEAMSOLVER is None, reason="teamsolver is not installed")
def test_cli_sweep_bad_input_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[scenario]]\nname = "a"\n[[scenario.group]]\nid = "G7"\n', "utf-8")
    proc = run("sweep", TINY, "--scenarios", bad, "--out", tmp_path / "r.csv")
    assert proc.returncode == 2
    assert "bad.toml, line 4, [[scenario.group]] id: unknown group 'G7'" in proc.stderr
    assert not (tmp_path / "r.csv").exists()
    usage = run("sweep", TINY, "--scenarios", EXAMPLES, "--parallel", "64", "--workers", "64")
    assert usage.returncode == 2 and "exceeds" in usage.stderr


def test_cli_sweep_checks_out_before_any_solve(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x", "utf-8")
    out = tmp_path / "notes" / "rows.csv"
    result = invoke("sweep", TINY, "--scenarios", EXAMPLES, "--out", out, "--parallel", "1")
    assert result.exit_code == 2, result.output
    assert "cannot write in" in result.output and "sweep:" not in result.output


@pytest.mark.parametrize("given", [True, False], ids=["baseline-given", "baseline-solved"])
def test_a_stopped_sweep_says_which_rows_are_missing(given: bool) -> None:
    """``stop`` already set: no scenario is solved (no worker process is started: none is
    left behind in this process, see test_mip.alive_children); a given baseline's row is
    kept."""
    inst = teamsolver.load(TINY)
    scenarios = read_scenarios(EXAMPLES)
    stop = threading.Event()
    stop.set()
    base = read_roster(TINY_OPTIMUM, inst) if given else None
    before = set(alive_children())  # the Dask fixture's processes, if it is up
    with pytest.raises(SweepInterrupted) as exc:
        sweep(inst, scenarios, baseline=base, options=Options(workers=1), stop=stop)
    names = [s.name for s in scenarios]
    assert [r.scenario for r in exc.value.rows] == (["baseline"] if given else [])
    assert exc.value.missing == (names if given else ["baseline", *names])
    assert set(alive_children()) <= before
