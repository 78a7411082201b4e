"""The ``teamsolver`` command line: a thin layer over the library.

Data goes to stdout, progress and problems to stderr. Exit codes (SPEC §6): 0 done, 1 no roster
or violations found, 2 bad input or usage. One module per command; what they share is in
:mod:`teamsolver.cli.common`.
"""

from __future__ import annotations

import click

from . import check, convert, diff, explain, generate, schema, solve, sweep, validate, whatif


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="teamsolver")
def main() -> None:
    """Compose inspection teams from a talent pool, respecting every hard rule.

    \b
    Start with:
      teamsolver validate instances/tiny
      teamsolver generate --preset city --seed 1 city.xlsx
    """


for command in (
    validate.validate,
    schema.schema,
    convert.convert,
    generate.generate,
    solve.solve,
    check.check_command,
    whatif.whatif,
    diff.diff_command,
    sweep.sweep,
    explain.explain_command,
):
    main.add_command(command)

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
