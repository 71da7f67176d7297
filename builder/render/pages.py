"""Every HTML page of the site, as specs: which template renders what, at which path."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from builder.content.model import Prediction
from builder.render import embeds, integrity, redirects, timestamps
from builder.render.charts import calibration_svg
from builder.render.history_chart import history_svg
from builder.render.lists import NO_RECORD, PageList
from builder.render.outputs import Memo
from builder.render.search import search_page
from builder.render.templates import PageSpec
from builder.site import taxonomy
from builder.site.model import Site, Term
from builder.system.digests import digest
from builder.trackrecord.crowd import CrowdComparison
from builder.trackrecord.records import prediction_points
from builder.trackrecord.scoring import NO_SCORES, Bin
from builder.trackrecord.slices import Slice, SliceGroup

# Status lists: URL, title, how to pick and order the predictions.
STATUS_LISTS = (
    ("open/", "Open predictions", taxonomy.open_predictions),
    ("resolved/", "Resolved predictions", taxonomy.resolved_predictions),
    ("upcoming/", "Upcoming target dates", taxonomy.upcoming_predictions),
    ("awaiting/", "Awaiting resolution", taxonomy.awaiting_predictions),
)
TERM_KINDS = (("categories", "Categories"), ("tags", "Tags"), ("authors", "Authors"))
PREDICTION_TEMPLATE = "prediction.html"  # the only page showing an article's body (shortcut.py)


def all_pages(site: Site, memo: Memo | None = None) -> list[PageSpec]:
    """Every page: the site's own and each prediction's."""
    units = (unit_pages(site.alone(site.unit(p)), p) for p in site.predictions)
    return [*site_pages(site, memo), *(spec for specs in units for spec in specs)]


def site_pages(site: Site, memo: Memo | None = None) -> list[PageSpec]:
    """The pages made from many predictions: the lists, the terms, the track record, search
    and 404; `memo` keeps the charts from one build to the next (`_chart`)."""
    others, lists = site_plan(site, memo or Memo())
    return [*others, *(spec for page_list in lists for spec in page_list.pages())]


def site_plan(site: Site, memo: Memo) -> tuple[list[PageSpec], list[PageList]]:
    """The site's pages (site_pages) as the incremental build plans them: its paginated
    lists apart, whose pages are keyed without their contexts (render/lists.py)."""
    others = [_with_masthead(site, spec) for spec in _other_pages(site, memo)]
    return others, page_lists(site, memo)


def unit_pages(site: Site, p: Prediction) -> list[PageSpec]:
    """A prediction's own pages, made from `Site.alone` (pipeline.unit_files): its page, its
    card for other sites' iframes (no masthead) and its old addresses, sending readers on."""
    return [prediction_page(site, p), embeds.embed_page(p), *redirects.alias_pages(p)]


def masthead(site: Site) -> dict[str, object]:
    """What the masthead of every page shows that the site decides: in each page's context, so
    that its key covers it. Whether there are any, not how many: the count changes at every
    resolution, and would re-render every page of the site."""
    return {"awaiting_link": site.awaiting > 0}


def _with_masthead(site: Site, spec: PageSpec) -> PageSpec:
    return dataclasses.replace(spec, context={**spec.context, **masthead(site)})


def prediction_page(site: Site, prediction: Prediction) -> PageSpec:
    return PageSpec(
        path=f"{prediction.url}index.html",
        url=prediction.url,
        template=PREDICTION_TEMPLATE,
        context={
            "prediction": prediction,
            "author": site.author(prediction.author),
            # The author's figures are not the page's: author_figures.py says why.
            "author_url": site.author_stats(prediction.author).url,
            "points": prediction_points(site.scored(prediction)),  # as git vouches for it
            "integrity": integrity.notice(site, prediction),
            "timestamps": timestamps.notice(site, prediction),
            "history_chart": _history_chart(prediction),
            # The readers' final forecast, once resolved (content/crowd.json): its tally and
            # figures are here, so a new snapshot re-renders the pages it changes.
            "crowd": site.crowd_forecast(prediction),
            "embed_code": embeds.iframe(site, prediction),  # its card, for other sites
            **masthead(site),  # the shortcut renders this page alone: see all_pages
        },
    )


def _history_chart(prediction: Prediction) -> str | None:
    """The step chart of a prediction whose confidence changed; None for one that never did."""
    if not prediction.updates or not prediction.forecasts:
        return None
    title = f"How the author\u2019s confidence changed: {prediction.title}"
    return history_svg(prediction, title=title, element_id="history-chart")


