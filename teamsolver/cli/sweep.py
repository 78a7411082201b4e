"""``teamsolver sweep``: many what-if scenarios at once, on processes or a Dask cluster.

Exit codes (SPEC §6): 0 every scenario ran, 1 no baseline roster, a failed job or an
interrupted sweep, 2 bad input or usage.
"""

from __future__ import annotations

import csv
import io
import sys
import threading
import time
from typing import Any

import click

from .. import i18n
from ..data.errors import InputError
from ..files.atomic import write_text
from ..summary import align, plain
from ..whatif.scenario import read_scenarios
from ..whatif.sweep import (
    CSV_HEADER,
    Options,
    SweepInterrupted,
    SweepRow,
    apply_all,
    cores,
    plan_parallel,
    sweep_applied,
)
from .common import (
    ENCODING,
    EXIT_INPUT,
    EXIT_NO,
    EXIT_OK,
    JSON,
    RULES,
    SEED,
    SOLUTIONS,
    bad_input,
    catching_ctrl_c,
    check_out,
    error_line,
    input_errors,
    load,
    out_option,
    print_json,
    read_baseline,
    reader_may_leave,
    say,
    time_limit_option,
    tolerant_streams,
    until_interrupted,
    workers_option,
)
from .reporting import LANG, language


class _Bar:
    """A progress bar on a terminal's stderr: done/total, elapsed."""

    def __init__(self, enabled: bool, lang: str = "en"):
        self.enabled = enabled
        self.lang = lang
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * done // max(1, total)
        bar = i18n.text(
            "cli.sweep.bar",
            self.lang,
            bar="#" * filled + "." * (width - filled),
            done=done,
            total=total,
            s=time.perf_counter() - self.start,
        )
        click.echo("\r\x1b[2K" + bar, err=True, nl=False)

    def close(self) -> None:
        if self.enabled:
            click.echo("\r\x1b[2K", err=True, nl=False)


