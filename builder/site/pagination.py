"""Split a list of predictions into pages: each page's items, its URL and its neighbours'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from builder.content.model import Prediction


@dataclass(frozen=True)
class Page:
    """One page of a paginated list."""

    number: int
    count: int  # number of pages
    items: tuple[Prediction, ...]
    base: str  # URL of page 1, e.g. "tags/mexico/"
    total: int  # items over all pages

    def url_of(self, number: int) -> str:
        return page_url(self.base, number)

    @property
    def url(self) -> str:
        return self.url_of(self.number)

    @property
    def previous(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.count else None


def page_url(base: str, number: int) -> str:
    """The URL of page `number` of the list whose first page is at `base`."""
    return base if number == 1 else f"{base}page/{number}/"


def paginate(items: Sequence[Prediction], size: int, base: str) -> list[Page]:
    """Always at least one page, so an empty list still has its index."""
    chunks = [tuple(items[i : i + size]) for i in range(0, len(items), size)] or [()]
    return [
        Page(n, len(chunks), chunk, base, len(items)) for n, chunk in enumerate(chunks, start=1)
    ]
