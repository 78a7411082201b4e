"""``teamsolver whatif``, ``teamsolver diff`` and ``teamsolver sweep``: change a plan with as
few moves as possible, compare two rosters, and run many scenarios at once.

Data on stdout (or, with ``--json``, exactly one JSON document), progress and problems on
stderr. Exit codes (SPEC §6): 0 a roster was written / compared / every scenario ran, 1 no
roster, 2 bad input or usage.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import click

from .atomic import write_text
from .cli import ENCODING, EXIT_INPUT, EXIT_NO, EXIT_OK, RULES, F, input_errors, main
from .cli_solve import (
    SEED,
    SOLUTIONS,
    _bad_input,
    _catching_ctrl_c,
    _check_out,
    _Interrupts,
    _Live,
    _load,
    _plural,
    _print_json,
    _read_baseline,
    _reader_may_leave,
    _say,
    _tolerant_streams,
    run_solve,
)
from .diff import RosterDiff
from .errors import InputError, Problem
from .instance import Instance
from .result import Result
from .rosterio import write_roster
from .scenario import Scenario, read_scenarios
from .settings import GOAL_IDS
from .summary import align, person, plain
from .sweep import (
    CSV_HEADER,
    Options,
    SweepInterrupted,
    SweepRow,
    apply_all,
    cores,
    plan_parallel,
    sweep_applied,
)


def _time_limit(default: float, help: str) -> Callable[[F], F]:
    return click.option(
        "--time-limit",
        type=click.FloatRange(min=0),
        default=default,
        show_default=True,
        metavar="S",
        help=help,
    )


def _workers(help: str) -> Callable[[F], F]:
    return click.option(
        "--workers", type=click.IntRange(min=1), default=None, metavar="N", help=help
    )


def _out(help: str) -> Callable[[F], F]:
    return click.option(
        "--out", "-o", type=click.Path(dir_okay=False), default=None, metavar="FILE", help=help
    )


def _scenario_options(required: bool, help: str) -> Callable[[F], F]:
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


JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")


# -- diff text -------------------------------------------------------------------------------
def diff_lines(instance: Instance, diff: RosterDiff) -> list[str]:
    """The diff as a planner reads it: per group, who leaves, who joins, whose role or mentor
    changes; then the goals before and after."""
    lines: list[str] = []
    for gid in diff.groups:
        group = instance.group_by_id.get(gid)
        rounds = {c.round for c in (*diff.left, *diff.joined) if c.group == gid}
        head = f"{gid} ({group.round if group else ', '.join(sorted(rounds))})"
        lines.append(head + ("" if group else " — group removed") + ":")
        rows: list[list[str]] = []
        for c in diff.left:
            if c.group == gid:
                why = f" ({c.reason})" if c.reason else ""
                rows.append(["-", person(instance, c.member), f"{c.role} leaves{why}"])
        for c in diff.joined:
            if c.group == gid:
                rows.append(["+", person(instance, c.member), f"joins as {c.role}"])
        for r in diff.role_changes:
            if r.group == gid:
                rows.append(["~", person(instance, r.member), f"{r.before} → {r.after}"])
        for m in diff.mentor_changes:
            if m.group == gid:
                rows.append(
                    [
                        "~",
                        person(instance, m.member),
                        f"mentor {m.before or '-'} → {m.after or '-'}",
                    ]
                )
        lines.extend("  " + text for text in align(rows))
    for mv in diff.moved:
        lines.append(
            f"moved: {person(instance, mv.member)} from {mv.from_group} ({mv.from_role}) "
            f"to {mv.to_group} ({mv.to_role}) in {mv.round}"
        )
    if not diff.groups:
        lines.append("no change: every seat is as before.")
    lines.append("goals:")
    rows = [["", "before", "after"]]
    for goal in GOAL_IDS:
        before, after = diff.goals_before.get(goal, 0), diff.goals_after.get(goal, 0)
        if before or after:
            rows.append([goal, str(before), str(after)])
    rows.append(["objective", str(diff.objective_before), str(diff.objective_after)])
    lines.extend("  " + text for text in align(rows, right={1, 2}))
    return lines


def diff_doc(diff: RosterDiff) -> dict[str, Any]:
    return diff.model_dump(mode="json")


def _scenario(path: str, name: str | None, as_json: bool, failed: dict[str, Any]) -> Scenario:
    try:
        scenarios = read_scenarios(path)
    except InputError as exc:
        _bad_input(exc.problems, as_json, failed, "nothing was done.")
    if name is not None:
        chosen = [s for s in scenarios if s.name == name]
        if not chosen:
            names = ", ".join(s.name for s in scenarios)
            _bad_input(
                [Problem(message=f"no scenario named {name!r}; the file has: {names}", file=path)],
                as_json,
                failed,
                "nothing was done.",
            )
        return chosen[0]
    if len(scenarios) > 1:
        _bad_input(
            [
                Problem(
                    message=f"holds {len(scenarios)} scenarios; pick one with --name "
                    "(or run them all with `teamsolver sweep`)",
                    file=path,
                )
            ],
            as_json,
            failed,
            "nothing was done.",
        )
    return scenarios[0]


# -- whatif ----------------------------------------------------------------------------------
@main.command()
@click.argument("instance", type=click.Path())
@click.option(
    "--baseline",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="ROSTER",
    help="The roster in force (CSV, XLSX or JSON).",
)
@_scenario_options(True, "A TOML file of changes (see the README, section What-if).")
@_out("Write the new roster here: .csv, .xlsx or .json.")
@click.option(
    "--freeze",
    default="",
    metavar="G1,G2",
    help="Groups kept exactly as in the baseline (same members, same roles).",
)
@_time_limit(60.0, "Seconds to search; 0 means until proven optimal.")
@_workers("CP-SAT threads (default: one per core, at most 8).")
@SEED
@JSON
@ENCODING
@RULES
@input_errors
def whatif(
    instance: str,
    baseline: str,
    scenario_file: str,
    name: str | None,
    out: str | None,
    freeze: str,
    time_limit: float,
    workers: int | None,
    seed: int,
    as_json: bool,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Apply a SCENARIO to INSTANCE and re-solve it moving as few people as possible.

    Stability against the baseline ranks above every other goal: among the rosters that keep
    every hard rule, the one with the fewest changed seats wins, then the usual goals decide.
    Prints the diff: who leaves which group (and why), who joins, role and mentor changes,
    and the goal values before and after. On a terminal a progress line shows the search;
    Ctrl-C stops it and keeps the best roster found so far.

    Exit 0 when a roster was found (and written with --out), 1 when none exists or none was
    found in time, 2 for bad input (a scenario naming an unknown member is named with its
    line).

    \b
    Example:
      teamsolver whatif instances/tiny --baseline roster.csv --scenario ill.toml --out new.csv
      teamsolver whatif instances/tiny --baseline roster.csv --scenario ill.toml --freeze G2
    """
    from .whatif import conclude, prepare, solve_whatif

    _tolerant_streams()
    failed: dict[str, Any] = {"status": None, "roster": None, "out": None}
    if out is not None:
        _check_out(out)
    limit = time_limit or None
    try:
        inst = _load(instance, encoding, rules_file, as_json, failed)
        base = _read_baseline(baseline, inst, encoding, as_json, failed)
        scenario = _scenario(scenario_file, name, as_json, failed)
        frozen = [g.strip() for g in freeze.split(",") if g.strip()]
        try:
            changed = prepare(inst, base, scenario, frozen)
        except InputError as exc:
            _bad_input(exc.problems, as_json, failed, "nothing was done.")
    except KeyboardInterrupt:
        _say("interrupted before solving; nothing was written.")
        sys.exit(EXIT_NO)
    live = _Live(enabled=sys.stderr.isatty(), time_limit=limit)
    with _catching_ctrl_c() as presses:

        def solve(inst: Instance, limit: float | None) -> Result:
            return run_solve(
                inst,
                time_limit=limit,
                workers=workers,
                seed=seed,
                baseline=base,
                relax=False,
                live=live,
                presses=presses,
            )

        solved = solve_whatif(changed, base, time_limit=limit, solve=solve)
    done = conclude(scenario.name, inst, changed, base, solved)
    result = done.result
    written = result.has_roster and out is not None
    if written:
        assert out is not None
        write_roster(
            done.instance,
            result.roster,
            out,
            extra={
                "status": result.status,
                "scenario": scenario.name,
                "objective": result.objective,
                "changes": done.diff.changes if done.diff else None,
                "goals": result.goals,
            },
            violations=result.violations,
        )
    with _reader_may_leave():
        if as_json:
            _print_json(
                {
                    "scenario": scenario.name,
                    "status": result.status,
                    "objective": result.objective,
                    "wall_time_s": result.wall_time_s,
                    "changes": done.diff.changes if done.diff else None,
                    "goals": result.goals,
                    "diff": diff_doc(done.diff) if done.diff else None,
                    "roster": [s.model_dump(mode="json") for s in result.roster.seats],
                    "out": out if written else None,
                }
            )
        elif done.diff is not None:
            click.echo(
                f"scenario {plain(scenario.name)}: status {result.status} · "
                f"{_plural(done.diff.changes, 'change')} against the baseline · "
                f"{result.wall_time_s:.1f} s"
            )
            for text in diff_lines(done.instance, done.diff):
                click.echo(text)
            if result.rule_costs:
                click.echo(
                    "soft rules bent: "
                    + ", ".join(f"{k} ×{v}" for k, v in result.rule_costs.items())
                )
            if written:
                click.echo(f"roster written to {out}")
    if not result.has_roster:
        _say(
            f"no roster for scenario {scenario.name!r}: "
            + (
                "the hard rules cannot all hold together after the changes; run "
                f"`teamsolver explain {shlex.quote(instance)} --scenario "
                f"{shlex.quote(scenario_file)}"
                + (f" --name {shlex.quote(name)}" if name is not None else "")
                + "` to see which."
                if result.status == "INFEASIBLE"
                else "none found in time; allow more with --time-limit."
            )
        )
        _say("nothing was written.")
        sys.exit(EXIT_NO)
    if result.status == "FEASIBLE":
        why = "was interrupted" if result.interrupted else "stopped at the time limit"
        _say(
            f"the search {why} before proving this the fewest changes; a longer "
            "--time-limit may find fewer."
        )
    sys.exit(EXIT_OK)


