"""The planners' page, driven by Playwright with the system's Chromium (Debian's package; no
browser is downloaded): upload the city workbook, solve, see the cards, download the roster,
run a what-if, in both languages; and a workbook with problems shows them located."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import teamsolver
from teamsolver.audit import hard_violations
from teamsolver.files.rosters import read_roster

from .serving import CITY, TINY, Server, serving
from .test_report_browser import CHROMIUM, FLAGS  # Chromium as root, headless, nothing fetched

#: Where a page waits for the server (a solve of the city under load included).
WAIT_MS = 240_000
#: Where to keep the screenshots (a folder), else the test's own temporary folder.
SHOTS = os.environ.get("TEAMSOLVER_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("page") / "data", "--jobs", "2") as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/")
    yield page
    context.close()
    assert not errors, f"the page raised: {errors}"


def shot(page: Page, tmp_path: Path, name: str, height: int | None = None) -> Path:
    """A screenshot of the whole page (or of its top ``height`` pixels)."""
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    clip = None if height is None else {"x": 0, "y": 0, "width": 1280, "height": height}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


@pytest.fixture(scope="module")
def city_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("city") / "city.xlsx"
    teamsolver.save(teamsolver.load(CITY), path)
    return path


def test_city_workbook_solve_cards_download_whatif(
    page: Page, server: Server, city_xlsx: Path, tmp_path: Path
) -> None:
    page.click("button[data-lang=zh]")
    page.set_input_files("#file", str(city_xlsx))
    expect(page.locator("#size")).to_contain_text("521")
    expect(page.locator("#size")).to_contain_text("173")
    page.fill("#time-limit", "5")  # the default is 10 s; 5 keeps the suite short
    page.click("#solve")
    expect(page.locator("#solve-state")).to_contain_text("完成", timeout=WAIT_MS)
    cards = page.locator(".card")
    expect(cards).to_have_count(15)
    expect(page.locator(".card li")).to_have_count(173)
    expect(page.locator(".card .role.leader")).to_have_count(15)
    assert page.locator("#chart path.obj").count() == 1
    shot(page, tmp_path, "page-roster-zh", height=1500)

    with page.expect_download() as download:
        page.click("button[data-download=xlsx]")
    saved = tmp_path / "roster.xlsx"
    download.value.save_as(saved)
    inst = teamsolver.load(CITY)
    roster = read_roster(saved, inst)
    assert len(roster) == 173
    assert not hard_violations(inst, teamsolver.check(inst, roster))

    with page.expect_popup() as popup:
        page.click("#report")
    report = popup.value
    expect(report.locator("body")).to_contain_text("G01")
    report.close()

    # What if the first leader cannot serve: the diff names who left and who replaced them.
    leader = page.locator(".card li.leader small").first.inner_text().split("·")[0].strip()
    page.fill("#out-filter", leader)
    page.locator(f"#out-list input[value={leader}]").check()
    page.click("#run-whatif")
    expect(page.locator("#diff .changes")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#diff")).to_contain_text(leader)
    expect(page.locator("#diff")).to_contain_text("离开")
    page.locator("#step-whatif").screenshot(path=str(shot(page, tmp_path, "page-whatif-zh")))

    page.click("button[data-lang=en]")
    expect(page.locator("#diff")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Inspection team planner")
    expect(page.locator(".card .role.leader").first).to_have_text("leader")


def test_a_workbook_with_problems_shows_each_located(page: Page, tmp_path: Path) -> None:
    bad = teamsolver.load(TINY)
    doc: dict[str, Any] = bad.to_document()
    doc["members"][2]["unit"] = "NOWHERE"
    doc["groups"][0]["size_min"] = -1
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    page.click("button[data-lang=en]")
    page.set_input_files("#file", str(path))
    rows = page.locator("#problems-body tr")
    expect(rows).to_have_count(2)
    text = page.locator("#problems").inner_text()
    assert "NOWHERE" in text and "size_min" in text
    expect(page.locator("#step-solve")).to_be_hidden()
    shot(page, tmp_path, "page-problems-en")
