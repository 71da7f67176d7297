"""Links that never break (content/aliases.py, render/redirects.py): `aliases:` in the front
matter, a redirect page and a `_redirects` line per alias, and `check` refusing an alias that
would overwrite a page."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text

from builder.cli import main

BASE = "https://test.example.org/"
SOLAR_ALIASES = "aliases:\n  - /predictions/old-solar/\n  - /2025/03/solar.html\n"


def _aliased(site: SiteFolder) -> None:
    site.write("solar.md", prediction_text("Solar", extra=SOLAR_ALIASES))
    site.write("wind.md", prediction_text("Wind", extra="aliases: [predictions/wind-2026]\n"))
    site.write("plain.md", prediction_text("Plain", extra="tags: [energy]\n"))


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _aliased(site)
    assert site.build() == 0
    return site


def test_each_alias_gets_a_redirect_page(built: SiteFolder) -> None:
    # Catches: a missing redirect page, one without its canonical link, refresh or visible
    # link, and relative links that resolve to somewhere else than the prediction (a folder
    # alias and a file alias sit at different depths).
    for alias, target in (
        ("predictions/old-solar/", "predictions/solar/"),
        ("2025/03/solar.html", "predictions/solar/"),
        ("predictions/wind-2026/", "predictions/wind/"),
    ):
        page = built.html(alias if alias.endswith(".html") else alias + "index.html")
        here = BASE + alias
        assert page.find("link", rel="canonical")["href"] == BASE + target
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})["content"]
        delay, _, url = refresh.partition("; url=")
        assert delay == "0" and urljoin(here, url) == BASE + target
        links = page.find("main").find_all("a")
        assert [urljoin(here, a["href"]) for a in links] == [BASE + target]
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_redirects_file_lists_every_alias(built: SiteFolder) -> None:
    # Catches: an alias left out of _redirects, a line Netlify or Cloudflare cannot read
    # (three fields: from, to, status), a target other than the prediction's page.
    lines = (built.output / "_redirects").read_text("utf-8").splitlines()
    rules = [line.split() for line in lines if line and not line.startswith("#")]
    assert sorted(map(tuple, rules)) == [
        ("/2025/03/solar.html", "/predictions/solar/", "301"),
        ("/predictions/old-solar/", "/predictions/solar/", "301"),
        ("/predictions/wind-2026/", "/predictions/wind/", "301"),
    ]


def test_redirects_under_a_sub_path(site: SiteFolder) -> None:
    # Catches: paths in _redirects that forget the path the site is served under.
    site.config(SITE_YAML.replace("https://test.example.org", "https://example.org/desk"))
    _aliased(site)
    assert site.build() == 0
    text = (site.output / "_redirects").read_text("utf-8")
    assert "/desk/predictions/wind-2026/ /desk/predictions/wind/ 301" in text.splitlines()


def test_no_aliases_no_redirects_file(site: SiteFolder) -> None:
    # Catches: an empty _redirects written anyway (it would replace a site's own).
    site.write("plain.md", prediction_text("Plain"))
    assert site.build() == 0
    assert not (site.output / "_redirects").exists()


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("https://old.example.org/x/", "not a URL"),
        ("//old.example.org/x/", "not a URL"),
        ("/a/../b/", "'..' segment"),
        ("/a//b/", "empty"),
        ("/old path/", "' '"),
        ("/old/?id=3", "'?'"),
        ("/old/#top", "'#'"),
        ("/caf%C3%A9/", "'%'"),
        ("/", "home page"),
        ('/a"b/', "'\"'"),
    ],
)
def test_bad_aliases_are_reported_on_their_line(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], alias: str, message: str
) -> None:
    # Catches: a URL, a path escaping the output folder, or characters a server would read
    # differently, taken as an alias; a message without the file, line and field.
    site.write("x.md", prediction_text("X", extra=f"aliases:\n  - ok/one/\n  - {alias!r}\n"))
    assert site.check() == 1
    err = capsys.readouterr().err
    assert "content/predictions/x.md:7: aliases.1: " in err and message in err, err


def test_aliases_must_be_a_list_of_text(site: SiteFolder, capsys: pytest.CaptureFixture) -> None:
    # Catches: a mapping or a number read as an alias.
    site.write("x.md", prediction_text("X", extra="aliases: {old: /x/}\n"))
    assert site.check() == 1
    assert "content/predictions/x.md:5: aliases: expected a list" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("alias", "clash"),
    [
        ("/predictions/plain/", "the prediction in content/predictions/plain.md"),
        ("/tags/energy/", "the page /tags/energy/"),
        ("/open/", "the page /open/"),
        ("/predictions/plain/embed/", "the page /predictions/plain/embed/"),
        ("/predictions/solar/", "the prediction in content/predictions/solar.md"),
    ],
)
def test_check_refuses_an_alias_at_a_page(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], alias: str, clash: str
) -> None:
    # Catches: a redirect page written over a real page (the page would be lost), whether a
    # prediction's (its own included), a list's, a term's or an embed's; and a build that
    # builds what check refuses.
    _aliased(site)
    site.write("late.md", prediction_text("Late", extra=f"aliases: [{alias!r}]\n"))
    assert site.check() == 1
    err = capsys.readouterr().err
    assert f"content/predictions/late.md:5: aliases: {alias} is the address of {clash}" in err
    assert site.build() == 1
    assert not site.output.exists()


def test_check_refuses_one_alias_in_two_files(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: two predictions redirecting the same old address (one would silently win).
    _aliased(site)
    site.write("rival.md", prediction_text("Rival", extra="aliases: [/predictions/old-solar]\n"))
    assert site.check() == 1
    err = capsys.readouterr().err
    also = "aliases: /predictions/old-solar/ is also an alias in content/predictions"
    assert f"content/predictions/rival.md:5: {also}/solar.md" in err
    assert f"content/predictions/solar.md:6: {also}/rival.md" in err


def test_incremental_aliases_equal_a_clean_build(built: SiteFolder, tmp_path: Path) -> None:
    # Catches: a stale _redirects or redirect page after an alias is added, moved or removed,
    # or after the prediction's title changes; a removed alias's page left behind.
    path = built.root / "content/predictions/solar.md"
    text = path.read_text("utf-8").replace("  - /2025/03/solar.html\n", "  - /solar-2025/\n")
    path.write_text(text.replace("title: 'Solar'", "title: 'Solar, renamed'"), "utf-8")
    assert built.build() == 0
    clean = tmp_path / "clean"
    shutil.copytree(built.root, clean, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert main(["build", "--source", str(clean), "--now", NOW]) == 0
    assert SiteFolder(clean).files() == built.files()
    assert not (built.output / "2025/03/solar.html").exists()
    assert "Solar, renamed" in (built.output / "solar-2025/index.html").read_text("utf-8")


def test_sitemap_leaves_out_the_old_addresses(built: SiteFolder) -> None:
    # Catches: redirect pages listed for search engines as if they were pages.
    sitemap = (built.output / "sitemap.xml").read_text("utf-8")
    assert f"{BASE}predictions/solar/</loc>" in sitemap
    assert "old-solar" not in sitemap and "wind-2026" not in sitemap and "2025/03" not in sitemap
