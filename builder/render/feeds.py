"""RSS 2.0 and Atom feeds, built with feedgen: the newest predictions, the resolutions, and one
feed per category, author and tag.

Everything in a feed is derived from the content, never from the clock: entry dates are the
publication (or resolution) date at 00:00 in the site's time zone, a prediction's `updated` the
latest of its publication, last update and resolution (`last_change`), and a feed's `updated` /
`lastBuildDate` is its newest entry's date, so two builds of the same input are byte-identical.
Entry ids are tag URIs made of the host, a date and the slug (see `entry_id`), so editing a
title or a body, or updating the confidence, never makes a reader show an old prediction as new.

Every text from site.yaml or the front matter is HTML-escaped in every element of both formats
(see `serialize`): readers render RSS titles and descriptions as HTML, and some do the same
with any text, so `<b>` in a title must reach them as `&lt;b&gt;`. The HTML an entry carries
(its content) is made in `feed_html`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from html import escape
from itertools import islice
from typing import Literal
from urllib.parse import quote, urlsplit

from feedgen.feed import FeedGenerator

from builder import __version__
from builder.content.model import Prediction
from builder.render.feed_html import article_html, resolution_html
from builder.render.outputs import Memo, Output
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site, Term
from builder.site.taxonomy import resolved_predictions
from builder.system.workers import map_forked

MAIN_RSS = "feed.xml"
MAIN_ATOM = "atom.xml"
RESOLUTIONS = "resolutions.xml"
TERM_FEED = "feed.xml"  # inside a term's folder: categories/<slug>/feed.xml
TERM_LABELS = {"categories": "Category", "tags": "Tag", "authors": "Author"}
EPOCH = dt.date(1970, 1, 1)  # `updated` of an empty feed on a site with no predictions
Content = Callable[[Prediction], str]  # a prediction's entry content, every URL absolute


@dataclass(frozen=True)
class Category:
    term: str
    scheme: str  # the absolute URL of the category or tag index


@dataclass(frozen=True)
class Item:
    """One feed entry, in feed-neutral terms."""

    id: str
    title: str
    link: str
    published: dt.datetime
    updated: dt.datetime
    author: str
    categories: tuple[Category, ...]
    summary: str
    content: str  # HTML, every URL absolute


@dataclass(frozen=True)
class Feed:
    path: str  # output file, e.g. "categories/space/feed.xml"
    title: str
    page: str  # the site path of the HTML page it follows, e.g. "categories/space/"
    description: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class FeedFile:
    """A feed file as written: everything `serialize` needs to write it again."""

    path: str
    format: Literal["rss", "atom"]
    feed: Feed
    fallback: dt.date  # `updated` when the feed has no entries
    # Per item, the slug of its prediction: what the shortcut makes again (shortcut.py).
    slugs: tuple[str, ...]
    resolutions: bool = False  # its items are resolutions (resolution_item), not articles

    def item(self, site: Site, p: Prediction, content: Content) -> Item:
        """The item this feed shows of `p`."""
        return resolution_item(site, p) if self.resolutions else prediction_item(site, p, content)


@dataclass(frozen=True)
class _Recipe:
    path: str
    inputs: dict[str, object]  # what the file is made from, for its key
    make: Callable[[], FeedFile]


def feed_files(site: Site, _specs: list[PageSpec], memo: Memo) -> list[Output]:
    """The pipeline extra: every feed of the site, each made only when its entries changed;
    entry content is kept in `memo` between builds."""
    base = site.config.url
    terms = (*site.categories, *site.authors, *site.tags)
    # A cold build makes every entry: do it on every core, before the feeds need them.
    in_feeds = [*latest(site, site.predictions)]
    in_feeds += [p for term in terms for p in latest(site, term.predictions)]
    shown = list({p.slug: p for p in in_feeds}.values())  # each once, in a stable order
    make = partial(article_html, base_url=base)
    memo.fill(
        [_key(p, base) for p in shown],
        lambda missing: map_forked(make, [shown[i] for i in missing]),
    )
    return [
        Output(r.path, r.inputs, partial(_serialize_recipe, site, r)) for r in _recipes(site, memo)
    ]


def _serialize_recipe(site: Site, recipe: _Recipe) -> bytes:
    return serialize(site, recipe.make())


def all_feeds(site: Site, memo: Memo) -> list[FeedFile]:
    """Every feed of the site, as written (once `feed_files` has filled `memo`)."""
    return [recipe.make() for recipe in _recipes(site, memo)]


def _recipes(site: Site, memo: Memo) -> list[_Recipe]:
    fallback = _fallback_date(site)
    content = partial(_memo_article, memo, site.config.url)
    newest = latest(site, site.predictions)
    resolved = latest(site, resolved_predictions(site))

    def main(path: str, form: Literal["rss", "atom"]) -> FeedFile:
        feed = main_feed(site, content)
        return FeedFile(path, form, feed, fallback, tuple(p.slug for p in newest))

    def resolutions() -> FeedFile:
        feed = resolutions_feed(site)
        slugs = tuple(p.slug for p in resolved)
        return FeedFile(RESOLUTIONS, "rss", feed, fallback, slugs, resolutions=True)

    main_inputs = {"items": newest, "fallback": fallback}
    recipes = [
        _Recipe(MAIN_RSS, main_inputs, partial(main, MAIN_RSS, "rss")),
        _Recipe(MAIN_ATOM, main_inputs, partial(main, MAIN_ATOM, "atom")),
        _Recipe(RESOLUTIONS, {"items": resolved, "fallback": fallback}, resolutions),
    ]
    for term in (*site.categories, *site.authors, *site.tags):
        inputs = {"term": term, "items": latest(site, term.predictions), "fallback": fallback}
        make = partial(term_feed_file, site, term, fallback, content)
        recipes.append(_Recipe(f"{term.url}{TERM_FEED}", inputs, make))
    return recipes


def term_feed_file(site: Site, term: Term, fallback: dt.date, content: Content) -> FeedFile:
    """A term's feed, as written."""
    feed = term_feed(site, term, content)
    slugs = tuple(p.slug for p in latest(site, term.predictions))
    return FeedFile(feed.path, "rss", feed, fallback, slugs)


