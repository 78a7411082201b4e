"""``teamsolver solve`` and ``teamsolver check``: the planner's two daily commands."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from . import files
from .audit import Violation, check
from .cli import ENCODING, EXIT_INPUT, EXIT_NO, EXIT_OK, RULES, input_errors, main
from .instance import Instance
from .result import Progress, Result
from .roster import Roster
from .rosterio import read_roster, write_roster
from .score import score
from .settings import GOAL_IDS
from .summary import group_lines


class _Live:
    """One line of live progress on a terminal's stderr: elapsed, best, bound, gap."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.best: Progress | None = None
        self.start = time.perf_counter()
        self.width = 0

    def update(self, progress: Progress) -> None:
        self.best = progress

    def draw(self) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        if self.best is None:
            text = f"  {elapsed:6.1f} s  searching for a first roster..."
        else:
            gap = self.best.gap
            text = (
                f"  {elapsed:6.1f} s  best {self.best.objective}  bound {self.best.bound:.0f}"
                f"  gap {0 if gap is None else gap:.2%}  rosters {self.best.solutions}"
            )
        self.width = max(self.width, len(text))
        click.echo("\r" + text.ljust(self.width), err=True, nl=False)

    def close(self) -> None:
        if self.enabled and self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)


def run_solve(
    instance: Instance,
    *,
    time_limit: float | None,
    workers: int | None,
    seed: int,
    baseline: Roster | None,
    relax: bool,
    live: _Live,
) -> Result:
    """Solve in a worker thread so that Ctrl-C stops the search and keeps the best roster."""
    from .solver import solve

    stop = threading.Event()
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
            )
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="teamsolver-solve")
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.25)
            live.draw()
        except KeyboardInterrupt:
            stop.set()
            live.close()
            click.echo(
                "interrupted: stopping the search and keeping the best roster so far...", err=True
            )
    live.close()
    if "error" in box:
        raise box["error"]
    result: Result = box["result"]
    return result


def _violation_line(v: Violation, instance: Instance) -> str:
    where = " ".join(x for x in (v.round, v.group) if x)
    mode = instance.rules.mode(v.rule) if v.rule != "roster" else "hard"
    tag = "" if mode == "hard" else f" (soft, ×{v.count})"
    return f"  {v.rule}{tag}  {where}: {v.message}"


def _print_summary(instance: Instance, result: Result, out: str | None) -> None:
    lines = group_lines(instance, result.roster)
    header = (
        "round",
        "group",
        "leader",
        "deputies",
        "size",
        "specialties (have/need)",
        "new",
        "experienced",
        "mentors",
    )
    rows = [[str(line[h]) for h in header] for line in lines]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    click.echo("")
    if result.violations:
        click.echo(f"soft rules bent ({sum(v.count for v in result.violations)}):")
        for v in result.violations:
            click.echo(_violation_line(v, instance))
    else:
        click.echo("every rule holds.")
    click.echo("goals: " + ", ".join(f"{g} {result.goals.get(g, 0)}" for g in GOAL_IDS))
    gap = result.gap
    gap_text = "" if gap is None else f", gap {gap:.2%}"
    click.echo(
        f"status {result.status}: objective {result.objective}, bound "
        f"{result.bound if result.bound is None else round(result.bound)}{gap_text}, "
        f"{len(result.roster)} seats, {result.wall_time_s:.1f} s"
        + (" (interrupted)" if result.interrupted else "")
    )
    if out:
        click.echo(f"roster written to {out}")


