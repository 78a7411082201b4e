"""The report as a person sees it (issue 16): opened in the system Chromium (Debian's
``chromium`` with ``fonts-noto-cjk``; Playwright drives it, no browser download) with the
network blocked. No console error, no failed request, no request leaving the file, every group
on the page, a screenshot that is not blank: the city plan in Chinese, the university's ten
rounds in English. ``.ci/run`` installs the browser."""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import teamsolver
from teamsolver.reporting import write_report

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_report import CHROMIUM, FLAGS  # noqa: E402  (the benchmark opens it the same way)


@dataclass
class Visit:
    """What the browser saw while opening one page."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    text: str = ""
    screenshot: bytes = b""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (see .ci/run)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def visit(browser: Any, path: Path, shot: Path | None = None) -> Visit:
    """Open ``path`` with every request but the file itself aborted and recorded."""
    seen = Visit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            seen.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("requestfailed", lambda r: seen.failed.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    seen.groups = page.eval_on_selector_all(
        "article.card", "cards => cards.map(c => c.querySelector('h3').innerText)"
    )
    seen.text = page.inner_text("body")
    seen.screenshot = page.screenshot(full_page=False)
    if shot is not None:
        shot.write_bytes(seen.screenshot)
    page.close()
    return seen


def distinct_pixels(png: bytes) -> int:
    """How many different byte values the image's pixel rows hold (a blank page: 2 or 3)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data)))


def assert_clean(seen: Visit, instance: teamsolver.Instance) -> None:
    assert seen.blocked == []
    assert seen.failed == []
    assert seen.console == []
    assert seen.errors == []
    assert sorted(seen.groups) == sorted(g.id for g in instance.groups)
    assert distinct_pixels(seen.screenshot) > 50


def test_the_harness_sees_a_request_that_leaves_the_file(browser: Any, tmp_path: Path) -> None:
    """The blocked network is real: a page that asks for an image elsewhere is caught."""
    page = tmp_path / "leaky.html"
    page.write_text('<!doctype html><img src="http://example.invalid/x.png">', encoding="utf-8")
    seen = visit(browser, page)
    assert seen.blocked == ["http://example.invalid/x.png"]
    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><title>x</title>", encoding="utf-8")
    assert distinct_pixels(visit(browser, blank).screenshot) < 5


def test_city_plan_in_chinese(browser: Any, tmp_path: Path) -> None:
    inst = teamsolver.load(ROOT / "instances" / "city")
    result = teamsolver.solve(inst, solutions=1, workers=1)
    assert result.has_roster
    path = tmp_path / "city.html"
    write_report(path, teamsolver.report(inst, result, lang="zh", source="instances/city"))
    seen = visit(browser, path, tmp_path / "city.png")
    assert_clean(seen, inst)
    for word in ("巡察组组建方案", "各组专业覆盖", "组长", "副组长"):
        assert word in seen.text
    leaders = {s.member for s in result.roster if s.role == "leader"}
    names = {inst.member_by_id[m].name for m in leaders}
    assert all(name in seen.text for name in names)


def test_multi_round_plan_in_english(browser: Any, tmp_path: Path) -> None:
    inst = teamsolver.load(ROOT / "instances" / "university")
    result = teamsolver.solve(inst, solutions=1, workers=1)
    assert result.has_roster
    path = tmp_path / "university.html"
    write_report(path, teamsolver.report(inst, result, source="instances/university"))
    seen = visit(browser, path, tmp_path / "university.png")
    assert_clean(seen, inst)
    assert "Seat map" in seen.text
    assert all(f"Round {r}" in seen.text for r in inst.rounds)
