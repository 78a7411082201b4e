"""``teamsolver generate``: a synthetic, feasible instance at a realistic scale."""

from __future__ import annotations

import click

from .. import files, i18n
from ..generate import PRESETS
from ..generate import generate as make
from .common import EXCEL, input_errors, refuse_existing
from .reporting import UNTRANSLATED


@click.command()
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
@click.option(
    "--lang",
    type=click.Choice(i18n.languages()),
    default=None,
    help="Language of the message said when done (default: en). " + UNTRANSLATED,
)
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
    lang: str | None,
    out: str,
) -> None:
    """Write a synthetic, feasible instance at a realistic scale to OUT.

    OUT is a folder (CSV), an .xlsx or a .json file.

    \b
    Example:
      teamsolver generate --preset city --seed 1 city.xlsx
      teamsolver generate --preset city --excel city-csv
    """
    if preset not in PRESETS:
        raise click.BadParameter(
            f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}", param_hint="--preset"
        )
    refuse_existing(out, force)
    inst = make(preset, seed, members=members, groups=groups, rounds=rounds, tighten=tighten)
    files.save(inst, out, bom=excel)
    words = i18n.text(
        "cli.generate.wrote",
        lang or i18n.DEFAULT,
        out=out,
        members=len(inst.members),
        groups=len(inst.groups),
        rounds=len(inst.rounds),
    )
    click.echo(words, err=True)
