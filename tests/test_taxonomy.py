"""Category and tag pages: one page per name, every name readable, no two names on one page."""

from __future__ import annotations

import random
import re
import string
import unicodedata

import feedparser
import pytest
from conftest import SiteFolder, prediction_text

from builder.content.slugs import is_safe_slug, slugify


def earlier_slugify(text: str) -> str:
    """The rule before transliteration, kept here to prove no URL it made has moved."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "untitled"


LATIN = "éèêëàáâäãåçñóòôöõúùûüíìîïýÿÉÈÊËÀÁÂÄÃÅÇÑÓÒÔÖÕÚÙÛÜÍÌÎÏÝŸ\u0301ﬁ™²"
KEPT = ["Économie & Société", "1,000 km", "AT&amp;T", "Women's", "x_y", "--a  b--"]
KEPT += ["méxico", "Café 1,5", "Ça &amp; là", "Ünïcode\u2019s", "l'été"]  # not ASCII: the library


def test_every_slug_the_earlier_rule_made_is_unchanged() -> None:
    # Catches: URLs moving under published pages: the library's own defaults would join
    # "1,000" into "1000" and decode "&amp;"; the transliteration must only fill in what the
    # earlier rule dropped (it dropped every character without an ASCII decomposition).
    generator = random.Random(13)
    alphabet = [c for c in string.printable if c not in "+#"] + list(LATIN)
    names = KEPT + [
        "".join(generator.choice(alphabet) for _ in range(generator.randint(1, 14)))
        for _ in range(20_000)
    ]
    for name in names:
        if earlier_slugify(name) != "untitled":
            assert slugify(name) == earlier_slugify(name), repr(name)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("C", "c"),
        ("#MeToo", "metoo"),
        ("日本", "ri-ben"),
        ("Ελλάδα", "ellada"),
        ("Россия", "rossiia"),
        ("Straße", "strasse"),
        ("🙂", "u-1f642"),
        ("🙂🙃", "u-1f642-1f643"),
        ("!?", "u-21-3f"),
    ],
)
def test_names_get_readable_distinct_slugs(name: str, slug: str) -> None:
    # Catches: "C++", "C#" and "C" all becoming "c"; every non-Latin name becoming
    # "untitled"; a name with nothing to transliterate sharing one fallback page.
    assert slugify(name) == slug
    assert is_safe_slug(slug)


@pytest.mark.parametrize("slug", ["nl\n", "a\nb", "x\r", "ok\x00", "Upper", "a.b", "", "-a"])
def test_unsafe_slugs(slug: str) -> None:
    # Catches: `re.match(...$)`, which lets a trailing newline through: a file "nl\n.md"
    # passed check and crashed the build.
    assert not is_safe_slug(slug)


NAMES = ["C++", "C#", "C", "日本", "Ελλάδα", "🙂"]


def test_each_name_has_its_own_page(site: SiteFolder) -> None:
    # Catches: names merged into one page (C++/C#/C) or into "untitled" (non-Latin, emoji);
    # a link from a prediction that does not reach its tag's page.
    for index, name in enumerate(NAMES):
        extra = f"category: {name!r}\ntags: [{name!r}]\n"
        site.write(f"p{index}.md", prediction_text(f"P{index}", extra=extra))
    assert site.build() == 0
    for kind in ("tags", "categories"):
        index_page = site.html(f"{kind}/")
        listed = {a.get_text(): a["href"] for a in index_page.select(".term-list a")}
        assert sorted(listed) == sorted(NAMES)
        for number, name in enumerate(NAMES):
            page = f"{kind}/{slugify(name)}/"
            titles = [a.get_text(strip=True) for a in site.html(page).select(".card-title a")]
            assert titles == [f"P{number}"], (name, titles)
    link = site.html("predictions/p3/").select_one(f'a[href$="tags/{slugify("日本")}/"]')
    assert link is not None and "日本" in link.get_text()


def test_spellings_of_one_term_list_a_prediction_once(site: SiteFolder) -> None:
    # Catches: a prediction tagged "Energy" and "energy" listed twice on the tag's page and
    # in its feed (a duplicate guid, which feed validators reject), and counted twice.
    site.write("a.md", prediction_text("A", extra="tags: [Energy, energy, ' ENERGY']\n"))
    site.write("b.md", prediction_text("B", extra="tags: [énergy]\n"))
    assert site.check() == 0
    assert site.build() == 0
    page = site.html("tags/energy/")
    assert page.select_one(".list-count").get_text(strip=True) == "2 predictions"
    assert [a.get_text() for a in page.select(".card-title a")] == ["A", "B"]
    feed = feedparser.parse((site.output / "tags/energy/feed.xml").read_bytes())
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == 2 and len(set(ids)) == 2
    counts = [span.get_text() for span in site.html("tags/").select(".term-count")]
    assert counts == ["2 predictions"]


def test_two_names_on_one_page_are_refused_naming_both_files(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: different names silently merged into one page (the first one's page showing
    # the other's predictions), and a message that names only one of the files.
    site.write("a.md", prediction_text("A", extra="category: C\ntags: [日本, x]\n"))
    site.write("b.md", prediction_text("B", extra="category: c.\ntags: [y, Ri Ben]\n"))
    site.write("c.md", prediction_text("C", extra="tags: [Open Source, open-source]\n"))
    assert site.check() == 1
    assert site.build() == 1
    err = capsys.readouterr().err
    a, b = "content/predictions/a.md", "content/predictions/b.md"
    expected = [
        f"{a}:5: category: category 'C' and 'c.' ({b}:5) share the page categories/c/: rename one",
        f"{b}:5: category: category 'c.' and 'C' ({a}:5) share the page categories/c/: rename one",
        f"{a}:6: tags.0: tag '日本' and 'Ri Ben' ({b}:6) share the page tags/ri-ben/: rename one",
        f"{b}:6: tags.1: tag 'Ri Ben' and '日本' ({a}:6) share the page tags/ri-ben/: rename one",
    ]
    for line in expected:
        assert err.count(line) == 2, (line, err)  # once by check, once by build
    assert "c.md" not in err  # two spellings of one term
    assert "Traceback" not in err
