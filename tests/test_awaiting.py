"""Nothing left unresolved, on the site: the `awaiting/` page (oldest target date first), the
masthead's link to it while it is not empty, and the track record's overdue figures."""

from __future__ import annotations

import json

from conftest import NOW, SiteFolder, prediction_text

from builder.cli import main

RESOLVED = "resolution: {outcome: no, date: 2026-11-01}\n"
# slug: (author, publication date, target date, extra top-level lines, prediction lines).
# On NOW (2026-11-25), paginate 3: four await resolution, over two pages.
PREDICTIONS = {
    "late-b": ("bo", "2026-02-01", "2026-11-24", "", ""),  # 1 day overdue
    "late-old": ("ada", "2026-03-01", "2026-10-26", "", ""),  # 30 days
    "late-a": ("ada", "2026-01-01", "2026-11-20", "", ""),  # 5 days
    "late-last": ("bo", "2026-04-01", "2026-11-24", "", ""),  # 1 day, published later: page 2
    "resolved": ("ada", "2026-01-01", "2026-10-01", "", RESOLVED),  # past, but resolved
    "draft": ("ada", "2026-01-01", "2026-10-01", "draft: true\n", ""),  # nobody's record
    "today": ("bo", "2026-01-01", "2026-11-25", "", ""),  # due today: not yet overdue
    "open": ("ada", "2026-01-01", "2027-06-30", "", ""),
}
AWAITING = ["late-old", "late-a", "late-b", "late-last"]  # oldest target date first, then slug


def write(site: SiteFolder, slugs: list[str] | None = None) -> None:
    for slug in slugs or PREDICTIONS:
        author, date, target, extra, inside = PREDICTIONS[slug]
        text = prediction_text(
            slug, author=author, date=date, target=target, extra=extra, prediction_extra=inside
        )
        site.write(f"{slug}.md", text)


def build(site: SiteFolder, now: str = NOW) -> None:
    assert main(["build", "--source", str(site.root), "--now", now]) == 0


def listed(site: SiteFolder, page: str) -> list[str]:
    cards = site.html(page).select(".card-title a")
    return [a["href"].rstrip("/").rsplit("/", 1)[-1] for a in cards]


def nav_links(site: SiteFolder, page: str) -> list[str]:
    return [a.get_text() for a in site.html(page).select("nav.site-nav a")]


# One page of each kind: every masthead must say the same.
PAGES = ("", "predictions/open/", "open/", "awaiting/", "track-record/", "authors/", "404.html")


def test_the_awaiting_page_lists_them_oldest_target_date_first(site: SiteFolder) -> None:
    # Catches: the site's order (newest published first: late-last before late-b, which
    # share a target date); resolved, open, draft or due-today predictions listed; the second
    # page missing.
    write(site)
    build(site)
    assert listed(site, "awaiting/") + listed(site, "awaiting/page/2/") == AWAITING
    page = site.html("awaiting/")
    assert page.h1.get_text() == "Awaiting resolution"
    assert "4 predictions" in page.select_one(".list-count").get_text()
    cards = page.select(".card .status")
    assert [c.get_text() for c in cards] == ["Awaiting resolution"] * 3


def test_the_masthead_links_the_page_from_every_page_while_it_is_not_empty(
    site: SiteFolder,
) -> None:
    # Catches: a link on list pages only (or on the awaiting page alone), a link shown on
    # a site where nothing awaits resolution, a link that does not reach the page.
    write(site, ["open", "today", "resolved"])
    build(site)
    for page in PAGES:
        assert "Awaiting" not in nav_links(site, page), page
    empty = site.html("awaiting/")
    assert empty.select_one(".empty").get_text().startswith("Nothing awaits")
    assert empty.select(".list-count") == []  # not "0 predictions" above it as well

    write(site, ["late-a"])
    build(site)
    for page in PAGES:
        assert "Awaiting" in nav_links(site, page), page
    link = site.html("predictions/open/").select_one("nav.site-nav a[href$='awaiting/']")
    assert link["href"] == "../../awaiting/"
    here = site.html("awaiting/").select_one("nav.site-nav a[aria-current=page]")
    assert here.get_text() == "Awaiting"


