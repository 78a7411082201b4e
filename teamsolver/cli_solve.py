"""``teamsolver solve`` and ``teamsolver check``: the planner's two daily commands.

Both print what a planner reads on stdout (or, with ``--json``, exactly one JSON document) and
everything else (progress, warnings, problems, what happened) on stderr. Exit codes (SPEC §6):
0 a roster was written / no hard rule is broken, 1 no roster / a hard rule is broken, 2 bad input
or usage.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from . import files
from .audit import Violation, check, hard_violations
from .cli import ENCODING, EXCEL, EXIT_INPUT, EXIT_NO, EXIT_OK, RULES, input_errors, main
from .errors import InputError, Problem
from .instance import Instance
from .limits import MAX_SEED
from .result import Progress, Result
from .roster import Roster
from .rosterio import read_roster, unknown_ids, write_roster
from .score import score
from .solver import BACKENDS, Backend
from .summary import align, goal_lines, group_lines, plain, table

#: Violations listed in the summary of ``solve`` (all of them are in ``check`` and the files).
SHOWN_VIOLATIONS = 30


# -- streams -------------------------------------------------------------------------------------
def _tolerant_streams() -> None:
    """Never fail on a terminal that cannot show a character (a name in a non-UTF-8 locale)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="replace")


def _print_json(doc: dict[str, Any]) -> None:
    """One JSON document on stdout; Chinese stays readable where stdout can hold it."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    ascii_only = not (encoding.startswith("utf") or encoding == "gb18030")
    click.echo(json.dumps(doc, ensure_ascii=ascii_only, indent=1))


@contextmanager
def _reader_may_leave() -> Iterator[None]:
    """Let ``teamsolver ... | head`` end quietly: the exit code stays what it would have been."""
    try:
        yield
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit


def _say(text: str) -> None:
    click.echo(text, err=True)


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _problem_docs(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [p.model_dump(exclude={"row_word"}) for p in problems]


def _bad_input(
    problems: Sequence[Problem], as_json: bool, doc: dict[str, Any], tail: str
) -> NoReturn:
    """Exit 2 with every problem on stderr (and, with --json, a document on stdout)."""
    if as_json:
        _print_json({**doc, "problems": _problem_docs(problems)})
    errors = [p for p in problems if p.severity == "error"]
    for p in errors + [p for p in problems if p.severity == "warning"]:
        _say(plain(str(p), keep="\n"))
    _say(f"{_plural(len(errors), 'problem')} found; {tail}")
    sys.exit(EXIT_INPUT)


def _load(
    instance: str,
    encoding: str | None,
    rules_file: str | None,
    as_json: bool,
    doc: dict[str, Any],
    relax: bool = False,
) -> Instance:
    """The instance, with its warnings on stderr; bad input exits 2. With ``relax``,
    requirements are judged as if every relaxable rule were soft."""
    loaded = files.read(instance, encoding=encoding, rules=rules_file, relax=relax)
    if loaded.errors or loaded.instance is None:
        _bad_input(loaded.problems, as_json, doc, "nothing was done.")
    for p in loaded.warnings:
        _say(plain(str(p), keep="\n"))
    return loaded.instance


# -- live progress ---------------------------------------------------------------------------
class _Live:
    """One line of live progress on a terminal's stderr: elapsed, best, bound, gap.

    ``update`` is called from the solver's threads; ``draw`` from the main thread.
    """

    def __init__(self, enabled: bool, time_limit: float | None):
        self.enabled = enabled
        self.time_limit = time_limit
        self.best: Progress | None = None
        self.start = time.perf_counter()
        self.drawn = False

    def update(self, progress: Progress) -> None:
        self.best = progress

    def text(self, stopping: bool = False) -> str:
        elapsed = time.perf_counter() - self.start
        clock = f"{elapsed:.1f} s" + (
            f" (search limit {self.time_limit:g} s)" if self.time_limit is not None else ""
        )
        if stopping:
            state = "stopping, keeping the best roster so far..."
        elif self.best is None:
            state = "looking for a first roster that keeps every hard rule..."
        else:
            bound = self.best.bound
            proof = (
                f"bound {bound:.0f} · gap {_percent(self.best.gap)}"
                if bound is not None and math.isfinite(bound)
                else "no bound"  # the decomposition layer proves none
            )
            state = (
                f"best {self.best.objective} · {proof} · {_plural(self.best.solutions, 'roster')}"
            )
        return f"solving {clock} · {state}"

    def draw(self, stopping: bool = False) -> None:
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        text = self.text(stopping)[: max(10, columns - 1)]
        click.echo("\r\x1b[2K" + text, err=True, nl=False)  # \x1b[2K: erase the line
        self.drawn = True

    def close(self) -> None:
        if self.enabled and self.drawn:
            click.echo("\r\x1b[2K", err=True, nl=False)
            self.drawn = False


# -- Ctrl-C ----------------------------------------------------------------------------------
class _Interrupts:
    """Notes Ctrl-C presses instead of raising ``KeyboardInterrupt`` at a random place.

    The first press asks the search to stop; a press at least :attr:`PATIENCE` seconds later
    (the search did not stop in time) abandons the run. A quick double press counts once.
    """

    PATIENCE = 1.0

    def __init__(self) -> None:
        self.first_at: float | None = None
        self.abandon = False
        self.announced = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if self.first_at is None:
            self.first_at = now
        elif now - self.first_at >= self.PATIENCE:
            self.abandon = True

    @property
    def pressed(self) -> bool:
        return self.first_at is not None


@contextmanager
def _catching_ctrl_c() -> Iterator[_Interrupts]:
    """Ctrl-C (SIGINT) and SIGTERM both count as presses: a service manager's or a script's
    ``kill`` stops the search and keeps the best roster, as Ctrl-C does."""
    presses = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield presses  # signals only reach the main thread; nothing to catch here
        return
    previous = {sig: signal.signal(sig, presses) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield presses
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_solve(
    instance: Instance,
    *,
    time_limit: float | None,
    workers: int | None,
    seed: int,
    baseline: Roster | None,
    relax: bool,
    live: _Live,
    presses: _Interrupts,
    backend: Backend = "auto",
    solutions: int | None = None,
) -> Result:
    """Solve in a worker thread; the first Ctrl-C stops the search and keeps the best roster so
    far, a second one abandons the run (nothing is written)."""
    from .solver import solve

    stop = threading.Event()
    done = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = solve(
                instance,
                time_limit=time_limit,
                workers=workers,
                seed=seed,
                baseline=baseline,
                on_progress=live.update,
                stop=stop,
                relax=relax,
                backend=backend,
                solutions=solutions,
            )
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=work, name="teamsolver-solve", daemon=True)
    thread.start()
    try:
        while not done.wait(0.2):
            if presses.pressed and not presses.announced:
                presses.announced = True
                stop.set()
                live.close()
                _say(
                    "interrupted: stopping the search and keeping the best roster so far "
                    "(Ctrl-C again abandons the run)"
                )
            if presses.abandon:
                live.close()
                _say("abandoned: nothing was written.")
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(EXIT_NO)  # the solver's threads cannot be joined mid-search
            live.draw(stopping=stop.is_set())
    finally:
        live.close()
    thread.join()
    if "error" in box:
        raise box["error"]
    result: Result = box["result"]
    return result


# -- solve -----------------------------------------------------------------------------------
SEED = click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=0,
    show_default=True,
    metavar="N",
    help="Random seed; with --workers 1 the same seed gives the same roster.",
)
SOLUTIONS = click.option(
    "--solutions",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Stop after N improving rosters (CP-SAT alone): with --workers 1 and --time-limit 0, "
    "a limit that gives the same roster on any machine, however busy.",
)


def _stopped_by(
    result: Result, time_limit: float | None, solutions: int | None = None
) -> str | None:
    """``interrupted``, ``solutions``, ``time-limit`` or None: why the search ended before
    proving the best."""
    if result.interrupted:
        return "interrupted"
    if result.status == "FEASIBLE" and solutions is not None and result.solutions >= solutions:
        return "solutions"
    if result.status in ("FEASIBLE", "UNKNOWN") and time_limit is not None:
        return "time-limit"
    return None


def _percent(gap: float | None) -> str:
    if gap is None:
        return "-"
    return f"{gap:.1%}" if gap < 10 else ">999%"


def _gap_text(result: Result) -> str:
    return "" if result.gap is None else f"gap {_percent(result.gap)}"


def _status_line(result: Result, stopped: str | None, time_limit: float | None) -> str:
    parts = [f"status {result.status}"]
    if result.objective is not None:
        parts.append(f"objective {result.objective}")
    if result.status == "OPTIMAL":
        parts.append("proven best")
    elif result.bound is not None:
        parts.append(f"bound {round(result.bound)}, {_gap_text(result)}")
    if stopped == "interrupted":
        parts.append("interrupted")
    elif stopped == "solutions":
        parts.append(f"stopped after {_plural(result.solutions, 'improving roster')}")
    elif stopped == "time-limit" and time_limit is not None:
        parts.append(f"time limit {time_limit:g} s reached")
    parts.append(f"{result.wall_time_s:.1f} s")
    return " · ".join(parts)


def _violation_rows(violations: Sequence[Violation]) -> list[list[str]]:
    return [
        [
            v.rule,
            v.round or "",
            v.group or "",
            ", ".join(v.members),
            v.message,
        ]
        for v in violations
    ]


def _print_summary(
    source: str,
    instance: Instance,
    result: Result,
    out: str | None,
    stopped: str | None,
    time_limit: float | None,
    baseline: bool,
) -> None:
    lines = group_lines(instance, result.roster)
    n_groups = sum(1 for line in lines if line.seats)
    click.echo(
        f"{_plural(len(result.roster), 'seat')} in {_plural(n_groups, 'group')}"
        + (f" over {_plural(len(instance.rounds), 'round')}" if len(instance.rounds) > 1 else "")
        + ":"
    )
    for text in table(lines):
        click.echo("  " + text)
    click.echo("")
    soft: list[Violation] = list(result.violations)
    if soft:
        per_rule: dict[str, int] = {}
        for v in soft:
            per_rule[v.rule] = per_rule.get(v.rule, 0) + v.count
        click.echo("soft rules bent: " + ", ".join(f"{rule} ×{n}" for rule, n in per_rule.items()))
        for text in align(_violation_rows(soft[:SHOWN_VIOLATIONS])):
            click.echo("  " + text)
        if len(soft) > SHOWN_VIOLATIONS:
            click.echo(
                f"  ... and {len(soft) - SHOWN_VIOLATIONS} more"
                + (f"; `teamsolver check {source} {out}` lists them all" if out else "")
            )
    else:
        click.echo("every rule holds, soft rules included.")
    click.echo("goals:")
    for text in goal_lines(instance, result.goals, baseline=baseline):
        click.echo("  " + text)
    click.echo(_status_line(result, stopped, time_limit))
    if out:
        click.echo(f"roster written to {out}")


def _check_out(out: str) -> None:
    path = Path(out)
    if path.suffix.lower() not in (".csv", ".xlsx", ".json"):
        raise click.BadParameter(
            f"{out!r}: expected a file ending in .csv, .xlsx or .json", param_hint="--out"
        )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{out!r}: cannot write in {str(parent)!r}", param_hint="--out")


def _read_baseline(
    path: str, instance: Instance, encoding: str | None, as_json: bool, doc: dict[str, Any]
) -> Roster:
    """The baseline roster; seats of members or groups the instance lacks are kept (they
    count as changes) and named in a warning."""
    try:
        base = read_roster(path, instance, encoding=encoding, strict_ids=False)
    except InputError as exc:
        _bad_input(exc.problems, as_json, doc, "nothing was done.")
    members, groups = unknown_ids(instance, base)
    for what, found in (("members", members), ("groups", groups)):
        if found:
            shown = ", ".join(found[:10]) + (", ..." if len(found) > 10 else "")
            _say(
                f"{Path(path).name}: warning: {len(found)} baseline {what} are not in the "
                f"instance ({shown}); their seats count as changes"
            )
    return base


@main.command()
@click.argument("instance", type=click.Path())
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Write the roster here: .csv, .xlsx (with summary sheets) or .json.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="S",
    help="Seconds to search; 0 means until proven optimal.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="CP-SAT threads (default: one per core, at most 8).",
)
@SEED
@SOLUTIONS
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="auto",
    show_default=True,
    help="cp-sat, highs (HiGHS through OR-Tools, one thread) or auto: HiGHS races CP-SAT on "
    "small one-round plans given a time limit of 10 s or more and 2+ workers.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document on stdout (status, objective, bound, roster, goals, ...).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="ROSTER",
    help="A roster to stay close to (the stability goal).",
)
@click.option(
    "--relax",
    is_flag=True,
    help="Make every relaxable rule soft: the least-bad roster, showing where it bends.",
)
@EXCEL
@ENCODING
@RULES
@input_errors
def solve(
    instance: str,
    out: str | None,
    time_limit: float,
    workers: int | None,
    seed: int,
    solutions: int | None,
    backend: Backend,
    as_json: bool,
    baseline: str | None,
    relax: bool,
    excel: bool,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Compose the groups of INSTANCE: the best roster that respects every hard rule.

    INSTANCE is a folder of CSV files, an .xlsx workbook or a .json document. The summary
    shows per group the leader, deputies, size, specialties against what is required, new and
    experienced members with their mentors; then the soft rules that bend, the goal values,
    the status, gap and time. On a terminal a progress line shows the search.

    Ctrl-C or SIGTERM (or the time limit) stops the search and keeps the best roster found so
    far (status FEASIBLE). Exit 0 when a roster was found (and written with --out), 1 when none
    exists or none was found in time, 2 for bad input.

    \b
    Example:
      teamsolver solve instances/tiny --out roster.xlsx
      teamsolver solve instances/city --out city.csv --excel --time-limit 30
      teamsolver solve instances/city --json --time-limit 10 > result.json
    """
    _tolerant_streams()
    failed: dict[str, Any] = {"status": None, "roster": None, "out": None}
    if out is not None:
        _check_out(out)
    limit = time_limit or None
    try:
        inst = _load(instance, encoding, rules_file, as_json, failed, relax)
        base = _read_baseline(baseline, inst, encoding, as_json, failed) if baseline else None
    except KeyboardInterrupt:
        _say("interrupted before solving; nothing was written.")
        sys.exit(EXIT_NO)
    if excel and out is not None and not out.lower().endswith(".csv"):
        _say("note: --excel only changes CSV files; an .xlsx or .json file is written as usual")
    live = _Live(enabled=sys.stderr.isatty(), time_limit=limit)
    with _catching_ctrl_c() as presses:
        result = run_solve(
            inst,
            time_limit=limit,
            workers=workers,
            seed=seed,
            baseline=base,
            relax=relax,
            live=live,
            presses=presses,
            backend=backend,
            solutions=solutions,
        )
        stopped = _stopped_by(result, limit, solutions)
        written = result.has_roster and out is not None
        if written:
            assert out is not None
            write_roster(
                inst,
                result.roster,
                out,
                bom=excel,
                extra={
                    "status": result.status,
                    "objective": result.objective,
                    "bound": result.bound,
                    "gap": result.gap,
                    "wall_time_s": round(result.wall_time_s, 3),
                    "stopped": stopped,
                    "goals": result.goals,
                },
                violations=result.violations,
            )
        with _reader_may_leave():
            _report(
                instance,
                inst,
                result,
                out if written else None,
                stopped,
                limit,
                as_json,
                base is not None,
            )
    sys.exit(EXIT_OK if result.has_roster else EXIT_NO)


