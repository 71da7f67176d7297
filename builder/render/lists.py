"""The site's paginated lists: the home page, the status lists and each category, tag and
author. Each is a `PageList`, whose pages are a pure function of its fields: the incremental
build keys each page from the list's fields and the page's own items (`keyed_pages`), and
makes the spec of a page, with its context, only when its key changed. (At 10,000
predictions, keying the 3,600 list pages so takes 57 ms against 70 ms from their contexts, once
every prediction's encoding is made: the gain is small; what it adds is a list that says what
its pages are made of, which is where finding the pages an edit shifts would start.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from builder.config.siteconfig import Author
from builder.content.model import Prediction
from builder.render.templates import PageSpec
from builder.site import pagination
from builder.site.model import Term

TEMPLATE = "list.html"
# What a list page shows of an author's record: nothing but on an author's first page.
NO_RECORD: Mapping[str, object] = {
    "record": None,
    "chart": None,
    "slices": (),
    "against_crowd": None,
}


@dataclass(frozen=True)
class PageList:
    """One paginated list: everything its pages show is a field (keyed_pages relies on it)."""

    base: str  # the URL of its first page
    title: str
    kind: str  # home, a status list's name, or a kind of term (categories, tags, authors)
    items: tuple[Prediction, ...]  # in the list's order
    size: int  # predictions per page (site.yaml's paginate)
    masthead: Mapping[str, object]  # pages.masthead(site): on every page
    term: Term | None = None
    author: Author | None = None  # an author's list: who
    # An author's record and chart open page 1 only, so that resolving one of their
    # predictions does not re-render every page of their list.
    first: Mapping[str, object] = dataclasses.field(default_factory=lambda: NO_RECORD)

    def pages(self) -> list[PageSpec]:
        return [self.spec(page) for page in pagination.paginate(self.items, self.size, self.base)]

    def paths(self) -> list[str]:
        """Where its pages go, without making them."""
        count = max(1, -(-len(self.items) // self.size))
        return [f"{pagination.page_url(self.base, n)}index.html" for n in range(1, count + 1)]

    def addresses(self) -> list[PageSpec]:
        """Its pages without their contents: what the sitemap lists."""
        return [PageSpec(path, path.removesuffix("index.html"), TEMPLATE) for path in self.paths()]

    def keyed_pages(
        self, encode: Callable[[object], bytes], key: Callable[[str, bytes], str]
    ) -> Iterator[tuple[str, str, Callable[[], PageSpec]]]:
        """(path, key, how to make its spec) of each of its pages, without making their
        contexts: each page is keyed, `key(url, encoded)`, by the encoding of everything it
        is made of (but the template, the config and the theme's assets, in every key), the
        list's fields with its own items in place of the list's and the record on page 1
        alone. What the pages share is encoded once."""
        shared = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name not in ("items", "first")
        }
        shared["total"] = len(self.items)
        common = encode(shared)
        for page in pagination.paginate(self.items, self.size, self.base):
            first = self.first if page.number == 1 else NO_RECORD
            own = encode((page.number, page.count, page.items, first))
            yield f"{page.url}index.html", key(page.url, common + own), partial(self.spec, page)

    def spec(self, page: pagination.Page) -> PageSpec:
        return PageSpec(
            path=f"{page.url}index.html",
            url=page.url,
            template=TEMPLATE,
            context={
                "title": self.title,
                "kind": self.kind,
                "pager": page,
                "term": self.term,
                "author": self.author,
                **(self.first if page.number == 1 else NO_RECORD),
                **self.masthead,
            },
        )
