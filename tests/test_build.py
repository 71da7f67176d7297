"""Building real sites and reading the result as a reader's browser would."""

from __future__ import annotations

import json

import pytest
from conftest import SiteFolder, prediction_text


def test_prediction_page_shows_every_part(site: SiteFolder) -> None:
    site.write(
        "solar.md",
        prediction_text(
            "Solar beats coal",
            extra="category: Énergie Verte\ntags: [solar, Coal Power]\n"
            "references:\n"
            "  - {title: First source, url: 'https://a.example/1', publisher: Pub A,\n"
            "     date: 2026-01-02}\n"
            "  - {title: Second source, url: 'https://a.example/2', publisher: Pub B}\n",
            prediction_extra="confidence: 0.75\n",
            body="Intro cites [1] and [2].\n\n## Section\n\nMore.\n",
        ),
    )
    assert site.build() == 0
    page = site.html("predictions/solar/")
    assert page.h1.get_text() == "Solar beats coal"
    assert page.select_one(".statement").get_text() == "Something will happen."
    target = page.select_one(".claim time")
    assert target["datetime"] == "2027-01-01"
    assert target.get_text() == "January 1, 2027"
    assert page.select_one(".confidence").get_text() == "75%"
    assert page.select_one(".kicker .category").get_text() == "Énergie Verte"
    assert page.select_one(".kicker .category")["href"] == "../../categories/energie-verte/"
    assert page.select_one(".status").get_text() == "Open"
    byline = page.select_one(".byline a")
    assert byline.get_text() == "Ada Quill" and byline["href"] == "../../authors/ada/"
    refs = page.select(".references li")
    assert [li["id"] for li in refs] == ["ref-1", "ref-2"]
    assert refs[0].a["href"] == "https://a.example/1"
    assert "Pub A" in refs[0].get_text() and "January 2, 2026" in refs[0].get_text()
    citations = page.select(".prose a.citation")
    assert [a["href"] for a in citations] == ["#ref-1", "#ref-2"]
    assert [a["href"] for a in page.select(".tag-list a")] == [
        "../../tags/solar/",
        "../../tags/coal-power/",
    ]
    box = page.select_one(".author-box")
    assert "Energy writer." in box.get_text()
    figures = box.select_one("dl.author-stats")["data-figures"]
    shown = json.loads((site.output / "predictions/solar" / figures).read_text())
    assert shown["predictions"] == "1"
    assert page.select_one(".prose h2")["id"] == "section"


def test_meta_tags_and_json_ld(site: SiteFolder) -> None:
    site.write("x.md", prediction_text("Meta test"))
    assert site.build() == 0
    page = site.html("predictions/x/")
    canonical = "https://test.example.org/predictions/x/"
    assert page.find("link", rel="canonical")["href"] == canonical
    assert page.find("meta", property="og:url")["content"] == canonical
    assert page.find("meta", property="og:type")["content"] == "article"
    assert page.find("meta", attrs={"name": "twitter:card"})
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "Article"
    assert data["author"]["name"] == "Ada Quill"
    assert data["datePublished"] == "2026-01-10"
    assert data["about"]["text"] == "Something will happen."


def test_statuses_follow_now(site: SiteFolder) -> None:
    site.write("open.md", prediction_text("Open one", target="2027-06-01"))
    site.write("soon.md", prediction_text("Soon one", target="2026-12-10"))
    site.write("late.md", prediction_text("Late one", target="2026-10-01"))
    resolution = "resolution: {outcome: %s, date: 2026-11-01}\n"
    for outcome in ("yes", "no", "void"):
        site.write(
            f"{outcome}.md",
            prediction_text(
                f"R {outcome}", target="2026-10-01", prediction_extra=resolution % outcome
            ),
        )
    assert site.build() == 0
    labels = {
        slug: site.html(f"predictions/{slug}/").select_one(".status").get_text()
        for slug in ("open", "soon", "late", "yes", "no", "void")
    }
    assert labels == {
        "open": "Open",
        "soon": "Resolves soon",
        "late": "Awaiting resolution",
        "yes": "Resolved: it happened",
        "no": "Resolved: it did not happen",
        "void": "Resolved: void",
    }