def _memo_article(memo: Memo, base_url: str, p: Prediction) -> str:
    # Making URLs absolute parses the whole article: once per version of it, not per feed.
    return memo.get(_key(p, base_url), lambda: article_html(p, base_url))


def _key(p: Prediction, base_url: str) -> str:
    # The slug too: from the file's name, perhaps, which the digest does not cover.
    return Memo.key("feed", p.digest, p.slug, base_url)


# The feeds ---------------------------------------------------------------------------------


def latest(site: Site, predictions: Iterable[Prediction]) -> tuple[Prediction, ...]:
    """The newest `feed_size` published predictions; `predictions` are already newest first."""
    # islice: stop at the 20th, rather than filter all 10,000 for each of ~60 feeds.
    return tuple(islice((p for p in predictions if not p.draft), site.config.feed_size))


def main_feed(site: Site, content: Content) -> Feed:
    items = tuple(prediction_item(site, p, content) for p in latest(site, site.predictions))
    description = site.config.description or site.config.title
    return Feed(MAIN_RSS, site.config.title, "", description, items)


def resolutions_feed(site: Site) -> Feed:
    """The newest resolutions first (a prediction's resolution, not its publication)."""
    resolved = latest(site, resolved_predictions(site))
    items = tuple(resolution_item(site, p) for p in resolved)
    title = f"Resolutions · {site.config.title}"
    description = f"Predictions as they resolve on {site.config.title}."
    return Feed(RESOLUTIONS, title, "resolved/", description, items)


def term_feed(site: Site, term: Term, content: Content) -> Feed:
    items = tuple(prediction_item(site, p, content) for p in latest(site, term.predictions))
    title = f"{TERM_LABELS[term.kind]}: {term.name} · {site.config.title}"
    description = f"Predictions under {term.name} on {site.config.title}."
    return Feed(f"{term.url}{TERM_FEED}", title, term.url, description, items)


# Entries ----------------------------------------------------------------------------------


def entry_id(site: Site, date: dt.date, path: str) -> str:
    """A tag URI (RFC 4151): `tag:<host>,<date>:<site sub-path><path>`.

    `predictions/<slug>` with the publication date for a prediction, `resolutions/<slug>`
    with the resolution date for its resolution. Only the host, the date and the slug go in,
    so a new title, a new body or a rebuild keeps the id.
    """
    parts = urlsplit(site.config.url)
    prefix = urls.root_path(site.config.url).lstrip("/")
    return f"tag:{parts.hostname},{date.isoformat()}:{quote(prefix + path)}"


def midnight(site: Site, date: dt.date) -> dt.datetime:
    """A date as a moment: 00:00 in the site's time zone."""
    return dt.datetime.combine(date, dt.time(), tzinfo=site.config.zone)


def prediction_item(site: Site, p: Prediction, content: Content) -> Item:
    return Item(
        id=entry_id(site, p.date, f"predictions/{p.slug}"),
        title=p.title,
        link=urls.absolute(site.config.url, p.url),
        published=midnight(site, p.date),
        updated=midnight(site, last_change(p)),
        author=site.author(p.author).name,
        categories=_categories(site, p),
        summary=p.statement,
        content=content(p),
    )


