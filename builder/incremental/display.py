"""The shortcut's wider case: edits to what a prediction displays, and nothing else of it.

A prediction's title, summary and references, like its body, enter no figure, no order and no
grouping of the site: no score, no list's order or pagination, no term, no date, no export
(`Site.export_digest` leaves them out), no claim a timestamp signs. So an edit to them changes
the prediction's own files, the list pages and feeds it appears in and the site's calendar,
which shows its title, and nothing else. This module keeps, from the last full build, what
the shortcut needs to make those files again without loading the site: each paginated list
without its predictions (their slugs in its order), each prediction without its body (pickled
one by one, so only those a page shows are read back), the calendar's events in order, and
the predictions some other page of the site shows (a theme's track record could list
titles): an edit to one of those takes the full path.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from builder.content.model import Prediction
from builder.pipeline import Plan, unit_files
from builder.render import calendar, search
from builder.render.lists import PageList
from builder.render.outputs import Memo, Output, bytes_of
from builder.render.sitemap import Entry
from builder.render.templates import PageSpec
from builder.site import pagination
from builder.site.model import Site, Term

if TYPE_CHECKING:
    from builder.incremental.terms import Regrouped

Lists = tuple[tuple[PageList, tuple[str, ...]], ...]  # Shown.lists: each bare, and its slugs
Load = Callable[[str], Prediction]  # a prediction by slug (loader)


@dataclass
class Shown:
    """What a display edit makes again besides the prediction's own files, and what a term
    edit regroups (terms.py)."""

    built: str  # the full build it was made after (shortcut.Record.built)
    lists: Lists
    predictions: dict[str, bytes]  # slug -> the prediction without its body, pickled
    events: tuple[tuple[str, bytes], ...]  # calendar.ics's events (slug, bytes), in order
    pinned: frozenset[str]  # predictions another page shows
    sitemap: tuple[Entry, ...] = ()  # its entries (terms.py: a term's pages come and go)
    search: PageSpec | None = None  # the search page, when search is on: its filters' counts


def shown_of(site: Site, planned: Plan, memo: Memo, built: str) -> Shown:
    """From a full build: its `site`, its `planned` files and its memo (where each
    prediction's part is kept, made again only for a new version)."""
    lists = planned.lists
    bare = tuple((_bare(page_list), tuple(p.slug for p in page_list.items)) for page_list in lists)
    predictions = {p.slug: memo.get(_key(p), lambda p=p: _pickled(p)) for p in site.predictions}
    base = site.config.url
    events = tuple((p.slug, calendar.memo_event(memo, base, p)) for p in calendar.in_order(site))
    # A theme's template may show anything of a page's context; what a file made by code
    # shows, its code decides, and this module (or forecasts.py) makes it again: the feeds,
    # the calendar, the exports (tests hold every kind of edit to a clean build's bytes).
    pinned = frozenset(_slugs_in(spec.context for spec in planned.pages))
    found = [spec for spec in planned.pages if spec.path == search.PAGE_FILE]
    return Shown(
        built, bare, predictions, events, pinned, sitemap=planned.sitemap,
        search=found[0] if found else None,
    )  # fmt: skip


def applies(shown: Shown | None, built: str, slugs: Iterable[str]) -> bool:
    """Whether `shown` was made after the full build `built` and holds all that shows the
    predictions `slugs`."""
    if shown is None or shown.built != built:
        return False
    return not any(slug in shown.pinned for slug in slugs)


def loader(shown: Shown, edited: Mapping[str, Prediction]) -> Callable[[str], Prediction]:
    """A prediction by slug: edited, or as the record holds it (read once)."""
    loaded: dict[str, Prediction] = dict(edited)

    def load(slug: str) -> Prediction:
        found = loaded.get(slug)
        if found is None:
            found = loaded[slug] = pickle.loads(shown.predictions[slug])
        return found

    return load


def made_again(
    shown: Shown,
    edited: Mapping[str, Prediction],
    before: Mapping[str, Prediction],
    site_of: Callable[[Iterable[Prediction]], Site],
    untouched: Callable[[str], bool],
    again: Collection[str] = (),
    regrouped: Regrouped | None = None,
) -> tuple[Site, list[PageSpec], dict[str, bytes]]:
    """What the edits change but the feeds: the edited predictions' own files and the list
    pages that show them (pages to render), calendar.ics; and the site they are made from,
    `site_of` the predictions they show. A file made by code whose inputs are those of the
    prediction's version `before` is not made again while it is `untouched` since (a share
    card shows no title). calendar.ics is made whenever an edited prediction's event changed,
    or the prediction is `again` (shortcut.Edits.again). `shown` holds the new versions from
    then on (serve keeps one). With terms `regrouped` (terms.py), the lists are those, each
    of its changed terms made whole, and the terms' indexes too."""
    if regrouped is None:
        lists, whole, load = shown.lists, frozenset[str](), loader(shown, edited)
    else:
        lists, whole, load = regrouped.lists, regrouped.whole, regrouped.load
    specs = list(_list_pages(lists, whole, edited, load))
    listed = {p.slug: p for spec in specs for p in spec.context["pager"].items}
    site = site_of({**listed, **edited}.values())
    memo = Memo()  # an edited prediction's event: in its own file and in calendar.ics
    files: dict[str, bytes] = {}
    for slug, p in edited.items():
        own, outputs = unit_files(site, site.unit(p), memo)
        specs += own
        old = before.get(slug)
        was = {} if old is None else {o.path: o.inputs for o in _unit_outputs(site, old)}
        for output in outputs:
            if not (was.get(output.path) == output.inputs and untouched(output.path)):
                files[output.path] = bytes_of(output.make())
    if regrouped is not None:
        from builder.incremental import terms  # which imports this module

        specs += terms.index_pages(regrouped)
    if (ics := _site_calendar(site, shown, edited, memo, again)) is not None:
        files[calendar.SITE_CALENDAR] = ics
    shown.predictions.update((slug, _pickled(p)) for slug, p in edited.items())
    return site, specs, files


def with_members(term: Term, slugs: tuple[str, ...], load: Load) -> Term:
    """`term` with its predictions read only when a page asks for them (Members)."""
    return dataclasses.replace(term, predictions=Members(slugs, load))  # type: ignore[arg-type]


class Members(Sequence[Prediction]):
    """A term's predictions, each read from the record when asked for: a term's pages and
    the index of terms show how many (list.html, terms.html), and a category has thousands
    at 10,000."""

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


def _unit_outputs(site: Site, p: Prediction) -> list[Output]:
    return unit_files(site, site.unit(p), Memo())[1]


def _list_pages(
    lists: Lists, whole: Collection[str], edited: Mapping[str, Prediction], load: Load
) -> Iterator[PageSpec]:
    """The list pages that show an edited prediction, with its new version, and every page
    of the lists `whole` (by base)."""
    for bare, slugs in lists:
        count = max(1, -(-len(slugs) // bare.size))
        if bare.base in whole:
            numbers = list(range(1, count + 1))
        else:
            numbers = sorted({slugs.index(s) // bare.size + 1 for s in edited if s in slugs})
        if not numbers:
            continue
        # A term's pages name the term, which holds all its predictions (its list is the
        # term's predictions, in the same order); the other lists' pages only their own.
        page_list = bare
        if bare.term is not None:
            page_list = dataclasses.replace(bare, term=with_members(bare.term, slugs, load))
        for number in numbers:
            chunk = slugs[(number - 1) * bare.size : number * bare.size]
            items = tuple(load(slug) for slug in chunk)
            yield page_list.spec(pagination.Page(number, count, items, bare.base, len(slugs)))


def _site_calendar(
    site: Site, shown: Shown, edited: Mapping[str, Prediction], memo: Memo, again: Collection[str]
) -> bytes | None:
    """calendar.ics with the edited predictions' events, or None when none of them changed
    (a summary or a reference shows nowhere in it); `shown.events` takes the new ones."""
    base = site.config.url
    shown_there = (p for p in edited.values() if not p.draft)  # calendar.in_order's
    new = {p.slug: calendar.memo_event(memo, base, p) for p in shown_there}
    old = dict(event for event in shown.events if event[0] in new)
    if all(old.get(slug) == data for slug, data in new.items()) and not again:
        return None
    shown.events = tuple((slug, new.get(slug, data)) for slug, data in shown.events)
    return calendar.site_calendar(site, [data for _, data in shown.events])


def _bare(page_list: PageList) -> PageList:
    """The list without its predictions (taken back from Shown.predictions)."""
    term = page_list.term and dataclasses.replace(page_list.term, predictions=())
    return dataclasses.replace(page_list, items=(), term=term)


def _key(p: Prediction) -> str:
    return Memo.key("shown", p.digest, p.slug)


def _pickled(p: Prediction) -> bytes:
    return pickle.dumps(dataclasses.replace(p, body_html=""), protocol=pickle.HIGHEST_PROTOCOL)


def _slugs_in(values: Iterable[Any]) -> Iterator[str]:
    """The slugs of the predictions in `values`, as page keys see them (pagekeys.py): a term
    by its name and count, not its predictions."""
    stack: list[Any] = list(values)
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, (str, bytes, int, float)) or value is None or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Prediction):
            yield value.slug
        elif isinstance(value, Term):
            continue
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            stack.extend(getattr(value, f.name) for f in dataclasses.fields(value))
