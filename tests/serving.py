"""A real ``teamsolver serve`` process for the service tests: started as a planner starts it
(``python -m teamsolver serve --port 0``), on a free loopback port, with its log in a file.

Every wait is a poll with a generous bound, never a fixed sleep that assumes a speed."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from .test_signals import Started, alive

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"
CITY = ROOT / "instances" / "city"
#: Bound of every poll: generous, for a loaded machine.
PATIENCE_S = 240.0
#: A tiny solve that ends by itself: one CP-SAT thread, the first 3 improving rosters.
QUICK = {"workers": 1, "solutions": 3, "time_limit": 60}


def wait_for(what: str, ready: Callable[[], Any], bound: float = PATIENCE_S) -> Any:
    """What ``ready`` gives once it gives something (polled; fails after ``bound`` s)."""
    end = time.monotonic() + bound
    while True:
        found = ready()
        if found:
            return found
        assert time.monotonic() < end, f"still not {what} after {bound:g} s"
        time.sleep(0.05)


class Server(Started):
    """A running server: its ``url``, its process and the children seen, its log."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path, token: str | None) -> None:
        super().__init__(proc, log)
        self.log = log
        line = wait_for("serving", self._address, bound=PATIENCE_S)
        self.url = line
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=120)
        wait_for("healthy", self._healthy)

    def _address(self) -> str | None:
        assert self.proc.poll() is None, f"the server ended: {self.log.read_text()}"
        found = re.search(r"serving on (http://\S+)/", self.log.read_text(encoding="utf-8"))
        return found.group(1) if found else None

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def workers(self, n: int) -> list[psutil.Process]:
        """Its worker processes, once ``n`` of them run."""

        def ready() -> list[psutil.Process] | None:
            found = [c for c in self.children() if "multiprocessing.spawn" in " ".join(c.cmdline())]
            return found if len(found) >= n else None

        found: list[psutil.Process] = wait_for(f"{n} workers", ready)
        return found

    def terminate(self) -> int:
        """SIGTERM, then the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=PATIENCE_S)

    def submit(self, **body: Any) -> dict[str, Any]:
        response = self.client.post("/jobs", json=body)
        assert response.status_code == 202, response.text
        doc: dict[str, Any] = response.json()
        return doc

    def upload(self, path: Path, **fields: str) -> httpx.Response:
        with path.open("rb") as fh:
            return self.client.post("/jobs", files={"file": (path.name, fh)}, data=fields)

    def status(self, job_id: str) -> dict[str, Any]:
        response = self.client.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        doc: dict[str, Any] = response.json()
        return doc

    def finished(self, job_id: str) -> dict[str, Any]:
        """The job's status once it has ended."""

        def ended() -> dict[str, Any] | None:
            doc = self.status(job_id)
            return doc if doc["state"] not in ("queued", "running") else None

        doc: dict[str, Any] = wait_for(f"job {job_id} finished", ended)
        return doc


@contextmanager
def serving(
    data: Path, *args: object, token: str | None = None, log: Path | None = None
) -> Iterator[Server]:
    """``python -m teamsolver serve --port 0 --data DATA ARGS``; on the way out it and every
    child seen that still runs are killed (a failing test leaves nothing behind)."""
    log = log or data.with_name(data.name + ".log")
    extra = ["--token", token] if token else []
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "teamsolver",
                "serve",
                "--port",
                "0",
                "--data",
                str(data),
                *extra,
                *(str(a) for a in args),
            ],
            stdout=err,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server: Server | None = None
    try:
        server = Server(proc, log, token)
        yield server
    finally:
        if server is not None:
            server.children()
            server.client.close()
        proc.kill()
        proc.wait()
        for child in server.seen.values() if server is not None else []:
            if alive(child):
                child.kill()


def events(server: Server, job_id: str, after: int | None = None) -> list[tuple[int, str, Any]]:
    """The job's server-sent events until ``end``: (id, type, data)."""
    headers = {} if after is None else {"Last-Event-ID": str(after)}
    found: list[tuple[int, str, Any]] = []
    with server.client.stream("GET", f"/jobs/{job_id}/events", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        block: dict[str, str] = {}
        for line in response.iter_lines():
            if line.startswith(":"):
                continue
            if line:
                key, _, value = line.partition(": ")
                block[key] = value
                continue
            if block:
                found.append((int(block["id"]), block["event"], json.loads(block["data"])))
                block = {}
    return found
