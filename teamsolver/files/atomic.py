"""Atomic output: write beside the target, then rename, so no reader ever sees half a file.

A failure (a full disk, a file-size limit, no permission) raises :class:`OSError` naming the
*target* (its ``filename``), never the temporary file, which is removed: the user knows only
the target, and nothing of a failed write is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    On any exception the temporary file is removed and ``target`` is left as it was; an
    :class:`OSError` is raised again naming ``target`` (see the module's docstring).
    """
    target = Path(target)
    with _naming(target):
        _make_parent(target)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent
        )
        os.close(fd)
    tmp_path = Path(tmp)
    try:
        with _naming(target):
            yield tmp_path
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
            # mkstemp makes the file private (0600); give it the mode a plain open() would have.
            os.chmod(tmp_path, _plain_mode(target))
            os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _make_parent(target: Path) -> None:
    """Make the target's folder and its parents; a file in the way is named."""
    above = target.parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if above.exists() and not above.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{above} is a file, not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def _naming(target: Path) -> Iterator[None]:
    """Raise an :class:`OSError` again as the same error (errno, message, subclass) about
    ``target``.

    The failed writer's objects go with the first error, silently: a writer that leaves a file
    open on a failed write (openpyxl's ``ZipFile``) would otherwise try to close it again when
    it is collected and print "Exception ignored ..." with a traceback after the message."""
    try:
        yield
    except OSError as exc:
        error = OSError(exc.errno, exc.strerror or str(exc), str(target))
        _drop_quietly(exc.__traceback__)
        exc.__traceback__ = None
        raise error from None


def _drop_quietly(tb: TracebackType | None) -> None:
    """Free the locals of the finished frames of ``tb`` (and what only they hold), muting the
    OSErrors that objects raise while they are collected."""
    if tb is None:
        return
    previous = sys.unraisablehook

    def mute(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            previous(unraisable)

    sys.unraisablehook = mute
    try:
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        for frame in frames:
            with contextlib.suppress(RuntimeError):  # a frame still running keeps its locals
                frame.clear()
        del frames
        gc.collect()
    finally:
        sys.unraisablehook = previous


def _plain_mode(target: Path, full: int = 0o666) -> int:
    """The existing file's (or folder's) mode, else ``full`` less the umask."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask


def write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")


def write_folder(target: str | os.PathLike[str], fill: Callable[[Path], None]) -> None:
    """Build a whole folder beside ``target`` with ``fill(tmpdir)``, then swap it in; a
    failure names ``target`` and leaves it as it was, with nothing beside it."""
    target = Path(target)
    with _naming(target):
        _make_parent(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old: Path | None = None
    try:
        with _naming(target):
            fill(tmp)
            # mkdtemp makes the folder private (0700); give it the mode a plain mkdir would.
            os.chmod(tmp, _plain_mode(target, 0o777))
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
                old.rmdir()
                os.replace(target, old)
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
