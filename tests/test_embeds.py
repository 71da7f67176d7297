"""Embeds (builder/render/embeds.py): the card page for iframes, the oEmbed file per prediction,
its discovery link and the code to copy on the prediction page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import NOW, SITE_YAML, SiteFolder, prediction_text

from builder.cli import main

BASE = "https://test.example.org/"
HOSTILE = 'Quotes " and <script>alert(1)</script> & more'

# oEmbed 1.0, section 2.3.4 (https://oembed.com): what every response must hold, what the
# "rich" type adds, and the thumbnail's three fields, all or none.
OEMBED_SCHEMA = {
    "type": "object",
    "required": ["type", "version", "html", "width", "height"],
    "properties": {
        "type": {"const": "rich"},
        "version": {"const": "1.0"},
        "title": {"type": "string"},
        "author_name": {"type": "string"},
        "author_url": {"type": "string", "format": "uri"},
        "provider_name": {"type": "string"},
        "provider_url": {"type": "string", "format": "uri"},
        "cache_age": {"type": "integer"},
        "thumbnail_url": {"type": "string", "format": "uri"},
        "thumbnail_width": {"type": "integer", "minimum": 1},
        "thumbnail_height": {"type": "integer", "minimum": 1},
        "html": {"type": "string", "minLength": 1},
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
    },
    "dependentRequired": {
        "thumbnail_url": ["thumbnail_width", "thumbnail_height"],
        "thumbnail_width": ["thumbnail_url", "thumbnail_height"],
        "thumbnail_height": ["thumbnail_url", "thumbnail_width"],
    },
}


def _write(site: SiteFolder) -> None:
    site.write(
        "alpha.md",
        prediction_text(
            "Alpha", statement="Alpha will happen.", prediction_extra="confidence: 0.7\n"
        ),
    )
    site.write(
        "done.md",
        prediction_text(
            "Done",
            statement="Done happened.",
            target="2026-06-30",
            prediction_extra="confidence: 0.2\nresolution: {outcome: yes, date: 2026-07-01}\n",
        ),
    )
    site.write("hostile.md", prediction_text(HOSTILE, statement=HOSTILE, author="bo"))


@pytest.fixture
def built(site: SiteFolder) -> SiteFolder:
    _write(site)
    assert site.build() == 0
    return site


def _oembed(site: SiteFolder, slug: str) -> dict[str, object]:
    return json.loads((site.output / f"predictions/{slug}/oembed.json").read_text("utf-8"))


def test_oembed_files_validate_against_the_spec(built: SiteFolder) -> None:
    # Catches: a required field missing or mistyped (width as "550"), another type or
    # version, a thumbnail without its size.
    checker = jsonschema.Draft202012Validator(
        OEMBED_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for slug in ("alpha", "done", "hostile"):
        response = _oembed(built, slug)
        checker.validate(response)
        assert response["thumbnail_url"] == f"{BASE}predictions/{slug}/card.png"
    alpha = _oembed(built, "alpha")
    assert (alpha["title"], alpha["provider_name"], alpha["provider_url"]) == (
        "Alpha",
        "Test Desk",
        BASE,
    )
    assert (alpha["author_name"], alpha["author_url"]) == ("Ada Quill", f"{BASE}authors/ada/")


def test_oembed_html_is_the_iframe_of_the_embed_page(built: SiteFolder) -> None:
    # Catches: an iframe pointing elsewhere than the embed page, a relative src (it is pasted
    # into other sites), a size that disagrees with width/height, and a hostile title that
    # breaks out of the title attribute.
    for slug in ("alpha", "hostile"):
        response = _oembed(built, slug)
        frames = BeautifulSoup(str(response["html"]), "lxml").find_all("iframe")
        assert len(frames) == 1
        frame = frames[0]
        assert frame["src"] == f"{BASE}predictions/{slug}/embed/"
        assert (int(frame["width"]), int(frame["height"])) == (
            response["width"],
            response["height"],
        )
        assert frame["title"].startswith("Prediction: ")
    hostile = BeautifulSoup(str(_oembed(built, "hostile")["html"]), "lxml")
    assert hostile.find("script") is None
    assert hostile.find("iframe")["title"] == f"Prediction: {HOSTILE}"


def test_prediction_page_advertises_its_oembed_and_offers_the_code(built: SiteFolder) -> None:
    # Catches: no discovery link (platforms would not find the card), a relative href, and
    # code on the page that differs from the oEmbed file's.
    page = built.html("predictions/alpha/")
    links = page.find_all("link", rel="alternate", type="application/json+oembed")
    assert [link["href"] for link in links] == [f"{BASE}predictions/alpha/oembed.json"]
    code = page.find("textarea", id="embed-code")
    assert code is not None and code.has_attr("readonly")
    assert code.get_text() == _oembed(built, "alpha")["html"]
    label = page.find("label", attrs={"for": "embed-code"})
    assert label is not None


def test_embed_page_is_the_card_without_the_masthead(built: SiteFolder) -> None:
    # Catches: the site's chrome in the iframe, a card without its facts, and a link back that
    # does not reach the prediction (relative links resolve against the embed page).
    page = built.html("predictions/done/embed/")
    assert page.find("header") is None and page.find("nav") is None and page.find("footer") is None
    text = " ".join(page.get_text(" ").split())
    assert "Done happened." in text and "20%" in text and "Resolved: it happened" in text
    assert "June 30, 2026" in text and "July 1, 2026" in text
    here = f"{BASE}predictions/done/embed/"
    statement = page.find("h1").find("a")
    assert urljoin(here, statement["href"]) == f"{BASE}predictions/done/"
    assert statement["target"] == "_blank" and "noopener" in statement["rel"]
    assert page.find("link", rel="canonical")["href"] == f"{BASE}predictions/done/"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find(attrs={"data-votes-slug": True}) is None  # votes are off
    assert page.find("script") is None


def test_embed_page_escapes_the_front_matter(built: SiteFolder) -> None:
    # Catches: a statement written into the page unescaped.
    page = built.html("predictions/hostile/embed/")
    assert page.find("script") is None
    assert page.find("h1").get_text() == HOSTILE


def test_embed_page_carries_the_readers_figure_when_votes_are_on(site: SiteFolder) -> None:
    # Catches: the readers' figure missing with votes on, or a figure votes.js cannot find
    # (it fills `[data-votes-slug]` inside an element naming the endpoint).
    site.config(SITE_YAML + "votes: {endpoint: 'https://votes.test.example.org'}\n")
    _write(site)
    assert site.build() == 0
    page = site.html("predictions/alpha/embed/")
    holder = page.find(attrs={"data-endpoint": "https://votes.test.example.org"})
    assert holder is not None
    figure = holder.find(attrs={"data-votes-slug": "alpha"})
    assert figure is not None and figure.has_attr("hidden")
    assert figure.find(attrs={"data-votes-community": True}) is not None
    scripts = [s["src"] for s in page.find_all("script")]
    assert len(scripts) == 1 and "votes." in scripts[0]


def test_oembed_follows_share_cards_off(site: SiteFolder) -> None:
    # Catches: a thumbnail named in the oEmbed file for a card that was never made.
    site.config(SITE_YAML + "share_cards: false\n")
    _write(site)
    assert site.build() == 0
    assert "thumbnail_url" not in _oembed(site, "alpha")


def test_incremental_embeds_equal_a_clean_build(built: SiteFolder, tmp_path: Path) -> None:
    # Catches: an oEmbed file or embed page left stale by an incremental build (inputs that
    # miss what it shows: the title, the status).
    path = built.root / "content/predictions/alpha.md"
    text = path.read_text("utf-8").replace("title: 'Alpha'", "title: 'Alpha renamed'")
    path.write_text(
        text.replace(
            "  confidence: 0.7", "  confidence: 0.7\n  resolution: {outcome: no, date: 2026-08-01}"
        ),
        "utf-8",
    )
    assert built.build() == 0
    clean = tmp_path / "clean"
    shutil.copytree(built.root, clean, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert main(["build", "--source", str(clean), "--now", NOW]) == 0
    for name in ("oembed.json", "embed/index.html"):
        path_out = f"predictions/alpha/{name}"
        assert (clean / "output" / path_out).read_bytes() == (built.output / path_out).read_bytes()
    assert _oembed(built, "alpha")["title"] == "Alpha renamed"
    assert "Resolved" in built.html("predictions/alpha/embed/").get_text()


def test_sitemap_leaves_out_the_embed_pages(built: SiteFolder) -> None:
    # Catches: noindex cards listed for search engines beside the pages they repeat.
    sitemap = (built.output / "sitemap.xml").read_text("utf-8")
    assert f"{BASE}predictions/alpha/</loc>" in sitemap
    assert "/embed/" not in sitemap
