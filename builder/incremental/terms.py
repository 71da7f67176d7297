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
(the home list's). A term's name is the least of its spellings, counted in the record
(spellings.py); two spellings that would share a page are an error the full build reports
(content/terms.py), the drafts' too (their names are in the record): the full path. The
terms the shortcuts since the last full build regrouped are regrouped again (taken.py),
each made whole only when its shape differs from what the last of them wrote.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from builder.content.model import Prediction
from builder.content.slugs import slugify
from builder.incremental.display import Lists, Load, Shown, loader, with_members
from builder.incremental.spellings import Spellings, name_now
from builder.incremental.taken import Shape, Taken
from builder.render import pages, search, sitemap
from builder.render.feed_html import article_html
from builder.render.feeds import TERM_FEED, FeedFile, serialize, term_feed_file
from builder.render.lists import PageList
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site, Term
from builder.site.taxonomy import NAMED_KINDS, term_names


@dataclass(frozen=True)
class Regrouped:
    """The lists as the edits leave them, and what changed."""

    lists: Lists
    load: Load  # their predictions, by slug (display.loader)
    terms: Mapping[tuple[str, str], Shape]  # (kind, slug) of each term regrouped -> its shape
    whole: frozenset[str]  # the bases of the lists whose every page is made again
    made: frozenset[str]  # the pages and feeds of the terms regrouped
    gone: frozenset[str]  # the pages and feeds of the lists before that are no more

    @property
    def term_kinds(self) -> set[str]:
        """The kinds of term whose index is made again."""
        return {kind for kind, _ in self.terms}


def regroup(
    shown: Shown,
    known: Spellings,
    before: Mapping[str, Prediction],
    edited: Mapping[str, Prediction],
    since: Taken,
) -> Regrouped | None:
    """The record's lists with the edited predictions moved between terms, and those the
    shortcuts `since` regrouped; None when a term's names would clash (the full build
    reports it), the drafts' too (`known`: the record's spellings.Spellings)."""
    lists, load = shown.lists, loader(shown, edited)
    at = {(bare.kind, bare.term.slug): n for n, (bare, _) in enumerate(lists) if bare.term}
    order = {slug: n for n, slug in enumerate(_home(lists)[1])}
    result: list[tuple[PageList, tuple[str, ...]] | None] = list(lists)
    shapes: dict[tuple[str, str], Shape] = {}
    whole, made, gone = set(), set(), set()
    for kind, slug in sorted(_touched(before, edited) | since.terms.keys()):
        n = at.get((kind, slug))
        bare, slugs = (None, ()) if n is None else lists[n]
        members = _members(kind, slug, slugs, edited, order)
        name = name_now(known, kind, slug, before, edited)
        if name is None:
            return None
        old = _paths(bare, len(slugs)) if bare else []
        shapes[kind, slug] = (name, members)
        if not members:  # no more (one a shortcut since made: since.made, below)
            if n is not None:
                result[n] = None
                gone |= {*old, f"{bare.base}{TERM_FEED}"}  # type: ignore[union-attr]
            continue
        new = _named(bare or _new_term_list(_home(lists)[0], kind, slug, name), name)
        if n is None:
            result.append((new, members))
        else:
            result[n] = (new, members)
        # Its pages as the output holds them: the record's, or as a shortcut since made them.
        if since.terms.get((kind, slug), (bare and bare.title, slugs)) != (name, members):
            whole.add(new.base)
        paths = _paths(new, len(members))
        made |= {*paths, f"{new.base}{TERM_FEED}"}
        gone |= set(old) - set(paths)
    gone |= since.made - made  # made by a shortcut since, and no more
    kept = tuple(entry for entry in result if entry is not None)
    return Regrouped(kept, load, shapes, frozenset(whole), frozenset(made), frozenset(gone))


def _members(
    kind: str,
    slug: str,
    slugs: tuple[str, ...],
    edited: Mapping[str, Prediction],
    order: Mapping[str, int],
) -> tuple[str, ...]:
    """The term's predictions (`slugs` in the record) with the edited ones in or out, in the
    site's `order`."""
    kept = [s for s in slugs if s not in edited]
    joined = [s for s, p in edited.items() if slug in _slugs(p, kind)]
    return tuple(sorted([*kept, *joined], key=order.__getitem__))


def _touched(
    before: Mapping[str, Prediction], edited: Mapping[str, Prediction]
) -> set[tuple[str, str]]:
    """(kind, slug) of every term an edited prediction left, joined or names otherwise."""
    touched = set()
    for slug, p in edited.items():
        old = before[slug]
        for kind in NAMED_KINDS:
            if term_names(old, kind) != term_names(p, kind):
                touched |= {(kind, s) for s in _slugs(old, kind) | _slugs(p, kind)}
    return touched


def _slugs(p: Prediction, kind: str) -> set[str]:
    return {slugify(name) for name in term_names(p, kind)}


def _home(lists: Lists) -> tuple[PageList, tuple[str, ...]]:
    return next(entry for entry in lists if entry[0].kind == "home")


def _new_term_list(home: PageList, kind: str, slug: str, name: str) -> PageList:
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
        if kind not in regrouped.term_kinds:
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
    return with_members(bare.term, slugs, load)


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
        if bare.term is None or (bare.kind, bare.term.slug) not in regrouped.terms:
            continue
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
