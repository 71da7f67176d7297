"""Pages of a list (builder/site/pagination.py): their items, URLs and neighbours."""

from __future__ import annotations

from typing import cast

import pytest

from builder.content.model import Prediction
from builder.site.pagination import page_url, paginate

# paginate only slices and counts its items: letters stand in for predictions.
ITEMS = cast("tuple[Prediction, ...]", tuple("abcde"))


def test_an_empty_list_still_has_its_first_page() -> None:
    # Catches: a category or status list with nothing in it losing its index.html.
    (page,) = paginate((), 2, "open/")
    assert (page.number, page.count, page.items, page.total) == (1, 1, (), 0)
    assert (page.url, page.previous, page.next) == ("open/", None, None)


def test_items_are_split_in_order_the_last_page_holding_the_rest() -> None:
    pages = paginate(ITEMS, 2, "tags/x/")
    assert [page.items for page in pages] == [("a", "b"), ("c", "d"), ("e",)]
    assert {(page.count, page.total, page.base) for page in pages} == {(3, 5, "tags/x/")}
    assert [page.number for page in pages] == [1, 2, 3]


def test_a_list_that_fills_its_pages_exactly_has_no_empty_page_after() -> None:
    pages = paginate(ITEMS[:4], 2, "")
    assert [page.items for page in pages] == [("a", "b"), ("c", "d")]


def test_each_page_links_its_neighbours() -> None:
    first, middle, last = paginate(ITEMS, 2, "tags/x/")
    assert (first.url, first.previous, first.next) == ("tags/x/", None, "tags/x/page/2/")
    assert (middle.previous, middle.url, middle.next) == (
        "tags/x/",
        "tags/x/page/2/",
        "tags/x/page/3/",
    )
    assert (last.previous, last.url, last.next) == ("tags/x/page/2/", "tags/x/page/3/", None)


@pytest.mark.parametrize(
    ("base", "number", "url"),
    [("", 1, ""), ("", 2, "page/2/"), ("authors/ada/", 1, "authors/ada/"),
     ("authors/ada/", 12, "authors/ada/page/12/")],
)  # fmt: skip
def test_page_one_is_the_lists_own_url(base: str, number: int, url: str) -> None:
    # Catches: page 1 published at page/1/, breaking every link to the list.
    assert page_url(base, number) == url