@main.command()
@click.argument("instance", type=click.Path())
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the roster here: .csv, .xlsx or .json.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to search; 0 means until proven optimal.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT threads (default: one per core, at most 8).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    help="Random seed; with --workers 1 the same seed gives the same roster.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="A roster to stay close to (the stability goal).",
)
@click.option(
    "--relax",
    is_flag=True,
    help="Make every relaxable rule soft: the least-bad roster, showing where it bends.",
)
@click.option("--excel", is_flag=True, help="Write CSV with a byte-order mark for Excel.")
@ENCODING
@RULES
@input_errors
def solve(
    instance: str,
    out: str | None,
    time_limit: float,
    workers: int | None,
    seed: int,
    as_json: bool,
    baseline: str | None,
    relax: bool,
    excel: bool,
    encoding: str | None,
    rules_file: str | None,
) -> None:
    """Compose the groups of INSTANCE: the best roster that respects every hard rule.

    Exit 0 when a roster was found (and written with --out), 1 when none exists or none was
    found in time, 2 for bad input. Ctrl-C stops the search and keeps the best roster so far.

    \b
    Example:
      teamsolver solve instances/city --out city-roster.xlsx --time-limit 30
    """
    inst = files.load(instance, encoding=encoding, rules=rules_file)
    base = read_roster(baseline, inst, encoding=encoding) if baseline else None
    if out is not None and Path(out).suffix.lower() not in (".csv", ".xlsx", ".json"):
        _bad_out(out)
    live = _Live(enabled=not as_json and sys.stderr.isatty())
    result = run_solve(
        inst,
        time_limit=time_limit or None,
        workers=workers,
        seed=seed,
        baseline=base,
        relax=relax,
        live=live,
    )
    if result.has_roster and out is not None:
        write_roster(
            inst,
            result.roster,
            out,
            bom=excel,
            extra={"status": result.status, "objective": result.objective},
        )
    if as_json:
        doc = result.to_json()
        doc["out"] = out if result.has_roster else None
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    elif result.has_roster:
        _print_summary(inst, result, out)
    if not result.has_roster:
        why = (
            "the hard rules cannot all hold; run `teamsolver explain` to see why"
            if result.status == "INFEASIBLE"
            else "no roster was found within the time limit; allow more time"
        )
        click.echo(f"no roster: {why}.", err=True)
        sys.exit(EXIT_NO)
    if result.interrupted:
        click.echo("the search was interrupted; this is the best roster found so far.", err=True)
    sys.exit(EXIT_OK)


def _bad_out(out: str) -> None:
    raise click.BadParameter(f"{out!r}: expected a .csv, .xlsx or .json file", param_hint="--out")


@main.command(name="check")
@click.argument("instance", type=click.Path())
@click.argument("roster", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@ENCODING
@RULES
@input_errors
def check_command(
    instance: str, roster: str, as_json: bool, encoding: str | None, rules_file: str | None
) -> None:
    """Audit ROSTER (CSV, XLSX or JSON, hand-made or solved) against every rule of INSTANCE.

    Lists each violation by rule, round, group and member, and the roster's goal values.
    Exit 0 when no hard rule is broken (soft rules may bend), 1 when one is, 2 for bad input.

    \b
    Example:
      teamsolver check instances/tiny my-roster.csv
    """
    inst = files.load(instance, encoding=encoding, rules=rules_file)
    seats = read_roster(roster, inst, encoding=encoding)
    violations = check(inst, seats)
    goals = score(inst, seats)

    def hard(v: Violation) -> bool:
        return v.rule == "roster" or inst.rules.mode(v.rule) == "hard"

    broken = [v for v in violations if hard(v)]
    if as_json:
        doc = {
            "ok": not broken,
            "violations": [
                {**v.model_dump(mode="json"), "mode": "hard" if hard(v) else "soft"}
                for v in violations
            ],
            "goals": goals,
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        if broken:
            click.echo(f"{len(broken)} hard-rule violation{'s' if len(broken) != 1 else ''}:")
            for v in broken:
                click.echo(_violation_line(v, inst))
        soft = [v for v in violations if not hard(v)]
        if soft:
            click.echo(f"soft rules bent ({sum(v.count for v in soft)}):")
            for v in soft:
                click.echo(_violation_line(v, inst))
        if not violations:
            click.echo(f"{roster}: every rule holds ({len(seats)} seats).")
        click.echo("goals: " + ", ".join(f"{g} {goals.get(g, 0)}" for g in GOAL_IDS))
    sys.exit(EXIT_NO if broken else EXIT_OK)


__all__ = ["EXIT_INPUT", "check_command", "solve"]
