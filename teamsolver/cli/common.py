"""What every command shares: exit codes, options, loading, JSON output, live progress, Ctrl-C.

Each command module (``cli/solve.py``, ``cli/whatif.py``, ...) imports from here and from the
library, never from another command module except for presentation it reuses (``cli/diff.py``'s
diff lines); ``cli/__init__.py`` gathers the commands under ``main``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, TypeVar

import click

from .. import files, i18n
from ..audit import Violation
from ..data.errors import InputError, Problem, TeamsolverError
from ..data.instance import Instance
from ..data.result import Progress, Result
from ..data.roster import Roster
from ..files.rosters import read_roster, unknown_ids
from ..i18n.phrase import Listed, Phrase, Shown
from ..i18n.source import source_lang
from ..limits import MAX_SEED
from ..solver import Backend, solve
from ..summary import plain, rule_label
from ..whatif.scenario import Scenario, read_scenarios

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

EXIT_OK, EXIT_NO, EXIT_INPUT = 0, 1, 2


# -- options ---------------------------------------------------------------------------------
ENCODING = click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Encoding of CSV files (default: UTF-8 with or without BOM, else GB18030).",
)
RULES = click.option(
    "--rules",
    "rules_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="A rules.toml that replaces the instance's own rules.",
)
EXCEL = click.option(
    "--excel", is_flag=True, help="Write CSV with a byte-order mark, so Excel shows Chinese."
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
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


def time_limit_option(default: float, help: str) -> Callable[[F], F]:
    return click.option(
        "--time-limit",
        type=click.FloatRange(min=0),
        default=default,
        show_default=True,
        metavar="S",
        help=help,
    )


def workers_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--workers", type=click.IntRange(min=1), default=None, metavar="N", help=help
    )


def out_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--out", "-o", type=click.Path(dir_okay=False), default=None, metavar="FILE", help=help
    )


def scenario_options(required: bool, help: str) -> Callable[[F], F]:
    """``--scenario FILE`` and ``--name`` (the scenario to apply, in a file of many)."""
    scenario = click.option(
        "--scenario",
        "scenario_file",
        required=required,
        default=None,
        type=click.Path(),
        metavar="FILE",
        help=help,
    )
    name = click.option("--name", default=None, help="The scenario to apply, in a file of many.")

    def both(f: F) -> F:
        return scenario(name(f))

    return both


# -- problems and exit codes -----------------------------------------------------------------
def found(errors: int, then: str | None, lang: str) -> str:
    """``3 problems found; nothing was done.`` (``then``: a ``cli.then.*`` key), or
    ``3 problems found.`` without ``then``, in ``lang``."""
    problems = i18n.count("cli.problems.found", errors, lang)
    if then is None:
        return i18n.text("cli.problems.end", lang, found=problems)
    return i18n.text("cli.problems.then", lang, found=problems, then=i18n.text(then, lang))


def echo_problems(problems: list[Problem], *, writes: bool = True, lang: str = "en") -> None:
    """Every problem, errors first, then how many, in ``lang`` (``Problem.render``: the file,
    row and column names, ids and values as the planner typed them)."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in errors + warnings:
        click.echo(p.render(lang), err=True)
    if errors:
        click.echo(found(len(errors), "cli.then.written" if writes else None, lang), err=True)


def command_lang(kwargs: dict[str, Any]) -> str:
    """The language a command speaks in: its ``--lang``, else its instance's headers (as
    :func:`teamsolver.cli.reporting.language` decides), else English."""
    lang = kwargs.get("lang")
    if isinstance(lang, str):
        return lang
    instance = kwargs.get("instance")
    return source_lang(instance) if isinstance(instance, str) else i18n.DEFAULT


def error_line(what: object, lang: str) -> str:
    """``error: ...`` in ``lang`` (the library's message itself stays English)."""
    return i18n.text("cli.error", lang, what=what)


def input_errors(func: F) -> F:
    """Turn input problems into a list on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            echo_problems(exc.problems, lang=command_lang(kwargs))
            sys.exit(EXIT_INPUT)
        except TeamsolverError as exc:
            click.echo(error_line(exc, command_lang(kwargs)), err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(error_line(f"{exc.strerror or exc}{where}", command_lang(kwargs)), err=True)
            sys.exit(EXIT_INPUT)

    return wrapper  # type: ignore[return-value]


def problem_docs(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [p.model_dump(exclude={"row_word"}) for p in problems]


def bad_input(
    problems: Sequence[Problem],
    as_json: bool,
    doc: dict[str, Any],
    then: str = "cli.then.done",
    lang: str = "en",
) -> NoReturn:
    """Exit 2 with every problem on stderr (and, with --json, a document on stdout); the count
    and ``then`` (a ``cli.then.*`` key: what did not happen) in ``lang``."""
    if as_json:
        print_json({**doc, "problems": problem_docs(problems)})
    errors = [p for p in problems if p.severity == "error"]
    for p in errors + [p for p in problems if p.severity == "warning"]:
        say(plain(p.render(lang), keep="\n"))
    say(found(len(errors), then, lang))
    sys.exit(EXIT_INPUT)


# -- streams -------------------------------------------------------------------------------------
def tolerant_streams() -> None:
    """Never fail on a terminal that cannot show a character (a name in a non-UTF-8 locale)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="replace")


