"""Where jobs run: a queue in front of at most ``slots`` jobs at a time, each on a worker
process of this machine or on a Dask cluster.

A local worker process is started once per slot and runs one job after another
(:func:`worker_main`); it dies with the server however the server ends (it runs
:func:`teamsolver.whatif.sweep.worker_start`, that is :func:`teamsolver.engine.highs.die_with`, and
leaves Ctrl-C and SIGTERM to the server), and :meth:`Scheduler.close` ends it on a normal
shutdown. Progress and the outcome come back on a pipe; a message on a second pipe asks the job
to stop, and the search then returns the best roster found. On Dask (``dask``: the scheduler's
address) each job is one task; its progress comes back through a ``distributed.Queue`` and a
``distributed.Event`` stops it the same way.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import Any, Protocol

from ..whatif.sweep import worker_start
from .store import State, Store
from .work import Outcome, run_captured, run_on_dask

log = logging.getLogger("teamsolver.service")

#: Seconds between two looks at a running job (its pipe, its stop request, its process).
POLL_S = 0.1
#: Seconds that running jobs get at shutdown to return their best roster before their worker
#: processes are killed.
GRACE_S = 3.0

Progress = Callable[[dict[str, Any]], None]


class QueueFull(Exception):
    """The queue holds as many jobs as it may."""


class WorkerLost(Exception):
    """A worker process ended in the middle of a job."""


class Runner(Protocol):
    def run(self, text: str, on_progress: Progress, stop: threading.Event) -> Outcome: ...

    def close(self) -> None: ...


def worker_main(conn: Connection, stops: Connection, parent: int) -> None:
    """A local worker process: one job text after another from ``conn``, each answered with
    ``("progress", ...)`` messages and then its outcome (see :func:`run_captured`); a message
    on ``stops`` while a job runs ends its search with the best roster found."""
    from ..engine import model  # noqa: F401  (imports ortools before the first job)

    worker_start(parent)
    # A service manager sends SIGTERM to the whole process group: the server decides.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sending = threading.Lock()

    def send(message: tuple[str, Any]) -> None:
        with sending:
            conn.send(message)

    while True:
        try:
            text = conn.recv()
        except EOFError:  # the server closed the pipe
            return
        while stops.poll(0):  # a stop that came after the last job ended
            stops.recv()
        stop, over = threading.Event(), threading.Event()

        def relay(stop: threading.Event = stop, over: threading.Event = over) -> None:
            while not over.is_set():
                if stops.poll(POLL_S):
                    stop.set()
                    return

        watcher = threading.Thread(target=relay, name="stop-relay", daemon=True)
        watcher.start()
        try:
            outcome = run_captured(text, lambda p: send(("progress", p)), stop)
        finally:
            over.set()
            watcher.join()
        send(outcome)


class LocalRunner:
    """One worker process (spawned, never forked: the server holds threads), restarted if it
    is lost. Jobs and their messages go on one pipe, stop requests on a second."""

    def __init__(self) -> None:
        self._context = get_context("spawn")
        self._process: Any = None
        self._start()

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        stop_theirs, stop_ours = self._context.Pipe(duplex=False)
        self._conn, self._stops = ours, stop_ours
        self._process = self._context.Process(
            target=worker_main,
            args=(theirs, stop_theirs, os.getpid()),
            name="teamsolver-worker",
            daemon=True,
        )
        self._process.start()
        theirs.close()
        stop_theirs.close()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    def run(self, text: str, on_progress: Progress, stop: threading.Event) -> Outcome:
        if not self._process.is_alive():
            self._start()
        self._conn.send(text)
        asked = False
        while True:
            try:
                if stop.is_set() and not asked:
                    asked = True
                    self._stops.send("stop")
                if self._conn.poll(POLL_S):
                    kind, data = self._conn.recv()
                    if kind == "progress":
                        on_progress(data)
                        continue
                    return (kind, data)
            except (EOFError, OSError):
                pass
            if not self._process.is_alive():
                self._conn.close()
                self._stops.close()
                raise WorkerLost(f"the worker process ended (exit code {self._process.exitcode})")

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        if self._process is not None:
            self._process.join()
        self._conn.close()
        self._stops.close()


class DaskRunner:
    """Jobs as tasks of a Dask cluster (one client shared by every slot)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def run(self, text: str, on_progress: Progress, stop: threading.Event) -> Outcome:
        import distributed  # an optional dependency (teamsolver[dask]): only with --dask

        name = uuid.uuid4().hex
        client = self._client
        event = distributed.Event(f"teamsolver-stop-{name}", client=client)  # type: ignore[no-untyped-call]
        queue = distributed.Queue(f"teamsolver-progress-{name}", client=client)  # type: ignore[no-untyped-call]
        future = client.submit(run_on_dask, text, event.name, queue.name, pure=False)

        def relay() -> None:
            for item in queue.get(batch=True):  # type: ignore[no-untyped-call]
                on_progress(item)

        try:
            while not future.done():
                if stop.is_set():
                    event.set()  # type: ignore[no-untyped-call]
                relay()
                time.sleep(POLL_S)
            relay()
            outcome: Outcome = tuple(future.result())
            return outcome
        finally:
            event.clear()  # type: ignore[no-untyped-call]
            queue.close()  # type: ignore[no-untyped-call]

    def close(self) -> None:
        pass


