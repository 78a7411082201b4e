"""Sweep: solve many what-if scenarios of one instance, serially, on local processes or on Dask.

Every scenario is applied (and validated) in the calling process first, so a bad scenario stops
the sweep before any solve. Each job then travels as one JSON text (the instance document of
:meth:`Instance.to_document`, the baseline seats and the solve options) to :func:`run_job`, which
returns one JSON row: no solver object is ever pickled. Rows come back in scenario order.

Determinism: with ``workers=1`` and a fixed seed, a job's row depends only on its JSON text when
the search ends by itself (proven optimal or infeasible) or after ``solutions`` improving
rosters; a wall-clock ``time_limit`` that cuts the search can end it at different points on a
busy machine.

Interruption: with a ``stop`` event set (the CLI sets it on Ctrl-C or SIGTERM), the sweep ends
its running jobs at once and raises :class:`SweepInterrupted` with the rows finished so far. Its
local worker processes die with the calling process however that ends (they run
:func:`teamsolver.engine.highs.die_with`), and ignore Ctrl-C (a terminal sends it to every
process of the foreground group: the caller decides what it means). A Dask cluster is the
caller's: its running tasks are cancelled, its workers stay.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..data.errors import InputError, Problem, raise_if_errors
from ..data.instance import Instance
from ..data.result import Result
from ..data.roster import Roster, Seat
from ..data.settings import GOAL_IDS
from ..score import judge
from . import rescored, solve_limited, solve_whatif
from .scenario import Scenario, apply_scenario

#: Name of the row of the unchanged instance.
BASELINE = "baseline"
#: Seconds between two looks at ``stop`` while jobs run.
POLL_S = 0.1


class SweepRow(BaseModel):
    """One scenario's outcome. ``changes`` counts seats against the baseline (the ``stability``
    measure); ``objective`` and ``goals`` use the scenario instance's own weights. A value that
    does not exist (no roster: INFEASIBLE, UNKNOWN, ERROR) is None, an empty cell in CSV."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    status: str
    objective: int | None = None
    goals: dict[str, int] = {}
    changes: int | None = None
    seats: int | None = None
    soft_violations: int | None = None
    time_s: float = 0.0
    error: str = ""

    def outcome(self) -> dict[str, Any]:
        """Everything but the time: what must be equal however the sweep was run."""
        return self.model_dump(exclude={"time_s"})

    def csv_row(self) -> list[Any]:
        return [
            self.scenario,
            self.status,
            "" if self.objective is None else self.objective,
            *(self.goals.get(g, "") for g in GOAL_IDS),
            "" if self.changes is None else self.changes,
            "" if self.seats is None else self.seats,
            "" if self.soft_violations is None else self.soft_violations,
            f"{self.time_s:.3f}",
            self.error,
        ]


CSV_HEADER: tuple[str, ...] = (
    "scenario",
    "status",
    "objective",
    *GOAL_IDS,
    "changes",
    "seats",
    "soft_violations",
    "time_s",
    "error",
)


class Options(BaseModel):
    """Solve options of every job."""

    model_config = ConfigDict(frozen=True)

    time_limit: float | None = 10.0
    workers: int = 1
    seed: int = 0
    solutions: int | None = None


class SweepInterrupted(Exception):
    """The sweep was stopped before every row was finished: ``rows`` are the finished ones in
    scenario order (the baseline row first, when it was finished), ``missing`` the names of
    the scenarios (``baseline`` included) that have none."""

    def __init__(self, rows: Sequence[SweepRow], missing: Sequence[str]) -> None:
        super().__init__(f"interrupted: {len(missing)} of {len(rows) + len(missing)} rows missing")
        self.rows = list(rows)
        self.missing = list(missing)