def last_change(p: Prediction) -> dt.date:
    """An entry's `updated`: the latest of its publication, its last update and its
    resolution (a reader shows the entry again; its id stays)."""
    dates = [p.date, *(u.date for u in p.updates)]
    return max([*dates, p.resolution.date] if p.resolution else dates)


def resolution_item(site: Site, p: Prediction) -> Item:
    assert p.resolution is not None
    return Item(
        id=entry_id(site, p.resolution.date, f"resolutions/{p.slug}"),
        title=f"Resolved {p.resolution.outcome}: {p.title}",
        link=urls.absolute(site.config.url, p.url),
        published=midnight(site, p.resolution.date),
        updated=midnight(site, p.resolution.date),
        author=site.author(p.author).name,
        categories=_categories(site, p),
        summary=f"{site.status(p).label}. {p.statement}",
        content=resolution_html(p, site.config.url),
    )


def _categories(site: Site, p: Prediction) -> tuple[Category, ...]:
    base = site.config.url
    found = [Category(p.category, urls.absolute(base, "categories/"))] if p.category else []
    found += [Category(tag, urls.absolute(base, "tags/")) for tag in p.tags]
    return tuple(found)


# Serialisation with feedgen ---------------------------------------------------------------


def _fallback_date(site: Site) -> dt.date:
    """`updated` of a feed with no entries: the newest publication on the site (not the clock,
    which would change the file every day)."""
    dates = [p.date for p in site.predictions if not p.draft]
    return max(dates, default=EPOCH)


def serialize(site: Site, file: FeedFile) -> bytes:
    """The feed's bytes. Only the site's config is read, so the shortcut build can pass a
    site without its predictions."""
    generator = _generator(site, file.feed, file.path, file.fallback)
    if file.format == "atom":
        return _character_data(bytes(generator.atom_str(pretty=True)), atom=True)
    return _character_data(bytes(generator.rss_str(pretty=True)), atom=False)


def _text(text: str) -> str:
    """Plain text as HTML: what every feed element gets from the author (see `serialize`)."""
    return escape(text, quote=False)


# The elements (and Atom's category attributes) that hold `_text`, as feedgen writes them: no
# "<" or ">" inside, since lxml escapes both in text and in attribute values.
_TEXT_ELEMENT = re.compile(
    rb"<(title|subtitle|summary|description|name|category|dc:creator)\b[^<>]*(?:/>|>[^<]*</\1>)"
)
_ATOM_TEXT_CONSTRUCT = (b"title", b"subtitle", b"summary")


def _character_data(xml: bytes, *, atom: bool) -> bytes:
    """The "&" of the HTML escapes written "&#x26;", as the RSS Profile asks of character data
    (and the W3C feed validator reads `&#x` as that sign; it warns about a title holding
    "&lt;" otherwise); an Atom text construct holding an escape is declared `type="html"`, so
    an Atom reader decodes it once too. Text without "&", "<" or ">" is left as it is."""

    def rewrite(element: re.Match[bytes]) -> bytes:
        xml = element[0].replace(b"&amp;", b"&#x26;")
        if atom and element[1] in _ATOM_TEXT_CONSTRUCT and b"&" in xml:
            xml = xml.replace(element[1], element[1] + b' type="html"', 1)
        return xml

    return _TEXT_ELEMENT.sub(rewrite, xml)


def _generator(site: Site, feed: Feed, self_path: str, fallback: dt.date) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an email: dc:creator
    fg.id(urls.absolute(site.config.url, self_path))
    fg.title(_text(feed.title))
    fg.description(_text(feed.description))
    fg.language(site.config.language)
    fg.link(href=urls.absolute(site.config.url, self_path), rel="self")
    fg.link(href=urls.absolute(site.config.url, feed.page), rel="alternate")  # last: RSS <link>
    fg.generator("foretell", version=__version__)
    newest = max((item.updated for item in feed.items), default=midnight(site, fallback))
    fg.updated(newest)  # both atom:updated and lastBuildDate; feedgen's default is the clock
    for item in feed.items:
        _add_entry(fg, item)
    return fg


def _add_entry(fg: FeedGenerator, item: Item) -> None:
    entry = fg.add_entry(order="append")
    entry.id(item.id)  # also the RSS guid, isPermaLink="false"
    entry.title(_text(item.title))
    entry.link(href=item.link, rel="alternate")
    entry.published(item.published)
    entry.updated(item.updated)
    entry.author(name=_text(item.author))
    entry.dc.dc_creator(_text(item.author))
    for category in item.categories:
        term = _text(category.term)
        entry.category(term=term, scheme=category.scheme, label=term)
    entry.summary(_text(item.summary))
    entry.content(item.content, type="html")
