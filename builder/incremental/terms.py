"""The shortcut's term edits: the category or tags of a prediction that is not resolved
changed (with or without display edits: display.py).

No score is made from an open prediction (trackrecord/scoring.py scores resolved ones, and
the slices by category and tag are of those), so a new category or tag changes, besides what
a display edit changes: every page of each term the prediction left or joined (the list
shifts, and its total shows on every page), the index of that kind of term (its counts),
those terms' feeds, the sitemap (a term's pages come and go) and the prediction's line in
the exports. A term no prediction holds any more goes, its pages and feed with it.

Everything is made from display.Shown, the last full build's lists and predictions: each
term's new list is its old one with the edited predictions in or out, in the site's order
(the home list's). Two spellings of one term in different files are an error the full build
reports (content/terms.py), drafts' too: the record keeps the drafts' term names, and any
doubt takes the full path.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

from builder.content.model import Prediction
from builder.content.slugs import slugify
from builder.content.terms import same_term
from builder.incremental.display import Lists, Load, Shown, loader
from builder.incremental.taken import Taken
from builder.render import pages, search, sitemap
from builder.render.feeds import TERM_FEED, FeedFile, article_html, serialize, term_feed_file
from builder.render.lists import PageList
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site, Term
from builder.site.taxonomy import term_names

KINDS = ("categories", "tags")  # the kinds of term a prediction names (authors are config's)


@dataclass(frozen=True)
class Regrouped:
    """The lists as the edits leave them, and what changed."""

    lists: Lists
    load: Load  # their predictions, by slug (display.loader)
    touched: frozenset[tuple[str, str]]  # (kind, slug) of the terms regrouped
    whole: frozenset[str]  # the bases of their lists: every page is made again
    kinds: frozenset[str]  # the kinds of term whose index is made again
    made: frozenset[str]  # their pages and feeds
    gone: frozenset[str]  # the pages and feeds of the lists before that are no more


def regroup(
    shown: Shown,
    before: Mapping[str, Prediction],
    edited: Mapping[str, Prediction],
    since: Taken,
) -> Regrouped | None:
    """The record's lists with the edited predictions moved between terms, those the
    shortcuts `since` regrouped too; None when a term's names would clash (the full build
    reports it), the drafts' too (Shown.hidden)."""
    lists, load, hidden = shown.lists, loader(shown, edited), shown.hidden
    order = {slug: n for n, slug in enumerate(_home(lists)[1])}
    found = {(bare.kind, bare.term.slug): n for n, (bare, _) in enumerate(lists) if bare.term}
    result = list(lists)
    whole, kinds, made, gone = set(), set(), set(), set()
    touched = sorted(_touched(before, edited) | since.terms)
    for kind, slug in touched:
        at = found.get((kind, slug))
        bare, slugs = (None, ()) if at is None else lists[at]
        kept = [s for s in slugs if s not in edited]
        joined = [s for s, p in edited.items() if slug in _slugs(p, kind)]
        members = tuple(sorted([*kept, *joined], key=order.__getitem__))
        spellings = {n for s in members for n in term_names(load(s), kind) if slugify(n) == slug}
        drafts = {n for k, n in hidden if k == kind and slugify(n) == slug}
        if len({same_term(n) for n in spellings | drafts}) > 1:
            return None
        old = _paths(bare, len(slugs)) if bare else []
        kinds.add(kind)
        if not members:  # no more (a term a shortcut since made: since.made below)
            if at is not None:
                result[at] = None  # type: ignore[call-overload]
                gone |= {*old, f"{lists[at][0].base}{TERM_FEED}"}
            continue
        new = _bare(_home(lists)[0], kind, slug, min(spellings)) if bare is None else bare
        new = _named(new, min(spellings))
        if at is None:
            result.append((new, members))
        else:
            result[at] = (new, members)
        whole.add(new.base)
        paths = _paths(new, len(members))
        made |= {*paths, f"{new.base}{TERM_FEED}"}
        gone |= set(old) - set(paths)
    gone |= since.made - made  # made by a shortcut since, and no more
    kept = tuple(entry for entry in result if entry is not None)
    return Regrouped(kept, load, *map(frozenset, (touched, whole, kinds, made, gone)))


def _touched(
    before: Mapping[str, Prediction], edited: Mapping[str, Prediction]
) -> set[tuple[str, str]]:
    """(kind, slug) of every term an edited prediction left, joined or names otherwise."""
    touched = set()
    for slug, p in edited.items():
        old = before[slug]
        for kind in KINDS:
            if term_names(old, kind) != term_names(p, kind):
                touched |= {(kind, s) for s in _slugs(old, kind) | _slugs(p, kind)}
    return touched


def _slugs(p: Prediction, kind: str) -> set[str]:
    return {slugify(name) for name in term_names(p, kind)}


def _home(lists: Lists) -> tuple[PageList, tuple[str, ...]]:
    return next(entry for entry in lists if entry[0].kind == "home")


def _bare(home: PageList, kind: str, slug: str, name: str) -> PageList:
    """A new term's list, bare (pages.page_lists')."""
    term = Term(kind, slug, name, ())
    return PageList(term.url, name, kind, (), home.size, home.masthead, term=term)


