"""``teamsolver whatif``: change a plan with as few moves as possible.

Exit codes (SPEC §6): 0 a roster was written, 1 no roster, 2 bad input or usage.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

import click

from .. import i18n
from ..data.errors import InputError
from ..data.instance import Instance
from ..data.result import Result
from ..files.rosters import write_roster
from ..summary import plain
from ..whatif import PlanProgress, conclude, prepare, solve_whatif
from .common import (
    ENCODING,
    EXIT_NO,
    EXIT_OK,
    JSON,
    RULES,
    SEED,
    Live,
    bad_input,
    catching_ctrl_c,
    check_out,
    input_errors,
    load,
    out_option,
    print_json,
    read_baseline,
    read_scenario,
    reader_may_leave,
    rules_bent,
    run_solve,
    say,
    scenario_options,
    status_text,
    time_limit_option,
    tolerant_streams,
    workers_option,
)
from .diff import diff_doc, diff_lines
from .reporting import check_report, language, report_options, write_html


@click.command()
@click.argument("instance", type=click.Path())
@click.option(
    "--baseline",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="ROSTER",
    help="The roster in force (CSV, XLSX or JSON).",
)
@scenario_options(True, "A TOML file of changes (see the README, section What-if).")
@out_option("Write the new roster here: .csv, .xlsx or .json.")
@click.option(
    "--freeze",
    default="",
    metavar="G1,G2",
    help="Groups kept exactly as in the baseline (same members, same roles).",
)
@time_limit_option(60.0, "Seconds to search; 0 means until proven optimal.")
@workers_option("CP-SAT threads (default: one per core, at most 8).")
@SEED
@JSON
@report_options
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
    report_file: str | None,
    lang: str | None,
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
    tolerant_streams()
    failed: dict[str, Any] = {"status": None, "roster": None, "out": None}
    if out is not None:
        check_out(out)
    check_report(report_file)
    limit = time_limit or None
    chosen = language(lang, instance)
    try:
        inst = load(instance, encoding, rules_file, as_json, failed, lang=chosen)
        base = read_baseline(baseline, inst, encoding, as_json, failed, chosen)
        scenario = read_scenario(scenario_file, name, as_json, failed, chosen)
        frozen = [g.strip() for g in freeze.split(",") if g.strip()]
        try:
            changed = prepare(inst, base, scenario, frozen)
        except InputError as exc:
            bad_input(exc.problems, as_json, failed, lang=chosen)
    except KeyboardInterrupt:
        say(i18n.text("cli.interrupted.before_solving", chosen))
        sys.exit(EXIT_NO)
    live = Live(enabled=sys.stderr.isatty(), time_limit=limit, lang=chosen)
    progress = PlanProgress(changed, live.update)  # changes and the plan's own objective
    with catching_ctrl_c() as presses:

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
                on_progress=progress,
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
            lang=chosen,
        )
    if result.has_roster:
        write_html(
            report_file,
            done.instance,
            result,
            lang=chosen,
            source=instance,
            diff=done.diff,
            baseline=base,
            title=i18n.text("report.whatif_title", chosen, scenario=scenario.name),
        )
    with reader_may_leave():
        if as_json:
            print_json(
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
                i18n.text(
                    "cli.whatif.head",
                    chosen,
                    scenario=plain(scenario.name),
                    status=status_text(result.status, chosen),
                    changes=i18n.count("cli.count.change", done.diff.changes, chosen),
                    s=result.wall_time_s,
                )
            )
            for text in diff_lines(done.instance, done.diff, chosen):
                click.echo(text)
            if result.rule_costs:
                click.echo(rules_bent(result.rule_costs, chosen))
            if written:
                click.echo(i18n.text("cli.roster_written", chosen, out=out))
    if not result.has_roster:
        if result.status == "INFEASIBLE":
            command = (
                f"teamsolver explain {shlex.quote(instance)} --scenario "
                f"{shlex.quote(scenario_file)}"
                + (f" --name {shlex.quote(name)}" if name is not None else "")
            )
            why = i18n.text("cli.whatif.infeasible", chosen, command=command)
        else:
            why = i18n.text("cli.whatif.none_time", chosen)
        say(i18n.text("cli.whatif.none", chosen, scenario=repr(scenario.name), why=why))
        say(i18n.text("cli.nothing_written", chosen))
        sys.exit(EXIT_NO)
    if result.status == "FEASIBLE":
        key = "interrupted" if result.interrupted else "time_limit"
        say(i18n.text(f"cli.whatif.{key}", chosen))
    sys.exit(EXIT_OK)
