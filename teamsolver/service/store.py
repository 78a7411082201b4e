"""The service's memory: jobs, their results and their progress events in one SQLite file.

Every write is one short transaction under a lock (the web handlers, the job threads and the
event streams share one connection). The file is in WAL mode, so a reader never waits for a
writer. Opening a store marks every job that was queued or running when the last server ended
(however it ended) as ``interrupted``, with an ``end`` event: a restart loses no finished result
and leaves no job "running" forever.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

State = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
#: States after which a job changes no more.
FINAL: tuple[State, ...] = ("done", "failed", "cancelled", "interrupted")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    job TEXT NOT NULL,
    result TEXT,
    problems TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, n);
CREATE TABLE IF NOT EXISTS events (
    job TEXT NOT NULL,
    n INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job, n)
);
"""


class Store:
    """Jobs and events in ``folder/teamsolver.sqlite3``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "teamsolver.sqlite3"
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self.interrupted_at_start = self._interrupt_unfinished()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _interrupt_unfinished(self) -> int:
        ids = [
            r["id"] for r in self._read("SELECT id FROM jobs WHERE state IN ('queued', 'running')")
        ]
        for job_id in ids:
            self.finish(job_id, "interrupted", error="the server ended before this job finished")
        return len(ids)

    # -- jobs --------------------------------------------------------------------------------
    def add(self, job_id: str, kind: str, job: str) -> None:
        with self._tx() as db:
            n = db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM jobs").fetchone()[0]
            db.execute(
                "INSERT INTO jobs (id, n, kind, state, created, job) VALUES (?, ?, ?, ?, ?, ?)",
                (job_id, n, kind, "queued", time.time(), job),
            )
            _event(db, job_id, "queued", {})

    def start(self, job_id: str) -> bool:
        """Mark a queued job running; False if it is no longer queued (cancelled)."""
        with self._tx() as db:
            done = db.execute(
                "UPDATE jobs SET state = 'running', started = ? WHERE id = ? AND state = 'queued'",
                (time.time(), job_id),
            ).rowcount
            if done:
                _event(db, job_id, "started", {})
            return bool(done)

    def progress(self, job_id: str, data: dict[str, Any]) -> None:
        with self._tx() as db:
            _event(db, job_id, "progress", data)

    def finish(
        self,
        job_id: str,
        state: State,
        *,
        result: dict[str, Any] | None = None,
        problems: list[dict[str, Any]] | None = None,
        error: str | None = None,
    ) -> bool:
        """Give an unfinished job its final state (and result); False if it had one already."""
        with self._tx() as db:
            done = db.execute(
                "UPDATE jobs SET state = ?, finished = ?, result = ?, problems = ?, error = ? "
                "WHERE id = ? AND state IN ('queued', 'running')",
                (
                    state,
                    time.time(),
                    None if result is None else json.dumps(result, ensure_ascii=False),
                    None if problems is None else json.dumps(problems, ensure_ascii=False),
                    error,
                    job_id,
                ),
            ).rowcount
            if done:
                _event(db, job_id, "end", {"state": state, **summary(result), "error": error})
            return bool(done)

    def get(self, job_id: str) -> sqlite3.Row | None:
        rows = self._read("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return rows[0] if rows else None

    def job_text(self, job_id: str) -> str | None:
        rows = self._read("SELECT job FROM jobs WHERE id = ?", (job_id,))
        return str(rows[0]["job"]) if rows else None

    def recent(self, limit: int) -> list[sqlite3.Row]:
        return self._read(
            "SELECT id, kind, state, created, started, finished, error FROM jobs "
            "ORDER BY n DESC LIMIT ?",
            (limit,),
        )

    def queued(self) -> list[str]:
        """Ids of the queued jobs, oldest first."""
        return [
            r["id"] for r in self._read("SELECT id FROM jobs WHERE state = 'queued' ORDER BY n")
        ]

    def count(self, state: State) -> int:
        return int(self._read("SELECT COUNT(*) FROM jobs WHERE state = ?", (state,))[0][0])

    def running(self) -> list[str]:
        return [r["id"] for r in self._read("SELECT id FROM jobs WHERE state = 'running'")]

    # -- events ------------------------------------------------------------------------------
    def events(self, job_id: str, after: int) -> list[tuple[int, str, dict[str, Any]]]:
        rows = self._read(
            "SELECT n, type, data FROM events WHERE job = ? AND n > ? ORDER BY n", (job_id, after)
        )
        return [(int(r["n"]), str(r["type"]), json.loads(r["data"])) for r in rows]

    def last_progress(self, job_id: str) -> dict[str, Any] | None:
        rows = self._read(
            "SELECT data FROM events WHERE job = ? AND type = 'progress' ORDER BY n DESC LIMIT 1",
            (job_id,),
        )
        return json.loads(rows[0]["data"]) if rows else None


def summary(result: dict[str, Any] | None) -> dict[str, Any]:
    """The figures of a result that a status or an end event shows."""
    if result is None:
        return {}
    keys = ("status", "objective", "bound", "gap", "ok")
    return {k: result[k] for k in keys if k in result}


def _event(db: sqlite3.Connection, job_id: str, kind: str, data: dict[str, Any]) -> None:
    n = db.execute(
        "SELECT COALESCE(MAX(n), 0) + 1 FROM events WHERE job = ?", (job_id,)
    ).fetchone()[0]
    db.execute(
        "INSERT INTO events (job, n, type, data) VALUES (?, ?, ?, ?)",
        (
            job_id,
            n,
            kind,
            json.dumps({**data, "at": time.time()}, ensure_ascii=False, allow_nan=False),
        ),
    )
