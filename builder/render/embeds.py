"""Embeds: a prediction as a small card another site shows in an iframe, and the oEmbed file
that lets platforms find and size it.

- `predictions/<slug>/embed/`: the card (statement, confidence, status or outcome, the
  readers' figure when votes are on, a link back), made for an iframe of about 550x360, light
  and dark, without the masthead (templates/embed.html);
- `predictions/<slug>/oembed.json`: an oEmbed 1.0 "rich" response holding that iframe
  (https://oembed.com), announced by the prediction page's discovery `<link>`; the page also
  shows the iframe's code to copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape

from builder.content.model import Prediction
from builder.render import cards
from builder.render.outputs import Output
from builder.render.templates import PageSpec
from builder.site import urls
from builder.site.model import Site

EMBED_TEMPLATE = "embed.html"
OEMBED_FILE = "oembed.json"  # inside predictions/<slug>/
WIDTH, HEIGHT = 550, 360  # the iframe's size, in CSS pixels


def embed_url(p: Prediction) -> str:
    return f"{p.url}embed/"


def oembed_path(p: Prediction) -> str:
    return f"{p.url}{OEMBED_FILE}"


def embed_page(p: Prediction) -> PageSpec:
    return PageSpec(f"{embed_url(p)}index.html", embed_url(p), EMBED_TEMPLATE, {"prediction": p})


def iframe(site: Site, p: Prediction) -> str:
    """The HTML that embeds the prediction's card: in its oEmbed file and on its page."""
    src = urls.absolute(site.config.url, embed_url(p))
    title = escape(f"Prediction: {p.title}", quote=True)
    return (
        f'<iframe src="{escape(src, quote=True)}" width="{WIDTH}" height="{HEIGHT}" '
        f'title="{title}" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )


def oembed_file(site: Site, p: Prediction) -> Output:
    """The prediction's oEmbed file, made again only when what it holds changes (its title,
    author, the site's name and address)."""
    response = oembed(site, p)
    return Output(oembed_path(p), {"oembed": response}, _json(response))


def oembed(site: Site, p: Prediction) -> dict[str, object]:
    """The oEmbed 1.0 response (section 2.3 of the spec): a "rich" type with its html, width
    and height; the share card as its thumbnail when the site makes them."""
    config = site.config
    author = site.author(p.author)
    response: dict[str, object] = {
        "version": "1.0",
        "type": "rich",
        "title": p.title,
        "author_name": author.name,
        "author_url": urls.absolute(config.url, f"authors/{p.author}/"),
        "provider_name": config.title,
        "provider_url": config.url,
        "html": iframe(site, p),
        "width": WIDTH,
        "height": HEIGHT,
    }
    if config.share_cards:
        response["thumbnail_url"] = urls.absolute(config.url, cards.card_path(p))
        response["thumbnail_width"], response["thumbnail_height"] = cards.WIDTH, cards.HEIGHT
    return response


def _json(response: dict[str, object]) -> Callable[[], bytes]:
    """Serialised only when the file is made: a build plans 10,000 and makes the changed."""
    return lambda: (
        json.dumps(response, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode("utf-8")
