"""RSS and Atom feeds, read back with feedparser (a real reader's parser) and BeautifulSoup."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text
from lxml import etree

from builder.config.siteconfig import SiteConfig
from builder.render.feeds import entry_id
from builder.site.taxonomy import build_site

BASE = "https://test.example.org/"
# Elements holding HTML (escaped in the XML): every other one holds plain text.
CONTENT_ELEMENTS = (
    "{http://purl.org/rss/1.0/modules/content/}encoded",
    "{http://www.w3.org/2005/Atom}content",
)
ZONE_YAML = SITE_YAML.replace("timezone: UTC", "timezone: America/Mexico_City")
ALPHA_BODY = """\
Intro cites [1] and [2]. See [the home page](/), [beta](../beta/), [below](#more),
[elsewhere](https://ext.example/x) and [mail](mailto:a@b.example).

<img src="chart.png" alt="Chart">

## More

Text.
"""
ALPHA_REFS = (
    "references:\n"
    "  - {title: First source, url: 'https://a.example/1', publisher: Pub A, date: 2026-01-02}\n"
    "  - {title: Second source, url: 'https://a.example/2'}\n"
)


def write_desk(site: SiteFolder) -> None:
    """Six published predictions (two share a date), three resolved, and a newer draft."""
    site.config(ZONE_YAML)
    site.write("extra.md", prediction_text("Extra", date="2026-01-05"))
    site.write("extra2.md", prediction_text("Extra 2", date="2026-01-06"))
    site.write(
        "alpha.md",
        prediction_text(
            "Alpha",
            date="2026-03-01",
            extra="category: Énergie Verte\ntags: [solar, coal]\n" + ALPHA_REFS,
            prediction_extra="confidence: 0.75\n",
            statement="Alpha will happen.",
            target="2027-01-01",
            body=ALPHA_BODY,
        ),
    )
    resolved = "confidence: 0.4\nresolution: {outcome: %s, date: %s, evidence: '%s'}\n"
    site.write(
        "beta.md",
        prediction_text(
            "Beta",
            date="2026-03-01",
            author="bo",
            extra="category: Space\ntags: [moon]\n",
            prediction_extra=resolved % ("yes", "2026-06-01", "https://ev.example/beta"),
            target="2026-05-31",
        ),
    )
    site.write(
        "gamma.md",
        prediction_text(
            "Gamma",
            date="2026-02-01",
            extra="category: Space\n",
            prediction_extra=resolved % ("no", "2026-07-15", "https://ev.example/gamma"),
            target="2026-07-01",
        ),
    )
    site.write(
        "delta.md",
        prediction_text(
            "Delta",
            date="2026-04-01",
            author="bo",
            extra="tags: [solar]\n",
            prediction_extra="resolution: {outcome: void, date: 2026-05-01}\n",
            target="2026-04-30",
        ),
    )
    site.write(
        "draft.md",
        prediction_text("Draft", date="2026-05-01", extra="draft: true\ncategory: Space\n"),
    )


def built_desk(tmp_path_factory: pytest.TempPathFactory, name: str) -> SiteFolder:
    """write_desk's site, built: for module-scoped fixtures (here and in test_calendar)."""
    site = SiteFolder(tmp_path_factory.mktemp(name))
    shutil.copytree(REPO / "themes", site.root / "themes")
    write_desk(site)
    assert site.build() == 0
    return site


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> SiteFolder:
    """One build shared by the tests that only read it."""
    return built_desk(tmp_path_factory, "desk")


def parse(site: SiteFolder, path: str, *, raw: bool = True) -> feedparser.FeedParserDict:
    """`raw`: as written, without feedparser resolving relative URLs or sanitising, so a
    relative URL left in the content is seen (by default feedparser would fix it for us)."""
    data = (site.output / path).read_bytes()
    options = {"resolve_relative_uris": False, "sanitize_html": False} if raw else {}
    feed = feedparser.parse(data, **options)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def slugs(feed: feedparser.FeedParserDict) -> list[str]:
    return [entry.link.removeprefix(BASE + "predictions/").rstrip("/") for entry in feed.entries]


def feed_paths(site: SiteFolder) -> list[str]:
    return sorted(
        p.relative_to(site.output).as_posix()
        for p in site.output.rglob("*.xml")
        if p.name != "sitemap.xml"
    )


def content_of(entry: feedparser.FeedParserDict) -> BeautifulSoup:
    return BeautifulSoup(entry.content[0].value, "lxml")


def test_every_feed_is_built_and_parses(desk: SiteFolder) -> None:
    # Catches: a missing feed, malformed XML (bozo), Atom written where RSS is expected.
    expected = {
        "feed.xml", "atom.xml", "resolutions.xml",
        "categories/energie-verte/feed.xml", "categories/space/feed.xml",
        "authors/ada/feed.xml", "authors/bo/feed.xml",
        "tags/solar/feed.xml", "tags/coal/feed.xml", "tags/moon/feed.xml",
    }  # fmt: skip
    assert set(feed_paths(desk)) == expected
    for path in expected:
        version = parse(desk, path).version
        assert version == ("atom10" if path == "atom.xml" else "rss20"), path


@pytest.mark.parametrize("path", ["feed.xml", "atom.xml"])
def test_main_feeds_newest_first_without_drafts(desk: SiteFolder, path: str) -> None:
    # Catches: feedgen's default "prepend" order (oldest first), a tie not broken by slug,
    # drafts leaking in (the draft is the newest file).
    feed = parse(desk, path)
    assert slugs(feed) == ["delta", "alpha", "beta", "gamma", "extra2", "extra"]
    assert feed.feed.title == "Test Desk"
    assert feed.feed.link == BASE


def test_feed_size_caps_the_main_feed(site: SiteFolder) -> None:
    # Catches: every prediction dumped in the feed, or the oldest kept instead of the newest.
    for day in range(1, 24):
        site.write(f"p{day:02}.md", prediction_text(f"P {day}", date=f"2026-01-{day:02}"))
    assert site.build() == 0
    for path in ("feed.xml", "atom.xml", "authors/ada/feed.xml"):
        feed = parse(site, path)
        assert slugs(feed) == [f"p{day:02}" for day in range(23, 3, -1)], path


def test_entry_links_resolve_to_built_pages(desk: SiteFolder) -> None:
    # Catches: relative or wrongly based entry links, links to pages that are not built.
    for path in feed_paths(desk):
        for entry in parse(desk, path).entries:
            assert entry.link.startswith(BASE), entry.link
            page = urlsplit(entry.link).path.lstrip("/")
            assert (desk.output / page / "index.html").is_file(), entry.link


def test_entry_fields(desk: SiteFolder) -> None:
    # Catches: UTC or build-time dates instead of 00:00 in the site's zone, a missing author
    # (RSS <author> needs an email, so the name must travel as dc:creator), missing categories.
    rss = {e.link: e for e in parse(desk, "feed.xml").entries}
    atom = {e.link: e for e in parse(desk, "atom.xml").entries}
    alpha, beta = BASE + "predictions/alpha/", BASE + "predictions/beta/"
    assert rss[alpha].published == "Sun, 01 Mar 2026 00:00:00 -0600"
    assert atom[alpha].published == "2026-03-01T00:00:00-06:00"
    assert atom[alpha].updated == "2026-03-01T00:00:00-06:00"
    assert atom[beta].updated == "2026-06-01T00:00:00-06:00"  # the resolution date
    assert rss[alpha].author == atom[alpha].author == "Ada Quill"
    assert rss[beta].author == "Bo Ek"
    for entries in (rss, atom):
        assert [t.term for t in entries[alpha].tags] == ["Énergie Verte", "solar", "coal"]
        assert entries[alpha].title == "Alpha"


def test_feed_dates_come_from_the_content_not_the_clock(desk: SiteFolder) -> None:
    # Catches: feedgen's default lastBuildDate / updated (the clock), which a byte comparison
    # of two builds in the same second would miss.
    assert parse(desk, "feed.xml").feed.updated == "Wed, 15 Jul 2026 00:00:00 -0600"
    assert parse(desk, "atom.xml").feed.updated == "2026-07-15T00:00:00-06:00"
    assert parse(desk, "resolutions.xml").feed.updated == "Wed, 15 Jul 2026 00:00:00 -0600"
    assert parse(desk, "tags/coal/feed.xml").feed.updated == "Sun, 01 Mar 2026 00:00:00 -0600"
    raw = (desk.output / "feed.xml").read_text(encoding="utf-8")
    assert "python-feedgen" not in raw


@pytest.mark.parametrize("path", ["feed.xml", "atom.xml", "categories/energie-verte/feed.xml"])
def test_content_urls_are_absolute(desk: SiteFolder, path: str) -> None:
    # Catches: body HTML copied as is ("/", "../beta/", "#more", "chart.png" stay relative,
    # and feed readers have no base to resolve them).
    for entry in parse(desk, path).entries:
        soup = content_of(entry)
        for tag in soup.find_all(href=True) + soup.find_all(src=True):
            url = tag.get("href") or tag.get("src")
            parts = urlsplit(url)
            assert parts.scheme in ("http", "https", "mailto"), (entry.link, url)
            assert parts.scheme == "mailto" or parts.netloc, (entry.link, url)
    alpha = content_of(parse(desk, path).entries[0 if "energie" in path else 1])
    hrefs = [a["href"] for a in alpha.find_all("a")]
    page = BASE + "predictions/alpha/"
    for expected in (BASE, BASE + "predictions/beta/", page + "#more", "https://ext.example/x"):
        assert expected in hrefs
    assert "mailto:a@b.example" in hrefs
    assert alpha.img["src"] == page + "chart.png"


def test_citations_point_at_the_references(desk: SiteFolder) -> None:
    # Catches: citations left as "#ref-1" (dead in a reader), or made absolute but with the
    # references list left out of the content.
    entry = parse(desk, "atom.xml").entries[1]
    assert entry.link == BASE + "predictions/alpha/"
    soup = content_of(entry)
    citations = [a["href"] for a in soup.select("a.citation")]
    assert citations == [entry.link + "#ref-1", entry.link + "#ref-2"]
    refs = soup.select("li[id^=ref-]")
    assert [li["id"] for li in refs] == ["ref-1", "ref-2"]
    assert refs[0].a["href"] == "https://a.example/1"
    assert "Pub A" in refs[0].get_text() and "January 2, 2026" in refs[0].get_text()


def test_content_is_headed_by_the_prediction(desk: SiteFolder) -> None:
    # Catches: content that is only the body, with the claim, its date and confidence lost.
    entry = parse(desk, "feed.xml").entries[1]
    text = content_of(entry).get_text(" ")
    assert text.index("Alpha will happen.") < text.index("Intro cites")
    assert "January 1, 2027" in text
    assert "75%" in text


def test_ids_are_tag_uris_stable_across_edits(site: SiteFolder) -> None:
    # Catches: ids made from the title, the body, a hash of the entry or the build time.
    write_desk(site)
    assert site.build() == 0
    paths = ("feed.xml", "atom.xml", "resolutions.xml", "authors/ada/feed.xml")
    before = {path: {e.link: e.id for e in parse(site, path).entries} for path in paths}
    assert before["feed.xml"][BASE + "predictions/alpha/"] == (
        "tag:test.example.org,2026-03-01:predictions/alpha"
    )
    assert before["resolutions.xml"][BASE + "predictions/gamma/"] == (
        "tag:test.example.org,2026-07-15:resolutions/gamma"
    )
    assert len(set(before["feed.xml"].values())) == 6
    site.write(
        "alpha.md",
        prediction_text("Alpha, retitled", date="2026-03-01", body="A new body.\n"),
    )
    gamma = (site.root / "content/predictions/gamma.md").read_text()
    site.write("gamma.md", gamma.replace("Gamma", "Gamma renamed") + "\nMore text.\n")
    assert site.build() == 0
    after = {path: {e.link: e.id for e in parse(site, path).entries} for path in paths}
    assert after == before
    titles = [e.title for e in parse(site, "atom.xml").entries]
    assert "Alpha, retitled" in titles  # the edit did reach the feed
    rss = (site.output / "feed.xml").read_text(encoding="utf-8")
    assert 'isPermaLink="false">tag:test.example.org,2026-03-01:predictions/alpha<' in rss


def test_feeds_are_byte_identical_across_builds(site: SiteFolder, tmp_path: Path) -> None:
    # Catches: clock dates, unordered terms or entries, anything that varies between runs.
    write_desk(site)
    assert site.build() == 0
    first = {k: v for k, v in site.files().items() if k.endswith((".xml", ".ics"))}
    second_out = tmp_path / "second"
    assert site.build("--clean", "--output", str(second_out)) == 0
    second = SiteFolder(site.root)
    second.output = second_out
    again = {k: v for k, v in second.files().items() if k.endswith((".xml", ".ics"))}
    assert len(first) > 10
    assert again == first


def test_resolutions_feed(desk: SiteFolder) -> None:
    # Catches: open predictions in it, ordering by publication instead of resolution,
    # missing outcome, date, evidence or confidence.
    feed = parse(desk, "resolutions.xml")
    assert slugs(feed) == ["gamma", "beta", "delta"]
    assert [e.title for e in feed.entries] == [
        "Resolved no: Gamma",
        "Resolved yes: Beta",
        "Resolved void: Delta",
    ]
    gamma = content_of(feed.entries[0])
    text = gamma.get_text(" ")
    assert "no: it did not happen" in text
    assert "July 15, 2026" in text
    assert "Author\u2019s confidence: 40%" in text
    assert "https://ev.example/gamma" in [a["href"] for a in gamma.find_all("a")]
    assert "Something will happen." in text
    assert feed.entries[0].published == "Wed, 15 Jul 2026 00:00:00 -0600"
    assert feed.entries[0].id == "tag:test.example.org,2026-07-15:resolutions/gamma"
    delta = content_of(feed.entries[2]).get_text(" ")
    assert "void" in delta and "confidence" not in delta  # Delta gave no confidence


UPDATES = (
    "updates:\n"
    "  - {date: 2026-04-02, confidence: 0.55, note: 'The tender was <b>delayed</b>.'}\n"
    "  - {date: 2026-06-15, confidence: 0.4}\n"
)


def tender(site: SiteFolder, extra: str = "") -> None:
    text = prediction_text(
        "Tender", date="2026-03-01", prediction_extra="confidence: 0.7\n" + extra
    )
    site.write("tender.md", text)


def entry(site: SiteFolder, path: str, slug: str = "tender") -> feedparser.FeedParserDict:
    (found,) = [e for e in parse(site, path).entries if e.link.endswith(f"/{slug}/")]
    return found


def test_an_update_moves_the_entry_updated_date_never_its_id(site: SiteFolder) -> None:
    # Catches: `updated` left at the publication date (readers never see the new confidence),
    # or an id made from anything an update changes (readers would show it as a new entry).
    site.config(ZONE_YAML)
    site.write("other.md", prediction_text("Other", date="2026-02-01"))
    tender(site)
    assert site.build() == 0
    before = {path: entry(site, path).id for path in ("feed.xml", "atom.xml")}
    assert entry(site, "atom.xml").updated == "2026-03-01T00:00:00-06:00"
    tender(site, UPDATES)
    assert site.build() == 0
    assert {path: entry(site, path).id for path in ("feed.xml", "atom.xml")} == before
    atom = entry(site, "atom.xml")
    assert atom.published == "2026-03-01T00:00:00-06:00"  # still published when it was
    assert atom.updated == "2026-06-15T00:00:00-06:00"  # the last update
    assert parse(site, "atom.xml").feed.updated == "2026-06-15T00:00:00-06:00"
    assert parse(site, "feed.xml").feed.updated == "Mon, 15 Jun 2026 00:00:00 -0600"
    # Resolved after its last update: the resolution is the latest change.
    tender(site, UPDATES + "resolution: {outcome: no, date: 2026-07-10}\n")
    assert site.build() == 0
    assert entry(site, "atom.xml").updated == "2026-07-10T00:00:00-06:00"
    assert entry(site, "atom.xml").id == before["atom.xml"]


def test_entries_show_the_current_confidence_and_every_update(site: SiteFolder) -> None:
    # Catches: the first confidence shown as if it still stood, updates left out of the
    # content, notes not escaped, updates in another order than the page's.
    site.config(ZONE_YAML)
    tender(site, UPDATES + "resolution: {outcome: no, date: 2026-07-10}\n")
    assert site.build() == 0
    expected = [
        "March 1, 2026: 70%, first forecast",
        "April 2, 2026: 55%. The tender was <b>delayed</b>.",
        "June 15, 2026: 40%",
    ]
    for path in ("feed.xml", "atom.xml", "resolutions.xml"):
        soup = content_of(entry(site, path))
        facts = [li.get_text() for li in soup.ul.find_all("li")]
        assert "Author\u2019s confidence: 40% (since June 15, 2026; first forecast 70%)" in facts
        updates = [" ".join(li.get_text().split()) for li in soup.ol.find_all("li")]
        assert updates == expected, path
        assert soup.find("b") is None, path  # the note's markup is text, not HTML
    # A prediction without updates reads as before: its one confidence, no list.
    site.write("plain.md", prediction_text("Plain", prediction_extra="confidence: 0.3\n"))
    assert site.build() == 0
    plain = content_of(entry(site, "atom.xml", "plain"))
    assert "Author\u2019s confidence: 30%" in [li.get_text() for li in plain.ul.find_all("li")]
    assert plain.ol is None and "since" not in plain.get_text()


def test_term_feeds_hold_only_their_predictions(desk: SiteFolder) -> None:
    # Catches: the main feed copied under every term, drafts in a term's feed.
    expected = {
        "categories/space/feed.xml": ["beta", "gamma"],  # the Space draft is left out
        "categories/energie-verte/feed.xml": ["alpha"],
        "authors/ada/feed.xml": ["alpha", "gamma", "extra2", "extra"],
        "authors/bo/feed.xml": ["delta", "beta"],
        "tags/solar/feed.xml": ["delta", "alpha"],
        "tags/moon/feed.xml": ["beta"],
    }
    for path, wanted in expected.items():
        assert slugs(parse(desk, path)) == wanted, path
    space = parse(desk, "categories/space/feed.xml").feed
    assert space.title == "Category: Space · Test Desk"
    assert space.link == BASE + "categories/space/"


def test_drafts_stay_out_of_feeds_in_a_preview_build(site: SiteFolder) -> None:
    # Catches: relying on the site's list, which holds drafts when building with --drafts.
    write_desk(site)
    assert site.build("--drafts") == 0
    assert (site.output / "predictions/draft/index.html").is_file()
    for path in feed_paths(site):
        assert "draft" not in slugs(parse(site, path)), path


def test_every_page_advertises_the_feeds(desk: SiteFolder) -> None:
    # Catches: autodiscovery missing on some page kinds, or hrefs that do not reach the file.
    pages = sorted(desk.output.rglob("*.html"))
    assert len(pages) > 15
    for file in pages:
        page = file.relative_to(desk.output).as_posix()
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
        if page == "404.html":
            continue  # served at any depth: its links start from the site root, checked below
        if page.endswith("/embed/index.html"):
            continue  # a card shown in another site's iframe: no masthead, no footer, no feeds
        for kind, name in (("rss", "feed.xml"), ("atom", "atom.xml")):
            link = soup.head.find("link", rel="alternate", type=f"application/{kind}+xml")
            assert link is not None, page
            assert _target(desk, page, link["href"]) == desk.output / name, page
        footer = [a["href"] for a in soup.select("footer a")]
        assert any(_target(desk, page, h) == desk.output / "feed.xml" for h in footer), page
    missing = BeautifulSoup((desk.output / "404.html").read_text(), "lxml")
    assert missing.head.find("link", type="application/rss+xml")["href"] == "/feed.xml"


@pytest.mark.parametrize(
    "page",
    ["categories/space/", "authors/bo/", "tags/solar/", "authors/ada/page/2/", "resolved/"],
)
def test_term_pages_link_their_own_feed(desk: SiteFolder, page: str) -> None:
    # Catches: term pages advertising only the site feed, or a visible link to a wrong path.
    site = desk
    soup = site.html(page)
    own = page.split("page/")[0] + "feed.xml" if page != "resolved/" else "resolutions.xml"
    alternates = soup.head.find_all("link", rel="alternate", type="application/rss+xml")
    assert [_target(site, page, a["href"]) for a in alternates] == [
        site.output / "feed.xml",
        site.output / own,
    ]
    visible = soup.select_one("main .list-feed a")
    assert _target(site, page, visible["href"]) == site.output / own
    assert "RSS feed" in visible.get_text()


def test_subscriber_view_of_the_example_site(example_site: SiteFolder) -> None:
    """What a subscriber's reader shows: parsed the default way (sanitised, as feed readers
    do), each entry shows the prediction's statement and its target date as a person reads it."""
    # Catches: content without the claim, a machine date ("2026-12-31") instead of a readable
    # one, or a claim stripped by a reader's sanitiser.
    assert example_site.build() == 0
    feed = parse(example_site, "feed.xml", raw=False)
    assert len(feed.entries) == 9  # the example site's published predictions
    for entry in feed.entries:
        path = urlsplit(entry.link).path.lstrip("/")
        page = example_site.html(path)
        statement = page.select_one(".statement").get_text()
        target = page.select_one(".claim time").get_text()
        assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", target)
        text = " ".join(content_of(entry).get_text(" ").split())
        assert statement in text, entry.link
        assert f"Target date: {target}" in text, entry.link
        assert entry.author == page.select_one(".byline a").get_text()


def _target(site: SiteFolder, page: str, href: str) -> Path:
    url = urljoin("http://local.test/" + page, href)
    return site.output / urlsplit(url).path.lstrip("/")


def test_entry_id_of_a_site_under_a_sub_path() -> None:
    # Catches: two sites on one host sharing ids, or a non-ASCII slug left raw in the URI.
    config = SiteConfig(title="T", url="https://example.org/desk/")
    site = build_site(config, [], dt.date(2026, 1, 1))
    assert entry_id(site, dt.date(2026, 1, 2), "predictions/año") == (
        "tag:example.org,2026-01-02:desk/predictions/a%C3%B1o"
    )


# Text from the input, in every element ------------------------------------------------------

MARKUP_TITLE = "<b>Bold</b> & <i>co</i> &lt;3"
# The W3C feed validator's test for a plain-text element: an HTML end tag or an entity in its
# text, decoded once, reads as HTML, unless its line holds a hexadecimal reference ("&#x").
READS_AS_HTML = re.compile(r"</\w+>|&#?\w+;")


@pytest.fixture(scope="module")
def marked_up(tmp_path_factory: pytest.TempPathFactory) -> SiteFolder:
    """Markup in the site's title and description, an author's name, a prediction's title,
    category, tag and statement; one plain prediction beside it."""
    site = SiteFolder(tmp_path_factory.mktemp("markup"))
    shutil.copytree(REPO / "themes", site.root / "themes")
    site.config(
        SITE_YAML.replace('"Test Desk"', '"Desk <b>&amp;</b> Co"')
        .replace('"Forecasts for tests."', '"<i>Forecasts</i> & more"')
        .replace('"Ada Quill"', '"Ada <em>Q</em>"')
    )
    site.write(
        "marked.md",
        prediction_text(
            MARKUP_TITLE,
            extra="category: R&D <br>\ntags: ['<s>x</s>']\n",
            statement="It <u>will</u> & won't",
            prediction_extra="resolution: {outcome: yes, date: 2026-02-01}\n",
        ),
    )
    site.write("plain.md", prediction_text("Plain title", date="2026-01-05"))
    assert site.build() == 0
    return site


def test_no_feed_element_holds_markup_from_the_input(marked_up: SiteFolder) -> None:
    """Catches: a title, description, name or category written as the author typed it (a
    reader renders RSS titles as HTML: "<b>" would show bold), or escaped twice (the reader
    would show "&amp;")."""
    for path in feed_paths(marked_up):
        root = etree.fromstring((marked_up.output / path).read_bytes())
        for element in root.iter():
            if element.tag in CONTENT_ELEMENTS:
                continue
            for value in (element.text or "", *element.attrib.values()):
                assert "<" not in value, f"{path}: {element.tag} holds {value!r}"
        feed = parse(marked_up, path)
        assert "Desk <b>&amp;</b> Co" in html.unescape(feed.feed.title), path
        for entry in feed.entries:
            if "Bold" in entry.title:
                assert html.unescape(entry.title).endswith(MARKUP_TITLE), path
                assert entry.title_detail.type == "text/html", path
                assert html.unescape(entry.author) == "Ada <em>Q</em>", path


def test_escapes_are_written_as_hexadecimal_references(marked_up: SiteFolder) -> None:
    """As the RSS Profile asks of character data, and as the W3C feed validator needs to not
    warn "title should not contain HTML". Catches: the escapes' "&" written "&amp;"."""
    seen = 0
    for path in feed_paths(marked_up):
        data = (marked_up.output / path).read_bytes()
        lines = data.decode("utf-8").split("\n")
        for element in etree.fromstring(data).iter():
            if element.tag in CONTENT_ELEMENTS or not isinstance(element.tag, str):
                continue
            values = [element.text or "", *element.attrib.values()]
            if any(READS_AS_HTML.search(value) for value in values):
                seen += 1
                line = lines[element.sourceline - 1]
                assert "&#x" in line and "&amp;" not in line, f"{path}: {line}"
    assert seen >= 40  # titles, descriptions, names and categories of all 7 feeds


def test_atom_declares_escaped_text_as_html(marked_up: SiteFolder) -> None:
    """Catches: escaped text in an Atom `type="text"` element (the reader would show "&lt;"),
    and `type="html"` added to plain text (every example feed's bytes would change)."""
    root = etree.fromstring((marked_up.output / "atom.xml").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    types = {
        element.text: element.get("type")
        for name in ("title", "subtitle", "summary")
        for element in root.iter(atom + name)
    }
    assert types[html.escape(MARKUP_TITLE, quote=False)] == "html"
    assert types[html.escape("<i>Forecasts</i> & more", quote=False)] == "html"
    assert types["Plain title"] is None and types["Something will happen."] is None
    entry = next(e for e in parse(marked_up, "atom.xml").entries if "Bold" in e.title)
    assert entry.title_detail.type == "text/html"
    assert html.unescape(entry.title) == MARKUP_TITLE
