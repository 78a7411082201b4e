"""The HTML report (issue 16): one self-contained page a planner shows to the leaders.

:func:`report` returns the page as a string; :func:`write_report` writes it atomically. The page
holds no script and makes no request (a Content-Security-Policy of ``default-src 'none'`` says
so to the browser): the styles are inline, the charts are HTML and CSS drawn from the numbers
(bars, grids and maps whose labels are real text, so Chinese shows in the viewer's own fonts),
and ``@page`` / print rules lay it out on A4. Jinja2 renders the template shipped in
``templates/`` with autoescaping: a name from the input never becomes markup.

Contents: the summary (instance, status, objective, bound and what it means, time, every rule
held, bent or broken, the goals); per round the charts (group strength against the round's
mean, groups × specialties coverage, members drawn per home unit against caps, the mix of each
attribute) and a card per group (targets, leader, deputies, members with unit, specialties,
experience, new ← mentor, the violations that concern it, highlighted); a members × rounds seat
map for plans of several rounds; the checker's violations, a what-if diff and an explanation
when given. Texts come from the catalogue (:mod:`teamsolver.i18n`); ids never change.

Nothing here imports ``ortools``. ``teamsolver.report`` is this package's :func:`report`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from ..data.instance import Instance
from ..data.result import Result
from ..data.roster import Roster
from ..explainer.report import Explanation
from ..files.atomic import write_text
from ..whatif.diff import RosterDiff
from .view import View, build

if TYPE_CHECKING:
    from jinja2 import Environment

    from ..audit import Violation

HTML_LANG = {"en": "en", "zh": "zh-CN"}


@cache
def _environment() -> Environment:
    # Jinja2 only when a report is written (0.1 s to import; `teamsolver check` without
    # --report never pays it).
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("teamsolver.reporting", "templates"),
        autoescape=select_autoescape(("html", "j2"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def report(
    instance: Instance,
    result_or_roster: Result | Roster | None = None,
    *,
    lang: str = "en",
    violations: Sequence[Violation] | None = None,
    diff: RosterDiff | None = None,
    explanation: Explanation | None = None,
    title: str | None = None,
    source: str | None = None,
    baseline: Roster | None = None,
) -> str:
    """The report of ``instance`` as one HTML page.

    - ``result_or_roster``: what ``solve`` returned, or a roster (``check``, ``whatif``), or
      None for a plan with no roster (``explain``).
    - ``lang``: ``en`` or ``zh`` (any language with a catalogue, :mod:`teamsolver.i18n`).
    - ``violations``: what ``check`` found; None: the checker runs on the roster here.
    - ``diff``: a what-if diff (:func:`teamsolver.whatif.diff.roster_diff`), shown before/after.
    - ``explanation``: what ``explain`` found: the conflict and the verified suggestions.
    - ``title``: the page's title; ``source``: the instance's file or folder, as shown.
    - ``baseline``: the roster the goals' ``stability`` is measured against.
    """
    view = build(
        instance,
        result_or_roster,
        lang=lang,
        violations=violations,
        diff=diff,
        explanation=explanation,
        title=title,
        source=source,
        baseline=baseline,
    )
    return render(view)


def render(view: View) -> str:
    """The page of a :class:`~teamsolver.reporting.view.View`."""
    template = _environment().get_template("report.html.j2")
    context: dict[str, Any] = {
        "v": view,
        "t": view.t,
        "say": view.say,
        "more": view.more,
        "html_lang": HTML_LANG.get(view.lang, view.lang),
        "version": version("teamsolver"),
    }
    return template.render(context)


def write_report(path: str | os.PathLike[str], page: str) -> None:
    """Write a page from :func:`report` atomically (UTF-8)."""
    write_text(path, page)


__all__ = ["View", "build", "render", "report", "write_report"]
