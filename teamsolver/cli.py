"""The ``teamsolver`` command line: a thin layer over the library.

Data goes to stdout, progress and problems to stderr. Exit codes (SPEC §6): 0 done, 1 no roster
or violations found, 2 bad input or usage.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import files
from .errors import InputError, Problem, TeamsolverError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_NO, EXIT_INPUT = 0, 1, 2


def _echo_problems(problems: list[Problem], *, writes: bool = True) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in errors + warnings:
        click.echo(str(p), err=True)
    if errors:
        n = len(errors)
        tail = "; nothing was written." if writes else "."
        click.echo(f"{n} problem{'s' if n != 1 else ''} found{tail}", err=True)


def input_errors(func: F) -> F:
    """Turn input problems into a list on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _echo_problems(exc.problems)
            sys.exit(EXIT_INPUT)
        except TeamsolverError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"error: {exc.strerror or exc}{where}", err=True)
            sys.exit(EXIT_INPUT)

    return wrapper  # type: ignore[return-value]


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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="teamsolver")
def main() -> None:
    """Compose inspection teams from a talent pool, respecting every hard rule.

    \b
    Start with:
      teamsolver validate instances/tiny
      teamsolver generate --preset city --seed 1 city.xlsx
    """


@main.command()
@click.argument("instance", type=click.Path())
@ENCODING
@RULES
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@input_errors
def validate(instance: str, encoding: str | None, rules_file: str | None, as_json: bool) -> None:
    """Load INSTANCE and check the input only, reporting every problem found.

    INSTANCE is a folder of CSV files, an .xlsx workbook or a .json document.
    Exit 0 when the input is usable (warnings may be printed), 2 when it is not.

    \b
    Example:
      teamsolver validate instances/tiny
    """
    result = files.read(instance, encoding=encoding, rules=rules_file)
    inst = result.instance
    if as_json:
        doc: dict[str, Any] = {
            "ok": not result.errors,
            "problems": [p.model_dump(exclude={"row_word"}) for p in result.problems],
        }
        if inst is not None:
            doc["counts"] = {
                "members": len(inst.members),
                "units": len(inst.units),
                "groups": len(inst.groups),
                "rounds": len(inst.rounds),
            }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        sys.exit(EXIT_INPUT if result.errors else EXIT_OK)
    _echo_problems(result.problems, writes=False)
    if result.errors or inst is None:
        sys.exit(EXIT_INPUT)
    active = sum(m.status == "active" for m in inst.members)
    seats = sum(g.size_min for g in inst.groups)
    click.echo(
        f"{instance}: OK: {len(inst.members)} members ({active} active), "
        f"{len(inst.units)} units, {len(inst.groups)} groups in {len(inst.rounds)} "
        f"round{'s' if len(inst.rounds) != 1 else ''}, at least {seats} seats"
    )


@main.command()
def schema() -> None:
    """Print the JSON Schema of the instance document (the .json format).

    \b
    Example:
      teamsolver schema > instance.schema.json
    """
    from .instance import Instance

    body = Instance.model_json_schema(mode="serialization", by_alias=True)
    # A document may name its schema, as editors expect; the reader ignores the key.
    properties = {"$schema": {"type": "string"}, **body.pop("properties")}
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **body,
        "title": "teamsolver instance",
        "properties": properties,
    }
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@main.command()
@click.argument("instance", type=click.Path())
@click.argument("out", type=click.Path())
@ENCODING
@RULES
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@EXCEL
@input_errors
def convert(
    instance: str,
    out: str,
    encoding: str | None,
    rules_file: str | None,
    force: bool,
    excel: bool,
) -> None:
    """Convert INSTANCE to OUT: a folder of CSV files, an .xlsx workbook or a .json document.

    The format of OUT follows its extension (no extension: a folder). Nothing is lost.

    \b
    Example:
      teamsolver convert instances/tiny tiny.xlsx
      teamsolver convert plan.xlsx plan-csv --excel
    """
    inst = files.load(instance, encoding=encoding, rules=rules_file)
    _refuse_existing(out, force)
    files.save(inst, out, bom=excel)
    click.echo(f"wrote {out}", err=True)


def _refuse_existing(out: str, force: bool) -> None:
    path = Path(out)
    if path.exists() and not force and not (path.is_dir() and not any(path.iterdir())):
        raise InputError([Problem(message="already exists; pass --force to replace it", file=out)])


@main.command()
@click.option("--preset", required=True, help="tiny, university, city, province or year.")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same file).")
@click.option(
    "--members", type=click.IntRange(min=2), default=None, help="Override the preset's pool size."
)
@click.option(
    "--groups",
    type=click.IntRange(min=1),
    default=None,
    help="Override the number of groups per round.",
)
@click.option(
    "--rounds", type=click.IntRange(min=1), default=None, help="Override the number of rounds."
)
@click.option(
    "--tighten",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="0 keeps the preset's slack; 1 makes specialists scarce and caps tight.",
)
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@EXCEL
@click.argument("out", type=click.Path())
@input_errors
def generate(
    preset: str,
    seed: int,
    members: int | None,
    groups: int | None,
    rounds: int | None,
    tighten: float,
    force: bool,
    excel: bool,
    out: str,
) -> None:
    """Write a synthetic, feasible instance at a realistic scale to OUT.

    OUT is a folder (CSV), an .xlsx or a .json file.

    \b
    Example:
      teamsolver generate --preset city --seed 1 city.xlsx
      teamsolver generate --preset city --excel city-csv
    """
    from .generate import PRESETS
    from .generate import generate as make

    if preset not in PRESETS:
        raise click.BadParameter(
            f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}", param_hint="--preset"
        )
    _refuse_existing(out, force)
    inst = make(preset, seed, members=members, groups=groups, rounds=rounds, tighten=tighten)
    files.save(inst, out, bom=excel)
    click.echo(
        f"wrote {out}: {len(inst.members)} members, {len(inst.groups)} groups in "
        f"{len(inst.rounds)} round(s)",
        err=True,
    )


# The solving commands live in their own module; importing it registers them on ``main``.
from . import (  # noqa: E402
    cli_explain,  # noqa: F401
    cli_solve,  # noqa: F401
    cli_whatif,  # noqa: F401
)
from .service.cli import serve  # noqa: E402

main.add_command(serve)

if __name__ == "__main__":  # pragma: no cover
    main()
