"""Benchmark: the REST service under load (issue 17).

Starts ``teamsolver serve --jobs N`` on a free loopback port (a real uvicorn process, started by
the tests' ``tests/serving.py``) and measures with httpx:

- **throughput**: ``--tiny`` solves of ``instances/tiny`` and ``--city`` solves of
  ``instances/city``, all submitted at once by concurrent clients, each with the page's default
  time limit (10 s; tiny ends earlier, proven optimal) and one CP-SAT thread; jobs per minute =
  jobs / (time from the first submission to the last job's end) × 60. Every roster is re-checked
  by the independent checker (a job that is not ``done`` with a clean roster fails the run).
- **validation latency**: ``--validate`` sequential ``POST /validate`` of the city workbook
  (an .xlsx upload), p50 and p95 of the wall time seen by the client.

Results go to ``benchmarks/results/service.md`` (a markdown table with the machine and its load).

Usage::

    python benchmarks/bench_service.py          # --jobs 2: 40 tiny, 8 city, 30 validations
    python benchmarks/bench_service.py --jobs 4 --city 16
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.service.work import seats_of

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
from tests.serving import serving  # noqa: E402  (the tests' way to start a real server)

RESULTS = HERE / "results" / "service.md"
TIME_LIMIT_S = 10.0


def throughput(url: str, name: str, path: Path, n: int) -> dict[str, Any]:
    instance = teamsolver.load(path)
    doc = instance.to_document()
    options = {"time_limit": TIME_LIMIT_S, "workers": 1}

    def submit(seed: int) -> str:
        with httpx.Client(base_url=url, timeout=120) as client:
            response = client.post(
                "/jobs", json={"instance": doc, "options": {**options, "seed": seed}}
            )
            response.raise_for_status()
            return str(response.json()["id"])

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(n, 50)) as pool:
        ids = list(pool.map(submit, range(n)))
    client = httpx.Client(base_url=url, timeout=120)
    pending = set(ids)
    while pending:
        for job_id in list(pending):
            if client.get(f"/jobs/{job_id}").json()["state"] not in ("queued", "running"):
                pending.discard(job_id)
        time.sleep(0.2)
    wall = time.perf_counter() - began
    objectives = []
    for job_id in ids:
        status = client.get(f"/jobs/{job_id}").json()
        assert status["state"] == "done", status
        result = client.get(f"/jobs/{job_id}/result").json()
        roster = seats_of(result["roster"])
        assert not hard_violations(instance, teamsolver.check(instance, roster)), job_id
        objectives.append(result["objective"])
    client.close()
    return {
        "instance": name,
        "jobs": n,
        "wall_s": wall,
        "per_minute": n / wall * 60,
        "objective_median": statistics.median(objectives),
    }


def validate_latency(url: str, n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "city.xlsx"
        teamsolver.save(teamsolver.load(ROOT / "instances" / "city"), book)
        data = book.read_bytes()
    times: list[float] = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for _ in range(n):
            began = time.perf_counter()
            response = client.post("/validate", files={"file": ("city.xlsx", data)})
            times.append(time.perf_counter() - began)
            assert response.status_code == 200, response.text
    times.sort()
    return {
        "n": n,
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[max(0, round(0.95 * n) - 1)],
        "kb": len(data) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="job slots of the server")
    parser.add_argument("--tiny", type=int, default=40, help="tiny solves submitted at once")
    parser.add_argument("--city", type=int, default=8, help="city solves submitted at once")
    parser.add_argument("--validate", type=int, default=30, help="POST /validate requests")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        serving(Path(folder) / "data", "--jobs", args.jobs) as server,
    ):
        load_before = os.getloadavg()[0]
        latency = validate_latency(server.url, args.validate)
        rows = [
            throughput(server.url, "tiny", ROOT / "instances" / "tiny", args.tiny),
            throughput(server.url, "city", ROOT / "instances" / "city", args.city),
        ]
        load_after = os.getloadavg()[0]
    lines = [
        "# Service load (benchmarks/bench_service.py)",
        "",
        f"`teamsolver serve --jobs {args.jobs}` on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}); load average "
        f"{load_before:.1f} before, {load_after:.1f} after (other work shares the machine). "
        f"Each solve: time limit {TIME_LIMIT_S:g} s, one CP-SAT thread; all submitted at once; "
        "every roster re-checked by the checker.",
        "",
        "| instance | jobs | wall (s) | jobs / minute | median objective |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {r['instance']} | {r['jobs']} | {r['wall_s']:.1f} | {r['per_minute']:.1f} | "
            f"{r['objective_median']:g} |"
            for r in rows
        ),
        "",
        f"`POST /validate` of the city workbook ({latency['kb']:.0f} KB .xlsx, "
        f"{latency['n']:.0f} sequential requests): p50 {latency['p50_ms']:.0f} ms, "
        f"p95 {latency['p95_ms']:.0f} ms.",
        "",
    ]
    text = "\n".join(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