def _named(bare: PageList, name: str) -> PageList:
    """The list of a term whose name is `name` (the least of its spellings: taxonomy's)."""
    assert bare.term is not None
    if bare.title == name and bare.term.name == name:
        return bare
    return dataclasses.replace(bare, title=name, term=dataclasses.replace(bare.term, name=name))


def _paths(bare: PageList, count: int) -> list[str]:
    return PageList(bare.base, "", bare.kind, (None,) * count, bare.size, {}).paths()  # type: ignore[arg-type]


def index_pages(regrouped: Regrouped) -> list[PageSpec]:
    """The index of each kind of term the edits changed, its terms by slug (taxonomy's)."""
    home = _home(regrouped.lists)[0]
    specs = []
    for kind, title in pages.TERM_KINDS:
        if kind not in regrouped.kinds:
            continue
        lists = sorted(
            (bare for bare in regrouped.lists if bare[0].kind == kind), key=lambda e: e[0].base
        )
        terms = tuple(_term(bare, slugs, regrouped.load) for bare, slugs in lists)
        spec = pages.terms_page(kind, title, terms)
        specs.append(dataclasses.replace(spec, context={**spec.context, **home.masthead}))
    return specs


def _term(bare: PageList, slugs: tuple[str, ...], load: Load) -> Term:
    assert bare.term is not None
    return dataclasses.replace(bare.term, predictions=Members(slugs, load))  # type: ignore[arg-type]


class Members(Sequence[Prediction]):
    """A term's predictions, each read from the record when asked for: an index of terms
    shows how many each has (terms.html), and a site has thousands."""

    def __init__(self, slugs: tuple[str, ...], load: Load) -> None:
        self._slugs, self._load = slugs, load

    def __len__(self) -> int:
        return len(self._slugs)

    @overload
    def __getitem__(self, index: int) -> Prediction: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Prediction]: ...
    def __getitem__(self, index: int | slice) -> Prediction | Sequence[Prediction]:
        if isinstance(index, slice):
            return [self._load(slug) for slug in self._slugs[index]]
        return self._load(self._slugs[index])

    def __iter__(self) -> Iterator[Prediction]:
        return map(self._load, self._slugs)


def files(
    site: Site,
    regrouped: Regrouped,
    shown: Shown,
    feeds: list[FeedFile],
    full: Callable[[Prediction], Prediction],
) -> dict[str, bytes]:
    """The changed terms' feeds, `feeds` updated to them, and the sitemap; `full` gives a
    prediction with its body (the record's are without). The edited predictions' items are
    made again after (shortcut.render), as in every feed."""
    base = site.config.url
    article = lambda p: article_html(full(p), base)  # noqa: E731
    feeds[:], made = _feeds(site, regrouped, feeds, article)
    found = {file.path: serialize(site, file) for file in made}
    entries = _with_pages(shown.sitemap, base, regrouped)
    return found | {sitemap.SITEMAP: sitemap.sitemap(entries)}


def search_page(
    site: Site, shown: Shown, before: Mapping[str, Prediction], edited: Mapping[str, Prediction]
) -> list[PageSpec]:
    """The search page with its filters' counts moved from the edited predictions' versions
    `before` to their new ones; none when search is off."""
    if shown.search is None:
        return []
    counts = {name: Counter(dict(pairs)) for name, pairs in shown.search.context["filters"].items()}
    for slug, p in edited.items():
        for name, values in search.filters(site, before[slug]).items():
            counts[name].subtract(values)
        for name, values in search.filters(site, p).items():
            counts[name].update(values)
    context = {**shown.search.context, "filters": search.sorted_counts(counts)}
    return [dataclasses.replace(shown.search, context=context)]


def _with_pages(
    entries: Sequence[sitemap.Entry], base_url: str, regrouped: Regrouped
) -> tuple[sitemap.Entry, ...]:
    """The sitemap's entries with the term pages the edits made and without those gone."""

    def url(path: str) -> str:
        return urls.absolute(base_url, path.removesuffix("index.html"))

    gone = {url(path) for path in regrouped.gone}
    made = {(url(path), "") for path in regrouped.made if path.endswith("index.html")}
    return tuple(sorted({*(e for e in entries if e[0] not in gone), *made}))


def _feeds(
    site: Site,
    regrouped: Regrouped,
    before: Sequence[FeedFile],
    article: Callable[[Prediction], str],
) -> tuple[list[FeedFile], list[FeedFile]]:
    """The site's feeds with those of the changed terms made again (and without those gone),
    and those made again; `article` gives the content of an item the term's feed had not."""
    old = {file.path: file for file in before}
    made = []
    for bare, slugs in regrouped.lists:
        if bare.base not in regrouped.whole:
            continue
        assert bare.term is not None
        term = dataclasses.replace(bare.term, predictions=tuple(map(regrouped.load, slugs)))
        had = old.get(f"{term.url}{TERM_FEED}")
        contents = (
            {}
            if had is None
            else dict(zip(had.slugs, (i.content for i in had.feed.items), strict=True))
        )

        def content(p: Prediction, contents: Mapping[str, str] = contents) -> str:
            found = contents.get(p.slug)
            return article(p) if found is None else found

        fallback = before[0].fallback
        made.append(term_feed_file(site, term, fallback, content))
    paths = {file.path for file in made} | regrouped.gone
    return [f for f in before if f.path not in paths] + made, made