def _report(
    source: str,
    inst: Instance,
    result: Result,
    out: str | None,
    stopped: str | None,
    limit: float | None,
    as_json: bool,
    baseline: bool,
) -> None:
    if as_json:
        doc = result.to_json()
        doc["stopped"] = stopped
        doc["out"] = out
        _print_json(doc)
    elif result.has_roster:
        _print_summary(source, inst, result, out, stopped, limit, baseline)
    if not result.has_roster:
        if result.status == "INFEASIBLE":
            how = (
                "run `teamsolver explain` on the instance to see which"
                if "explain" in main.commands
                else "solve with --relax to see the least-bad roster and where it bends"
            )
            _say(f"no roster: the hard rules cannot all hold together; {how}.")
        elif stopped == "interrupted":
            _say("no roster: interrupted before a first roster was found.")
        else:
            _say(
                f"no roster: none found within the time limit of {limit:g} s; "
                "allow more time with --time-limit."
                if limit is not None
                else "no roster: the search ended without one."
            )
        _say("nothing was written.")
        return
    # The summary on stdout already says where the roster went: not said twice.
    where = (
        "; no --out given, nothing written" if out is None else f"; wrote {out}" if as_json else ""
    )
    if stopped == "interrupted":
        _say(
            f"interrupted after {result.wall_time_s:.1f} s: this is the best roster found so far, "
            f"status {result.status}"
            + (f", {_gap_text(result)}" if result.gap else "")
            + f"{where}."
        )
    elif stopped == "time-limit":
        _say(
            f"time limit of {limit:g} s reached: this is the best roster found, not proven "
            f"best ({_gap_text(result) or 'no bound'}); a longer --time-limit may find a better "
            f"one{where}."
        )


