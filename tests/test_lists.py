"""Paginated lists (render/lists.py): a list is expanded into pages, each keyed and rendered,
only when what the whole list is made of changed; its paths and addresses are its pages'.

The bytes after each kind of edit are held to a clean build's in test_incremental.py; these
tests check that the saving is real, and that a list's shortcut through its pages is exact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder
from test_incremental import EDITS, _clean_build, _populate, _without_shortcut

from builder.options import BuildOptions
from builder.pipeline import load
from builder.render import pages
from builder.render.lists import NO_RECORD, PageList
from builder.render.outputs import Memo


def _made(site: SiteFolder, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Build; the paths of the list pages whose spec the build made (to render them)."""
    made: set[str] = set()
    real = PageList.spec

    def counting(self: PageList, page):  # type: ignore[no-untyped-def]
        made.add(f"{page.url}index.html")
        return real(self, page)

    monkeypatch.setattr(PageList, "spec", counting)
    assert site.build() == 0
    monkeypatch.undo()
    return made


def _showing(site: SiteFolder, slug: str) -> set[str]:
    """The list pages that show the prediction `slug`, in the site as it is now."""
    whole = load(BuildOptions(site.root), dt.date.fromisoformat(NOW)).site
    return {
        spec.path
        for page_list in pages.page_lists(whole, Memo())
        for spec in page_list.pages()
        if any(p.slug == slug for p in spec.context["pager"].items)
    }


def test_an_edit_makes_only_the_list_pages_that_show_the_prediction(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: every list page's context made and keyed on every build (3,600 pages at
    # 10,000 predictions), or pages kept whatever their key (then the bytes below differ).
    _populate(site)
    assert site.build() == 0
    EDITS["title"](site)
    _without_shortcut(site)
    made = _made(site, monkeypatch)
    assert made == _showing(site, "p4")
    # p4 is on the home list's second page, not its first; in Space, not in Energy.
    assert "page/2/index.html" in made and "index.html" not in made
    assert "categories/energy/index.html" not in made
    assert site.files() == _clean_build(site, tmp_path)


def test_a_list_page_changed_by_hand_is_made_again(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: a list page kept because its key is unchanged although it is not as the last
    # build left it.
    _populate(site)
    assert site.build() == 0
    (site.output / "categories/energy/index.html").write_text("edited", encoding="utf-8")
    EDITS["title"](site)  # not a no-op: the output is looked at
    _without_shortcut(site)
    assert "categories/energy/index.html" in _made(site, monkeypatch)
    assert site.files() == _clean_build(site, tmp_path)


@pytest.mark.parametrize("count", [0, 1, 3, 4, 7])
def test_a_lists_paths_and_addresses_are_its_pages(site: SiteFolder, count: int) -> None:
    # Catches: a page count off by one for a list that fills its last page exactly (or an
    # empty list with no index): the sitemap would list a page that is not made, or miss one.
    _populate(site)
    whole = load(BuildOptions(site.root), dt.date.fromisoformat(NOW)).site
    items = whole.predictions[:count]
    assert len(items) == count
    page_list = PageList("tags/x/", "X", "tags", items, 3, pages.masthead(whole))
    made = page_list.pages()
    assert page_list.paths() == [spec.path for spec in made]
    addresses = page_list.addresses()
    assert [(a.path, a.url, a.template) for a in addresses] == [
        (spec.path, spec.url, spec.template) for spec in made
    ]
    assert len(made) == max(1, -(-count // 3))


def test_a_list_pages_key_covers_every_field_and_its_own_items(site: SiteFolder) -> None:
    # Catches: a field added to PageList (something its pages show) left out of its pages'
    # keys, so that a change to it kept stale pages; or a page keyed by the list's items
    # rather than its own (every page made again for any change to the list).
    _populate(site)
    whole = load(BuildOptions(site.root), dt.date.fromisoformat(NOW)).site
    home = pages.page_lists(whole, Memo())[0]
    encoded: list[object] = []

    def encode(value: object) -> bytes:
        encoded.append(value)
        return repr(len(encoded)).encode()

    keyed = list(home.keyed_pages(encode, lambda url, what: url))
    shared, *own = encoded
    fields = {f.name for f in dataclasses.fields(PageList)}
    assert set(shared) == fields - {"items", "first"} | {"total"}  # type: ignore[arg-type]
    made = home.pages()
    assert [path for path, _, _ in keyed] == [spec.path for spec in made]
    pagers = [spec.context["pager"] for spec in made]
    assert own == [(pager.number, pager.count, pager.items, NO_RECORD) for pager in pagers]
    assert [spec() for _, _, spec in keyed] == made


def _marked(site: SiteFolder, page: str) -> dict[str, str]:
    """The masthead's links marked current on `page`: {label: aria-current}."""
    links = site.html(page).select("nav.site-nav a[aria-current]")
    return {a.get_text(): a["aria-current"] for a in links}


def test_the_masthead_marks_the_section_of_every_page_within_one(site: SiteFolder) -> None:
    # Catches: only a section's own index marked (a category, tag or author page, or a list's
    # second page, marked as nowhere), aria-current="page" on a link to another page than this
    # one, or a prediction (in several lists at once) marked as in one of them.
    _populate(site)
    assert site.build() == 0
    assert _marked(site, "categories/") == {"Categories": "page"}
    assert _marked(site, "categories/space/") == {"Categories": "true"}
    assert _marked(site, "tags/") == _marked(site, "tags/t1/") == {"Categories": "true"}
    assert site.html("tags/").select_one(".footer-links a[aria-current=page]").get_text() == "Tags"
    assert _marked(site, "authors/") == {"Authors": "page"}
    assert _marked(site, "authors/ada/") == {"Authors": "true"}
    # On NOW every target date has passed: the eight await resolution, over three pages.
    assert _marked(site, "awaiting/") == {"Awaiting": "page"}
    assert _marked(site, "awaiting/page/2/") == {"Awaiting": "true"}
    assert _marked(site, "track-record/") == {"Track record": "page"}
    for page in ("", "page/2/", "predictions/p1/", "404.html"):
        assert _marked(site, page) == {}, page


def test_the_pager_puts_each_link_in_its_own_column(site: SiteFolder) -> None:
    # Catches: the links and the position laid out in a row with placeholders, where "Page N
    # of M" moves with the width of the link beside it (style.css places each by its class).
    _populate(site)
    assert site.build() == 0
    cells = {
        page: [
            (tag.name, tag.get("class"), tag.get("rel"))
            for tag in site.html(page).select(".pager > *")
        ]
        for page in ("", "page/2/", "page/3/")
    }
    newer = ("a", ["pager-newer"], ["prev"])
    position = ("span", ["pager-position"], None)
    older = ("a", ["pager-older"], ["next"])
    assert cells == {
        "": [position, older],
        "page/2/": [newer, position, older],
        "page/3/": [newer, position],
    }
