"""``teamsolver convert``: an instance from one file format to another."""

from __future__ import annotations

import click

from .. import files
from .common import ENCODING, EXCEL, RULES, input_errors, refuse_existing


@click.command()
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
    refuse_existing(out, force)
    files.save(inst, out, bom=excel)
    click.echo(f"wrote {out}", err=True)