def cores() -> int:
    """CPU cores this process may use (the tests replace it to play a machine of N cores)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def plan_parallel(parallel: int | None, workers: int | None, available: int) -> tuple[int, int]:
    """(processes, CP-SAT threads each) so that their product never exceeds ``available``
    cores: what is not given divides the cores among the rest. Raises :class:`ValueError`
    naming the core count when the numbers given ask for more."""
    p, w = parallel or 1, workers or 1
    if p * w > available:
        asked = " × ".join(
            [
                *([_count(parallel, "process", "processes")] if parallel else []),
                *([_count(workers, "CP-SAT thread", "CP-SAT threads")] if workers else []),
            ]
        )
        both = parallel is not None and workers is not None
        raise ValueError(
            f"{asked}{f' = {p * w}' if both else ''} exceed{'s' if both else ''} the {available} "
            f"core{'s' if available != 1 else ''} of this machine; processes × CP-SAT threads "
            f"must be at most {available}"
        )
    if parallel is None:
        return max(1, available // w), w
    return p, workers or max(1, available // p)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def apply_all(instance: Instance, scenarios: Sequence[Scenario]) -> list[tuple[str, Instance]]:
    """(name, changed instance) of every scenario; raises :class:`InputError` with the
    problems of every scenario (not just the first bad one)."""
    problems: list[Problem] = []
    applied: list[tuple[str, Instance]] = []
    for scenario in scenarios:
        try:
            applied.append((scenario.name, apply_scenario(instance, scenario)))
        except InputError as exc:
            problems.extend(exc.problems)
    raise_if_errors(problems)
    return applied


def make_jobs(
    applied: Sequence[tuple[str, Instance]], baseline: Roster, options: Options
) -> list[str]:
    """One JSON text per changed instance of :func:`apply_all`."""
    seats = [s.model_dump(mode="json") for s in baseline.seats]
    return [
        json.dumps(
            {
                "scenario": name,
                "instance": changed.to_document(),
                "baseline": seats,
                "options": options.model_dump(),
            },
            ensure_ascii=False,
        )
        for name, changed in applied
    ]


def run_job(job: str) -> str:
    """Solve one job (a JSON text from :func:`make_jobs`) and return its row as JSON text.

    Top-level and importable, so that process pools and Dask workers call it by name.
    """
    from ..engine import model  # noqa: F401  (imports ortools before the clock starts)

    doc = json.loads(job)
    options = Options.model_validate(doc["options"])
    start = time.perf_counter()
    try:
        instance = Instance.model_validate(doc["instance"])
        baseline = Roster(seats=tuple(Seat.model_validate(s) for s in doc["baseline"]))

        def solve(inst: Instance, limit: float | None) -> Result:
            return solve_limited(
                inst,
                baseline=baseline,
                time_limit=limit,
                workers=options.workers,
                seed=options.seed,
                solutions=options.solutions,
            )

        result = solve_whatif(instance, baseline, time_limit=options.time_limit, solve=solve)
        result = rescored(instance, result, baseline)
        row = SweepRow(
            scenario=doc["scenario"],
            status=result.status,
            objective=result.objective,
            goals=result.goals if result.has_roster else {},
            changes=result.goals.get("stability") if result.has_roster else None,
            seats=len(result.roster) if result.has_roster else None,
            soft_violations=sum(result.rule_costs.values()) if result.has_roster else None,
            time_s=time.perf_counter() - start,
        )
    except Exception as exc:  # one failing scenario must not lose the others' rows
        row = SweepRow(
            scenario=doc["scenario"],
            status="ERROR",
            error=f"{type(exc).__name__}: {exc}",
            time_s=time.perf_counter() - start,
        )
    return row.model_dump_json()


def baseline_row(instance: Instance, baseline: Roster, status: str, time_s: float) -> SweepRow:
    """The row of the unchanged instance: its roster's goals, 0 changes."""
    judgement = judge(instance, baseline, baseline)
    return SweepRow(
        scenario=BASELINE,
        status=status,
        objective=judgement.objective,
        goals=judgement.goals,
        changes=0,
        seats=len(baseline),
        soft_violations=sum(v.count for v in judgement.soft),
        time_s=time_s,
    )


def run_jobs(
    jobs: Sequence[str],
    *,
    parallel: int = 1,
    dask: str | Any | None = None,
    on_done: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> list[SweepRow]:
    """Rows of ``jobs`` in order: in this process (``parallel`` 1), on ``parallel`` local
    processes, or on the Dask cluster at ``dask`` (an address, or a ``distributed.Client``).

    With ``stop`` the jobs run in worker processes even with ``parallel`` 1 (a running solve
    is ended by ending its process); once ``stop`` is set the running jobs are ended and
    :class:`SweepInterrupted` is raised with the rows finished so far (``missing`` names the
    scenarios of the others)."""
    total = len(jobs)
    done = 0
    rows: list[SweepRow | None] = [None] * total

    def finished(i: int, text: str) -> None:
        nonlocal done
        rows[i] = SweepRow.model_validate_json(text)
        done += 1
        if on_done is not None:
            on_done(done, total)

    if stop is not None and stop.is_set():
        pass  # stopped before any job: no worker is started
    elif dask is not None:
        _on_dask(jobs, dask, finished, stop)
    elif (parallel > 1 and total > 1) or (stop is not None and total > 0):
        _on_processes(jobs, min(parallel, total), finished, stop)
    else:
        for i, job in enumerate(jobs):
            finished(i, run_job(job))
    if stop is not None and stop.is_set() and done < total:
        raise SweepInterrupted(
            [r for r in rows if r is not None],
            [json.loads(job)["scenario"] for job, r in zip(jobs, rows, strict=True) if r is None],
        )
    return [r for r in rows if r is not None]


def worker_start(parent: int) -> None:
    """A sweep's worker process: it dies with ``parent``, and leaves Ctrl-C to it."""
    from ..engine.highs import die_with  # a fresh worker process: OR-Tools loads here

    die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _on_processes(
    jobs: Sequence[str],
    processes: int,
    finished: Callable[[int, str], None],
    stop: threading.Event | None,
) -> None:
    """The jobs on local worker processes; on ``stop`` (or any exception while waiting, such
    as a KeyboardInterrupt) the workers are killed (a solve in a worker cannot be reached from
    here) and the jobs not finished are left out."""
    context = get_context("spawn")  # no fork of a process that may hold solver threads
    pool = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=worker_start,
        initargs=(os.getpid(),),
    )
    pending: set[Future[str]] = set()
    try:
        futures: dict[Future[str], int] = {
            pool.submit(run_job, job): i for i, job in enumerate(jobs)
        }
        pending = set(futures)
        while pending and not (stop is not None and stop.is_set()):
            ready, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in ready:
                if stop is not None and stop.is_set() and future.exception() is not None:
                    continue  # a worker ended by the interruption
                finished(futures[future], future.result())
    finally:
        if pending:  # stopped, or an exception here (a KeyboardInterrupt): no job is awaited
            for process in list((pool._processes or {}).values()):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)


