"""The service's processes, for real: SIGTERM ends every worker and marks the running jobs
interrupted (keeping the best roster found), a restart keeps every finished result; after
SIGKILL the workers die with the server and the restart reports the job interrupted; the
bounds (413, 411, 429), the token and the address guard; jobs on a Dask cluster."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.service.work import seats_of

from .serving import CITY, QUICK, TINY, Server, alive, events, serving, wait_for

#: Bound of the wait for a worker to die after the server: the kernel's signal comes at once,
#: the worker's own watch within a second.
DEATH_S = 30.0
#: A city solve that runs until it is stopped.
LONG = {"workers": 1, "time_limit": 600}


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return {
        "tiny": teamsolver.load(TINY).to_document(),
        "city": teamsolver.load(CITY).to_document(),
    }


def with_roster(server: Server, job_id: str) -> None:
    wait_for("a first roster", lambda: server.status(job_id)["objective"] is not None)


def clean_result(server: Server, job_id: str, path: Path) -> list[dict[str, Any]]:
    seats: list[dict[str, Any]] = server.client.get(f"/jobs/{job_id}/result").json()["roster"]
    inst = teamsolver.load(path)
    assert seats and not hard_violations(inst, teamsolver.check(inst, seats_of(seats)))
    return seats


def all_dead(server: Server) -> None:
    seen = list(server.seen.values())
    assert seen, "no worker was seen"
    wait_for("every worker gone", lambda: not any(alive(p) for p in seen), bound=DEATH_S)


def test_sigterm_interrupts_running_jobs_ends_every_worker_and_a_restart_keeps_results(
    tmp_path: Path, docs: dict[str, dict[str, Any]]
) -> None:
    data = tmp_path / "data"
    with serving(data, "--jobs", "1") as server:
        finished = server.submit(instance=docs["tiny"], options=QUICK)
        assert server.finished(finished["id"])["state"] == "done"
        csv = server.client.get(f"/jobs/{finished['id']}/roster.csv").content
        running = server.submit(instance=docs["city"], options=LONG)
        waiting = server.submit(instance=docs["city"], options=LONG)
        with_roster(server, running["id"])
        assert server.status(waiting["id"])["position"] == 1
        assert len(server.workers(1)) == 1
        # Uvicorn shuts down, then ends by the signal it caught (as a service manager expects).
        assert server.terminate() in (0, -signal.SIGTERM)
        all_dead(server)
    log = server.log.read_text(encoding="utf-8")
    assert "scheduler closed" in log and "Application shutdown complete" in log
    assert "Traceback" not in log

    with serving(data, "--jobs", "1", log=tmp_path / "again.log") as again:
        assert again.status(finished["id"])["state"] == "done"
        assert again.client.get(f"/jobs/{finished['id']}/roster.csv").content == csv
        stopped = again.status(running["id"])
        assert stopped["state"] == "interrupted" and stopped["has_roster"]
        clean_result(again, running["id"], CITY)
        left = again.status(waiting["id"])
        assert left["state"] == "interrupted" and not left["has_roster"]
        assert again.client.get(f"/jobs/{waiting['id']}/roster.csv").status_code == 404


@pytest.mark.slow  # the SIGTERM test above is the representative in the default run
def test_sigkill_ends_every_worker_and_the_restart_reports_the_job_interrupted(
    tmp_path: Path, docs: dict[str, dict[str, Any]]
) -> None:
    data = tmp_path / "data"
    with serving(data, "--jobs", "2") as server:
        job = server.submit(instance=docs["city"], options=LONG)
        with_roster(server, job["id"])
        assert len(server.workers(2)) == 2
        server.proc.kill()
        server.proc.wait()
        all_dead(server)
    with serving(data, "--jobs", "1", log=tmp_path / "again.log") as again:
        status = again.status(job["id"])
        assert status["state"] == "interrupted"
        assert "ended before this job finished" in status["error"]


# -- bounds and guards -----------------------------------------------------------------------
def test_bodies_over_the_limit_and_a_full_queue_are_refused(
    tmp_path: Path, docs: dict[str, dict[str, Any]]
) -> None:
    with serving(
        tmp_path / "data", "--jobs", "1", "--max-queue", "2", "--max-upload", "0.5"
    ) as server:
        c = server.client
        big = c.post("/validate", files={"file": ("plan.xlsx", b"x" * 600_000)})
        assert big.status_code == 413 and "0.5 MB" in big.json()["detail"]

        def chunks() -> Iterator[bytes]:
            yield b'{"instance": '
            yield b"{}}"

        assert c.post("/validate", content=chunks()).status_code == 411
        first = server.submit(instance=docs["tiny"], options=LONG)
        wait_for("running", lambda: server.status(first["id"])["state"] == "running")
        queued = [server.submit(instance=docs["tiny"], options=QUICK) for _ in range(2)]
        full = c.post("/jobs", json={"instance": docs["tiny"], "options": QUICK})
        assert full.status_code == 429 and full.headers["Retry-After"]
        for job in (first, *queued):
            c.delete(f"/jobs/{job['id']}")
        for job in queued:
            assert server.finished(job["id"])["state"] == "cancelled"
        assert server.finished(first["id"])["state"] in ("cancelled", "done")
        after = c.post("/jobs", json={"instance": docs["tiny"], "options": QUICK})
        assert after.status_code == 202


def test_a_token_guards_every_api_request_but_not_the_page(tmp_path: Path) -> None:
    with serving(tmp_path / "data", "--jobs", "1", token="s3cret") as server:
        bare = httpx.Client(base_url=server.url, timeout=60)
        for path in ("/health", "/jobs", "/jobs/x"):
            response = bare.get(path)
            assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        wrong = bare.get("/jobs", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        for path in ("/", "/static/app.js", "/docs", "/openapi.json"):
            assert bare.get(path).status_code == 200
        assert server.client.get("/jobs").status_code == 200
        bare.close()


def test_another_address_needs_a_token() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "teamsolver", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert "--token" in run.stderr and "Traceback" not in run.stderr


# -- Dask ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_jobs_on_a_dask_cluster_report_progress_finish_and_stop(
    tmp_path: Path, dask_address: str, docs: dict[str, dict[str, Any]]
) -> None:
    with serving(tmp_path / "data", "--jobs", "2", "--dask", dask_address) as server:
        quick = server.submit(instance=docs["tiny"], options=QUICK)
        long = server.submit(instance=docs["city"], options=LONG)
        assert server.finished(quick["id"])["state"] == "done"
        clean_result(server, quick["id"], TINY)
        kinds = [kind for _, kind, _ in events(server, quick["id"])]
        assert kinds == ["queued", "started", "progress", "progress", "progress", "end"]
        with_roster(server, long["id"])
        assert server.client.delete(f"/jobs/{long['id']}").status_code == 202
        stopped = server.finished(long["id"])
        assert stopped["state"] == "cancelled" and stopped["has_roster"]
        clean_result(server, long["id"], CITY)
        spawned = [c for c in server.children() if "multiprocessing.spawn" in " ".join(c.cmdline())]
        assert not spawned  # the jobs ran on the cluster, not on worker processes here
