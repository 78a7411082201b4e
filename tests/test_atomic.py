"""Atomic output (issue 13, item 13): a failed write names the target (never the temporary file),
leaves the target as it was and nothing beside it, and prints no traceback."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from teamsolver.files import atomic

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
#: A file-size limit (bytes) below every output of tiny: each write fails with EFBIG, as on a
#: full disk (Python ignores SIGXFSZ, so the write raises instead of killing the process).
SMALL = 1000


def teamsolver(
    cwd: Path, *args: object, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "teamsolver", *(str(a) for a in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limited,
    )


@pytest.mark.parametrize("out", ["plan.xlsx", "plan.json", "plan-csv"])
@pytest.mark.parametrize("command", ["convert", "generate"])
def test_a_write_that_fails_names_the_target_and_leaves_nothing(
    tmp_path: Path, command: str, out: str
) -> None:
    args = (TINY,) if command == "convert" else ("--preset", "tiny")
    proc = teamsolver(tmp_path, command, *args, out, limit=SMALL)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"error: File too large: {out}\n"  # no "Exception ignored": no traceback
    assert list(tmp_path.iterdir()) == []


def test_solve_out_that_fails_names_the_target(tmp_path: Path) -> None:
    # The solve's own temporary files fit: the limit is above them, below the workbook.
    proc = teamsolver(tmp_path, "solve", TINY, "--out", "roster.xlsx", "--time-limit", "5",
                      limit=3000)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.endswith("error: File too large: roster.xlsx\n"), proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_replacing_a_folder_by_a_file_names_the_target_not_the_temporary_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "plan.json" / "inside").mkdir(parents=True)
    proc = teamsolver(tmp_path, "convert", TINY, "plan.json", "--force")
    assert proc.returncode == 2
    assert proc.stderr == "error: Is a directory: plan.json\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x", "utf-8")
    proc = teamsolver(tmp_path, "generate", "--preset", "tiny", "notes/plan.xlsx")
    assert proc.returncode == 2
    assert proc.stderr == "error: notes is a file, not a folder: notes/plan.xlsx\n"


def test_a_full_disk_keeps_the_old_file_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "rows.csv"
    target.write_text("old", "utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError) as exc:
        atomic.write_text(target, "new")
    assert (exc.value.errno, exc.value.filename) == (errno.ENOSPC, str(target))
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]


def test_a_written_folder_has_the_mode_of_a_plain_folder(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic.write_folder(tmp_path / "out", lambda d: (d / "a.csv").write_text("x", "utf-8"))
    finally:
        os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755  # not mkdtemp's private 0700
    assert (tmp_path / "out" / "a.csv").read_text("utf-8") == "x"
