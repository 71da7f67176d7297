"""Markdown rendering: the extensions we promise, and citations that know where they are."""

from __future__ import annotations

from bs4 import BeautifulSoup

from builder.content.markdown import render


def _soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(render(text).html, "lxml")


def test_citations_link_to_references_but_not_in_code_or_links() -> None:
    text = (
        "Claim [1] and `[2]` and [a link [3]](https://x.example) and **bold [4]**.\n\n"
        "```\nx = [5]\n```\n\n"
        "    indented [6]\n\n"
        "[7]: https://defined.example\n\n"
        "Uses the definition [7].\n"
    )
    soup = _soup(text)
    assert [a["href"] for a in soup.select("a.citation")] == ["#ref-1", "#ref-4"]
    assert soup.find("code").get_text() == "[2]"
    assert soup.find("a", href="https://defined.example").get_text() == "7"
    numbers = [c.number for c in render(text).citations]
    assert numbers == [1, 4]


def test_citation_lines_count_from_the_body_start() -> None:
    rendered = render("one\ntwo [2]\n\n| a |\n|---|\n| [3] |\n")
    assert [(c.number, c.line) for c in rendered.citations] == [(2, 1), (3, 5)]


def test_tables_footnotes_strikethrough_anchors_highlighting() -> None:
    soup = _soup(
        "## Café Crème\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ text[^n]\n\n"
        "[^n]: a note\n\n```python\nprint('hi')\n```\n"
    )
    assert soup.find("h2")["id"] == "cafe-creme"
    assert soup.find("table").find_all("td")[1].get_text() == "2"
    assert soup.find("s").get_text() == "gone"
    assert soup.select_one("section.footnotes li").get_text().startswith("a note")
    code = soup.select_one("pre.highlight code.language-python")
    assert code.find("span", class_="nb").get_text() == "print"
    assert "style=" not in str(code)


def test_unknown_language_is_escaped_not_highlighted() -> None:
    soup = _soup("```nosuchlang\n<b>x</b>\n```\n")
    assert soup.find("b") is None
    assert soup.find("code").get_text() == "<b>x</b>\n"


def test_raw_html_passes_through_and_summary_is_plain_text() -> None:
    rendered = render("A *first* paragraph\nover two lines.\n\n<div class='x'>raw</div>\n")
    assert BeautifulSoup(rendered.html, "lxml").find("div", class_="x").get_text() == "raw"
    assert rendered.summary == "A first paragraph over two lines."
