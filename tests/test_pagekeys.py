"""Page keys (builder/incremental/pagekeys.py): a change to anything a page shows changes its
key, and a change to anything it does not show leaves the key alone (the page is not rendered
again). Keys are made over a real Jinja environment, from small templates in a tmp folder."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from builder.content.model import Prediction, Reference
from builder.incremental.pagekeys import PageKeys
from builder.site.model import Term
from builder.site.pagination import Page, paginate

# page.html extends base.html, which includes the footer; page.html includes the pager and
# imports a macro. other.html is used by no one here.
TEMPLATES = {
    "base.html": '<html>{% block body %}{% endblock %}{% include "partials/footer.html" %}</html>',
    "partials/footer.html": "<footer>{{ year }}</footer>",
    "partials/pager.html": "<nav>{{ pager.number }}</nav>",
    "partials/card.html": "{% macro card(p) %}<p>{{ p.title }}</p>{% endmacro %}",
    "page.html": (
        '{% extends "base.html" %}{% from "partials/card.html" import card %}'
        '{% block body %}{{ card(item) }}{% include "partials/pager.html" %}{% endblock %}'
    ),
    "other.html": "<p>Shown on no page of these tests</p>",
}
PAGE = "page.html"

_serial = itertools.count()


def prediction(slug: str = "a", **changes: Any) -> Prediction:
    """A prediction with its own digest (the hash of its source file, in a build)."""
    made = Prediction(
        source=f"content/predictions/{slug}.md",
        slug=slug,
        title=f"Prediction {slug}",
        date=dt.date(2026, 1, 1),
        author="ada",
        statement="Something will happen.",
        target_date=dt.date(2027, 1, 1),
        body_html="<p>Body.</p>",
        digest=f"digest-{slug}-{next(_serial)}",
    )
    return replace(made, **changes)


class Theme:
    """The templates in a folder, and keys as a build makes them: a new PageKeys each time
    (a build's keys remember each template's digest for that build)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.memo: dict[str, Any] = {}
        for name, text in TEMPLATES.items():
            self.edit(name, text)

    def edit(self, name: str, text: str) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def keys(
        self, base: str = "base", status: Callable[[Prediction], str] | None = None
    ) -> PageKeys:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(self.folder), autoescape=True)
        return PageKeys(env, base, status or (lambda p: "open"), self.remember)

    def remember(self, key: str, make: Callable[[], Any]) -> Any:
        """The build's memo, carried from one PageKeys to the next as from build to build:
        each test that edits a template checks that what it keeps is not stale."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def key(
        self,
        context: Mapping[str, Any] | None = None,
        *,
        template: str = PAGE,
        url: str = "x/",
        base: str = "base",
        status: Callable[[Prediction], str] | None = None,
    ) -> str:
        return self.keys(base, status).key(template, url, context or {})


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return Theme(tmp_path / "templates")


def test_the_same_inputs_give_the_same_key(theme: Theme) -> None:
    """The baseline the other tests rely on: nothing changed, the key is the same, in this
    build (one PageKeys) and in the next (another), for equal but distinct objects."""
    item = prediction()
    context = {"item": item, "pager": Page(1, 1, (item,), "", 1), "year": 2026}
    keys = theme.keys()
    assert keys.key(PAGE, "x/", context) == keys.key(PAGE, "x/", dict(context))
    assert theme.key(context) == theme.key({**context, "pager": Page(1, 1, (item,), "", 1)})


# -- The templates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "page.html",  # the page's own template
        "base.html",  # the template it extends
        "partials/pager.html",  # one it includes
        "partials/card.html",  # one it imports a macro from
        "partials/footer.html",  # one included by the one it extends
    ],
)
def test_a_change_to_a_template_the_page_uses_changes_its_key(theme: Theme, name: str) -> None:
    before = theme.key()
    theme.edit(name, TEMPLATES[name] + "<!-- edited -->")
    assert theme.key() != before


def test_a_change_to_a_template_the_page_does_not_use_leaves_its_key(theme: Theme) -> None:
    before = theme.key()
    theme.edit("other.html", "<p>Edited</p>")
    theme.edit("partials/unused.html", "<p>New</p>")
    assert theme.key() == before


def test_outputs_made_by_code_have_no_template(theme: Theme) -> None:
    """An output made by code (a feed, say) is keyed by its path and inputs alone."""
    before = theme.key({"n": 1}, template="")
    assert theme.key({"n": 2}, template="") != before
    theme.edit(PAGE, "edited")
    assert theme.key({"n": 1}, template="") == before


# -- Where the page is, and the build around it ---------------------------------------------


def test_the_url_changes_the_key(theme: Theme) -> None:
    assert theme.key(url="a/") != theme.key(url="b/")


def test_the_base_changes_the_key(theme: Theme) -> None:
    """The base stands for foretell's version, the config and the assets' digest."""
    assert theme.key(base="version 1 / config A") != theme.key(base="version 2 / config A")


# -- The context -----------------------------------------------------------------------------


SCALAR_CHANGES = [
    ("text", "old", "new"),
    ("int", 3, 4),
    ("float", 0.7, 0.75),
    ("bool", True, False),
    ("date", dt.date(2026, 1, 1), dt.date(2026, 1, 2)),
    ("None to a value", None, ""),
    ("same text, another type", 1, "1"),
    ("markup", Markup("<b>x</b>"), Markup("<i>x</i>")),
    ("markup and text", Markup("x"), "x"),
]


@pytest.mark.parametrize(("what", "old", "new"), SCALAR_CHANGES, ids=[c[0] for c in SCALAR_CHANGES])
def test_a_changed_scalar_changes_the_key(theme: Theme, what: str, old: Any, new: Any) -> None:
    assert theme.key({"value": old}) != theme.key({"value": new})


NESTED_CHANGES = [
    ("value in a dict", {"a": {"b": 1}}, {"a": {"b": 2}}),
    ("key in a dict", {"a": {"b": 1}}, {"a": {"c": 1}}),
    ("item in a list", {"a": [1, 2]}, {"a": [1, 3]}),
    ("item added", {"a": [1, 2]}, {"a": [1, 2, 3]}),
    ("deep in lists and dicts", {"a": [{"b": [1]}]}, {"a": [{"b": [2]}]}),
    ("where a list ends", {"a": [["x"], "y"]}, {"a": [["x", "y"]]}),
    ("where a dict ends", {"a": {"b": 1}, "c": 2}, {"a": {"b": 1, "c": 2}}),
    ("a tuple's item", {"a": ("x", "y")}, {"a": ("x", "z")}),
    ("a key added", {"a": 1}, {"a": 1, "b": None}),
]


@pytest.mark.parametrize(("what", "old", "new"), NESTED_CHANGES, ids=[c[0] for c in NESTED_CHANGES])
def test_a_change_deep_in_the_context_changes_the_key(
    theme: Theme, what: str, old: dict[str, Any], new: dict[str, Any]
) -> None:
    assert theme.key(old) != theme.key(new)


def test_the_order_of_a_dict_does_not_change_the_key(theme: Theme) -> None:
    """Catches hashing a dict in insertion order: the same context built in another order
    (a different code path, a set of terms read in another order) is the same page."""
    one = {"title": "T", "year": 2026, "nested": {"x": 1, "y": [1, {"p": 1, "q": 2}]}}
    other = {"nested": {"y": [1, {"q": 2, "p": 1}], "x": 1}, "year": 2026, "title": "T"}
    assert list(one) != list(other)
    assert theme.key(one) == theme.key(other)


def test_a_predictions_digest_changes_the_key(theme: Theme) -> None:
    """A prediction enters by the hash of its source file: any edit of the file changes it."""
    item = prediction()
    assert theme.key({"item": item}) != theme.key({"item": replace(item, digest="edited")})


def test_a_predictions_status_changes_the_key(theme: Theme) -> None:
    """The same file, seen on another day: `--now` moved it from open to due."""
    item = prediction()
    open_key = theme.key({"item": item}, status=lambda p: "open")
    due_key = theme.key({"item": item}, status=lambda p: "due")
    assert open_key != due_key


def test_each_prediction_is_keyed_by_its_own_status(theme: Theme) -> None:
    a, b = prediction("a"), prediction("b")
    context = {"items": [a, b]}
    statuses = {"a": "open", "b": "open"}
    before = theme.key(context, status=lambda p: statuses[p.slug])
    statuses["b"] = "resolved"
    assert theme.key(context, status=lambda p: statuses[p.slug]) != before


def test_a_terms_name_and_count_change_the_key(theme: Theme) -> None:
    items = (prediction("a"), prediction("b"))
    term = Term("tags", "space", "Space", items)
    before = theme.key({"term": term})
    assert theme.key({"term": replace(term, name="Outer space")}) != before
    assert theme.key({"term": replace(term, predictions=items[:1])}) != before
    assert theme.key({"term": replace(term, predictions=(*items, prediction("c")))}) != before


def test_a_terms_predictions_are_not_part_of_its_key(theme: Theme) -> None:
    """A term shows its name and count; its predictions reach a page through the pager.
    Catches keying a term by its predictions: every page naming the term (each page of its
    list, the terms index) would be rendered again for an edit of any one of them."""
    items = (prediction("a"), prediction("b"))
    term = Term("tags", "space", "Space", items)
    edited = replace(term, predictions=(replace(items[0], digest="edited"), items[1]))
    assert theme.key({"term": term}) == theme.key({"term": edited})
    others = replace(term, predictions=(prediction("c"), prediction("d")))
    assert theme.key({"term": term}) == theme.key({"term": others})


def test_a_term_list_page_changes_only_where_its_items_did(theme: Theme) -> None:
    """A term's list, two per page: editing the first prediction changes page 1's key, and
    leaves pages 2 and 3 (which show the term, not that prediction) as they were."""
    items = tuple(prediction(slug) for slug in "abcde")
    edited_items = (replace(items[0], digest="edited"), *items[1:])

    def keys(predictions: tuple[Prediction, ...]) -> list[str]:
        term = Term("tags", "space", "Space", predictions)
        pages = paginate(term.predictions, 2, term.url)
        return [theme.key({"term": term, "pager": page}, url=page.url) for page in pages]

    before, after = keys(items), keys(edited_items)
    assert len(before) == 3
    assert after[0] != before[0]
    assert after[1:] == before[1:]


def test_a_dataclass_field_changes_the_key(theme: Theme) -> None:
    reference = Reference(1, "A report", "https://example.org/r", "Example", None)
    before = theme.key({"refs": [reference]})
    for field, value in [("title", "Another report"), ("number", 2), ("url", None),
                         ("date", dt.date(2026, 3, 1))]:  # fmt: skip
        assert theme.key({"refs": [replace(reference, **{field: value})]}) != before, field
    page = Page(1, 2, (), "tags/x/", 3)
    assert theme.key({"pager": page}) != theme.key({"pager": replace(page, total=4)})


@pytest.mark.parametrize(
    "value", [object(), {1, 2}, frozenset({"a"})], ids=["object", "set", "frozenset"]
)
def test_a_value_it_cannot_fingerprint_is_an_error(theme: Theme, value: object) -> None:
    """Catches a key that silently leaves out what it cannot read: the page would never be
    rendered again when that value changes. (A set has no order to hash either.)"""
    with pytest.raises(TypeError, match="cannot fingerprint"):
        theme.key({"value": value})


def test_a_computed_include_makes_every_template_count(tmp_path: Path) -> None:
    """Catches: `{% include partial %}` (a name known only when rendering) ignored, so that
    editing the included template left the page's key, and its stale page, as they were."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("{% include partial %}")
    (folder / "a.html").write_text("A")
    (folder / "b.html").write_text("{% include other %}")  # a second one: no endless loop
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder))
    before = PageKeys(env, "base", lambda p: "open").key("page.html", "x/", {"partial": "a.html"})
    (folder / "a.html").write_text("A, edited")
    after = PageKeys(env, "base", lambda p: "open").key("page.html", "x/", {"partial": "a.html"})
    assert before != after


def test_a_template_that_starts_including_another_is_keyed_by_it(theme: Theme) -> None:
    """Catches: the templates a template names kept between builds under its name rather
    than its source, so that after an edit adding an include, edits to the newly included
    template left the page's key (and its stale page) as they were."""
    theme.key()  # the first build: what page.html names is remembered
    theme.edit(PAGE, TEMPLATES[PAGE] + '{% include "other.html" %}')
    before = theme.key()
    theme.edit("other.html", "<p>Edited</p>")
    assert theme.key() != before