class Scheduler:
    """The queue and the slots: ``submit`` adds a job (or raises :class:`QueueFull`), each of
    ``slots`` threads runs one job at a time on its runner, ``cancel`` removes a queued job or
    stops a running one (its best roster is kept), ``close`` ends everything."""

    def __init__(
        self, store: Store, slots: int, *, max_queue: int, dask: str | None = None
    ) -> None:
        self.store = store
        self.max_queue = max_queue
        self._queue: deque[str] = deque()
        self._cond = threading.Condition()
        self._stops: dict[str, threading.Event] = {}
        self._cancelled: set[str] = set()
        self._closing = False
        self._client: Any = None
        if dask is not None:
            import distributed  # an optional dependency (teamsolver[dask]): only with --dask

            self._client = distributed.Client(dask, timeout=30)  # type: ignore[no-untyped-call]
        self.runners: list[Runner] = [
            LocalRunner() if self._client is None else DaskRunner(self._client)
            for _ in range(slots)
        ]
        self._threads = [
            threading.Thread(target=self._slot, args=(r,), name=f"slot-{i}", daemon=True)
            for i, r in enumerate(self.runners)
        ]
        for t in self._threads:
            t.start()

    def worker_pids(self) -> list[int]:
        return [r.pid for r in self.runners if isinstance(r, LocalRunner) and r.pid is not None]

    def submit(self, job_id: str, kind: str, text: str) -> None:
        with self._cond:
            if self._closing:
                raise QueueFull("the server is shutting down")
            if len(self._queue) >= self.max_queue:
                raise QueueFull(f"{len(self._queue)} jobs are waiting, the most this server keeps")
            self.store.add(job_id, kind, text)
            self._queue.append(job_id)
            self._cond.notify()
        log.info("job %s (%s) queued, %d waiting", job_id, kind, len(self._queue))

    def position(self, job_id: str) -> int | None:
        """1 for the next job to start; None if the job is not waiting."""
        with self._cond:
            try:
                return self._queue.index(job_id) + 1
            except ValueError:
                return None

    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)

    def cancel(self, job_id: str) -> bool:
        """True if the job was queued or running (now cancelled, or stopping)."""
        with self._cond:
            if job_id in self._queue:
                self._queue.remove(job_id)
                self.store.finish(job_id, "cancelled")
                log.info("job %s cancelled while queued", job_id)
                return True
            stop = self._stops.get(job_id)
            if stop is None:
                return False
            self._cancelled.add(job_id)
            stop.set()
        log.info("job %s: stop asked", job_id)
        return True

    def _next(self) -> str | None:
        with self._cond:
            while not self._queue and not self._closing:
                self._cond.wait()
            if self._closing:
                return None
            job_id = self._queue.popleft()
            self._stops[job_id] = threading.Event()
            return job_id

    def _slot(self, runner: Runner) -> None:
        while True:
            job_id = self._next()
            if job_id is None:
                return
            try:
                self._run(runner, job_id)
            finally:
                with self._cond:
                    self._stops.pop(job_id, None)
                    self._cancelled.discard(job_id)

    def _run(self, runner: Runner, job_id: str) -> None:
        text = self.store.job_text(job_id)
        if text is None or not self.store.start(job_id):
            return
        log.info("job %s started", job_id)
        start = time.perf_counter()
        stop = self._stops[job_id]
        try:
            kind, data = runner.run(text, lambda p: self.store.progress(job_id, p), stop)
        except WorkerLost as exc:
            if self._closing:
                self.store.finish(job_id, "interrupted", error="the server was stopped")
            else:
                self.store.finish(job_id, "failed", error=str(exc))
            log.warning("job %s: %s", job_id, exc)
            return
        except Exception as exc:  # a Dask failure, a lost connection: the job fails, not the slot
            self.store.finish(job_id, "failed", error=f"{type(exc).__name__}: {exc}")
            log.warning("job %s failed: %s", job_id, type(exc).__name__)
            return
        if kind == "done":
            state: State = (
                "interrupted"
                if self._closing
                else "cancelled"
                if job_id in self._cancelled
                else "done"
            )
            self.store.finish(job_id, state, result=data)
        elif kind == "problems":
            state = "failed"
            self.store.finish(job_id, state, problems=data, error="the input was refused")
        else:
            state = "failed"
            self.store.finish(job_id, state, error=str(data))
        log.info("job %s %s after %.1f s", job_id, state, time.perf_counter() - start)

    def close(self, grace: float = GRACE_S) -> None:
        """Stop taking jobs, ask the running ones to stop (each keeps its best roster, as
        ``interrupted``), give them ``grace`` seconds, then end every worker."""
        with self._cond:
            self._closing = True
            waiting = list(self._queue)
            self._queue.clear()
            for stop in self._stops.values():
                stop.set()
            self._cond.notify_all()
        for job_id in waiting:
            self.store.finish(job_id, "interrupted", error="the server was stopped")
        end = time.monotonic() + grace
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))
        for runner in self.runners:
            runner.close()
        for t in self._threads:
            t.join(1.0)
        for job_id in self.store.running():
            self.store.finish(job_id, "interrupted", error="the server was stopped")
        if self._client is not None:
            self._client.close()
        log.info("scheduler closed")