def test_values_from_front_matter_are_escaped(site: SiteFolder) -> None:
    site.write(
        "xss.md",
        prediction_text(
            "<script>alert(1)</script>",
            statement="<b>bold</b>",
            body="Raw <span class='mine'>HTML</span> passes.\n",
        ),
    )
    assert site.build() == 0
    page = site.html("predictions/xss/")
    assert page.h1.get_text() == "<script>alert(1)</script>"
    raw = (site.output / "predictions/xss/index.html").read_text()
    assert "<script>alert(1)" not in raw  # not in the body, the <title>, meta tags or JSON-LD
    scripts = page.find_all("script")  # JSON-LD, and the theme's author-figures script
    assert [s.get("type") for s in scripts] == ["application/ld+json", None]
    assert scripts[1]["src"].startswith("../../static/author-figures.") and not scripts[1].string
    assert page.select_one(".statement").find("b") is None
    assert page.select_one(".prose span.mine").get_text() == "HTML"
    home = site.html("")
    assert home.select_one(".card-title a").get_text() == "<script>alert(1)</script>"


def test_drafts_are_checked_but_not_built(site: SiteFolder) -> None:
    site.write("draft.md", prediction_text("Draft", extra="draft: true\n"))
    site.write("live.md", prediction_text("Live"))
    assert site.build() == 0
    assert not (site.output / "predictions" / "draft").exists()
    assert "draft" not in (site.output / "sitemap.xml").read_text()
    site.write("draft.md", prediction_text("Draft", extra="draft: true\nauthor2: x\n"))
    assert site.build() == 1


def test_list_pages_paginate_newest_first(site: SiteFolder) -> None:
    for day in range(1, 8):
        site.write(
            f"p{day}.md",
            prediction_text(
                f"Day {day}", date=f"2026-01-0{day}", extra="category: Space\ntags: [moon]\n"
            ),
        )
    assert site.build() == 0
    titles = [a.get_text() for a in site.html("").select(".card-title a")]
    assert titles == ["Day 7", "Day 6", "Day 5"]
    assert [a.get_text() for a in site.html("page/3/").select(".card-title a")] == ["Day 1"]
    assert site.html("page/2/").find("a", rel="prev")["href"] == "../../"
    for base in ("categories/space/", "tags/moon/", "authors/ada/"):
        assert site.html(base + "page/3/").select(".card-title a")[0].get_text() == "Day 1"
    terms = site.html("categories/")
    assert [a.get_text() for a in terms.select(".term-list a")] == ["Space"]
    assert not (site.output / "page" / "4").exists()


def test_status_lists(site: SiteFolder) -> None:
    site.write("far.md", prediction_text("Far", target="2028-01-01"))
    site.write("near.md", prediction_text("Near", target="2026-12-01"))
    site.write("past.md", prediction_text("Past", target="2026-01-01"))
    site.write(
        "done.md",
        prediction_text("Done", prediction_extra="resolution: {outcome: no, date: 2026-05-01}\n"),
    )
    assert site.build() == 0

    def titles(path: str) -> list[str]:
        return [a.get_text() for a in site.html(path).select(".card-title a")]

    assert titles("upcoming/") == ["Near", "Far"]
    assert sorted(titles("open/")) == ["Far", "Near", "Past"]
    assert titles("resolved/") == ["Done"]


