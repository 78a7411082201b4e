"""``--report FILE.html`` and ``--lang zh|en``: ``--report`` on solve, check, whatif and
explain, ``--lang`` on every command that prints sentences.

``--lang`` is the language of the command's messages and summaries (stdout and stderr, from
the ``cli`` texts of :mod:`teamsolver.i18n`), of the report and of the roster files written
(CSV and XLSX headers, roles, sheet names, the summary sheet; a JSON roster keeps its stable
keys). Without it, the instance decides: Chinese when its members table has Chinese headers or
a Chinese table name (:func:`teamsolver.i18n.source.source_lang`), else English. Rule ids, goal
ids, member and group ids, exit codes and every ``--json`` document are the same in every
language, and so are usage errors and ``--help`` (click's own English); everything else a
command says, down to located input problems, rule violations, explanations and diff reasons,
follows ``--lang``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .. import i18n
from ..data.instance import Instance
from ..data.result import Result
from ..data.roster import Roster
from ..i18n.source import source_lang
from ..reporting import report, write_report
from .common import check_writable, say

F = TypeVar("F", bound=Callable[..., Any])

REPORT = click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE.html",
    help="Also write a self-contained HTML report here (opens offline, prints on A4).",
)
#: What stays English whatever --lang says (the end of every --lang help text).
UNTRANSLATED = (
    "Ids, exit codes and --json output never change; usage errors and --help stay English."
)
#: ``--lang`` of solve, check, whatif and explain.
LANG_REPORT = click.option(
    "--lang",
    type=click.Choice(i18n.languages()),
    default=None,
    help="Language of the messages and summaries, the report and the roster file's headers, "
    "roles and sheets (default: zh when the instance's headers are Chinese, else en). "
    + UNTRANSLATED,
)
#: ``--lang`` of the commands that print messages only (validate, diff, sweep, convert).
LANG = click.option(
    "--lang",
    type=click.Choice(i18n.languages()),
    default=None,
    help="Language of the messages and summaries (default: zh when the instance's headers are "
    "Chinese, else en). " + UNTRANSLATED,
)


def report_options(f: F) -> F:
    """``--report`` and ``--lang``."""
    return REPORT(LANG_REPORT(f))


def check_report(path: str | None) -> None:
    """Refuse, before any work, a --report that is not an .html file one can write."""
    if path is not None:
        check_writable(path, (".html", ".htm"), ".html", "--report")


def language(lang: str | None, instance: str) -> str:
    """``--lang`` if given, else the language of the instance's own headers."""
    return lang or source_lang(instance)


def write_html(
    path: str | None,
    instance: Instance,
    result_or_roster: Result | Roster | None,
    *,
    lang: str,
    source: str,
    **details: Any,
) -> None:
    """Write the report (atomically) when ``--report`` was given, and say so on stderr."""
    if path is None:
        return
    write_report(path, report(instance, result_or_roster, lang=lang, source=source, **details))
    say(i18n.text("cli.report_written", lang, path=path))
