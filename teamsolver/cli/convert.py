"""``teamsolver convert``: an instance from one file format to another."""

from __future__ import annotations

import click

from .. import files, i18n
from .common import ENCODING, EXCEL, RULES, input_errors, refuse_existing
from .reporting import LANG, language


@click.command()
@click.argument("instance", type=click.Path())
@click.argument("out", type=click.Path())
@ENCODING
@RULES
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@EXCEL
@LANG
@input_errors
def convert(
    instance: str,
    out: str,
    encoding: str | None,
    rules_file: str | None,
    force: bool,
    excel: bool,
    lang: str | None,
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
    click.echo(i18n.text("cli.convert.wrote", language(lang, instance), out=out), err=True)
