"""Signals (issue 13, items 10–11), with real processes: whatever ends ``teamsolver solve`` or
``teamsolver sweep``, no child process outlives it; SIGTERM stops a search as Ctrl-C does and
keeps what was found.

Every wait here is a poll with a generous bound, never a fixed sleep that assumes a speed."""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.files.rosters import read_roster, write_roster
from teamsolver.whatif import solve_limited

ROOT = Path(__file__).resolve().parents[1]
UNIVERSITY = ROOT / "instances" / "university"
#: Bound of every poll: generous, for a loaded machine (a poll ends as soon as it sees the state).
PATIENCE_S = 300.0
#: Bound of the wait for a child to die after its parent: the kernel's signal comes at once,
#: the child's own watch within a second.
DEATH_S = 30.0
#: CPU seconds after which a HiGHS child is surely solving: it idles at about 0.2 s once
#: MathOpt is imported and until its job arrives (a child that has not read its job yet ends by
#: itself at the end of its input, which would prove nothing).
HIGHS_AT_WORK_CPU_S = 2.0


def wait_for(what: str, ready: Callable[[], bool], bound: float = PATIENCE_S) -> None:
    end = time.monotonic() + bound
    while not ready():
        assert time.monotonic() < end, f"still not {what} after {bound:g} s"
        time.sleep(0.1)


def alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def cpu_s(p: psutil.Process) -> float:
    try:
        times = p.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(times.user + times.system)


class Started:
    """A ``teamsolver`` process, its stderr file, and the children seen so far."""

    def __init__(self, proc: subprocess.Popen[bytes], stderr: Path) -> None:
        self.proc = proc
        self.stderr = stderr
        self.ps = psutil.Process(proc.pid)
        self.seen: dict[int, psutil.Process] = {}

    def children(self) -> list[psutil.Process]:
        """Its children (and theirs) now; each is remembered for the clean-up."""
        try:
            found = self.ps.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen.update((c.pid, c) for c in found)
        return found


@contextmanager
def started(tmp_path: Path, *args: object, pipe_stdout: bool = False) -> Iterator[Started]:
    """``python -m teamsolver ARGS`` with its output in files (stdout in a pipe with
    ``pipe_stdout``); on the way out it and every child seen that still runs are killed (so
    that a failing test leaves nothing behind)."""
    err = tmp_path / "stderr.txt"
    with (tmp_path / "stdout.txt").open("wb") as out_f, err.open("wb") as err_f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "teamsolver", *(str(a) for a in args)],
            stdout=subprocess.PIPE if pipe_stdout else out_f,
            stderr=err_f,
            stdin=subprocess.DEVNULL,
        )
    run = Started(proc, err)
    try:
        yield run
    finally:
        run.children()
        proc.kill()
        proc.wait()
        for child in run.seen.values():
            if alive(child):
                child.kill()
        if proc.stdout is not None:
            proc.stdout.close()


def highs_child(run: Started) -> psutil.Process:
    """The HiGHS child of ``run``, once it is at work."""
    found: list[psutil.Process] = []

    def working() -> bool:
        assert run.proc.poll() is None, "teamsolver ended before its HiGHS child was at work"
        found[:] = [
            c
            for c in run.children()
            if any(a.endswith("highs.py") for a in c.cmdline()) and cpu_s(c) >= HIGHS_AT_WORK_CPU_S
        ]
        return bool(found)

    wait_for("a HiGHS child at work", working)
    return found[0]


def solve_with_highs(tmp_path: Path) -> tuple[object, ...]:
    """A solve whose HiGHS child runs for minutes: university is not proven optimal by HiGHS
    within 60 s, and ``--time-limit 0`` gives it no limit."""
    out = tmp_path / "roster.json"
    return ("solve", UNIVERSITY, "--backend", "highs", "--time-limit", "0", "--out", out)


def test_sigkill_to_solve_ends_its_highs_child(tmp_path: Path) -> None:
    with started(tmp_path, *solve_with_highs(tmp_path)) as run:
        child = highs_child(run)
        run.proc.send_signal(signal.SIGKILL)
        assert run.proc.wait(timeout=PATIENCE_S) == -signal.SIGKILL
        wait_for("rid of the HiGHS child", lambda: not alive(child), DEATH_S)


def test_sigterm_to_solve_keeps_the_best_roster_and_ends_its_highs_child(tmp_path: Path) -> None:
    args = solve_with_highs(tmp_path)
    with started(tmp_path, *args) as run:
        child = highs_child(run)
        run.proc.send_signal(signal.SIGTERM)
        code = run.proc.wait(timeout=PATIENCE_S)
        wait_for("rid of the HiGHS child", lambda: not alive(child), DEATH_S)
    stderr = run.stderr.read_text("utf-8")
    assert code == 0, stderr
    assert "interrupted after" in stderr and "best roster found so far" in stderr
    inst = teamsolver.load(UNIVERSITY)
    roster = read_roster(tmp_path / "roster.json", inst)
    assert len(roster) > 0
    assert not hard_violations(inst, teamsolver.check(inst, roster))


