"""The REST service against a real ``teamsolver serve`` process (uvicorn on a free loopback
port) with httpx: every endpoint, bad input located, server-sent events in order, cancel keeps
the best roster, 50 concurrent submissions, the guards. Every roster served is re-checked by
the independent checker."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.data.instance import Instance
from teamsolver.data.roster import Roster
from teamsolver.files.rosters import read_roster
from teamsolver.service.work import BrokenRoster, audited, seats_of
from teamsolver.whatif.scenario import Scenario, apply_scenario
from teamsolver.whatif.sweep import cores

from .serving import CITY, QUICK, TINY, Server, events, serving, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("api") / "data", "--jobs", "2") as s:
        yield s


@pytest.fixture(scope="module")
def tiny() -> Instance:
    return teamsolver.load(TINY)


@pytest.fixture(scope="module")
def tiny_doc(tiny: Instance) -> dict[str, Any]:
    return tiny.to_document()


def clean(instance: Instance, seats: list[dict[str, Any]]) -> Roster:
    """The roster of a result, asserted to break no hard rule."""
    roster = seats_of(seats)
    assert roster.seats, "no roster"
    assert not hard_violations(instance, teamsolver.check(instance, roster))
    return roster


# -- the page and the documents --------------------------------------------------------------
def test_page_assets_and_openapi(server: Server) -> None:
    page = server.client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/static/app.js" in page.text
    for asset in ("app.js", "style.css"):
        response = server.client.get(f"/static/{asset}")
        assert response.status_code == 200
        # Nothing fetched from elsewhere (the SVG namespace is a name, not a fetch).
        assert set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"'`]*", response.text)) <= {
            "http://www.w3.org/2000/svg"
        }
    assert "//" not in page.text
    assert server.client.get("/docs").status_code == 200
    paths = server.client.get("/openapi.json").json()["paths"]
    for path in ("/jobs", "/validate", "/jobs/{job_id}", "/jobs/{job_id}/events"):
        assert path in paths
    assert server.client.get("/health").json()["jobs"] == 2


# -- validation ------------------------------------------------------------------------------
def test_validate_gives_the_plan_size(server: Server, tmp_path: Path) -> None:
    book = tmp_path / "city.xlsx"
    teamsolver.save(teamsolver.load(CITY), book)
    with book.open("rb") as fh:
        response = server.client.post("/validate", files={"file": ("city.xlsx", fh)})
    assert response.status_code == 200, response.text
    assert response.json()["counts"] == {
        "members": 521,
        "active": 514,
        "units": 122,
        "groups": 15,
        "rounds": 1,
        "seats_min": 173,
    }


def test_validate_answers_422_with_every_problem_as_validate_json(
    server: Server, tiny: Instance, tmp_path: Path
) -> None:
    book = tmp_path / "bad.xlsx"
    teamsolver.save(tiny, book)
    wb = openpyxl.load_workbook(book)
    members, groups = wb["members"], wb["groups"]
    header = [c.value for c in members[1]]
    members.cell(row=4, column=header.index("unit") + 1, value="NOWHERE")
    gheader = [c.value for c in groups[1]]
    groups.cell(row=2, column=gheader.index("size_min") + 1, value=-1)
    wb.save(book)
    with book.open("rb") as fh:
        response = server.client.post("/validate", files={"file": ("bad.xlsx", fh)})
    assert response.status_code == 422
    body = response.json()
    cli = subprocess.run(
        [sys.executable, "-m", "teamsolver", "validate", str(book), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 2
    assert [{k: v for k, v in p.items() if k != "where"} for p in body["problems"]] == json.loads(
        cli.stdout
    )["problems"]
    located = {(p["file"], p["row"], p["column"]) for p in body["problems"]}
    assert ("bad.xlsx, sheet members", 4, "unit") in located
    assert ("bad.xlsx, sheet groups", 2, "size_min") in located


def test_validate_a_json_document_in_the_body(server: Server, tiny_doc: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(tiny_doc))
    doc["members"][1]["id"] = doc["members"][0]["id"]
    response = server.client.post("/validate", json={"instance": doc})
    assert response.status_code == 422
    (problem,) = [p for p in response.json()["problems"] if "duplicate" in p["message"]]
    assert (problem["file"], problem["row"], problem["column"]) == (
        "instance.json, members",
        2,
        "id",
    )
    assert server.client.post("/validate", json={"instance": tiny_doc}).status_code == 200


# -- solve: events, status, rosters ----------------------------------------------------------
def test_solve_events_arrive_in_order_and_the_roster_files_are_clean(
    server: Server, tiny: Instance, tiny_doc: dict[str, Any], tmp_path: Path
) -> None:
    job = server.submit(kind="solve", instance=tiny_doc, options=QUICK)
    assert job["state"] in ("queued", "running") and job["links"]["events"].endswith("/events")
    got = events(server, job["id"])
    ids = [n for n, _, _ in got]
    assert ids == list(range(1, len(ids) + 1))
    kinds = [k for _, k, _ in got]
    assert kinds[:2] == ["queued", "started"] and kinds[-1] == "end"
    progress = [d for _, k, d in got if k == "progress"]
    assert kinds[2:-1] == ["progress"] * len(progress) and len(progress) == 3
    assert [p["solutions"] for p in progress] == [1, 2, 3]
    objectives = [p["objective"] for p in progress]
    assert objectives == sorted(objectives, reverse=True)  # each improves (minimised)
    end = got[-1][2]
    assert end["state"] == "done" and end["objective"] == objectives[-1]

    status = server.status(job["id"])
    assert status["state"] == "done" and status["objective"] == objectives[-1]
    assert status["has_roster"] and status["position"] is None
    result = server.client.get(f"/jobs/{job['id']}/result").json()
    roster = clean(tiny, result["roster"])
    assert result["objective"] == objectives[-1] and result["solutions"] == 3

    for fmt in ("csv", "xlsx", "json"):
        response = server.client.get(f"/jobs/{job['id']}/roster.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        path = tmp_path / f"roster.{fmt}"
        path.write_bytes(response.content)
        assert read_roster(path, tiny) == roster
    doc = json.loads((tmp_path / "roster.json").read_text(encoding="utf-8"))
    assert {g["id"] for g in doc["groups"]} == {g.id for g in tiny.groups}
    assert (tmp_path / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8

    # Resuming after an event gives the rest, in order.
    assert events(server, job["id"], after=3) == got[3:]
    assert server.client.get(f"/jobs/{job['id']}/roster.pdf").status_code == 404
    for lang in ("en", "zh"):
        page = server.client.get(f"/jobs/{job['id']}/report.html", params={"lang": lang})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert all(g.id in page.text for g in tiny.groups)
        seated = {s.member for s in roster.seats}
        assert all(m.name in page.text for m in tiny.members if m.id in seated)
    assert "巡察" in page.text  # the Chinese report
    assert server.client.get(f"/jobs/{job['id']}/report.html?lang=fr").status_code == 422


def test_a_zip_of_csv_files_is_read_and_no_name_in_it_is_followed(
    server: Server, tiny: Instance
) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        for path in sorted(TINY.iterdir()):
            zf.writestr(f"../../plan/{path.name}", path.read_bytes())
    response = server.client.post(
        "/jobs",
        files={"file": ("../../etc/plan.zip", data.getvalue())},
        data={"kind": "solve", "options": json.dumps(QUICK)},
    )
    assert response.status_code == 202, response.text
    done = server.finished(response.json()["id"])
    assert done["state"] == "done"
    result = server.client.get(f"/jobs/{done['id']}/result").json()
    clean(tiny, result["roster"])


# -- what-if, check, explain -----------------------------------------------------------------
def test_whatif_check_and_explain_jobs(
    server: Server, tiny: Instance, tiny_doc: dict[str, Any]
) -> None:
    base = server.submit(kind="solve", instance=tiny_doc, options=QUICK)
    assert server.finished(base["id"])["state"] == "done"
    seated = server.client.get(f"/jobs/{base['id']}/result").json()["roster"][0]["member"]
    whatif = server.submit(
        kind="whatif",
        instance_job=base["id"],
        baseline_job=base["id"],
        scenario=f'out = ["{seated}"]\n',
        options=QUICK,
    )
    check = server.submit(kind="check", instance_job=base["id"], roster_job=base["id"])
    explain = server.submit(kind="explain", instance=tiny_doc, options={"time_limit": 30})
    for job in (whatif, check, explain):
        assert server.finished(job["id"])["state"] == "done", server.status(job["id"])

    changed = apply_scenario(tiny, Scenario.from_text(f'out = ["{seated}"]')[0])
    result = server.client.get(f"/jobs/{whatif['id']}/result").json()
    roster = clean(changed, result["roster"])
    assert seated not in {s.member for s in roster}
    assert seated in {c["member"] for c in result["diff"]["left"]}
    assert result["diff"]["changes"] >= 1
    # The what-if's roster file belongs to the changed instance.
    response = server.client.get(f"/jobs/{whatif['id']}/roster.json")
    assert seated not in {s["member"] for s in response.json()["roster"]}

    for job in (whatif, check, explain):
        page = server.client.get(f"/jobs/{job['id']}/report.html")
        assert page.status_code == 200 and "<html" in page.text.lower()
    checked = server.client.get(f"/jobs/{check['id']}/result").json()
    assert checked["ok"] is True and checked["hard"] == 0
    explained = server.client.get(f"/jobs/{explain['id']}/result").json()
    assert explained["status"] == "FEASIBLE"


def test_check_of_an_uploaded_roster_finds_the_broken_rule(
    server: Server, tiny: Instance, tiny_doc: dict[str, Any]
) -> None:
    base = server.submit(kind="solve", instance=tiny_doc, options=QUICK)
    server.finished(base["id"])
    csv = server.client.get(f"/jobs/{base['id']}/roster.csv").content.decode("utf-8-sig")
    lines = csv.splitlines()
    leader = next(line for line in lines if ",leader," in line)
    broken = "\r\n".join(line for line in lines if line != leader) + "\r\n"
    tiny_json = json.dumps(tiny_doc, ensure_ascii=False).encode()
    response = server.client.post(
        "/jobs",
        files={"file": ("tiny.json", tiny_json), "roster": ("hand-made.csv", broken.encode())},
        data={"kind": "check"},
    )
    assert response.status_code == 202, response.text
    server.finished(response.json()["id"])
    result = server.client.get(f"/jobs/{response.json()['id']}/result").json()
    assert result["ok"] is False
    assert "leader-quota" in {v["rule"] for v in result["violations"] if v["mode"] == "hard"}


# -- cancel ----------------------------------------------------------------------------------
def test_cancel_keeps_the_best_roster_and_a_queued_job_just_leaves(
    server: Server, tmp_path: Path
) -> None:
    city = teamsolver.load(CITY)
    doc = city.to_document()
    long = {"workers": 1, "time_limit": 600}
    first = server.submit(kind="solve", instance=doc, options=long)
    second = server.submit(kind="solve", instance=doc, options=long)
    third = server.submit(kind="solve", instance=doc, options=long)
    queued = wait_for("a job waiting", lambda: server.status(third["id"])["position"] == 1)
    assert queued

    # A queued job: cancelled at once, no roster.
    assert server.client.delete(f"/jobs/{third['id']}").status_code == 202
    gone = server.finished(third["id"])
    assert gone["state"] == "cancelled" and not gone["has_roster"]

    # A running job stopped at once: cancelled, with a clean roster if it had found one.
    assert server.client.delete(f"/jobs/{second['id']}").status_code == 202
    early = server.finished(second["id"])
    assert early["state"] == "cancelled"
    if early["has_roster"]:
        clean(city, server.client.get(f"/jobs/{second['id']}/result").json()["roster"])

    # A running job stopped once it has a roster: it keeps the best one.
    wait_for("a first roster", lambda: server.status(first["id"])["objective"] is not None)
    assert server.client.delete(f"/jobs/{first['id']}").status_code == 202
    stopped = server.finished(first["id"])
    assert stopped["state"] == "cancelled" and stopped["has_roster"]
    result = server.client.get(f"/jobs/{first['id']}/result").json()
    assert result["interrupted"] is True
    clean(city, result["roster"])
    assert events(server, first["id"])[-1][2]["state"] == "cancelled"
    again = server.client.delete(f"/jobs/{first['id']}")
    assert again.status_code == 409


# -- bad input -------------------------------------------------------------------------------
def test_bad_requests_are_refused_with_their_place(
    server: Server, tiny_doc: dict[str, Any]
) -> None:
    c = server.client
    assert c.get("/jobs/nosuchjob").status_code == 404
    assert c.delete("/jobs/nosuchjob").status_code == 404
    assert c.get("/jobs/nosuchjob/events").status_code == 404

    def problems(response: httpx.Response) -> set[tuple[Any, Any]]:
        assert response.status_code == 422, response.text
        return {(p["file"], p["column"]) for p in response.json()["problems"]}

    bad_options = c.post(
        "/jobs", json={"instance": tiny_doc, "options": {"time_limit": -1, "bogus": 1}}
    )
    assert problems(bad_options) == {
        ("request", "options.time_limit"),
        ("request", "options.bogus"),
    }
    assert ("request", "kind") in problems(c.post("/jobs", json={"kind": "x"}))
    too_many = {"workers": cores() + 1}
    greedy = c.post("/jobs", json={"instance": tiny_doc, "options": too_many})
    assert problems(greedy) == {("request", "options.workers")}
    assert problems(c.post("/jobs", json={})) == {("request", None)}
    assert problems(c.post("/jobs", content=b"{oops", headers={"content-type": "application/json"}))
    assert c.post("/jobs", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    txt = c.post("/jobs", files={"file": ("plan.txt", b"hello")})
    assert problems(txt) == {("plan.txt", None)}

    base = server.submit(kind="solve", instance=tiny_doc, options=QUICK)
    server.finished(base["id"])
    unknown = c.post(
        "/jobs",
        json={
            "kind": "whatif",
            "instance_job": base["id"],
            "baseline_job": base["id"],
            "scenario": {"out": ["M0x1"]},
        },
    )
    assert problems(unknown) == {("scenario", "out")}
    toml = c.post(
        "/jobs",
        json={
            "kind": "whatif",
            "instance_job": base["id"],
            "baseline_job": base["id"],
            "scenario": 'name = "a"\nout = ["M01" "M02"]\n',
        },
    )
    assert toml.status_code == 422
    (p,) = toml.json()["problems"]
    assert (p["file"], p["row"], p["where"]) == ("scenario.toml", 2, "scenario.toml, line 2")
    no_baseline = c.post(
        "/jobs", json={"kind": "whatif", "instance_job": base["id"], "scenario": {"out": []}}
    )
    assert problems(no_baseline) == {("request", None)}


def test_an_unknown_earlier_job_is_404(server: Server) -> None:
    response = server.client.post("/jobs", json={"kind": "solve", "instance_job": "nosuchjob"})
    assert response.status_code == 404


def test_a_roster_that_breaks_a_hard_rule_is_never_served(tiny: Instance) -> None:
    seats = [{"round": "R1", "group": tiny.groups[0].id, "member": tiny.members[0].id}]
    with pytest.raises(BrokenRoster, match="leader-quota"):
        audited(tiny, {"roster": seats})


# -- load ------------------------------------------------------------------------------------
def test_50_concurrent_submissions_all_finish_clean(
    server: Server, tiny: Instance, tiny_doc: dict[str, Any]
) -> None:
    """50 clients at once against 2 slots: none lost, each checker-clean, never more than 2
    running, the waiting ones shown with their place."""
    busiest = 0
    watching = threading.Event()

    def watch() -> None:
        nonlocal busiest
        while not watching.is_set():
            busiest = max(busiest, server.client.get("/health").json()["running"])

    def submit(seed: int) -> dict[str, Any]:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            options = {**QUICK, "seed": seed}
            response = client.post("/jobs", json={"instance": tiny_doc, "options": options})
            assert response.status_code == 202, response.text
            doc: dict[str, Any] = response.json()
            return doc

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(max_workers=50) as pool:
        jobs = list(pool.map(submit, range(50)))
    ids = {j["id"] for j in jobs}
    assert len(ids) == 50
    assert any((j["position"] or 0) > 1 for j in jobs)
    finished = [server.finished(job_id) for job_id in ids]
    watching.set()
    watcher.join()
    assert {f["state"] for f in finished} == {"done"}
    assert 1 <= busiest <= 2
    for job_id in ids:
        clean(tiny, server.client.get(f"/jobs/{job_id}/result").json()["roster"])
    listed = {j["id"] for j in server.client.get("/jobs", params={"limit": 500}).json()}
    assert ids <= listed
    assert len(server.workers(2)) == 2


# -- guards ----------------------------------------------------------------------------------
def test_a_foreign_host_name_is_refused_without_a_token(server: Server) -> None:
    response = server.client.get("/health", headers={"Host": "attacker.example"})
    assert response.status_code == 403
    assert server.client.get("/health", headers={"Host": "localhost:1"}).status_code == 200


def test_no_personal_data_in_the_log(server: Server, tiny: Instance) -> None:
    """Runs after the jobs above: the log names job ids, never a member's name."""
    log = server.log.read_text(encoding="utf-8")
    assert "job " in log and "POST /jobs" in log
    city = teamsolver.load(CITY)
    for m in (*tiny.members, *city.members[:50]):
        assert m.name not in log
