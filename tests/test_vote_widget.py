"""The vote widget's HTML: present only when site.yaml configures `votes:`, read-only once the
target date has passed, its endpoint URL escaped. (tests/test_vote_widget_browser.py runs it.)"""

from __future__ import annotations

from bs4 import BeautifulSoup
from conftest import SITE_YAML, SiteFolder, prediction_text

ENDPOINT = "https://votes.example.org"
VOTES_YAML = SITE_YAML + f'votes:\n  endpoint: "{ENDPOINT}"\n'
LABELS = ["Will happen", "Won\u2019t happen", "Maybe"]


def write_site(site: SiteFolder) -> None:
    # NOW is 2026-11-25: one open, one awaiting resolution, one resolved, one draft.
    site.write("open-one.md", prediction_text("Open one", prediction_extra="confidence: 0.8\n"))
    site.write("late-one.md", prediction_text("Late one", target="2026-06-01"))
    resolved = "resolution:\n  outcome: yes\n  date: 2026-06-02\n"
    site.write("done-one.md", prediction_text("Done one", target="2026-06-01",
                                              prediction_extra=resolved))  # fmt: skip
    site.write("draft-one.md", prediction_text("Draft one", extra="draft: true\n"))


def vote_scripts(page: BeautifulSoup) -> list[str]:
    return [s["src"] for s in page.find_all("script", src=True) if "votes" in s["src"]]


def test_no_widget_and_no_script_without_votes(site: SiteFolder) -> None:
    write_site(site)
    assert site.build("--drafts") == 0
    for path in ("predictions/open-one/", "predictions/done-one/", "predictions/draft-one/", ""):
        page = site.html(path)
        assert page.select(".votes, [data-endpoint], [data-votes-slug]") == [], path
        assert vote_scripts(page) == [], path
        assert "votes" not in str(page.find("body").find_all("script")), path


def test_open_prediction_has_three_buttons_and_a_deferred_script(site: SiteFolder) -> None:
    site.config(VOTES_YAML)
    write_site(site)
    assert site.build() == 0
    page = site.html("predictions/open-one/")
    [widget] = page.select("section.votes")
    assert widget.has_attr("hidden"), "without JavaScript the widget stays out of the way"
    assert widget["data-endpoint"] == ENDPOINT
    assert widget["data-slug"] == "open-one"
    assert widget["data-open"] == "true"

    group = widget.find(attrs={"role": "group"})
    labelled_by = group["aria-labelledby"]
    assert page.find(id=labelled_by).get_text(strip=True), "the group has a visible label"
    buttons = group.find_all("button")
    assert [b.find(class_="vote-name").get_text() for b in buttons] == LABELS
    assert [b["data-choice"] for b in buttons] == ["will", "wont", "maybe"]
    for button in buttons:
        assert button["type"] == "button"
        assert button["aria-pressed"] == "false"
        assert not button.has_attr("disabled")
    status = widget.find(attrs={"aria-live": "polite"})
    assert status is not None and status["role"] == "status"
    # The community figure sits beside the author's own confidence.
    assert widget.find(class_="votes-community").get_text() == "Community: \u2013"
    assert widget.find(class_="votes-author").get_text() == "Author: 80%"

    [script] = page.find_all("script", src=vote_scripts(page))
    assert script.has_attr("defer")
    assert (site.output / "predictions/open-one" / script["src"]).resolve().is_file()
    assert script["src"].startswith("../../static/votes.")  # fingerprinted, relative


def test_after_the_target_date_the_tally_is_read_only(site: SiteFolder) -> None:
    site.config(VOTES_YAML)
    write_site(site)
    assert site.build() == 0
    for slug in ("late-one", "done-one"):
        page = site.html(f"predictions/{slug}/")
        [widget] = page.select("section.votes")
        assert widget["data-open"] == "false", slug
        # No control to press: either no buttons or only disabled ones.
        assert all(b.has_attr("disabled") for b in widget.find_all("button")), slug
        names = [n.get_text() for n in widget.select("[data-choice] .vote-name")]
        assert names == LABELS, slug
        assert "Final tally" in widget.get_text(), slug
        assert vote_scripts(page), slug  # the script still fills in the final counts


def test_drafts_get_no_widget(site: SiteFolder) -> None:
    # Drafts are not in the votes manifest: the endpoint would answer 404 for them.
    site.config(VOTES_YAML)
    write_site(site)
    assert site.build("--drafts") == 0
    page = site.html("predictions/draft-one/")
    assert page.select(".votes") == [] and vote_scripts(page) == []


def test_the_endpoint_url_is_escaped(site: SiteFolder) -> None:
    # The configuration percent-encodes what a URL may not hold raw ('"', '<', '>'); what it
    # may ('&', "'") the template must escape in the attribute.
    hostile = "https://votes.example.org/x/a&b'c\"><script>alert(1)</script>"
    site.config(SITE_YAML + "votes:\n  endpoint: '" + hostile.replace("'", "''") + "'\n")
    write_site(site)
    assert site.build() == 0
    encoded = "https://votes.example.org/x/a&b'c%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    for path, selector in (("predictions/open-one/", "section.votes"), ("", ".cards")):
        raw = (site.output / path / "index.html").read_text("utf-8")
        assert "<script>alert" not in raw, path
        assert "a&amp;b&#39;c" in raw or "a&amp;b&#x27;c" in raw, path
        [element] = site.html(path).select(selector)
        assert element["data-endpoint"] == encoded, path


def test_list_pages_carry_one_endpoint_and_a_slug_per_card(site: SiteFolder) -> None:
    site.config(VOTES_YAML)
    write_site(site)
    assert site.build() == 0
    page = site.html("")
    [cards] = page.select(".cards")
    assert cards["data-endpoint"] == ENDPOINT
    figures = cards.select("[data-votes-slug]")
    assert len(figures) == len(cards.select(".card")) == 3  # paginate: 3
    assert all(f.has_attr("hidden") for f in figures)  # shown by the script when it has counts
    [src] = vote_scripts(page)
    assert page.find("script", src=src).has_attr("defer")


def test_the_cards_and_the_widget_show_the_confidence_standing_now(site: SiteFolder) -> None:
    """A prediction revised since publication shows its last update's confidence on every
    list card and beside the community figure, as its own page does (catches the first
    forecast shown there: 80% on the cards, while the article says 65%)."""
    site.config(VOTES_YAML)
    updates = "confidence: 0.8\nupdates:\n  - {date: 2026-03-01, confidence: 0.65}\n"
    site.write("revised.md", prediction_text("Revised", prediction_extra=updates))
    assert site.build() == 0
    widget = site.html("predictions/revised/").select_one("section.votes")
    assert widget.find(class_="votes-author").get_text() == "Author: 65%"
    for path in ("", "open/", "authors/ada/"):
        [card] = site.html(path).select("article.card")
        meta = [span.get_text() for span in card.select(".card-meta > span")]
        assert "Confidence 65%" in meta and "Confidence 80%" not in meta, path
