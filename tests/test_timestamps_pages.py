"""The pages that show timestamps (themes/default/templates/partials/timestamps.html and the
track record's count) are valid HTML (Nu Html Checker) and have no serious accessibility
problem (axe-core), light and dark, on a phone and a desktop."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from authority import Authority
from axe_playwright_python.sync_playwright import Axe
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text
from playwright.sync_api import Browser
from test_accessibility import AXE_RUN, BLOCKING, SCHEMES, STYLESHEETS_LOADED, WIDTHS, serving
from test_accessibility import describe as describe_violation
from test_html_valid import describe, vnu
from test_integrity import _commit, _git
from test_timestamps import LATER, TODAY, _alter, _build, _good, _late, _stamp, _tokens

PAGES = ("predictions/good/", "predictions/late/", "predictions/altered/", "track-record/")


@pytest.fixture(scope="module")
def stamped_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteFolder]:
    """Every kind of notice: stamps of a claim and its update (good), a stamp after the
    target date beside a git notice (late), a token that proves nothing (altered)."""
    folder = tmp_path_factory.mktemp("stamped")
    authority = Authority(folder / "authority", "Test")
    site = SiteFolder(folder / "site")
    site.root.mkdir()
    shutil.copytree(REPO / "themes", site.root / "themes")
    _good(site)
    _late(site)
    site.write("altered.md", prediction_text("Altered", target=LATER))
    with authority.serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        _stamp(site)
        update = f"confidence: 0.7\nupdates:\n  - {{date: {TODAY}, confidence: 0.6, note: Why.}}\n"
        site.write("good.md", prediction_text("Good", target=LATER, prediction_extra=update))
        _stamp(site)
    _alter(_tokens(site, "altered")[0])
    _git(site, "init", "-q")
    _commit(site, "publish", when="2019-06-01T12:00:00+00:00")
    assert _build(site) == 0
    yield site


def test_stamped_pages_are_valid_html(stamped_site: SiteFolder) -> None:
    """Catches: markup the checker refuses in the timestamp notice (a <pre> in a <p>, a
    duplicate id, a bad datetime attribute)."""
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker"
    out = stamped_site.output
    assert len(stamped_site.html("predictions/good/").select(".timestamps .timestamp")) == 2
    assert stamped_site.html("predictions/altered/").select(".timestamp-problems li")
    assert stamped_site.html("track-record/").select(".record-stamped") == []  # none scored
    pages = [out / path / "index.html" for path in PAGES]
    errors = vnu(java, pages)
    assert not errors, "\n".join(describe(m, out) for m in errors)


def test_stamped_pages_have_no_serious_accessibility_violations(
    stamped_site: SiteFolder, browser: Browser
) -> None:
    """Catches: low contrast in the notice's colours (light or dark), a scrolling command box
    a keyboard cannot reach, unlabelled links."""
    axe_script = Axe().axe_script
    problems: list[str] = []
    with serving(stamped_site.output) as base:
        page = browser.new_page(viewport={"width": WIDTHS[0], "height": 900})
        for path in PAGES[:3]:
            response = page.goto(base + path)
            assert response is not None and response.ok, path
            assert page.evaluate(STYLESHEETS_LOADED), (path, "stylesheet did not load")
            page.evaluate(axe_script)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    violations = page.evaluate(AXE_RUN)["violations"]
                    problems += [
                        describe_violation(f"{path} ({scheme}, {width}px)", v)
                        for v in violations
                        if v["impact"] in BLOCKING
                    ]
    assert not problems, "\n".join(problems)
