"""The calendar of target dates, built with icalendar: `calendar.ics` with one all-day event per
published prediction, and `predictions/<slug>/prediction.ics` with that prediction's event alone.
The event of a prediction not yet resolved carries a reminder (VALARM) at the start of its
target date: the author subscribed to the site's calendar is told when to resolve it.

Nothing comes from the clock: an event's UID is `<slug>@<host>` and its DTSTAMP is the
prediction's publication date at 00:00 UTC, so two builds of the same input are byte-identical
and a calendar app sees an edited prediction as the same event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache, partial
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vDuration

from builder.content.model import Prediction
from builder.render.outputs import Memo, Output
from builder.render.templates import PageSpec, percent
from builder.site import urls
from builder.site.model import Site
from builder.system.digests import digest
from builder.system.workers import map_forked

SITE_CALENDAR = "calendar.ics"
PREDICTION_CALENDAR = "prediction.ics"  # inside predictions/<slug>/
PRODID = "-//foretell//Prediction target dates//EN"
REFRESH = dt.timedelta(days=1)  # how often a subscribed calendar app should look again
Events = Callable[[Prediction], bytes]  # a prediction's VEVENT, serialised
# The shape of an event: part of every key an event's bytes are kept or made under, so that
# events a build of an earlier shape left in the memo are made again (2: the reminder).
EVENT_FORMAT = 2


def calendar_files(site: Site, _specs: list[PageSpec], memo: Memo) -> list[Output]:
    """The pipeline extra: the site's calendar, made only when its events changed; events are
    kept in `memo` between builds (and there for each prediction's own file)."""
    published = in_order(site)
    base = site.config.url
    # A cold build serialises every event: do it on every core, before the calendars need them.
    make = partial(event_bytes, base_url=base)
    memo.fill(
        [_key(p, base) for p in published], lambda i: map_forked(make, [published[n] for n in i])
    )
    events = partial(memo_event, memo, base)
    # Keyed by its events' bytes, not by the predictions: editing an article's body changes
    # the prediction but not its event, and then the 10,000-event file is not made again.
    ordered = [events(p) for p in published]
    inputs = {"events": digest(b"".join(ordered))}
    return [Output(SITE_CALENDAR, inputs, lambda: site_calendar(site, ordered))]


def in_order(site: Site) -> list[Prediction]:
    """The predictions calendar.ics holds, in its order: nearest target date first, ties by
    slug."""
    published = [p for p in site.predictions if not p.draft]
    return sorted(published, key=lambda p: (p.target_date, p.slug))


def prediction_calendar_files(site: Site, p: Prediction, memo: Memo) -> list[Output]:
    """The prediction's own calendar file (none for a draft), made only when it changed."""
    if p.draft:
        return []
    make = partial(prediction_calendar, p, partial(memo_event, memo, site.config.url))
    inputs = {"prediction": p, "format": EVENT_FORMAT}
    return [Output(prediction_calendar_path(p), inputs, make)]


def prediction_calendar_path(p: Prediction) -> str:
    return f"{p.url}{PREDICTION_CALENDAR}"


def site_calendar(site: Site, events: Iterable[bytes]) -> bytes:
    """The calendar of every prediction, from their events (nearest target date first, ties
    by slug: see calendar_files)."""
    calendar = _calendar()
    calendar.add("x-wr-calname", site.config.title)
    if site.config.description:
        calendar.add("x-wr-caldesc", site.config.description)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return _with_events(calendar, events)


def prediction_calendar(p: Prediction, events: Events) -> bytes:
    """One event to import; no calendar name, so apps add it to a calendar the reader picks."""
    return _single_head() + events(p) + _END


@cache
def _single_head() -> bytes:
    return _with_events(_calendar(), [])[: -len(_END)]


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _with_events(calendar: Calendar, events: Iterable[bytes]) -> bytes:
    """What `calendar.to_ical()` gives once the events are added as subcomponents, without
    serialising an event twice: icalendar folds lines one character at a time, and a site's
    events go both in calendar.ics and in each prediction's own file."""
    empty = bytes(calendar.to_ical())
    assert empty.endswith(_END), empty
    return empty[: -len(_END)] + b"".join(events) + _END


_END = b"END:VCALENDAR\r\n"


def event_bytes(p: Prediction, base_url: str) -> bytes:
    return bytes(event(p, base_url).to_ical())


def memo_event(memo: Memo, base_url: str, p: Prediction) -> bytes:
    # Serialising is slow (icalendar folds lines a character at a time): once per version.
    return memo.get(_key(p, base_url), lambda: event_bytes(p, base_url))


def _key(p: Prediction, base_url: str) -> str:
    # The slug too: from the file's name, perhaps, which the digest does not cover.
    return Memo.key("ics", p.digest, p.slug, base_url, EVENT_FORMAT)


def event(p: Prediction, base_url: str) -> Event:
    """An all-day event on the target date, free time (TRANSP), stable UID and DTSTAMP."""
    page = urls.absolute(base_url, p.url)
    item = Event()
    item.add("uid", uid(p, base_url))
    item.add("dtstamp", dtstamp(p))
    item.add("dtstart", p.target_date)
    # On the last day a date can hold there is no next day: without DTEND, a DATE start makes
    # a one-day event all the same (RFC 5545, 3.6.1).
    if p.target_date < dt.date.max:
        item.add("dtend", p.target_date + dt.timedelta(days=1))
    item.add("summary", p.title)
    item.add("description", description(p, page))
    item.add("url", page)
    item.add("transp", "TRANSPARENT")
    if p.category:
        item.add("categories", [p.category])
    if p.resolution is None:
        item.add_component(reminder(p))
    return item


def reminder(p: Prediction) -> Alarm:
    """A notice when the target date begins (the event's start, an all-day date): the day
    the author can usually tell how it turned out, and `foretell due` lists it from then."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(0))  # RELATED=START is the default
    alarm.add("description", f"Target date today: {p.title}\n{resolve_hint(p)}")
    return alarm


def resolve_hint(p: Prediction) -> str:
    return f"Record the outcome: foretell resolve {p.slug} --outcome yes|no|void"


def uid(p: Prediction, base_url: str) -> str:
    return f"{p.slug}@{urlsplit(base_url).hostname}"


def dtstamp(p: Prediction) -> dt.datetime:
    """The publication date at 00:00 UTC: fixed for the life of the prediction."""
    return dt.datetime.combine(p.date, dt.time(), tzinfo=dt.UTC)


def description(p: Prediction, page: str) -> str:
    lines = [f"Prediction: {p.statement}"]
    if p.confidence is not None:
        lines.append(f"Author's confidence: {percent(p.confidence)}")
    lines += ["", page]
    return "\n".join(lines)