# -- check -----------------------------------------------------------------------------------
@main.command(name="check")
@click.argument("instance", type=click.Path())
@click.argument("roster", type=click.Path())
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document on stdout: ok, violations (rule, group, member, message), goals.",
)
@ENCODING
@RULES
@input_errors
def check_command(
    instance: str, roster: str, as_json: bool, encoding: str | None, rules_file: str | None
) -> None:
    """Audit ROSTER (CSV, XLSX or JSON, hand-made or solved) against every rule of INSTANCE.

    Lists each violation by rule id, round, group and members with a sentence, then the
    roster's goal values. A roster needs columns group, member and role (Chinese headers such
    as 巡察组, 成员, 角色 and roles 组长, 副组长, 组员 are understood); round and mentor are
    optional. A member may be given by id or, where it is unique, by name.

    Exit 0 when no hard rule is broken (soft rules may bend), 1 when one is, 2 for bad input
    (an unknown member or group, a missing column: named with its row).

    \b
    Example:
      teamsolver check instances/tiny roster.csv
      teamsolver check instances/tiny hand-made.xlsx --json
    """
    _tolerant_streams()
    failed: dict[str, Any] = {"ok": False, "violations": []}
    try:
        inst = _load(instance, encoding, rules_file, as_json, failed)
        try:
            seats = read_roster(roster, inst, encoding=encoding)
        except InputError as exc:
            _bad_input(exc.problems, as_json, failed, "the roster was not checked.")
        violations = check(inst, seats)
        goals = score(inst, seats)
    except KeyboardInterrupt:
        _say("interrupted.")
        sys.exit(EXIT_NO)
    broken = hard_violations(inst, violations)
    with _reader_may_leave():
        _print_check_result(as_json, inst, roster, seats, violations, broken, goals)
    sys.exit(EXIT_NO if broken else EXIT_OK)