def print_json(doc: dict[str, Any]) -> None:
    """One JSON document on stdout; Chinese stays readable where stdout can hold it."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    ascii_only = not (encoding.startswith("utf") or encoding == "gb18030")
    click.echo(json.dumps(doc, ensure_ascii=ascii_only, indent=1))


@contextmanager
def reader_may_leave() -> Iterator[None]:
    """Let ``teamsolver ... | head`` end quietly: the exit code stays what it would have been."""
    try:
        yield
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit


def say(text: str) -> None:
    click.echo(text, err=True)


# -- reading -------------------------------------------------------------------------------------
def load(
    instance: str,
    encoding: str | None,
    rules_file: str | None,
    as_json: bool,
    doc: dict[str, Any],
    relax: bool = False,
    lang: str = "en",
) -> Instance:
    """The instance, with its warnings on stderr; bad input exits 2. With ``relax``,
    requirements are judged as if every relaxable rule were soft."""
    loaded = files.read(instance, encoding=encoding, rules=rules_file, relax=relax)
    if loaded.errors or loaded.instance is None:
        bad_input(loaded.problems, as_json, doc, lang=lang)
    for p in loaded.warnings:
        say(plain(p.render(lang), keep="\n"))
    return loaded.instance


def read_baseline(
    path: str,
    instance: Instance,
    encoding: str | None,
    as_json: bool,
    doc: dict[str, Any],
    lang: str = "en",
) -> Roster:
    """The baseline roster; seats of members or groups the instance lacks are kept (they
    count as changes) and named in a warning."""
    try:
        base = read_roster(path, instance, encoding=encoding, strict_ids=False)
    except InputError as exc:
        bad_input(exc.problems, as_json, doc, lang=lang)
    members, groups = unknown_ids(instance, base)
    for what, unknown in (("members", members), ("groups", groups)):
        if unknown:
            shown = ", ".join(unknown[:10]) + (", ..." if len(unknown) > 10 else "")
            say(
                i18n.text(
                    f"cli.baseline.unknown_{what}",
                    lang,
                    file=Path(path).name,
                    n=len(unknown),
                    ids=shown,
                )
            )
    return base


def read_scenario(
    path: str, name: str | None, as_json: bool, failed: dict[str, Any], lang: str = "en"
) -> Scenario:
    """The scenario of ``path`` (``name`` in a file of many); a bad one exits 2, its problems
    in ``lang``."""
    try:
        scenarios = read_scenarios(path)
    except InputError as exc:
        bad_input(exc.problems, as_json, failed, lang=lang)
    if name is not None:
        chosen = [s for s in scenarios if s.name == name]
        if not chosen:
            names = Listed([s.name for s in scenarios])
            phrase = Phrase("problem.scenario.no_name", name=Shown(name), names=names)
            bad_input(
                [Problem(phrase=phrase, file=path)],
                as_json,
                failed,
                lang=lang,
            )
        return chosen[0]
    if len(scenarios) > 1:
        bad_input(
            [
                Problem(
                    phrase=Phrase("problem.scenario.pick_one", n=len(scenarios)),
                    file=path,
                )
            ],
            as_json,
            failed,
            lang=lang,
        )
    return scenarios[0]


# -- writing -------------------------------------------------------------------------------------
def check_writable(path: str, suffixes: tuple[str, ...], words: str, option: str) -> None:
    """Refuse, before any work, an output file of another kind, or in a folder that cannot be
    written (the nearest existing folder decides: the writers create the missing ones)."""
    if Path(path).suffix.lower() not in suffixes:
        raise click.BadParameter(f"{path!r}: expected a file ending in {words}", param_hint=option)
    parent = Path(path).parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{path!r}: cannot write in {str(parent)!r}", param_hint=option)


def check_out(out: str) -> None:
    """Refuse, before any work, an --out the roster writers cannot write."""
    check_writable(out, (".csv", ".xlsx", ".json"), ".csv, .xlsx or .json", "--out")


def refuse_existing(out: str, force: bool) -> None:
    path = Path(out)
    if path.exists() and not force and not (path.is_dir() and not any(path.iterdir())):
        raise InputError([Problem(phrase=Phrase("problem.file.exists"), file=out)])


def status_text(status: str | None, lang: str) -> str:
    """``status OPTIMAL`` (the status id stays; Chinese names it too)."""
    name = i18n.text(f"cli.status.{status}", lang)
    return i18n.text("cli.solve.status", lang, status=status, name=name)


def rules_bent(counts: dict[str, int], lang: str) -> str:
    """``soft rules bent: mentoring ×2, rotation ×1`` in ``lang`` (rule ids stay)."""
    bent = ", ".join(f"{rule_label(rule, lang)} ×{n}" for rule, n in counts.items())
    return i18n.text("cli.bent", lang, rules=bent)


def violation_rows(violations: Sequence[Violation], lang: str) -> list[list[str]]:
    return [
        [v.rule, v.round or "", v.group or "", ", ".join(v.members), v.say(lang)]
        for v in violations
    ]


# -- live progress ---------------------------------------------------------------------------
def percent(gap: float | None) -> str:
    if gap is None:
        return "-"
    return f"{gap:.1%}" if gap < 10 else ">999%"


class Live:
    """One line of live progress on a terminal's stderr: elapsed, best, bound, gap.

    ``update`` is called from the solver's threads; ``draw`` from the main thread.
    """

    def __init__(self, enabled: bool, time_limit: float | None, lang: str = "en"):
        self.enabled = enabled
        self.time_limit = time_limit
        self.lang = lang
        self.best: Progress | None = None
        self.start = time.perf_counter()
        self.drawn = False

    def update(self, progress: Progress) -> None:
        self.best = progress

    def text(self, stopping: bool = False) -> str:
        lang = self.lang
        elapsed = time.perf_counter() - self.start
        clock = i18n.text("cli.live.seconds", lang, s=elapsed)
        if self.time_limit is not None:
            clock += i18n.text("cli.live.limit", lang, limit=self.time_limit)
        if stopping:
            state = i18n.text("cli.live.stopping", lang)
        elif self.best is None:
            state = i18n.text("cli.live.first", lang)
        elif self.best.changes is not None:  # a what-if (whatif.PlanProgress)
            state = i18n.text(
                "cli.live.best_changes",
                lang,
                changes=i18n.count("cli.count.change", self.best.changes, lang),
                objective=self.best.objective,
                rosters=i18n.count("cli.count.roster", self.best.solutions, lang),
            )
        else:
            bound = self.best.bound
            proof = (
                i18n.text("cli.live.bound", lang, bound=bound, gap=percent(self.best.gap))
                if bound is not None and math.isfinite(bound)
                else i18n.text("cli.live.no_bound", lang)  # the decomposition layer proves none
            )
            rosters = i18n.count("cli.count.roster", self.best.solutions, lang)
            state = i18n.text(
                "cli.live.best", lang, objective=self.best.objective, proof=proof, rosters=rosters
            )
        return i18n.text("cli.live.solving", lang, clock=clock, state=state)

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
class Interrupts:
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
def catching_ctrl_c() -> Iterator[Interrupts]:
    """Ctrl-C (SIGINT) and SIGTERM both count as presses: a service manager's or a script's
    ``kill`` stops the search and keeps the best roster, as Ctrl-C does."""
    presses = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield presses  # signals only reach the main thread; nothing to catch here
        return
    previous = {sig: signal.signal(sig, presses) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield presses
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def until_interrupted(
    work: Callable[[threading.Event], T],
    presses: Interrupts,
    *,
    name: str,
    announce: str,
    tick: Callable[[bool], None],
    close: Callable[[], None],
    lang: str = "en",
) -> T:
    """``work(stop)`` in a worker thread, the main thread watching Ctrl-C: the first press sets
    ``stop`` and says ``announce`` (the work ends and returns what it has), a second one a
    second later abandons the run: nothing is written, the process exits 1 at once (the
    solver's threads cannot be joined mid-search; worker processes die with this one).
    ``tick(stopping)`` redraws progress five times a second; ``close()`` erases it."""
    stop = threading.Event()
    done = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work(stop)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while not done.wait(0.2):
            if presses.pressed and not presses.announced:
                presses.announced = True
                stop.set()
                close()
                say(announce)
            if presses.abandon:
                close()
                say(i18n.text("cli.abandoned", lang))
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(EXIT_NO)
            tick(stop.is_set())
    finally:
        close()
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def run_solve(
    instance: Instance,
    *,
    time_limit: float | None,
    workers: int | None,
    seed: int,
    baseline: Roster | None,
    relax: bool,
    live: Live,
    presses: Interrupts,
    backend: Backend = "auto",
    solutions: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Result:
    """Solve in a worker thread; the first Ctrl-C stops the search and keeps the best roster so
    far, a second one abandons the run (nothing is written). Progress goes to ``on_progress``
    (default: the live line's ``update``)."""

    def work(stop: threading.Event) -> Result:
        return solve(
            instance,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            baseline=baseline,
            on_progress=on_progress or live.update,
            stop=stop,
            relax=relax,
            backend=backend,
            solutions=solutions,
        )

    return until_interrupted(
        work,
        presses,
        name="teamsolver-solve",
        announce=i18n.text("cli.interrupted.solve", live.lang),
        tick=lambda stopping: live.draw(stopping=stopping),
        close=live.close,
        lang=live.lang,
    )