def test_sitemap_robots_404(site: SiteFolder) -> None:
    site.write("x.md", prediction_text("X"))
    assert site.build() == 0
    robots = (site.output / "robots.txt").read_text()
    assert "Sitemap: https://test.example.org/sitemap.xml" in robots
    from lxml import etree

    tree = etree.fromstring((site.output / "sitemap.xml").read_bytes())
    locs = [el.text for el in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://test.example.org/predictions/x/" in locs
    assert "https://test.example.org/" in locs
    assert not any("404" in loc for loc in locs)
    notfound = site.html("404.html")
    assert notfound.h1.get_text() == "Page not found"
    # Served at any depth, so its links start at the site root.
    assert notfound.select_one(".site-title")["href"] == "/"
    assert notfound.find("link", rel="stylesheet")["href"].startswith("/static/style.")


def test_stylesheet_is_fingerprinted(site: SiteFolder) -> None:
    site.write("x.md", prediction_text("X"))
    assert site.build() == 0
    href = site.html("").find("link", rel="stylesheet")["href"]
    assert href.startswith("static/style.") and href.endswith(".css")
    css = site.output / href
    assert ".highlight" in css.read_text()
    theme_css = site.root / "themes" / "default" / "static" / "style.css"
    theme_css.write_text(theme_css.read_text() + "\nbody { color: red; }\n")
    assert site.build() == 0
    assert site.html("").find("link", rel="stylesheet")["href"] != href


def test_two_builds_are_byte_identical(example_site: SiteFolder, tmp_path) -> None:
    assert example_site.build() == 0
    first = example_site.files()
    assert example_site.build("--clean", "--output", str(tmp_path / "second")) == 0
    second = SiteFolder(example_site.root)
    second.output = tmp_path / "second"
    assert first == second.files()


def test_failed_build_leaves_output_untouched(site: SiteFolder) -> None:
    site.write("x.md", prediction_text("X"))
    assert site.build() == 0
    before = {p: (b, (site.output / p).stat().st_mtime_ns) for p, b in site.files().items()}
    site.write("x.md", prediction_text("X changed"))
    site.write("broken.md", "---\ntitle: [unclosed\n---\n")
    assert site.build() == 1
    after = {p: (b, (site.output / p).stat().st_mtime_ns) for p, b in site.files().items()}
    assert after == before
    assert not list(site.root.glob(".output.*")), "no staging folder left behind"


def test_every_page_names_the_site_icon(site: SiteFolder) -> None:
    """(Catches a page without it: the browser asks for /favicon.ico, a 404 on every first
    visit; and a link to a file the build does not write.)"""
    site.write("x.md", prediction_text("X"))
    assert site.build() == 0
    for page in ("", "predictions/x/", "track-record/", "404.html"):
        icon = site.html(page).find("link", rel="icon")
        assert icon is not None and icon["type"] == "image/svg+xml", page
        # Relative to the page, but for the 404 page's: from the root (it is served anywhere).
        href = icon["href"]
        where = site.output if href.startswith("/") else site.output / page
        assert (where / href.lstrip("/")).resolve().read_text().startswith("<svg "), page


def test_template_error_midway_names_the_template_and_leaves_output_untouched(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a traceback for a theme's mistake; pages rendered before the failing one
    reaching the output, or their staging folder left behind."""
    site.write("a.md", prediction_text("A"))
    site.write("b.md", prediction_text("B"))
    assert site.build() == 0
    before = {p: (b, (site.output / p).stat().st_mtime_ns) for p, b in site.files().items()}
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    lines = template.read_text().splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if "{% block content %}" in text) + 2
    lines.insert(line - 1, '{% if prediction.slug == "b" %}{{ nothing.here }}{% endif %}\n')
    template.write_text("".join(lines))
    site.write("a.md", prediction_text("A", body="Changed, so page a is rendered first.\n"))
    assert site.build() == 1
    err = capsys.readouterr().err
    assert f"themes/default/templates/prediction.html:{line}: 'nothing' is undefined" in err
    assert "Traceback" not in err
    after = {p: (b, (site.output / p).stat().st_mtime_ns) for p, b in site.files().items()}
    assert after == before
    assert not list(site.root.glob(".output.*")), "no staging folder left behind"


def test_unchanged_files_keep_their_mtime(site: SiteFolder) -> None:
    site.write("a.md", prediction_text("A"))
    site.write("b.md", prediction_text("B", date="2025-01-01"))
    assert site.build() == 0
    page_b = site.output / "predictions" / "b" / "index.html"
    page_a = site.output / "predictions" / "a" / "index.html"
    mtime_b, mtime_a = page_b.stat().st_mtime_ns, page_a.stat().st_mtime_ns
    site.write("a.md", prediction_text("A", body="New body.\n"))
    assert site.build() == 0
    assert page_b.stat().st_mtime_ns == mtime_b
    assert page_a.stat().st_mtime_ns != mtime_a
    assert "New body." in page_a.read_text()


def test_deleted_prediction_disappears(site: SiteFolder) -> None:
    path = site.write("gone.md", prediction_text("Gone"))
    site.write("kept.md", prediction_text("Kept"))
    assert site.build() == 0
    path.unlink()
    assert site.build() == 0
    assert not (site.output / "predictions" / "gone").exists()