# -- diff ------------------------------------------------------------------------------------
@main.command(name="diff")
@click.argument("instance", type=click.Path())
@click.argument("roster_a", type=click.Path(dir_okay=False))
@click.argument("roster_b", type=click.Path(dir_okay=False))
@_scenario_options(
    False,
    "Score ROSTER_B (and say why seats left) on INSTANCE after this scenario, as whatif does.",
)
@JSON
@ENCODING
@RULES
@input_errors
def diff_command(
    instance: str,
    roster_a: str,
    roster_b: str,
    scenario_file: str | None,
    name: str | None,
    as_json: bool,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Show what changes from ROSTER_A to ROSTER_B: who leaves which group, who joins, role and
    mentor changes, and the goal values of both on INSTANCE.

    Without --scenario both rosters are scored on INSTANCE as it is. With --scenario FILE,
    ROSTER_B is read and scored on INSTANCE after the scenario (and the reasons a seat left
    come from it), ROSTER_A on INSTANCE as it is: the diff whatif prints for the same rosters.
    Seats of members or groups the instance lacks are kept (and count as changes).

    \b
    Example:
      teamsolver diff instances/tiny roster.csv new.csv
      teamsolver diff instances/tiny roster.csv new.csv --scenario ill.toml --json
    """
    from .diff import roster_diff
    from .scenario import apply_scenario

    _tolerant_streams()
    failed: dict[str, Any] = {"changes": None}
    if name is not None and scenario_file is None:
        raise click.BadParameter("--name picks a scenario of --scenario FILE", param_hint="--name")
    inst = _load(instance, encoding, rules_file, as_json, failed)
    after = inst
    if scenario_file is not None:
        scenario = _scenario(scenario_file, name, as_json, failed)
        try:
            after = apply_scenario(inst, scenario)
        except InputError as exc:
            _bad_input(exc.problems, as_json, failed, "nothing was done.")
    a = _read_baseline(roster_a, inst, encoding, as_json, failed)
    b = _read_baseline(roster_b, after, encoding, as_json, failed)
    diff = roster_diff(after, a, b, before_instance=inst)
    with _reader_may_leave():
        if as_json:
            _print_json(diff_doc(diff))
        else:
            click.echo(f"{roster_a} → {roster_b}: {_plural(diff.changes, 'change')}")
            for text in diff_lines(after, diff):
                click.echo(text)
    sys.exit(EXIT_OK)


# -- sweep -----------------------------------------------------------------------------------
class _Bar:
    """A progress bar on a terminal's stderr: done/total, elapsed."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * done // max(1, total)
        click.echo(
            f"\r\x1b[2Ksweep [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"· {time.perf_counter() - self.start:.1f} s",
            err=True,
            nl=False,
        )

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


@main.command()
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
@_out("Write one CSV row per scenario here.")
@_time_limit(10.0, "Seconds per solve; 0 means until proven optimal.")
@_workers("CP-SAT threads per solve (default 1 with --dask, else cores ÷ --parallel).")
@SEED
@SOLUTIONS
@JSON
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
    _tolerant_streams()
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
        _check_out(out)  # before any solve: an unwritable path would lose every row
    inst = _load(instance, encoding, rules_file, as_json, failed)
    base = _read_baseline(baseline, inst, encoding, as_json, failed) if baseline else None
    try:
        found = read_scenarios(scenarios)
        applied = apply_all(inst, found)
    except InputError as exc:
        _bad_input(exc.problems, as_json, failed, "nothing was solved.")
    options = Options(
        time_limit=time_limit or None, workers=threads, seed=seed, solutions=solutions
    )
    _say(
        f"sweep: {_plural(len(found), 'scenario')}"
        + (f" on Dask at {dask}" if dask else f" on {_plural(processes, 'process', 'processes')}")
        + f", {_plural(threads, 'CP-SAT thread')} each"
    )
    bar = _Bar(sys.stderr.isatty())

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
        with _catching_ctrl_c() as presses:
            rows = _until_interrupted(run, presses, bar)
    except SweepInterrupted as exc:
        rows, missing = exc.rows, exc.missing
    except RuntimeError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:  # a Dask scheduler that cannot be reached
        _say(f"error: cannot reach the Dask scheduler at {dask}: {exc}")
        sys.exit(EXIT_INPUT)
    finally:
        bar.close()
    if out is not None and rows:
        write_text(out, rows_csv(rows))
    with _reader_may_leave():
        _print_rows(rows, missing, out if rows else None, as_json)
    errors = [r for r in rows if r.status == "ERROR"]
    for r in errors:
        _say(f"scenario {r.scenario!r} failed: {r.error}")
    if missing:
        kept = f"kept {_plural(len(rows), 'finished row')}" + (f" in {out}" if out else "")
        _say(
            f"interrupted: {len(missing)} of {len(rows) + len(missing)} rows missing "
            f"({_shown(missing)}); {kept if rows else 'nothing was written'}."
        )
        sys.exit(EXIT_NO)
    if rows and rows[0].status in ("INFEASIBLE", "UNKNOWN"):
        _say(f"no baseline roster ({rows[0].status}): no scenario was solved.")
        sys.exit(EXIT_NO)
    sys.exit(EXIT_NO if errors else EXIT_OK)


def _until_interrupted(
    run: Callable[[threading.Event], list[SweepRow]], presses: _Interrupts, bar: _Bar
) -> list[SweepRow]:
    """``run(stop)`` in a worker thread; the first Ctrl-C or SIGTERM sets ``stop`` (the sweep
    ends its jobs and raises :class:`SweepInterrupted` with the finished rows), a second one a
    second later abandons the sweep (nothing is written; the worker processes die with this
    one)."""
    stop = threading.Event()
    done = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["rows"] = run(stop)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=work, name="teamsolver-sweep", daemon=True)
    thread.start()
    while not done.wait(0.2):
        if presses.pressed and not presses.announced:
            presses.announced = True
            stop.set()
            bar.close()
            _say(
                "interrupted: ending the running solves and keeping the finished rows "
                "(Ctrl-C again abandons the sweep)"
            )
        if presses.abandon:
            bar.close()
            _say("abandoned: nothing was written.")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_NO)
    thread.join()
    if "error" in box:
        raise box["error"]
    rows: list[SweepRow] = box["rows"]
    return rows


def _shown(names: list[str], most: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _print_rows(rows: list[SweepRow], missing: list[str], out: str | None, as_json: bool) -> None:
    if as_json:
        doc: dict[str, Any] = {"rows": [r.model_dump(mode="json") for r in rows], "out": out}
        if missing:
            doc["interrupted"] = True
            doc["missing"] = missing
        _print_json(doc)
        return
    header = ["scenario", "status", "objective", "changes", "seats", "soft", "time"]
    body = [
        [
            plain(r.scenario),
            r.status,
            "" if r.objective is None else str(r.objective),
            "" if r.changes is None else str(r.changes),
            "" if r.seats is None else str(r.seats),
            "" if r.soft_violations is None else str(r.soft_violations),
            f"{r.time_s:.2f} s",
        ]
        for r in rows
    ]
    if body:
        for text in align([header, *body], right={2, 3, 4, 5, 6}):
            click.echo(text)
    if out:
        click.echo(f"rows written to {out}")


__all__ = ["diff_command", "sweep", "whatif"]