def _print_check_result(
    as_json: bool,
    inst: Instance,
    roster: str,
    seats: Roster,
    violations: Sequence[Violation],
    broken: Sequence[Violation],
    goals: dict[str, int],
) -> None:
    hard_ids = {id(v) for v in broken}
    soft = [v for v in violations if id(v) not in hard_ids]
    if as_json:
        _print_json(
            {
                "ok": not broken,
                "hard": len(broken),
                "soft": sum(v.count for v in soft),
                "seats": len(seats),
                "violations": [
                    {**v.model_dump(mode="json"), "mode": "hard" if id(v) in hard_ids else "soft"}
                    for v in violations
                ],
                "goals": goals,
            }
        )
    else:
        _print_check(inst, roster, seats, broken, soft, goals)


def _print_check(
    inst: Instance,
    roster: str,
    seats: Roster,
    broken: Sequence[Violation],
    soft: Sequence[Violation],
    goals: dict[str, int],
) -> None:
    groups = {s.group for s in seats}
    click.echo(f"{roster}: {_plural(len(seats), 'seat')} in {_plural(len(groups), 'group')}")
    header = ["rule", "round", "group", "members", "what"]
    if broken:
        click.echo(f"hard rules broken ({_plural(len(broken), 'violation')}):")
        for text in align([header, *_violation_rows(broken)]):
            click.echo("  " + text)
    if soft:
        count = sum(v.count for v in soft)
        click.echo(f"soft rules bent ({_plural(count, 'violation')}; allowed, at a cost):")
        for text in align([header, *_violation_rows(soft)]):
            click.echo("  " + text)
    click.echo("goals:")
    for text in goal_lines(inst, goals, baseline=False):
        click.echo("  " + text)
    if broken:
        click.echo(
            f"NOT OK: {_plural(len(broken), 'hard-rule violation')}"
            + (f", {_plural(sum(v.count for v in soft), 'soft-rule bend')}" if soft else "")
        )
    elif soft:
        click.echo(
            f"OK: every hard rule holds; soft rules bend "
            f"{_plural(sum(v.count for v in soft), 'time')}"
        )
    else:
        click.echo("OK: every rule holds")


__all__ = ["EXIT_INPUT", "check_command", "run_solve", "solve"]
