"""``teamsolver validate``: check the input only."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .. import files, i18n
from .common import ENCODING, EXIT_INPUT, EXIT_OK, RULES, echo_problems, input_errors
from .reporting import LANG, language


@click.command()
@click.argument("instance", type=click.Path())
@ENCODING
@RULES
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@LANG
@input_errors
def validate(
    instance: str, encoding: str | None, rules_file: str | None, as_json: bool, lang: str | None
) -> None:
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
    chosen = language(lang, instance)
    echo_problems(result.problems, writes=False, lang=chosen)
    if result.errors or inst is None:
        sys.exit(EXIT_INPUT)
    click.echo(
        i18n.text(
            "cli.validate.ok",
            chosen,
            instance=instance,
            members=len(inst.members),
            active=sum(m.status == "active" for m in inst.members),
            units=len(inst.units),
            groups=len(inst.groups),
            rounds=i18n.count("cli.count.round", len(inst.rounds), chosen),
            seats=sum(g.size_min for g in inst.groups),
        )
    )
