"""Comments (builder/config/comments.py, partials/comments.html): `comments:` in site.yaml
read with every mistake reported, and each system's documented embed markup on prediction
pages, or nothing when off."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup
from conftest import SITE_YAML, SiteFolder, prediction_text
from test_html_valid import describe, vnu

GISCUS = """\
comments:
  giscus:
    repo: octo-org/predictions
    repo_id: R_kgDOExample
    category: Predictions
    category_id: DIC_kwDOExample4CdX
"""
ISSO = """\
comments:
  isso: {url: "https://comments.example.org/isso"}
"""


def _embed(site: SiteFolder, slug: str = "p1") -> BeautifulSoup:
    """What the comment block's <template> holds, parsed as the browser will insert it."""
    block = site.html(f"predictions/{slug}/").select_one("section#comments")
    assert block is not None
    return BeautifulSoup(block.select_one("template").decode_contents(), "lxml")


def _built(site: SiteFolder, comments: str) -> SiteFolder:
    site.config(SITE_YAML + comments)
    site.write("p1.md", prediction_text("One"))
    assert site.build() == 0
    return site


def test_off_by_default_nothing_on_the_page(site: SiteFolder) -> None:
    """Catches: a comment block, or its loader script, on pages of a site that asked for
    none."""
    _built(site, "")
    page = site.html("predictions/p1/")
    assert page.select_one("[data-comments]") is None
    assert not [s for s in page.select("script[src]") if "comments" in s["src"]]
    assert "giscus" not in str(page) and "isso" not in str(page)


def test_giscus_markup_is_giscus_apps(site: SiteFolder) -> None:
    """Catches: a setting not reaching its data-* attribute, or the defaults giscus.app
    documents (pathname mapping, reactions on, input at the bottom, the reader's colour
    scheme, the site's language) not applied."""
    _built(site, GISCUS)
    script = _embed(site).select_one("script")
    assert script["src"] == "https://giscus.app/client.js"
    expected = {
        "data-repo": "octo-org/predictions",
        "data-repo-id": "R_kgDOExample",
        "data-category": "Predictions",
        "data-category-id": "DIC_kwDOExample4CdX",
        "data-mapping": "pathname",
        "data-strict": "0",
        "data-reactions-enabled": "1",
        "data-emit-metadata": "0",
        "data-input-position": "bottom",
        "data-theme": "preferred_color_scheme",
        "data-lang": "en",
        "crossorigin": "anonymous",
    }
    assert {k: script.get(k) for k in expected} == expected
    assert script.has_attr("async")
    assert _embed(site).select_one("div.giscus") is not None


def test_giscus_settings_are_carried_over(site: SiteFolder) -> None:
    """Catches: optional settings ignored in favour of the defaults."""
    extra = (
        "    mapping: og:title\n    strict: true\n    reactions: false\n"
        "    input_position: top\n    theme: dark\n    lang: es\n"
    )
    _built(site, GISCUS + extra)
    script = _embed(site).select_one("script")
    assert script["data-mapping"] == "og:title"
    assert script["data-strict"] == "1"
    assert script["data-reactions-enabled"] == "0"
    assert script["data-input-position"] == "top"
    assert script["data-theme"] == "dark"
    assert script["data-lang"] == "es"


def test_isso_markup_is_issos(site: SiteFolder) -> None:
    """Catches: the script not pointing at the server's embed.min.js, data-isso missing its
    trailing slash (Isso joins paths to it), or no #isso-thread for it to fill."""
    _built(site, ISSO)
    embed = _embed(site)
    script = embed.select_one("script")
    assert script["data-isso"] == "https://comments.example.org/isso/"
    assert script["src"] == "https://comments.example.org/isso/js/embed.min.js"
    assert embed.select_one("section#isso-thread") is not None
    assert embed.select_one("[src*=giscus]") is None


