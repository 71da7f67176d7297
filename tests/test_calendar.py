"""calendar.ics and the per-prediction .ics files, read back with icalendar."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import SiteFolder, prediction_text
from icalendar import Calendar, Event
from test_feeds import built_desk, write_desk

BASE = "https://test.example.org/"
PUBLISHED = {  # slug: (publication date, target date), from test_feeds.write_desk
    "alpha": ("2026-03-01", "2027-01-01"),
    "beta": ("2026-03-01", "2026-05-31"),
    "gamma": ("2026-02-01", "2026-07-01"),
    "delta": ("2026-04-01", "2026-04-30"),
    "extra": ("2026-01-05", "2027-01-01"),
    "extra2": ("2026-01-06", "2027-01-01"),
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> SiteFolder:
    return built_desk(tmp_path_factory, "calendar")


def read(site: SiteFolder, path: str = "calendar.ics") -> Calendar:
    return Calendar.from_ical((site.output / path).read_bytes())


def events(calendar: Calendar) -> dict[str, Event]:
    """Events by the slug in their UID."""
    found = [e for e in calendar.walk("VEVENT") if isinstance(e, Event)]
    return {str(e["UID"]).split("@")[0]: e for e in found}


def test_calendar_has_one_all_day_event_per_published_prediction(desk: SiteFolder) -> None:
    # Catches: drafts in the calendar, timed events or a one-second DTEND instead of an
    # all-day event, a summary or description without the prediction.
    found = events(read(desk))
    assert set(found) == set(PUBLISHED)  # no "draft"
    for slug, (_, target) in PUBLISHED.items():
        event = found[slug]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and start == dt.date.fromisoformat(target)
        assert type(end) is dt.date and end == start + dt.timedelta(days=1)
        assert str(event["URL"]) == f"{BASE}predictions/{slug}/"
        assert f"{BASE}predictions/{slug}/" in str(event["DESCRIPTION"])
    alpha = found["alpha"]
    assert str(alpha["SUMMARY"]) == "Alpha"
    assert "Alpha will happen." in str(alpha["DESCRIPTION"])
    raw = (desk.output / "calendar.ics").read_text(encoding="utf-8")
    assert "DTSTART;VALUE=DATE:20270101" in raw


def test_calendar_properties(desk: SiteFolder) -> None:
    # Catches: a calendar apps refuse (no VERSION/PRODID) or that subscribes without a name.
    calendar = read(desk)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//foretell//")
    assert str(calendar["X-WR-CALNAME"]) == "Test Desk"


def test_uids_are_unique_and_dtstamp_is_the_publication_date(desk: SiteFolder) -> None:
    # Catches: random or counter UIDs, DTSTAMP taken from the clock (a byte comparison of two
    # builds in the same second would not see it).
    found = events(read(desk))
    uids = [str(e["UID"]) for e in found.values()]
    assert sorted(uids) == sorted(f"{slug}@test.example.org" for slug in PUBLISHED)
    for slug, (published, _) in PUBLISHED.items():
        stamp = found[slug].decoded("DTSTAMP")
        assert stamp == dt.datetime.fromisoformat(published).replace(tzinfo=dt.UTC), slug


def test_uid_and_dtstamp_survive_an_edit_and_another_day(site: SiteFolder) -> None:
    # Catches: UIDs derived from the title, DTSTAMP derived from --now or the build time.
    write_desk(site)
    assert site.build() == 0
    before = {slug: (e["UID"], e["DTSTAMP"].to_ical()) for slug, e in events(read(site)).items()}
    site.write("alpha.md", prediction_text("Alpha, retitled", date="2026-03-01", body="New.\n"))
    assert site.build("--now", "2026-12-30") == 0
    after = events(read(site))
    assert {slug: (e["UID"], e["DTSTAMP"].to_ical()) for slug, e in after.items()} == before
    assert str(after["alpha"]["SUMMARY"]) == "Alpha, retitled"  # the edit did reach it


def test_each_prediction_has_its_own_ics(desk: SiteFolder) -> None:
    # Catches: a per-prediction file missing, holding every event, or differing from the
    # site calendar's event; an "Add to calendar" link that does not reach it.
    site_events = events(read(desk))
    for slug in PUBLISHED:
        path = f"predictions/{slug}/prediction.ics"
        own = events(read(desk, path))
        assert list(own) == [slug]
        assert own[slug].to_ical() == site_events[slug].to_ical()
        page = f"predictions/{slug}/"
        link = desk.html(page).select_one(".claim a.add-to-calendar")
        assert link.get_text() == "Add to calendar"
        target = urlsplit(urljoin("http://local.test/" + page, link["href"])).path
        assert target == "/" + path
    assert not (desk.output / "predictions/draft").exists()


def test_drafts_stay_out_of_the_calendar_in_a_preview_build(site: SiteFolder) -> None:
    # Catches: relying on the site's list, which holds drafts when building with --drafts,
    # and a draft page linking to a .ics that is not built.
    write_desk(site)
    assert site.build("--drafts") == 0
    assert set(events(read(site))) == set(PUBLISHED)
    assert not (site.output / "predictions/draft/prediction.ics").exists()
    assert site.html("predictions/draft/").select_one("a.add-to-calendar") is None


def test_the_last_date_a_calendar_can_hold_builds(site: SiteFolder, capsys) -> None:
    # Catches: DTEND computed as target + 1 day, which overflows on 9999-12-31 (check passed
    # and build died with OverflowError); any other date arithmetic on the far ends of the
    # calendar (statuses, "resolves soon", feeds) on the first and the last possible day.
    site.write("last.md", prediction_text("Last", date="9999-12-31", target="9999-12-31"))
    resolved = "resolution: {outcome: yes, date: 9999-12-31}\n"
    site.write("done.md", prediction_text("Done", target="9999-12-31", prediction_extra=resolved))
    site.write("first.md", prediction_text("First", date="0001-01-01", target="0001-01-01"))
    assert site.check() == 0
    for now in ("2026-11-25", "9999-12-31", "0001-01-01"):
        assert site.build("--now", now) == 0, capsys.readouterr().err
    found = events(read(site))
    last = found["last"]
    assert last.decoded("DTSTART") == dt.date.max
    # No DTEND: with a DATE start and no end, RFC 5545 (3.6.1) makes it a one-day event.
    assert "DTEND" not in last and "DURATION" not in last
    assert found["done"].decoded("DTSTART") == dt.date.max
    first = found["first"]
    assert first.decoded("DTEND") - first.decoded("DTSTART") == dt.timedelta(days=1)
    assert "Traceback" not in capsys.readouterr().err


UNRESOLVED = ("alpha", "extra", "extra2")  # beta, gamma and delta are resolved


def test_an_unresolved_prediction_reminds_its_author_when_its_target_date_begins(
    desk: SiteFolder,
) -> None:
    # Catches: no reminder, one at another time (the day before, the end of the day), one
    # relative to the event's end, one without what to do; and a reminder left on a
    # prediction already resolved.
    found = events(read(desk))
    for slug in PUBLISHED:
        alarms = found[slug].walk("VALARM")
        if slug not in UNRESOLVED:
            assert alarms == [], slug
            continue
        assert len(alarms) == 1, slug
        alarm = alarms[0]
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == dt.timedelta(0)  # from the event's start...
        assert alarm["TRIGGER"].params.get("RELATED", "START") == "START"
        start = found[slug].decoded("DTSTART")  # ... which is the target date, all day
        assert start == dt.date.fromisoformat(PUBLISHED[slug][1])
        assert f"foretell resolve {slug} --outcome yes|no|void" in str(alarm["DESCRIPTION"])
    assert "Target date today: Alpha\n" in str(found["alpha"].walk("VALARM")[0]["DESCRIPTION"])
    own = events(read(desk, "predictions/alpha/prediction.ics"))["alpha"]
    assert len(own.walk("VALARM")) == 1


def test_events_an_earlier_build_made_without_reminders_are_made_again(
    site: SiteFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: events kept in the build cache by a foretell that made them without the
    # reminder (the memo's key not naming the event's shape), and per-prediction calendars
    # not made again because the prediction itself did not change.
    from builder.render import calendar

    write_desk(site)
    made = calendar.event

    def without_reminder(p, base_url):  # what foretell made before the reminder
        item = made(p, base_url)
        item.subcomponents.clear()
        return item

    with monkeypatch.context() as earlier:
        earlier.setattr(calendar, "event", without_reminder)
        earlier.setattr(calendar, "EVENT_FORMAT", 1)
        assert site.build() == 0
    assert events(read(site))["alpha"].walk("VALARM") == []
    site.write("new.md", prediction_text("New", date="2026-05-01"))  # not a no-op build
    assert site.build() == 0
    found = events(read(site))
    assert all(len(found[slug].walk("VALARM")) == 1 for slug in (*UNRESOLVED, "new"))
    for slug in UNRESOLVED:
        own = events(read(site, f"predictions/{slug}/prediction.ics"))[slug]
        assert len(own.walk("VALARM")) == 1, slug