def track_record_page(site: Site, memo: Memo) -> PageSpec:
    """Every author's record (in site.yaml's order), the site's, and how they are computed."""
    title = f"Calibration of every forecast on {site.config.title}"
    return PageSpec(
        path="track-record/index.html",
        url="track-record/",
        template="track_record.html",
        context={
            "title": "Track record",
            "authors": tuple(site.stats.values()),
            "site_record": site.site_scores,
            # Past the target date, unresolved: how many, how long (trackrecord/overdue.py).
            "overdue": site.overdue,
            "overdue_by_author": site.overdue_by_author,
            "chart": _chart(memo, site.site_scores.calibration, title, "site-calibration"),
            "slices": _slice_charts(memo, site.slices(), "site-slice"),
            # Each author and the crowd on the same predictions, then every author together.
            "against_crowd": _against_crowd(site),
            "site_against_crowd": site.against_crowd(),
            "has_crowd": bool(site.crowd),
        },
    )


def _against_crowd(site: Site) -> tuple[tuple[str, str | None, CrowdComparison], ...]:
    """(name, link, comparison) of each author the crowd can be compared with, and of all
    authors together when there are several."""
    pairs = [(s.name, s.url, site.against_crowd(s.key)) for s in site.stats.values()]
    shown: list[tuple[str, str | None, CrowdComparison]] = [p for p in pairs if p[2].count]
    if len(shown) > 1:
        shown.append(("All authors", None, site.against_crowd()))
    return tuple(shown)


def page_lists(site: Site, memo: Memo) -> list[PageList]:
    """Every paginated list: the home page, the status lists, then each term's."""
    shown = masthead(site)
    size = site.config.paginate
    lists = [PageList("", site.config.title, "home", site.predictions, size, shown)]
    for url, title, pick in STATUS_LISTS:
        lists.append(PageList(url, title, url.strip("/"), pick(site), size, shown))
    for kind, _ in TERM_KINDS:
        for term in getattr(site, kind):
            author = site.author(term.slug) if kind == "authors" else None
            first = _record(site, memo, term) if kind == "authors" else NO_RECORD
            page_list = PageList(term.url, term.name, kind, term.predictions, size, shown)
            lists.append(dataclasses.replace(page_list, term=term, author=author, first=first))
    return lists


def _other_pages(site: Site, memo: Memo) -> Iterator[PageSpec]:
    """The site's pages but its lists: each kind of term's index, the track record, search
    and 404."""
    for kind, title in TERM_KINDS:
        yield terms_page(kind, title, getattr(site, kind))
    yield track_record_page(site, memo)
    yield from search_page(site)
    yield PageSpec("404.html", "404.html", "404.html", {"title": "Page not found"})


def terms_page(kind: str, title: str, terms: Sequence[Term]) -> PageSpec:
    """The index of one kind of term (without the masthead: site_plan adds it)."""
    context = {"title": title, "kind": kind, "terms": tuple(terms)}
    return PageSpec(f"{kind}/index.html", f"{kind}/", "terms.html", context)


def _record(site: Site, memo: Memo, term: Term) -> dict[str, object]:
    """What an author's first page shows of their record."""
    record = site.author_scores.get(term.slug, NO_SCORES)
    title = f"Calibration of {site.author(term.slug).name}\u2019s forecasts"
    chart = _chart(memo, record.calibration, title, "author-calibration")
    slices = _slice_charts(memo, site.slices(term.slug), "author-slice")
    against_crowd = site.against_crowd(term.slug)
    return {"record": record, "chart": chart, "slices": slices, "against_crowd": against_crowd}


def _slice_charts(memo: Memo, groups: tuple[SliceGroup, ...], prefix: str) -> tuple[SliceView, ...]:
    """Each non-empty kind of slice with a small calibration chart per slice."""
    return tuple(
        SliceView(
            group.kind,
            group.title,
            group.slices,
            tuple(
                _slice_chart(memo, s, f"{prefix}-{s.kind}-{n}") for n, s in enumerate(group.slices)
            ),
        )
        for group in groups
        if group.slices
    )


def _slice_chart(memo: Memo, s: Slice, element_id: str) -> str:
    # The id by position: a tag's slug may hold letters an HTML id made here must not.
    title = f"Calibration of the forecasts {_slice_words(s)}"
    return _chart(memo, s.scores.calibration, title, element_id)


def _chart(memo: Memo, bins: Sequence[Bin], title: str, element_id: str) -> str:
    """A calibration chart, made again only when what it shows changed: a site has hundreds
    (every slice of every author), and an edit changes a few."""
    shown = digest(repr((tuple(bins), title, element_id)).encode())
    return memo.get(
        Memo.key("chart", shown), lambda: calibration_svg(bins, title=title, element_id=element_id)
    )


def _slice_words(s: Slice) -> str:
    if s.kind == "category":
        return f"in the category {s.name}"
    if s.kind == "tag":
        return f"tagged {s.name}"
    if s.kind == "horizon":
        return f"with a horizon of {s.name.lower()}"
    return f"resolved in {s.name}"


@dataclasses.dataclass(frozen=True)
class SliceView:
    """One kind of slice as a page shows it: its slices and, in the same order, their charts."""

    kind: str
    title: str
    slices: tuple[Slice, ...]
    charts: tuple[str, ...]