def rows_csv(rows: list[SweepRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(row.csv_row())
    return out.getvalue()


@click.command()
@click.argument("instance", type=click.Path())
@click.option(
    "--scenarios",
    required=True,
    type=click.Path(),
    metavar="DIR_OR_FILE",
    help="A folder of .toml scenarios, or one .toml file (one scenario or [[scenario]] tables).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="ROSTER",
    help="The roster to compare against (default: solve the unchanged instance first).",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Local processes (default: cores ÷ --workers); processes × --workers may not exceed "
    "the cores.",
)
@click.option(
    "--dask",
    default=None,
    metavar="ADDRESS",
    help="Run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (needs teamsolver[dask]).",
)
@out_option("Write one CSV row per scenario here.")
@time_limit_option(10.0, "Seconds per solve; 0 means until proven optimal.")
@workers_option("CP-SAT threads per solve (default 1 with --dask, else cores ÷ --parallel).")
@SEED
@SOLUTIONS
@JSON
@LANG
@ENCODING
@RULES
@input_errors
def sweep(
    instance: str,
    scenarios: str,
    baseline: str | None,
    parallel: int | None,
    dask: str | None,
    out: str | None,
    time_limit: float,
    workers: int | None,
    seed: int,
    solutions: int | None,
    as_json: bool,
    lang: str | None,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Solve the baseline and every scenario of DIR_OR_FILE against it, one row each: status,
    objective, every goal, changes against the baseline, seats, soft-rule violations, time.

    Each scenario is a what-if (stability first) against the baseline roster. Solves run on
    local processes (processes × CP-SAT threads never exceed the cores) or, with --dask, on
    an existing Dask cluster; instances travel as JSON. With --workers 1 and a fixed seed the
    rows are the same serially, in parallel and on Dask whenever no wall-clock limit cuts a
    search: use --time-limit 0 (to optimality), with --solutions N to stop each search after N
    improving rosters. Exit 0 when every scenario ran (whatever its status), 1 when the
    baseline has no roster or a job failed, 2 for bad input: every bad scenario is named with
    its line.

    Ctrl-C or SIGTERM ends the running solves and keeps the rows finished so far: they are
    printed and written to --out, the missing scenarios are named, and the exit code is 1.
    A second one, a second later, abandons the sweep (nothing is written). No worker
    process outlives the sweep, however it ends.

    \b
    Example:
      teamsolver sweep instances/tiny --scenarios instances/scenarios --out results.csv
      teamsolver sweep plan.xlsx --scenarios many.toml --workers 1 --solutions 5 --parallel 2
      teamsolver sweep plan.xlsx --scenarios dir --dask tcp://scheduler:8786
    """
    tolerant_streams()
    failed: dict[str, Any] = {"rows": []}
    if dask is not None and parallel is not None:
        raise click.BadParameter("give --parallel or --dask, not both", param_hint="--parallel")
    if dask is not None:
        processes, threads = 1, workers or 1
    else:
        try:
            processes, threads = plan_parallel(parallel, workers, cores())
        except ValueError as exc:
            given = [o for o, v in (("--parallel", parallel), ("--workers", workers)) if v]
            raise click.BadParameter(str(exc), param_hint="/".join(given)) from None
    if out is not None:
        if not out.lower().endswith(".csv"):
            raise click.BadParameter(f"{out!r}: expected a file ending in .csv", param_hint="--out")
        check_out(out)  # before any solve: an unwritable path would lose every row
    chosen = language(lang, instance)
    inst = load(instance, encoding, rules_file, as_json, failed, lang=chosen)
    base = read_baseline(baseline, inst, encoding, as_json, failed, chosen) if baseline else None
    try:
        found = read_scenarios(scenarios)
        applied = apply_all(inst, found)
    except InputError as exc:
        bad_input(exc.problems, as_json, failed, "cli.then.solved", chosen)
    options = Options(
        time_limit=time_limit or None, workers=threads, seed=seed, solutions=solutions
    )
    where = (
        i18n.text("cli.sweep.on_dask", chosen, address=dask)
        if dask
        else i18n.count("cli.sweep.on_processes", processes, chosen)
    )
    say(
        i18n.text(
            "cli.sweep.start",
            chosen,
            scenarios=i18n.count("cli.count.scenario", len(found), chosen),
            where=where,
            threads=i18n.count("cli.count.thread", threads, chosen),
        )
    )
    bar = _Bar(sys.stderr.isatty(), chosen)

    def run(stop: threading.Event) -> list[SweepRow]:
        return sweep_applied(
            inst,
            applied,
            baseline=base,
            options=options,
            parallel=processes,
            dask=dask,
            on_done=bar,
            stop=stop,
        )

    missing: list[str] = []
    try:
        with catching_ctrl_c() as presses:
            rows = until_interrupted(
                run,
                presses,
                name="teamsolver-sweep",
                announce=i18n.text("cli.interrupted.sweep", chosen),
                tick=lambda stopping: None,
                close=bar.close,
                lang=chosen,
            )
    except SweepInterrupted as exc:
        rows, missing = exc.rows, exc.missing
    except RuntimeError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:  # a Dask scheduler that cannot be reached
        say(error_line(i18n.text("cli.sweep.no_dask", chosen, address=dask, why=exc), chosen))
        sys.exit(EXIT_INPUT)
    finally:
        bar.close()
    if out is not None and rows:
        write_text(out, rows_csv(rows))
    with reader_may_leave():
        _print_rows(rows, missing, out if rows else None, as_json, chosen)
    errors = [r for r in rows if r.status == "ERROR"]
    for r in errors:
        say(i18n.text("cli.sweep.failed", chosen, scenario=repr(r.scenario), error=r.error))
    if missing:
        kept = i18n.count("cli.sweep.kept", len(rows), chosen) + (
            i18n.text("cli.sweep.kept_in", chosen, out=out) if out else ""
        )
        say(
            i18n.text(
                "cli.sweep.interrupted",
                chosen,
                missing=len(missing),
                total=len(rows) + len(missing),
                names=_shown(missing, chosen),
                kept=kept if rows else i18n.text("cli.sweep.kept_none", chosen),
            )
        )
        sys.exit(EXIT_NO)
    if rows and rows[0].status in ("INFEASIBLE", "UNKNOWN"):
        say(i18n.text("cli.sweep.no_baseline", chosen, status=rows[0].status))
        sys.exit(EXIT_NO)
    sys.exit(EXIT_NO if errors else EXIT_OK)


def _shown(names: list[str], lang: str, most: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    more = i18n.text("cli.sweep.more", lang, n=len(names) - most)
    return shown + (more if len(names) > most else "")


def _print_rows(
    rows: list[SweepRow], missing: list[str], out: str | None, as_json: bool, lang: str
) -> None:
    if as_json:
        doc: dict[str, Any] = {"rows": [r.model_dump(mode="json") for r in rows], "out": out}
        if missing:
            doc["interrupted"] = True
            doc["missing"] = missing
        print_json(doc)
        return
    header = [i18n.text(f"cli.sweep.column.{c}", lang) for c in SWEEP_COLUMNS]
    body = [
        [
            plain(r.scenario),
            r.status,
            "" if r.objective is None else str(r.objective),
            "" if r.changes is None else str(r.changes),
            "" if r.seats is None else str(r.seats),
            "" if r.soft_violations is None else str(r.soft_violations),
            i18n.text("cli.sweep.seconds", lang, s=r.time_s),
        ]
        for r in rows
    ]
    if body:
        for text in align([header, *body], right={2, 3, 4, 5, 6}):
            click.echo(text)
    if out:
        click.echo(i18n.text("cli.sweep.written", lang, out=out))


#: Columns of the terminal table (``cli.sweep.column.*``; the --out CSV keeps its own header).
SWEEP_COLUMNS = ("scenario", "status", "objective", "changes", "seats", "soft", "time")
