"""The REST application (FastAPI): jobs, their progress as server-sent events, validation, the
roster files, and the planners' page at ``/``.

Answers (see the README, section "Service"): ``POST /validate`` 200 or 422 with every located
problem (the ``problems`` of ``teamsolver validate --json``); ``POST /jobs`` 202 with the job's
id (422 for bad input, 404 for an unknown job it refers to, 429 when the queue is full, 413 for
a body over the limit); ``GET /jobs/{id}`` status, objective, bound and gap (and the queue
position while waiting); ``GET /jobs/{id}/events`` the events in order (``queued``,
``started``, ``progress`` for each improving roster, ``end``), resumable with
``Last-Event-ID``; ``DELETE /jobs/{id}`` stops it, keeping the best roster found;
``GET /jobs/{id}/result`` the whole result document; ``GET /jobs/{id}/roster.{csv,xlsx,json}``.

The event stream is a plain ``StreamingResponse``: every event is a row of the store with its
number, so a stream is "the rows after N, then wait"; a library (sse-starlette) would add a
dependency for the few lines that write ``id:``, ``event:`` and ``data:``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from .. import __version__, report
from ..data.errors import InputError, Problem, plain_message
from ..data.instance import Instance
from ..data.result import Result
from ..data.roster import Roster
from ..explainer import Explanation
from ..files import LoadResult
from ..files.rosters import write_roster
from ..whatif import prepare
from ..whatif.diff import RosterDiff
from ..whatif.scenario import Scenario
from ..whatif.sweep import cores
from .inputs import checked, read_document, read_roster_seats, read_roster_upload, read_upload
from .runner import QueueFull, Scheduler
from .store import Store, summary
from .work import KINDS, Kind, Options, seats_of

log = logging.getLogger("teamsolver.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Lang = Literal["en", "zh"]
#: Host names a server without a token answers to (anything else may be DNS rebinding).
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Paths that carry no data: open without the token, so that a browser can load the page.
OPEN = ("/", "/docs", "/openapi.json", "/favicon.ico")
#: Seconds between two looks at the store for new events, and between two keep-alive lines.
EVENT_POLL_S = 0.2
KEEP_ALIVE_S = 15.0
ROSTER_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class Config:
    """How a server runs: ``data`` folder of the store, ``jobs`` at a time, the bearer
    ``token`` (None: loopback only), ``max_upload`` bytes of a request body, ``max_queue``
    waiting jobs, ``dask`` scheduler address."""

    data: Path
    jobs: int
    token: str | None = None
    max_upload: int = 20 * 2**20
    max_queue: int = 100
    dask: str | None = None


class JobRequest(BaseModel):
    """A job as a JSON body. The instance is ``instance`` (the JSON document of ``teamsolver
    schema``) or ``instance_job`` (the instance of an earlier job; for a what-if job, the changed
    instance). ``check`` needs ``roster`` (a list of seats) or ``roster_job``; ``whatif`` needs
    ``baseline`` or ``baseline_job``, and ``scenario``: a TOML text (as a scenario file) or its
    table as an object (``{"out": ["M07"], "group": [{"id": "G2", "size_max": 6}]}``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = "solve"
    instance: dict[str, Any] | None = None
    instance_job: str | None = None
    options: Options = Options()
    roster: list[dict[str, Any]] | None = None
    roster_job: str | None = None
    baseline: list[dict[str, Any]] | None = None
    baseline_job: str | None = None
    scenario: str | dict[str, Any] | None = None
    scenario_name: str | None = None


class Refused(Exception):
    """A request answered with ``status`` and a JSON body."""

    def __init__(self, status: int, detail: str, problems: list[Problem] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []


def problem_docs(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as ``validate --json`` gives them, plus ``where`` as the command line says it."""
    return [{**p.model_dump(exclude={"row_word"}), "where": p.where()} for p in problems]


def refused(status: int, detail: str, problems: list[Problem] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if problems is not None:
        body["problems"] = problem_docs(problems)
    return JSONResponse(body, status_code=status)


def counts(instance: Instance) -> dict[str, int]:
    return {
        "members": len(instance.members),
        "active": sum(m.status == "active" for m in instance.members),
        "units": len(instance.units),
        "groups": len(instance.groups),
        "rounds": len(instance.rounds),
        "seats_min": sum(g.size_min for g in instance.groups),
    }


# -- guards ----------------------------------------------------------------------------------
def host_name(host: str) -> str:
    """The name in a Host header, without the port (``[::1]:8000`` → ``::1``)."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """Pure ASGI middleware: the bearer token (when set) or a loopback Host (when not), and the
    body size (413 over ``max_upload``; 411 for a body of unknown length)."""

    def __init__(self, app: ASGIApp, config: Config) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        answer = self._refusal(scope, headers)
        if answer is not None:
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        path = str(scope["path"])
        token = self.config.token
        if token is None:
            if host_name(headers.get("host", "")) not in LOOPBACK:
                return refused(
                    403,
                    "this server answers on localhost only (start it with --token to serve others)",
                )
        elif not (path in OPEN or path.startswith("/static/")):
            given = headers.get("authorization", "")
            if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
                response = refused(401, "a bearer token is required: Authorization: Bearer <token>")
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
        if scope["method"] in ("POST", "PUT", "PATCH"):
            length = headers.get("content-length")
            if length is None:
                if "transfer-encoding" in headers:
                    return refused(411, "send the body with a Content-Length")
            elif not length.isdigit() or int(length) > self.config.max_upload:
                limit = self.config.max_upload / 2**20
                return refused(413, f"the request is larger than the limit of {limit:g} MB")
        return None


# -- the application -------------------------------------------------------------------------
def create_app(config: Config) -> FastAPI:
    """The application; its scheduler (and worker processes) starts with it and ends with it."""
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(config.data)
        if store.interrupted_at_start:
            log.info("%d unfinished jobs marked interrupted", store.interrupted_at_start)
        scheduler = Scheduler(store, config.jobs, max_queue=config.max_queue, dask=config.dask)
        state.update(store=store, scheduler=scheduler)
        log.info("%d job slots on %s", config.jobs, config.dask or "worker processes")
        try:
            yield
        finally:
            await run_in_threadpool(scheduler.close)
            store.close()

    app = FastAPI(
        title="teamsolver",
        summary="Compose inspection teams: jobs, progress, rosters.",
        version=__version__,
        lifespan=lifespan,
    )
    app.add_middleware(Guard, config=config)
    static = resources.files("teamsolver.service") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    def store() -> Store:
        s: Store = state["store"]
        return s

    def scheduler() -> Scheduler:
        s: Scheduler = state["scheduler"]
        return s

    @app.exception_handler(Refused)
    async def on_refused(request: Request, exc: Refused) -> JSONResponse:
        return refused(exc.status, exc.detail, exc.problems if exc.problems else None)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(static / "index.html"), media_type="text/html; charset=utf-8")

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Slots, waiting and running jobs."""
        return {
            "ok": True,
            "jobs": config.jobs,
            "waiting": scheduler().waiting(),
            "running": len(store().running()),
        }

    @app.post(
        "/validate",
        responses={422: {"description": "errors: every problem, located"}},
        openapi_extra=_body_doc(validate=True),
    )
    async def validate(request: Request) -> JSONResponse:
        """Check an instance (an uploaded ``file`` or a JSON ``{"instance": {...}}``): 200 with
        the warnings and the plan's size, or 422 with every problem located by file (sheet),
        row and column."""
        fields = await _fields(request)
        loaded = await run_in_threadpool(_instance_of, fields, store())
        body: dict[str, Any] = {"ok": not loaded.errors, "problems": problem_docs(loaded.problems)}
        if loaded.instance is not None:
            body["counts"] = counts(loaded.instance)
        return JSONResponse(body, status_code=422 if loaded.errors else 200)

    @app.post(
        "/jobs",
        status_code=202,
        responses={
            404: {"description": "an earlier job named in the request does not exist"},
            413: {"description": "the body is over the limit"},
            422: {"description": "bad input: every problem, located"},
            429: {"description": "the queue is full"},
        },
        openapi_extra=_body_doc(validate=False),
    )
    async def submit(request: Request) -> JSONResponse:
        """Queue a job (``solve``, ``whatif``, ``explain``, ``check``): an uploaded ``file`` with
        form fields ``kind``, ``options`` (JSON), ``scenario`` ..., or a JSON body (see
        ``JobRequest``). Answers 202 with the job's id and its place in the queue."""
        fields = await _fields(request)
        most = None if config.dask is not None else cores()
        kind, text, warnings = await run_in_threadpool(_job_text, fields, store(), most)
        job_id = uuid.uuid4().hex
        try:
            scheduler().submit(job_id, kind, text)
        except QueueFull as exc:
            response = refused(429, f"too many jobs waiting: {exc}; try again later")
            response.headers["Retry-After"] = "10"
            return response
        body = {
            **_status(store(), scheduler(), job_id),
            "warnings": problem_docs(warnings),
        }
        return JSONResponse(body, status_code=202, headers={"Location": f"/jobs/{job_id}"})

    @app.get("/jobs")
    def jobs(limit: int = 50) -> list[dict[str, Any]]:
        """The most recent jobs, newest first."""
        return [
            {k: row[k] for k in ("id", "kind", "state", "created", "started", "finished")}
            for row in store().recent(max(1, min(limit, 500)))
        ]

    @app.get("/jobs/{job_id}")
    def job(job_id: str) -> dict[str, Any]:
        """State (``queued`` with its ``position``, ``running``, ``done``, ``failed``,
        ``cancelled``, ``interrupted``), solver status, objective, bound, gap."""
        return _status(store(), scheduler(), job_id)

    @app.get("/jobs/{job_id}/result")
    def result(job_id: str) -> JSONResponse:
        """The whole result document of a finished job (as ``solve --json`` prints it)."""
        return JSONResponse(_result(store(), job_id))

    @app.delete("/jobs/{job_id}", status_code=202)
    def cancel(job_id: str) -> dict[str, Any]:
        """Stop a job: a queued one is cancelled, a running one stops and keeps the best roster
        found so far (its state becomes ``cancelled`` once it has stopped)."""
        _row(store(), job_id)
        if not scheduler().cancel(job_id):
            raise Refused(409, "the job has already ended")
        return _status(store(), scheduler(), job_id)

    @app.get("/jobs/{job_id}/events", response_class=StreamingResponse)
    async def events(request: Request, job_id: str) -> StreamingResponse:
        """Server-sent events of the job, in order: ``queued``, ``started``, a ``progress``
        per improving roster (objective, bound, gap, elapsed_s, solutions), then ``end`` (state,
        status, objective, bound). Each has an ``id``; ``Last-Event-ID`` resumes after it."""
        _row(store(), job_id)
        header = request.headers.get("last-event-id", "0")
        after = int(header) if header.isdigit() else 0
        return StreamingResponse(
            _stream(request, store(), job_id, after),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/jobs/{job_id}/roster.{fmt}")
    def roster(job_id: str, fmt: str) -> Response:
        """The roster of a finished job as CSV (with a byte-order mark, for Excel), XLSX or
        JSON (with the readable columns, the result's figures and each group's targets)."""
        if fmt not in ROSTER_FORMATS:
            raise Refused(404, f"no roster.{fmt}: ask for roster.csv, roster.xlsx or roster.json")
        data = _roster_file(store(), job_id, fmt)
        name = f"roster-{job_id[:8]}.{fmt}"
        return Response(
            data,
            media_type=ROSTER_FORMATS[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get(
        "/jobs/{job_id}/report.html",
        response_class=HTMLResponse,
        responses={404: {"description": "no result yet"}},
    )
    def report_page(job_id: str, lang: Lang = "en") -> HTMLResponse:
        """The job's report as one self-contained HTML page (``teamsolver.report``): the
        roster by group, the rules and goals, a what-if's before and after, an explanation's
        conflict; ``lang`` ``en`` or ``zh``."""
        return HTMLResponse(_report_html(store(), job_id, lang))

    return app


def _body_doc(*, validate: bool) -> dict[str, Any]:
    """The request body in the OpenAPI document: JSON or a multipart form with a file."""
    form: dict[str, Any] = {
        "file": {"type": "string", "format": "binary", "description": ".xlsx, .json or .zip"}
    }
    if not validate:
        form.update(
            kind={"type": "string", "enum": list(KINDS)},
            options={"type": "string", "description": "JSON of the options"},
            roster={"type": "string", "format": "binary", "description": "check: the roster"},
            scenario={"type": "string", "description": "whatif: TOML, or JSON of the changes"},
            **{
                k: {"type": "string"}
                for k in ("instance_job", "roster_job", "baseline_job", "scenario_name")
            },
        )
    json_schema = (
        {"type": "object", "properties": {"instance": {"type": "object"}}}
        if validate
        else JobRequest.model_json_schema()
    )
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_schema},
                "multipart/form-data": {"schema": {"type": "object", "properties": form}},
            },
        }
    }


# -- reading requests ------------------------------------------------------------------------
@dataclass
class Upload:
    name: str | None
    data: bytes


async def _fields(request: Request) -> dict[str, Any]:
    """The request's fields: a JSON object, or a multipart form (files as :class:`Upload`)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=2, max_fields=20)
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                fields[key] = Upload(value.filename, await value.read())
            else:
                fields[key] = value
        return fields
    if kind in ("application/json", ""):
        try:
            body = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused(
                422, "not JSON", [Problem(message=f"not valid JSON: {exc}", file="request")]
            ) from None
        if not isinstance(body, dict):
            raise Refused(
                422,
                "bad request",
                [Problem(message="expected a JSON object, or a form with a file", file="request")],
            )
        return body
    raise Refused(415, "send JSON (application/json) or a form with the file (multipart/form-data)")


def _request_problems(exc: ValidationError) -> list[Problem]:
    return [
        Problem(
            message=plain_message(e),
            file="request",
            column=".".join(str(x) for x in e["loc"]) or None,
        )
        for e in exc.errors()
    ]


def _form_request(fields: dict[str, Any]) -> JobRequest:
    """A multipart form read as a :class:`JobRequest` (its file fields left out)."""
    plain = {k: v for k, v in fields.items() if not isinstance(v, Upload) and k != "instance"}
    if "options" in plain:
        try:
            plain["options"] = json.loads(plain["options"] or "{}")
        except ValueError as exc:
            raise Refused(
                422,
                "bad options",
                [Problem(message=f"not valid JSON: {exc}", file="request", column="options")],
            ) from None
    scenario = plain.get("scenario")
    if isinstance(scenario, str) and scenario.lstrip().startswith("{"):
        with contextlib.suppress(ValueError):  # else TOML after all: its reader says what is wrong
            plain["scenario"] = json.loads(scenario)
    try:
        return JobRequest.model_validate(plain)
    except ValidationError as exc:
        raise Refused(422, "bad request", _request_problems(exc)) from None


def _instance_of(fields: dict[str, Any], store: Store) -> LoadResult:
    upload = fields.get("file")
    if isinstance(upload, Upload):
        return read_upload(upload.name, upload.data)
    if isinstance(fields.get("instance_job"), str):
        return checked(_job_instance(store, fields["instance_job"]))
    if isinstance(fields.get("instance"), dict):
        return read_document(fields["instance"])
    return LoadResult(
        None,
        [
            Problem(
                message="no instance: upload it as 'file' (.xlsx, .json, .zip of CSV), or "
                "give 'instance' (the JSON document) or 'instance_job' (an earlier job's id)",
                file="request",
            )
        ],
    )


def _job_text(
    fields: dict[str, Any], store: Store, most_workers: int | None
) -> tuple[str, str, list[Problem]]:
    """(kind, job text, warnings) of a request, or :class:`Refused` with every problem;
    ``most_workers``: the CP-SAT threads a job may ask for (None: any)."""
    if any(isinstance(v, Upload) for v in fields.values()) or "file" in fields:
        req = _form_request(fields)
    else:
        try:
            req = JobRequest.model_validate(fields)
        except ValidationError as exc:
            raise Refused(422, "bad request", _request_problems(exc)) from None
    if most_workers is not None and req.options.workers > most_workers:
        message = f"at most {most_workers} CP-SAT threads (the cores of this machine)"
        raise Refused(
            422,
            "bad request",
            [Problem(message=message, file="request", column="options.workers")],
        )
    loaded = _instance_of(fields, store)
    if loaded.errors or loaded.instance is None:
        raise Refused(422, "bad input", loaded.problems)
    instance = loaded.instance
    job: dict[str, Any] = {
        "kind": req.kind,
        "instance": instance.to_document(),
        "options": req.options.model_dump(mode="json"),
    }
    try:
        if req.kind == "check":
            job["roster"] = _seats(
                _roster_of(fields, req.roster, req.roster_job, "roster", instance, store)
            )
        elif req.kind == "whatif":
            baseline = _roster_of(
                fields, req.baseline, req.baseline_job, "baseline", instance, store
            )
            scenario = _scenario(req)
            prepare(instance, baseline, scenario, req.options.freeze)  # refuses bad scenarios now
            job["baseline"] = _seats(baseline)
            job["scenario"] = scenario.model_dump(mode="json", exclude={"lines"})
    except InputError as exc:
        raise Refused(422, "bad input", exc.problems) from None
    return req.kind, json.dumps(job, ensure_ascii=False), loaded.warnings


def _seats(roster: Roster) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") for s in roster.seats]


def _roster_of(
    fields: dict[str, Any],
    seats: list[dict[str, Any]] | None,
    job_id: str | None,
    name: str,
    instance: Instance,
    store: Store,
) -> Roster:
    upload = fields.get(name)
    if isinstance(upload, Upload):
        return read_roster_upload(upload.name, upload.data, instance)
    if seats is not None:
        return read_roster_seats(seats, instance)
    if job_id is not None:
        return seats_of(_result(store, job_id).get("roster") or [])
    raise InputError(
        [
            Problem(
                message=f"no {name}: give '{name}' (a list of seats, or an uploaded file) or "
                f"'{name}_job' (an earlier job's id)",
                file="request",
            )
        ]
    )


def _scenario(req: JobRequest) -> Scenario:
    name = req.scenario_name or "scenario"
    if isinstance(req.scenario, str):
        found = Scenario.from_text(req.scenario, file="scenario.toml")
        if len(found) != 1:
            raise InputError(
                [Problem(message="give one scenario, not a file of many", file="scenario.toml")]
            )
        return found[0]
    changes = dict(req.scenario or {})
    return Scenario(name=str(changes.get("name", name)), file="scenario", changes=changes)


# -- reading the store -----------------------------------------------------------------------
def _row(store: Store, job_id: str) -> Any:
    row = store.get(job_id)
    if row is None:
        raise Refused(404, f"no job {job_id!r}")
    return row


def _job_instance(store: Store, job_id: str) -> Instance:
    """The instance a job's roster belongs to: a what-if's is the changed instance."""
    doc = json.loads(_row(store, job_id)["job"])
    instance = Instance.model_validate(doc["instance"])
    if doc["kind"] != "whatif":
        return instance
    options = Options.model_validate(doc["options"])
    scenario = Scenario.model_validate(doc["scenario"])
    return prepare(instance, seats_of(doc["baseline"]), scenario, options.freeze)


def _result(store: Store, job_id: str) -> dict[str, Any]:
    row = _row(store, job_id)
    if row["result"] is None:
        raise Refused(404, f"no result: the job is {row['state']}")
    doc: dict[str, Any] = json.loads(row["result"])
    return doc


def _status(store: Store, scheduler: Scheduler, job_id: str) -> dict[str, Any]:
    row = _row(store, job_id)
    result = json.loads(row["result"]) if row["result"] is not None else None
    figures = summary(result) if result is not None else store.last_progress(job_id) or {}
    now = time.time()
    started = row["started"]
    elapsed = None if started is None else (row["finished"] or now) - started
    base = f"/jobs/{job_id}"
    has_roster = bool(result and result.get("roster"))
    return {
        "id": job_id,
        "kind": row["kind"],
        "state": row["state"],
        "position": scheduler.position(job_id) if row["state"] == "queued" else None,
        "created": row["created"],
        "started": started,
        "finished": row["finished"],
        "elapsed_s": None if elapsed is None else round(elapsed, 3),
        "status": figures.get("status"),
        "objective": figures.get("objective"),
        "bound": figures.get("bound"),
        "gap": figures.get("gap"),
        "solutions": figures.get("solutions", result.get("solutions") if result else None),
        "has_roster": has_roster,
        "error": row["error"],
        "problems": json.loads(row["problems"]) if row["problems"] else [],
        "links": {
            "self": base,
            "events": f"{base}/events",
            **({f"roster.{f}": f"{base}/roster.{f}" for f in ROSTER_FORMATS} if has_roster else {}),
        },
    }


def _report_html(store: Store, job_id: str, lang: Lang) -> str:
    """The report of a finished job (404 while it has no result)."""
    doc = _result(store, job_id)
    job = json.loads(_row(store, job_id)["job"])
    instance = _job_instance(store, job_id)
    if job["kind"] == "explain":
        return report(instance, None, lang=lang, explanation=Explanation.model_validate(doc))
    if job["kind"] == "check":
        return report(instance, seats_of(job["roster"]), lang=lang)
    fields = {k: v for k, v in doc.items() if k in Result.model_fields and k != "violations"}
    result = Result.model_validate({**fields, "roster": seats_of(doc.get("roster") or [])})
    if job["kind"] == "solve":
        return report(instance, result, lang=lang)
    diff = None if doc.get("diff") is None else RosterDiff.model_validate(doc["diff"])
    return report(instance, result, lang=lang, diff=diff, baseline=seats_of(job["baseline"]))


def _roster_file(store: Store, job_id: str, fmt: str) -> bytes:
    result = _result(store, job_id)
    seats = result.get("roster")
    if not seats:
        raise Refused(404, "no roster: the job found none")
    instance = _job_instance(store, job_id)
    keys = ("status", "objective", "bound", "gap", "goals", "rule_costs", "wall_time_s")
    extra: dict[str, Any] = {k: result[k] for k in keys if k in result}
    extra["groups"] = [
        {"id": g.id, "round": g.round, "targets": list(g.targets)} for g in instance.groups
    ]
    extra["unit_names"] = {u.id: u.name for u in instance.units if u.name}
    with tempfile.TemporaryDirectory(prefix="teamsolver-roster-") as folder:
        path = Path(folder) / f"roster.{fmt}"
        write_roster(
            instance,
            seats_of(seats),
            path,
            bom=True,
            extra=extra,
            violations=result.get("violations") or (),
        )
        return path.read_bytes()


async def _stream(request: Request, store: Store, job_id: str, after: int) -> AsyncIterator[str]:
    last, quiet = after, 0.0
    while True:
        found = await run_in_threadpool(store.events, job_id, last)
        for n, kind, data in found:
            last = n
            yield f"id: {n}\nevent: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
            if kind == "end":
                return
        if found:
            quiet = 0.0
        elif quiet >= KEEP_ALIVE_S:
            quiet = 0.0
            yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await asyncio.sleep(EVENT_POLL_S)
        quiet += EVENT_POLL_S