def test_the_block_is_hidden_and_its_loader_deferred(site: SiteFolder) -> None:
    """Catches: the embed's script placed live in the page (loaded at once, and with no
    JavaScript an empty heading), instead of in a <template> that comments.js loads."""
    _built(site, GISCUS)
    page = site.html("predictions/p1/")
    block = page.select_one("section#comments")
    assert block.has_attr("hidden")
    assert not [s for s in page.select("script") if "giscus" in (s.get("src") or "")]
    loader = [s for s in page.select("script[src]") if "/comments." in s["src"]]
    assert len(loader) == 1 and loader[0].has_attr("defer")


def test_drafts_get_no_comments(site: SiteFolder) -> None:
    """Catches: a discussion opened on a page that is not published yet (Giscus would make
    a GitHub discussion for the draft's path)."""
    site.config(SITE_YAML + GISCUS)
    site.write("d.md", prediction_text("Draft", extra="draft: true\n"))
    assert site.build("--drafts") == 0
    assert site.html("predictions/d/").select_one("[data-comments]") is None


def test_untrusted_values_are_escaped(site: SiteFolder) -> None:
    """Catches: a setting breaking out of its attribute into the page."""
    _built(site, GISCUS.replace("category: Predictions", "category: 'Q&A \"<b>\"'"))
    script = _embed(site).select_one("script")
    assert script["data-category"] == 'Q&A "<b>"'
    assert _embed(site).select_one("b") is None


MISTAKES = {
    "both": (
        GISCUS + '  isso: {url: "https://c.example.org/"}\n',
        ["site.yaml:10: comments: name one comment system: giscus or isso"],
    ),
    "neither": ("comments: {}\n", ["site.yaml:10: comments: name one comment system"]),
    "unknown system": (
        "comments:\n  disqus: {shortname: x}\n",
        ["site.yaml:11: comments.disqus: unknown key 'disqus'"],
    ),
    "giscus missing ids": (
        "comments:\n  giscus: {repo: a/b, category: General}\n",
        [
            "site.yaml:11: comments.giscus.repo_id: is required",
            "site.yaml:11: comments.giscus.category_id: is required",
        ],
    ),
    "giscus bad repo and mapping": (
        GISCUS.replace("octo-org/predictions", "https://github.com/x") + "    mapping: number\n",
        [
            "site.yaml:12: comments.giscus.repo: expected owner/name",
            "site.yaml:16: comments.giscus.mapping: expected one of pathname, url, title, og:title",
        ],
    ),
    "giscus typo": (
        GISCUS + "    reaction: true\n",
        ["site.yaml:16: comments.giscus.reaction: unknown key 'reaction' (did you mean"],
    ),
    "isso not http": (
        'comments:\n  isso: {url: "javascript:alert(1)"}\n',
        ["site.yaml:11: comments.isso.url:"],
    ),
    "isso relative": (
        'comments:\n  isso: {url: "/isso/"}\n',
        ["site.yaml:11: comments.isso.url:"],
    ),
    "isso query": (
        'comments:\n  isso: {url: "https://c.example.org/?x=1"}\n',
        ["site.yaml:11: comments.isso.url: must not have a query or a fragment"],
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_every_mistake_is_reported_with_its_line(site: SiteFolder, capsys, mistake: str) -> None:
    """Catches: a wrong comments setting built anyway (a broken or hostile embed), or
    reported without its file, line and field."""
    text, messages = MISTAKES[mistake]
    site.config(SITE_YAML + text)
    site.write("p1.md", prediction_text("One"))
    assert site.check() == 1
    err = capsys.readouterr().err
    for message in messages:
        assert message in err, err


@pytest.mark.parametrize("system", ["giscus", "isso"])
def test_pages_with_comments_are_valid_html(site: SiteFolder, system: str) -> None:
    """Catches: embed markup the Nu Html Checker refuses (in the template as in the page)."""
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker"
    _built(site, GISCUS if system == "giscus" else ISSO)
    page = site.output / "predictions/p1/index.html"
    errors = vnu(java, [page])
    assert not errors, "\n".join(describe(m, site.output) for m in errors)
