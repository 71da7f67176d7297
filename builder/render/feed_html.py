"""The HTML a feed entry carries: a prediction's claim, forecasts, resolution, article and
references (`article_html`), or its resolution (`resolution_html`).

Every text from the front matter is HTML-escaped here, where it becomes HTML; the article body
is already HTML (Markdown rendered with the page). A reader shows the entry away from the page
it comes from, so every URL in it is made absolute (`absolutize`): an href, src, poster or cite
that is relative ("x", "/x", "#x", "//h/x", "") is resolved against the page's absolute URL, and
every other byte is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

from builder.content.model import Prediction
from builder.render.templates import longdate, percent
from builder.site import urls

URL_ATTRIBUTES = ("href", "src", "poster", "cite")
OUTCOME_TEXT = {
    "yes": "yes: it happened",
    "no": "no: it did not happen",
    "void": "void: the question could not be settled",
}
CONFIDENCE = "Author\u2019s confidence"


def article_html(p: Prediction, base_url: str) -> str:
    """The prediction, then the article, then its references; every URL made absolute."""
    parts = [_claim_html(p), _resolution_line(p), p.body_html, _references_html(p)]
    return absolutize("\n".join(part for part in parts if part), urls.absolute(base_url, p.url))


def resolution_html(p: Prediction, base_url: str) -> str:
    assert p.resolution is not None
    page = urls.absolute(base_url, p.url)
    r = p.resolution
    facts = [
        ("Outcome", escape(OUTCOME_TEXT[r.outcome])),
        ("Resolved on", _time(r.date)),
        ("Target date", _time(p.target_date)),
    ]
    facts += _confidence(p)
    if r.evidence:
        facts.append(("Evidence", f'<a href="{escape(r.evidence)}">{escape(r.evidence)}</a>'))
    parts = [
        f"<p><strong>Prediction:</strong> {escape(p.statement)}</p>",
        _facts_html(facts),
        _updates_html(p),
        f"<p>{escape(r.note)}</p>" if r.note else "",
        f'<p><a href="{escape(page)}">Read the prediction: {escape(p.title)}</a></p>',
    ]
    return absolutize("\n".join(part for part in parts if part), page)


def _claim_html(p: Prediction) -> str:
    facts = [("Target date", _time(p.target_date))]
    facts += _confidence(p)
    claim = f"<p><strong>Prediction:</strong> {escape(p.statement)}</p>\n{_facts_html(facts)}"
    return "\n".join(part for part in (claim, _updates_html(p)) if part)


def _confidence(p: Prediction) -> list[tuple[str, str]]:
    """The confidence standing now; with updates, since when and what it was first."""
    current = p.current_confidence
    if current is None:
        return []
    if not p.updates:
        return [(CONFIDENCE, escape(percent(current)))]
    first = f"; first forecast {escape(percent(p.confidence))}" if p.confidence is not None else ""
    since = f" (since {_time(p.updates[-1].date)}{first})"
    return [(CONFIDENCE, escape(percent(current)) + since)]


def _updates_html(p: Prediction) -> str:
    """Every forecast, oldest first, each with its date and note: the page's table, as a list."""
    if not p.updates:
        return ""
    items = []
    if p.confidence is not None:
        items.append(f"<li>{_time(p.date)}: {escape(percent(p.confidence))}, first forecast</li>")
    for u in p.updates:
        note = f". {escape(u.note)}" if u.note else ""
        items.append(f"<li>{_time(u.date)}: {escape(percent(u.confidence))}{note}</li>")
    return f"<p><strong>Confidence over time:</strong></p>\n<ol>{''.join(items)}</ol>"


def _resolution_line(p: Prediction) -> str:
    if p.resolution is None:
        return ""
    evidence = p.resolution.evidence
    link = f' (<a href="{escape(evidence)}">evidence</a>)' if evidence else ""
    return (
        f"<p><strong>Resolved {p.resolution.outcome}</strong> on "
        f"{_time(p.resolution.date)}{link}.</p>"
    )


def _facts_html(facts: Sequence[tuple[str, str]]) -> str:
    """`facts` are (label, HTML) pairs; labels are plain text."""
    rows = "".join(f"<li>{escape(label)}: {value}</li>" for label, value in facts)
    return f"<ul>{rows}</ul>"


def _time(date: dt.date) -> str:
    return f'<time datetime="{date.isoformat()}">{escape(longdate(date))}</time>'


def _references_html(p: Prediction) -> str:
    if not p.references:
        return ""
    items = []
    for ref in p.references:
        source = ", ".join(escape(part) for part in (ref.publisher, longdate(ref.date)) if part)
        title = escape(ref.title)
        link = f'<a href="{escape(ref.url)}">{title}</a>' if ref.url else f"<cite>{title}</cite>"
        items.append(f'<li id="ref-{ref.number}">{source + ". " if source else ""}{link}</li>')
    return f"<h2>References</h2>\n<ol>{''.join(items)}</ol>"


def absolutize(html: str, base: str) -> str:
    """`html` with every relative URL in an href, src, poster or cite attribute ("x", "/x",
    "#x", "//h/x", "") resolved against `base`, the absolute URL of the page it comes from.

    Only those attribute values change: text, comments, the contents of script and style
    elements and every other byte are kept as they are.
    """
    out, pos = [], 0
    while match := _TOKEN.search(html, pos):
        out += [html[pos : match.start()], _rewrite_tag(match, base)]
        pos = match.end()
        name = (match["name"] or "").lower()
        if name in RAW_TEXT:  # its contents are not HTML: skip to its end tag
            end = re.compile(rf"</{name}[\s>/]", re.IGNORECASE).search(html, pos)
            stop = end.start() if end else len(html)
            out.append(html[pos:stop])
            pos = stop
    out.append(html[pos:])
    return "".join(out)


RAW_TEXT = ("script", "style")
_ATTR = r"""\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"""
# A comment (kept), or a start tag with its attributes; a quoted value may hold ">".
_TOKEN = re.compile(
    rf"<!--.*?-->|<(?P<name>[A-Za-z][^\s/>]*)(?P<attrs>(?:{_ATTR})*)(?P<end>\s*/?>)", re.DOTALL
)
_ATTRS = re.compile(
    r"""(?P<lead>\s+(?P<key>[^\s"'>/=]+)\s*=\s*)(?P<value>"[^"]*"|'[^']*'|[^\s>]+)"""
)

_HAS_URL = re.compile(rf"\s(?:{'|'.join(URL_ATTRIBUTES)})\s*=", re.IGNORECASE)  # a quick test


def _rewrite_tag(tag: re.Match[str], base: str) -> str:
    if tag["name"] is None or not _HAS_URL.search(tag["attrs"]):
        return tag[0]
    attrs = _ATTRS.sub(lambda attr: _rewrite_attr(attr, base), tag["attrs"])
    return f"<{tag['name']}{attrs}{tag['end']}"


def _rewrite_attr(attr: re.Match[str], base: str) -> str:
    if attr["key"].lower() not in URL_ATTRIBUTES:
        return attr[0]
    raw = attr["value"]
    value = unescape(raw[1:-1] if raw[0] in "\"'" else raw)
    fixed = _absolute(value, base)
    return attr[0] if fixed == value else f'{attr["lead"]}"{escape(fixed)}"'


def _absolute(url: str, base: str) -> str:
    try:
        return url if urlsplit(url.strip()).scheme else urljoin(base, url.strip())
    except ValueError:  # not a URL at all ("http://[oops"): left for the reader to judge
        return url
