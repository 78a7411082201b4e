"""What one job does, wherever it runs: a JSON text in, a JSON-ready document out.

:func:`run_job` is top-level and imports nothing of the web service, so that a worker process of
this machine or a Dask worker calls it by name (as :func:`teamsolver.whatif.sweep.run_job` is
called).
A job text holds the kind (``solve``, ``whatif``, ``explain``, ``check``), the instance document
(:meth:`Instance.to_document`), the options, and for ``check`` the roster, for ``whatif`` the
baseline roster and the scenario's changes. Progress goes to ``on_progress`` as plain dicts;
setting ``stop`` ends the search and keeps the best roster found.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..audit import check, hard_violations
from ..data.errors import InputError
from ..data.instance import Instance
from ..data.result import Progress
from ..data.roster import Roster, Seat
from ..explainer.core import explain
from ..score import score
from ..solver import solve
from ..whatif import whatif
from ..whatif.scenario import Scenario

Kind = Literal["solve", "whatif", "explain", "check"]
KINDS: tuple[Kind, ...] = ("solve", "whatif", "explain", "check")
#: The longest search a request may ask for, in seconds.
MAX_TIME_LIMIT_S = 3600.0


class Options(BaseModel):
    """Options of a job. ``time_limit`` in seconds (default 10); ``solutions`` ends the search
    after that many improving rosters (with ``workers`` 1, a deterministic limit: see
    :func:`teamsolver.solve`); ``workers`` CP-SAT threads; ``freeze`` groups a what-if keeps
    exactly as in the baseline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit: float | None = Field(default=10.0, gt=0, le=MAX_TIME_LIMIT_S)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    workers: int = Field(default=1, ge=1, le=64)
    solutions: int | None = Field(default=None, ge=1)
    freeze: tuple[str, ...] = ()


def finite(x: float | None) -> float | None:
    """``x``, or None for infinity or NaN (which JSON cannot carry)."""
    return x if x is not None and math.isfinite(x) else None


def progress_doc(p: Progress) -> dict[str, Any]:
    """An improving roster, as a progress event carries it (no bound yet: None; ``changes``
    against the baseline in a what-if, else None)."""
    return {
        "objective": p.objective,
        "bound": finite(p.bound),
        "gap": finite(p.gap),
        "elapsed_s": round(p.elapsed_s, 3),
        "solutions": p.solutions,
        "changes": p.changes,
    }


def seats_of(items: list[dict[str, Any]]) -> Roster:
    return Roster(seats=tuple(Seat.model_validate(s) for s in items))


def run_job(
    text: str,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """The result document of one job (see the module's docstring).

    ``solve`` and ``whatif`` give :meth:`Result.to_json` (``whatif`` adds ``diff`` and
    ``scenario``), ``explain`` :meth:`Explanation.to_json`, ``check`` the document of
    ``teamsolver check --json``. Raises :class:`~teamsolver.data.errors.InputError` for an input the
    engine refuses (the caller stores its problems)."""
    doc = json.loads(text)
    kind: Kind = doc["kind"]
    options = Options.model_validate(doc["options"])
    instance = Instance.model_validate(doc["instance"])

    def relay(p: Progress) -> None:
        if on_progress is not None:
            on_progress(progress_doc(p))

    search: dict[str, Any] = {
        "time_limit": options.time_limit,
        "workers": options.workers,
        "seed": options.seed,
        "solutions": options.solutions,
        "on_progress": relay,
        "stop": stop,
    }
    if kind == "solve":
        return audited(instance, solve(instance, **search).to_json())
    if kind == "whatif":
        scenario = Scenario.model_validate(doc["scenario"])
        outcome = whatif(
            instance,
            seats_of(doc["baseline"]),
            scenario,
            freeze=options.freeze,
            **search,
        )
        out = audited(outcome.instance, outcome.result.to_json())
        out["scenario"] = outcome.scenario
        out["diff"] = None if outcome.diff is None else outcome.diff.model_dump(mode="json")
        return out
    if kind == "explain":
        limit = options.time_limit
        return explain(
            instance, time_limit=limit, workers=options.workers, seed=options.seed
        ).to_json()
    return check_doc(instance, seats_of(doc["roster"]))


class BrokenRoster(Exception):
    """The engine returned a roster that breaks a hard rule (a bug: never served)."""


def audited(instance: Instance, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` if its roster breaks no hard rule by the independent checker; else
    :class:`BrokenRoster` naming the rules (ids only: no personal data)."""
    broken = hard_violations(instance, check(instance, seats_of(doc.get("roster") or [])))
    if broken:
        counts = Counter(v.rule for v in broken)
        rules = ", ".join(f"{rule} ×{n}" for rule, n in counts.items())
        raise BrokenRoster(
            f"the engine returned a roster that breaks hard rules ({rules}); not served"
        )
    return doc


def check_doc(instance: Instance, roster: Roster) -> dict[str, Any]:
    """What ``teamsolver check --json`` prints: ok (no hard rule broken), the counts, every
    violation with its mode, and the roster's goals."""
    violations = check(instance, roster)
    hard = {id(v) for v in hard_violations(instance, violations)}
    return {
        "ok": not hard,
        "hard": len(hard),
        "soft": sum(v.count for v in violations if id(v) not in hard),
        "seats": len(roster),
        "violations": [
            {**v.model_dump(mode="json"), "mode": "hard" if id(v) in hard else "soft"}
            for v in violations
        ],
        "goals": score(instance, roster),
    }


#: What a run of a job ends with: ``("done", result)``, ``("problems", [problem, ...])`` for an
#: input the engine refused, or ``("error", text)``.
Outcome = tuple[str, Any]


def run_captured(
    text: str,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    stop: threading.Event | None = None,
) -> Outcome:
    """:func:`run_job`, with what it raises turned into an outcome that crosses processes."""
    try:
        return ("done", run_job(text, on_progress, stop))
    except InputError as exc:
        return ("problems", [p.model_dump(exclude={"row_word"}) for p in exc.problems])
    except Exception as exc:  # one failing job must not end the worker
        return ("error", f"{type(exc).__name__}: {exc}")


def run_on_dask(text: str, stop_name: str, progress_name: str) -> Outcome:
    """A job on a Dask worker: its progress goes to the cluster's ``distributed.Queue`` named
    ``progress_name``; setting the ``distributed.Event`` named ``stop_name`` ends its search
    with the best roster found (as ``stop`` does in :func:`run_job`)."""
    import distributed  # an optional dependency (teamsolver[dask]): only on a Dask worker

    # The worker's client, named: the event and the queue are used from other threads.
    client = distributed.get_client()
    event = distributed.Event(stop_name, client=client)  # type: ignore[no-untyped-call]
    queue = distributed.Queue(progress_name, client=client)  # type: ignore[no-untyped-call]
    stop = threading.Event()
    over = threading.Event()

    def relay() -> None:
        while not over.is_set():
            if event.wait(0.25):  # type: ignore[no-untyped-call]
                stop.set()
                return

    threading.Thread(target=relay, name="dask-stop", daemon=True).start()
    try:
        return run_captured(text, queue.put, stop)
    finally:
        over.set()
