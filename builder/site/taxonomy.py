"""Assemble the Site: predictions grouped into categories, tags and authors, with their
history; the status lists. (pagination.py splits a list into pages.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from builder.config.siteconfig import SiteConfig
from builder.content.crowd import CrowdTally
from builder.content.model import Prediction, newest_first
from builder.content.slugs import slugify
from builder.site.model import Site, Term, site_statuses
from builder.trackrecord.history import FileHistory
from builder.trackrecord.records import author_records
from builder.trackrecord.vouch import as_scored


def build_site(
    config: SiteConfig,
    predictions: Iterable[Prediction],
    today: dt.date,
    crowd: Mapping[str, CrowdTally] | None = None,
) -> Site:
    published = newest_first(list(predictions))
    stats, author_scores, site_scores = author_records(config, published)
    statuses = site_statuses(published, today)
    return Site(
        config=config,
        today=today,
        statuses=statuses,
        awaiting=sum(status.key == "awaiting" for status in statuses.values()),
        predictions=published,
        categories=_terms("categories", published),
        tags=_terms("tags", published),
        authors=_author_terms(config, published),
        stats=stats,
        author_scores=author_scores,
        site_scores=site_scores,
        crowd=crowd or {},
    )


def with_history(site: Site, history: Mapping[str, FileHistory]) -> Site:
    """The site with its predictions' git history, and its figures as that history vouches
    for them (trackrecord/vouch.py): predictions recorded after the fact counted in each
    author's `late` and, unless site.yaml includes them, left out of the scores; backdated
    updates scored from their commit's date.

    build_site scores every forecast as stated, which is what history vouches for on most
    sites: the figures are computed again only when it does not.
    """
    site = dataclasses.replace(site, history=history, vouches={})
    stamped_only = site.config.track_record.stamped_only
    if not history and not site.stamps and not stamped_only:
        return site  # outside git, nothing committed or stamped: nothing claimed or changed
    vouches = [(p, site.vouched(p)) for p in site.predictions]
    late = Counter(p.author for p, vouch in vouches if vouch.late and not p.draft)
    stamped = Counter(p.author for p, vouch in vouches if vouch.stamped and _scorable(p))
    scored = [as_scored(p, vouch, site.includes_late, stamped_only) for p, vouch in vouches]
    if any(a is not b for a, (b, _) in zip(scored, vouches, strict=True)):
        stats, author_scores, site_scores = author_records(site.config, scored)
        site = dataclasses.replace(
            site, stats=stats, author_scores=author_scores, site_scores=site_scores
        )
    if late or stamped:
        stats = {
            key: dataclasses.replace(s, late=late[key], stamped=stamped[key])
            for key, s in site.stats.items()
        }
        site = dataclasses.replace(site, stats=stats)
    # Every page asks (its notice, its points): look it up rather than work it out again.
    return dataclasses.replace(site, vouches={p.slug: vouch for p, vouch in vouches})


def _scorable(p: Prediction) -> bool:
    """Published, resolved yes or no, with a confidence: what a score can be made of."""
    resolution = p.resolution
    ok = resolution is not None and resolution.outcome != "void" and p.confidence is not None
    return ok and not p.draft


NAMED_KINDS = ("categories", "tags")  # the kinds of term a prediction names (authors: site.yaml)


def term_names(p: Prediction, kind: str) -> list[str]:
    """The names of the terms of `kind` (categories, tags) that `p` is under."""
    if kind == "categories":
        return [p.category] if p.category else []
    return list(p.tags)


def spellings(predictions: Iterable[Prediction], kind: str) -> dict[str, Counter[str]]:
    """slug -> each spelling of a term of `kind`, with how many of `predictions` use it."""
    counts = Counter(name for p in predictions for name in dict.fromkeys(term_names(p, kind)))
    found: dict[str, Counter[str]] = {}
    for name, count in counts.items():
        found.setdefault(slugify(name), Counter())[name] = count
    return found


def _terms(kind: str, predictions: Sequence[Prediction]) -> tuple[Term, ...]:
    """Names that differ only in case, accents or separators ("Économie", "economie") are
    one term, named by the least of its spellings; other names that share a slug are refused
    before this (term_clashes)."""
    groups: dict[str, list[Prediction]] = {}
    display: dict[str, str] = {}
    for prediction in predictions:
        listed: set[str] = set()  # once per term, however many spellings it has here
        for name in term_names(prediction, kind):
            slug = slugify(name)
            display[slug] = min(display.get(slug, name), name)
            if slug not in listed:
                listed.add(slug)
                groups.setdefault(slug, []).append(prediction)
    return tuple(Term(kind, slug, display[slug], tuple(groups[slug])) for slug in sorted(groups))


def _author_terms(config: SiteConfig, predictions: Sequence[Prediction]) -> tuple[Term, ...]:
    return tuple(
        Term("authors", a.key, a.name, tuple(p for p in predictions if p.author == a.key))
        for a in config.authors
    )


def open_predictions(site: Site) -> tuple[Prediction, ...]:
    return tuple(p for p in site.predictions if p.resolution is None)


def resolved_predictions(site: Site) -> tuple[Prediction, ...]:
    """Most recently resolved first."""
    done = [p for p in site.predictions if p.resolution is not None]
    return tuple(sorted(done, key=lambda p: (p.resolution.date, p.slug), reverse=True))  # type: ignore[union-attr]


def upcoming_predictions(site: Site) -> tuple[Prediction, ...]:
    """Open predictions whose target date has not passed, nearest first."""
    waiting = [p for p in open_predictions(site) if site.status(p).key in ("open", "soon")]
    return tuple(sorted(waiting, key=lambda p: (p.target_date, p.slug)))


def awaiting_predictions(site: Site) -> tuple[Prediction, ...]:
    """Those whose target date has passed without a resolution, oldest target date first:
    the longest overdue at the top."""
    waiting = [p for p in site.predictions if site.status(p).key == "awaiting"]
    return tuple(sorted(waiting, key=lambda p: (p.target_date, p.slug)))