def test_the_link_comes_with_the_day_a_target_date_passes_on_every_page(
    site: SiteFolder,
) -> None:
    # Catches: the link kept out of the pages' keys, so that an incremental build leaves the
    # pages of predictions whose own status did not change (the open one) without it, and
    # leaves it on them once the last overdue prediction is resolved.
    write(site, ["open", "late-a"])
    build(site, "2026-11-01")  # late-a's target date, 2026-11-20, is still ahead
    assert "Awaiting" not in nav_links(site, "predictions/open/")
    build(site)  # 2026-11-25: late-a is overdue
    for page in PAGES:
        assert "Awaiting" in nav_links(site, page), page
    resolve = ["resolve", "--source", str(site.root), "--now", NOW, "late-a", "--outcome", "yes"]
    assert main(resolve) == 0
    build(site)
    for page in PAGES:
        assert "Awaiting" not in nav_links(site, page), page


def _overdue_note(site: SiteFolder) -> str:
    return " ".join(site.html("track-record/").select_one(".record-overdue").get_text().split())


def test_the_track_record_says_how_many_are_overdue_and_by_how_long(site: SiteFolder) -> None:
    # By hand, on 2026-11-25: Ada's late-old is 30 days overdue and late-a 5 (17.5 on
    # average); Bo's late-b and late-last 1 each (1); the site's four, 37 days, 9.25, shown
    # 9.3. The resolved, the draft and the one due today do not count.
    # Catches: drafts, resolved or due-today predictions counted; days counted from the
    # publication date or off by one; an average over every prediction; a wrong author;
    # rounding half to even (9.2).
    write(site)
    build(site)
    record = json.loads((site.output / "track-record.json").read_text())
    assert (record["site"]["overdue"], record["site"]["overdue_days"]) == (4, 9.3)
    assert (record["authors"]["ada"]["overdue"], record["authors"]["ada"]["overdue_days"]) == (
        2,
        17.5,
    )
    assert (record["authors"]["bo"]["overdue"], record["authors"]["bo"]["overdue_days"]) == (
        2,
        1.0,
    )
    assert _overdue_note(site) == (
        "4 predictions are overdue, past their target date with no outcome recorded, by 9.3 "
        "days on average (Ada Quill: 2, by 17.5 days; Bo Ek: 2, by 1 day). Awaiting "
        "resolution lists them."
    )
    link = site.html("track-record/").select_one(".record-overdue a[href$='awaiting/']")
    assert link["href"] == "../awaiting/"


def test_the_figures_follow_the_day(site: SiteFolder) -> None:
    # Catches: the JSON or the page left as the previous day's build made them (their keys
    # not covering the day). On 2026-11-26 each is a day later: Ada 31 + 6 = 37 over 2 =
    # 18.5; Bo 2 over 1 = 2; the site 39 over 3 = 13 (shown "13 days", not "13.0").
    write(site, ["late-old", "late-a", "late-b", "open"])
    build(site)
    build(site, "2026-11-26")
    record = json.loads((site.output / "track-record.json").read_text())
    assert (record["site"]["overdue"], record["site"]["overdue_days"]) == (3, 13.0)
    assert record["authors"]["ada"]["overdue_days"] == 18.5
    assert record["authors"]["bo"]["overdue_days"] == 2.0
    assert "by 13 days on average (Ada Quill: 2, by 18.5 days; Bo Ek: 1, by 2 days)" in (
        _overdue_note(site)
    )
    # 2026-10-27: late-old alone, 1 day overdue (1 day, not "1 days"; no "on average").
    build(site, "2026-10-27")
    assert _overdue_note(site).startswith(
        "1 prediction is overdue, past its target date with no outcome recorded, by 1 day "
        "(Ada Quill: 1, by 1 day)."
    )


def test_nothing_overdue_is_said_too(site: SiteFolder) -> None:
    # Catches: a track record silent when nothing is overdue, and a JSON without the figures.
    write(site)
    build(site, "2026-06-01")
    assert _overdue_note(site).startswith("No prediction is overdue")
    record = json.loads((site.output / "track-record.json").read_text())
    assert (record["site"]["overdue"], record["site"]["overdue_days"]) == (0, None)
    assert record["authors"]["ada"]["overdue"] == 0


def test_a_preview_with_drafts_counts_no_draft_as_overdue(site: SiteFolder) -> None:
    # Catches: the overdue draft counted in a `--drafts` preview's record (a preview shows the
    # record readers will see), while the preview's awaiting page does list it.
    write(site)
    assert site.build("--drafts") == 0
    record = json.loads((site.output / "track-record.json").read_text())
    assert (record["site"]["overdue"], record["site"]["overdue_days"]) == (4, 9.3)
    assert _overdue_note(site).startswith("4 predictions are overdue")
    assert listed(site, "awaiting/")[0] == "draft"
