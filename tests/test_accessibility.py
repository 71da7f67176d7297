"""axe-core in headless Chromium finds no serious or critical problem on any page kind of the
example site, in the light and the dark colour scheme, on a phone and on a desktop screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from conftest import SiteFolder
from playwright.sync_api import Browser
from serving import static_site as serving

SCHEMES = ("light", "dark")
WIDTHS = (390, 1280)
BLOCKING = {"serious", "critical"}
STYLESHEETS_LOADED = """document.querySelector('link[rel=stylesheet]') !== null
  && [...document.styleSheets].every(sheet => {
    try { return sheet.cssRules.length > 0 } catch { return false }
  })"""
DARK = "matchMedia('(prefers-color-scheme: dark)').matches"
AXE_RUN = "axe.run(document, {resultTypes: ['violations']})"


def page_kinds(out: Path) -> dict[str, str]:
    """One URL of each kind to audit, found in the built site rather than hard-coded."""
    predictions = sorted((out / "predictions").glob("*/index.html"))
    html = {p.parent.name: BeautifulSoup(p.read_text("utf-8"), "lxml") for p in predictions}
    resolved = [slug for slug, page in html.items() if page.select_one(".resolution")]
    unresolved = [slug for slug in html if slug not in resolved]
    # Prefer pages with code and tables: highlighted code is where contrast most often fails.
    open_one = next((s for s in unresolved if html[s].select_one(".prose pre")), unresolved[0])
    resolved_one = next((s for s in resolved if html[s].select_one(".prose table")), resolved[0])
    charted = [slug for slug, page in html.items() if page.select_one(".step-chart")]
    assert charted, "the example site has no prediction with updates (and so no step chart)"
    # The readers' forecast beside the author's (content/crowd.json of the example site).
    crowd = [slug for slug in resolved if html[slug].select_one(".crowd-compare")]
    assert crowd, "no resolved prediction of the example site shows the readers' forecast"
    category = sorted(p.parent.name for p in (out / "categories").glob("*/index.html"))[0]
    awaiting = BeautifulSoup((out / "awaiting/index.html").read_text("utf-8"), "lxml")
    assert awaiting.select_one(".card"), "nothing in the example site awaits resolution"
    authors = sorted((out / "authors").glob("*/index.html"))
    calibrated = [p.parent.name for p in authors if 'class="cal-band"' in p.read_text("utf-8")]
    assert calibrated, "no author of the example site has a calibration bar to audit"
    against = [p.parent.name for p in authors if 'class="record-crowd"' in p.read_text("utf-8")]
    assert against, "no author of the example site is compared with the readers"
    record = (out / "track-record/index.html").read_text("utf-8")
    assert 'id="site-crowd"' in record, "the track record does not compare with the readers"
    return {
        "home": "",
        "open prediction": f"predictions/{open_one}/",
        "resolved prediction": f"predictions/{resolved_one}/",
        "resolved prediction with the readers' forecast": f"predictions/{crowd[0]}/",
        "prediction with updates": f"predictions/{charted[0]}/",
        "embed card (iframe)": f"predictions/{resolved_one}/embed/",
        "category": f"categories/{category}/",
        "awaiting resolution": "awaiting/",
        "authors index": "authors/",
        "author with a calibration chart": f"authors/{calibrated[0]}/",
        "author against the readers": f"authors/{against[0]}/",
        "track record": "track-record/",
        "not found": "404.html",
        "search, with results": "search/?q=the",  # the results are made by search.js
    }


def describe(where: str, violation: dict) -> str:
    nodes = violation["nodes"]
    targets = ", ".join(" ".join(map(str, n["target"])) for n in nodes[:5])
    summary = nodes[0].get("failureSummary", "").replace("\n", " ") if nodes else ""
    return (
        f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    {len(nodes)} element(s): {targets}\n    {summary}"
    )


def test_no_serious_accessibility_violations(example_site: SiteFolder, browser: Browser) -> None:
    assert example_site.build() == 0
    kinds = page_kinds(example_site.output)
    axe_script = Axe().axe_script
    problems: list[str] = []
    with serving(example_site.output) as base:
        page = browser.new_page(viewport={"width": WIDTHS[0], "height": 900})
        for kind, path in kinds.items():
            response = page.goto(base + path)
            assert response is not None and response.ok, (kind, path)
            # Audit what a reader sees: the theme's stylesheet loaded, each scheme applied.
            assert page.evaluate(STYLESHEETS_LOADED), (kind, "stylesheet did not load")
            if path.startswith("search/"):
                page.wait_for_selector(".search-result")
            page.evaluate(axe_script)  # once per page; axe re-runs on each scheme and width
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                assert page.evaluate(DARK) is (scheme == "dark")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    violations = page.evaluate(AXE_RUN)["violations"]
                    problems += [
                        describe(f"{kind} ({scheme}, {width}px)", v)
                        for v in violations
                        if v["impact"] in BLOCKING
                    ]
    if problems:
        listing = "\n".join(problems)
        pytest.fail(f"{len(problems)} serious or critical violations:\n{listing}", pytrace=False)