def all_gone(run: Started) -> None:
    """Every child seen of ``run`` ends within :data:`DEATH_S`."""
    wait_for("rid of every child", lambda: not any(alive(c) for c in run.seen.values()), DEATH_S)


# -- sweep -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def university_baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A roster of university (a few improving rosters: any checked roster will do)."""
    inst = teamsolver.load(UNIVERSITY)
    result = solve_limited(inst, baseline=None, time_limit=None, workers=1, seed=0, solutions=3)
    assert result.has_roster
    path = tmp_path_factory.mktemp("baseline") / "baseline.csv"
    write_roster(inst, result.roster, path)
    return path


def long_sweep(tmp_path: Path, baseline: Path, parallel: int) -> tuple[object, ...]:
    """A sweep whose scenario solves run for minutes (university to proven optimality); its
    baseline row is finished at once (the roster is given)."""
    scenarios = tmp_path / "out.toml"
    scenarios.write_text(
        "".join(f'[[scenario]]\nname = "out-{m}"\nout = ["{m}"]\n' for m in OUT),
        encoding="utf-8",
    )
    return (
        "sweep", UNIVERSITY, "--scenarios", scenarios, "--baseline", baseline,
        "--time-limit", "0", "--workers", "1", "--parallel", str(parallel),
        "--out", tmp_path / "rows.csv",
    )  # fmt: skip


#: Members sent away in the scenarios of :func:`long_sweep`.
OUT = ("M001", "M002", "M003")


def busy_sweep(run: Started, parallel: int) -> None:
    """Wait until the sweep has announced itself and then spent at least
    :data:`HIGHS_AT_WORK_CPU_S` CPU seconds per process on its jobs (in this process or its
    workers): its scenario solves are at work."""
    base: list[float] = []

    def tree_cpu() -> float:
        return cpu_s(run.ps) + sum(cpu_s(c) for c in run.children())

    def working() -> bool:
        assert run.proc.poll() is None, "the sweep ended before its jobs were at work"
        if not base:
            if "sweep:" in run.stderr.read_text("utf-8"):
                base.append(tree_cpu())
            return False
        return tree_cpu() - base[0] >= HIGHS_AT_WORK_CPU_S * (1 + parallel)

    wait_for("a sweep at work", working)


@pytest.mark.parametrize(
    ("sig", "parallel"),
    [(signal.SIGTERM, 2), (signal.SIGINT, 2), (signal.SIGTERM, 1)],
    ids=["SIGTERM", "SIGINT", "SIGTERM-serial"],
)
def test_sigterm_or_ctrl_c_to_sweep_keeps_the_finished_rows_and_ends_every_worker(
    tmp_path: Path, university_baseline: Path, sig: signal.Signals, parallel: int
) -> None:
    """The caller reads the sweep's stdout to its end: that end comes (no worker holds it)."""
    args = long_sweep(tmp_path, university_baseline, parallel)
    with started(tmp_path, *args, pipe_stdout=True) as run:
        busy_sweep(run, parallel)
        run.children()
        run.proc.send_signal(sig)
        stdout, _ = run.proc.communicate(timeout=DEATH_S * 2)
        all_gone(run)
    err = run.stderr.read_text("utf-8")
    assert run.proc.returncode == 1, err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "rows.csv").read_text("utf-8"))))
    names = [r["scenario"] for r in rows]
    assert names[0] == "baseline" and set(names[1:]) <= {f"out-{m}" for m in OUT}
    missing = len(OUT) + 1 - len(rows)
    assert missing >= parallel  # the jobs at work when the signal came have no row
    assert f"interrupted: {missing} of {len(OUT) + 1} rows missing" in err, err
    assert f"kept {len(rows)} finished row" in err and "Traceback" not in err
    assert "baseline" in stdout.decode()


def test_sigkill_to_sweep_ends_every_worker(tmp_path: Path, university_baseline: Path) -> None:
    with started(tmp_path, *long_sweep(tmp_path, university_baseline, 2)) as run:
        busy_sweep(run, 2)
        run.children()
        run.proc.send_signal(signal.SIGKILL)
        assert run.proc.wait(timeout=PATIENCE_S) == -signal.SIGKILL
        all_gone(run)
    assert not (tmp_path / "rows.csv").exists()