def _on_dask(
    jobs: Sequence[str],
    dask: str | Any,
    finished: Callable[[int, str], None],
    stop: threading.Event | None,
) -> None:
    try:
        import distributed
    except ImportError as exc:
        raise RuntimeError(
            "--dask needs the 'distributed' package: pip install 'teamsolver[dask]'"
        ) from exc
    client = dask if isinstance(dask, distributed.Client) else distributed.Client(dask, timeout=30)  # type: ignore[no-untyped-call]
    try:
        futures = client.map(run_job, list(jobs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        pending = distributed.as_completed(futures)  # type: ignore[no-untyped-call]
        while not pending.is_empty():  # type: ignore[no-untyped-call]
            if stop is not None and stop.is_set():
                client.cancel(futures)  # type: ignore[no-untyped-call]
                return
            for future in pending.next_batch(block=False):  # type: ignore[no-untyped-call]
                finished(index[future.key], future.result())
            time.sleep(POLL_S)
    finally:
        if client is not dask:
            client.close()  # type: ignore[no-untyped-call]


def sweep(
    instance: Instance,
    scenarios: Sequence[Scenario],
    *,
    baseline: Roster | None = None,
    options: Options | None = None,
    parallel: int = 1,
    dask: str | Any | None = None,
    on_done: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> list[SweepRow]:
    """The baseline row, then one row per scenario, each re-solved against the baseline with
    ``stability`` first (see :func:`teamsolver.whatif.whatif`).

    Without ``baseline`` the unchanged instance is solved first (with the same options) and
    its roster is the baseline; the baseline row then has that solve's status. Every scenario
    is applied first: a bad one raises :class:`InputError` before any solve. Setting ``stop``
    (from another thread) ends the sweep with :class:`SweepInterrupted`.
    """
    return sweep_applied(
        instance,
        apply_all(instance, scenarios),
        baseline=baseline,
        options=options,
        parallel=parallel,
        dask=dask,
        on_done=on_done,
        stop=stop,
    )


def sweep_applied(
    instance: Instance,
    applied: Sequence[tuple[str, Instance]],
    *,
    baseline: Roster | None = None,
    options: Options | None = None,
    parallel: int = 1,
    dask: str | Any | None = None,
    on_done: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> list[SweepRow]:
    """:func:`sweep` of scenarios already applied by :func:`apply_all`."""
    options = options or Options()
    start = time.perf_counter()
    status = "GIVEN"
    if baseline is None:
        result = _solve_baseline(instance, options, stop)
        if stop is not None and stop.is_set():
            raise SweepInterrupted([], [BASELINE, *(name for name, _ in applied)])
        if not result.has_roster:
            return [SweepRow(scenario=BASELINE, status=result.status, time_s=result.wall_time_s)]
        baseline, status = result.roster, result.status
    first = baseline_row(instance, baseline, status, time.perf_counter() - start)
    jobs = make_jobs(applied, baseline, options)
    try:
        rows = run_jobs(jobs, parallel=parallel, dask=dask, on_done=on_done, stop=stop)
    except SweepInterrupted as exc:
        raise SweepInterrupted([first, *exc.rows], exc.missing) from None
    return [first, *rows]


def _solve_baseline(instance: Instance, options: Options, stop: threading.Event | None) -> Result:
    """The unchanged instance solved with ``options``; ``stop`` ends the search (it is relayed
    to the solve's own event, which the solution limit sets too)."""
    mine = threading.Event()
    over = threading.Event()

    def relay() -> None:
        assert stop is not None
        while not over.is_set():
            if stop.wait(POLL_S):
                mine.set()
                return

    if stop is not None:
        threading.Thread(target=relay, name="sweep-stop", daemon=True).start()
    try:
        return solve_limited(
            instance,
            baseline=None,
            time_limit=options.time_limit,
            workers=options.workers,
            seed=options.seed,
            solutions=options.solutions,
            stop=mine,
        )
    finally:
        over.set()
