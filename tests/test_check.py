"""`foretell check`: every author mistake, reported as path:line: field: message, all at once."""

from __future__ import annotations

import time

import pytest
from conftest import SiteFolder, parsed_files, prediction_text

VALID = prediction_text  # a valid file; the cases below break one thing each

# (file name, file content, expected "path:line: field" prefix, words the message must hold)
ERRORS = [
    (
        "syntax.md",
        "---\ntitle: A\ndate: 2026-01-01\ntags: [a, b\nauthor: ada\n---\n",
        "syntax.md:5",
        "YAML syntax error",
    ),
    ("list.md", "---\n- a\n- b\n---\nBody\n", "list.md:2", "must be a mapping"),
    ("nofront.md", "Just a body, no front matter.\n", "nofront.md:1", "no front matter"),
    ("latin1.md", VALID("Caf\u00e9").encode("latin-1"), "latin1.md:2", "not UTF-8"),
    (
        "notitle.md",
        VALID().replace("title: 'A prediction'\n", ""),
        "notitle.md:1",
        "title: is required",
    ),
    ("nodate.md", VALID().replace("date: 2026-01-10\n", ""), "nodate.md:1", "date: is required"),
    ("noauthor.md", VALID().replace("author: ada\n", ""), "noauthor.md:1", "author: is required"),
    (
        "nostatement.md",
        VALID().replace("  statement: 'Something will happen.'\n", ""),
        "nostatement.md",
        "prediction.statement: is required",
    ),
    (
        "notarget.md",
        VALID().replace("  target_date: 2027-01-01\n", ""),
        "notarget.md",
        "prediction.target_date: is required",
    ),
    (
        "baddate.md",
        VALID(target="2026-02-30"),
        "baddate.md:7: prediction.target_date",
        "impossible date",
    ),
    ("badpubdate.md", VALID(date="'next week'"), "badpubdate.md:3: date", "expected a date"),
    (
        "overconfident.md",
        VALID(prediction_extra="confidence: 1.5\n"),
        "overconfident.md:8: prediction.confidence",
        "between 0 and 1",
    ),
    (
        "percent.md",
        VALID(prediction_extra="confidence: 75\n"),
        "percent.md:8: prediction.confidence",
        "did you mean 0.75",
    ),
    (
        "wordconfidence.md",
        VALID(prediction_extra="confidence: likely\n"),
        "wordconfidence.md:8: prediction.confidence",
        "expected a number",
    ),
    (
        "outcome.md",
        VALID(prediction_extra="resolution: {outcome: maybe, date: 2027-02-01}\n"),
        "outcome.md:8: prediction.resolution.outcome",
        "expected one of yes, no, void",
    ),
    ("author.md", VALID(author="nobody"), "author.md:4: author", "unknown author 'nobody'"),
    ("unsafe.md", VALID(extra="slug: ../x\n"), "unsafe.md:5: slug", "unsafe slug"),
    ("Has Space.md", VALID(), "Has Space.md:1: slug", "unsafe slug"),
    (
        "cite.md",
        VALID(body="First line.\nSee [3] here.\n"),
        "cite.md:10: body",
        "citation [3] has no reference 3",
    ),
    (
        "reftype.md",
        VALID(extra='references: "a string"\n'),
        "reftype.md:5: references",
        "expected a list",
    ),
    (
        "unknown.md",
        VALID(extra="catgory: Space\n"),
        "unknown.md:5: catgory",
        "did you mean 'category'",
    ),
    (
        "unknownnested.md",
        VALID(prediction_extra="confidense: 0.5\n"),
        "unknownnested.md:8: prediction.confidense",
        "did you mean 'confidence'",
    ),
    ("tagstype.md", VALID(extra="tags: {a: 1}\n"), "tagstype.md:5: tags", "expected a list"),
]

BOMB = (
    "---\n"
    + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 7)}]\n" for i in range(1, 12))
    + "---\n"
)


def _write(site: SiteFolder, name: str, content: str | bytes) -> None:
    site.write(name, content)


@pytest.mark.parametrize(("name", "content", "where", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_each_error_names_file_line_and_field(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], name, content, where, words
) -> None:
    _write(site, name, content)
    assert site.check() == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert any(f"content/predictions/{where}" in line and words in line for line in lines), err
    assert "Traceback" not in err
    assert site.build() == 1


def test_a_missing_field_beside_another_mistake_is_reported_with_it(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """A field missing at the top has no line of its own: it is reported at the front matter's
    start, beside the file's other mistakes. (Catches the field reported without a line, which
    then sorted against a numbered one raised a TypeError instead of the report; the order
    itself is tests/test_errors.py's.)"""
    site.write(
        "two.md", VALID(prediction_extra="confidence: 1.5\n").replace("title: 'A prediction'\n", "")
    )
    assert site.check() == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: content/predictions/two.md:1: title: is required (text)",
        "error: content/predictions/two.md:7: prediction.confidence: "
        "must be between 0 and 1, got 1.5",
    ]
    assert site.build() == 1


def test_a_missing_claim_is_one_error(site: SiteFolder, capsys: pytest.CaptureFixture[str]) -> None:
    """Without `prediction:`, its statement and target date are not reported missing as well
    (catches the claim's fields read before the claim is found missing)."""
    text = VALID()
    start = text.index("prediction:")
    end = text.index("---", start)
    site.write("noclaim.md", text[:start] + text[end:])
    assert site.check() == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: content/predictions/noclaim.md:1: prediction: is required (a mapping)"
    ]


def test_duplicate_slugs_name_both_files(site: SiteFolder, capsys) -> None:
    site.write("one.md", VALID(extra="slug: same\n"))
    site.write("same.md", VALID())
    assert site.check() == 1
    err = capsys.readouterr().err
    assert "content/predictions/one.md:5: slug: slug 'same' is used by" in err
    assert "content/predictions/same.md:1: slug" in err
    assert err.count("content/predictions/one.md and content/predictions/same.md") == 2


def test_alias_bomb_is_refused_quickly(site: SiteFolder, capsys) -> None:
    site.write("bomb.md", BOMB)
    started = time.perf_counter()
    assert site.check() == 1
    assert time.perf_counter() - started < 5  # a generous bound: expanding it would take hours
    assert "bomb.md:" in capsys.readouterr().err


WARNINGS = [
    (
        VALID(date="2026-12-23", target="2026-12-22"),
        "w.md:7: prediction.target_date",
        "before the publication date",
    ),
    (VALID(extra="references:\n  - {title: Never cited}\n"), "w.md:6: references.0", "never cited"),
    (
        VALID(prediction_extra="resolution: {outcome: yes, date: 2025-01-01}\n"),
        "w.md:8: prediction.resolution.date",
        "before the publication date",
    ),
]


@pytest.mark.parametrize(("content", "where", "words"), WARNINGS)
def test_warnings_do_not_stop_the_build(site: SiteFolder, capsys, content, where, words) -> None:
    site.write("w.md", content)
    assert site.check() == 0
    err = capsys.readouterr().err
    assert any(
        line.startswith("warning:") and where in line and words in line for line in err.splitlines()
    ), err
    assert site.build() == 0
    assert (site.output / "predictions" / "w" / "index.html").exists()


def test_check_reports_every_problem_in_one_run(site: SiteFolder, capsys) -> None:
    for name, content, _, _ in ERRORS:
        _write(site, name, content)
    site.write("bomb.md", BOMB)
    site.write("one.md", VALID(extra="slug: same\n"))
    site.write("same.md", VALID())
    site.write("w.md", WARNINGS[0][0])
    assert site.check() == 1
    err = capsys.readouterr().err
    for name, _, where, words in ERRORS:
        assert any(where in line and words in line for line in err.splitlines()), name
    assert "bomb.md" in err and "is used by" in err and "before the publication date" in err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("Check failed:") and "1 warning(s)" in summary


def test_check_takes_the_files_the_last_build_parsed(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the build does (its parse cache). Catches: `check` parsing every file again (16 s
    at 10,000 predictions, where the build reads them in 0.5 s), or trusting the cache for a
    file changed since the build."""
    for n in range(3):
        site.write(f"p{n}.md", VALID(f"Prediction {n}"))
    assert site.build() == 0
    site.write("p1.md", VALID("Prediction 1", extra="references:\n  - {title: Never cited}\n"))
    read = parsed_files(monkeypatch)
    assert site.check() == 0
    assert read == ["content/predictions/p1.md"]
    assert "p1.md:6: references.0: reference 1 is never cited" in capsys.readouterr().err


def test_clean_site_checks_ok(site: SiteFolder, capsys) -> None:
    site.write("ok.md", VALID())
    assert site.check() == 0
    assert "OK: 1 prediction, 0 error(s), 0 warning(s)" in capsys.readouterr().err
    assert not site.output.exists(), "check writes nothing"


def test_template_syntax_errors_are_reported_as_the_build_reports_them(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `check` accepts, `build` builds: a theme template that does not compile fails
    `check` with the build's own `path:line:` message, every broken template in one run, and
    beside the content's mistakes. Catches: `check` that only loads the content (OK, exit 0,
    then `build` fails); one that stops at the first broken template; and one that compiles
    without the theme's filters (an unknown filter is a syntax error to Jinja)."""
    site.write("ok.md", VALID())
    templates = site.root / "themes" / "default" / "templates"
    article = templates / "prediction.html"
    lines = article.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = "{% if %}\n"  # line 4
    article.write_text("".join(lines), encoding="utf-8")
    card = templates / "partials" / "card.html"
    card.write_text(card.read_text(encoding="utf-8") + "{{ 1 | no_such_filter }}\n")
    card_line = card.read_text(encoding="utf-8").count("\n")

    assert site.check() == 1
    err = capsys.readouterr().err
    checked = [line for line in err.splitlines() if line.startswith("error:")]
    assert checked == [
        f"error: themes/default/templates/partials/card.html:{card_line}: "
        "template syntax error: No filter named 'no_such_filter'.",
        "error: themes/default/templates/prediction.html:4: template syntax error: "
        "Expected an expression, got 'end of statement block'",
    ], err
    assert err.strip().splitlines()[-1] == "Check failed: 2 error(s), 0 warning(s)"
    assert "Traceback" not in err
    assert site.build() == 1  # stops at the first template it compiles: one of the two
    built = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(built) == 1 and built[0] in checked, built

    site.write("notitle.md", VALID().replace("title: 'A prediction'\n", ""))  # content too
    assert site.check() == 1
    checked = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(checked) == 3 and "notitle.md" in checked[0], checked
    assert "title: is required" in checked[0], checked
    assert checked[1:] == [line for line in checked if "themes/default/templates/" in line]


def test_yes_and_no_are_outcomes_not_booleans(site: SiteFolder) -> None:
    site.write("y.md", VALID(prediction_extra="resolution: {outcome: yes, date: 2026-05-01}\n"))
    site.write("n.md", VALID(prediction_extra="resolution:\n  outcome: no\n  date: 2026-05-01\n"))
    assert site.build() == 0
    assert site.html("predictions/y/").select_one(".status")["class"][-1] == "status-yes"
    assert site.html("predictions/n/").select_one(".status")["class"][-1] == "status-no"


# URLs from the front matter: http(s) with a host, the rule `resolve` applies (issue #13) -----

# (where the URL goes, with %s for it; the line of its key; the field)
URL_PLACES = [
    ({"extra": "references:\n  - {title: T, url: %s}\n"}, 6, "references.0.url"),
    (
        {"prediction_extra": "resolution: {outcome: yes, date: 2026-05-01, evidence: %s}\n"},
        8,
        "prediction.resolution.evidence",
    ),
]
NOT_HTTP = "expected an absolute http(s) URL, got"
# (the URL as YAML, the message)
BAD_URLS = [
    ("'javascript:alert(1)'", f"{NOT_HTTP} 'javascript:alert(1)'"),
    ("' JavaScript:alert(1)'", f"{NOT_HTTP} 'JavaScript:alert(1)'"),
    ('"java\\tscript:alert(1)"', f"{NOT_HTTP} 'javascript:alert(1)'"),
    ("'data:text/html,<b>x</b>'", f"{NOT_HTTP} 'data:text/html,<b>x</b>'"),
    ("'vbscript:msgbox(1)'", f"{NOT_HTTP} 'vbscript:msgbox(1)'"),
    ("'report.pdf'", f"{NOT_HTTP} 'report.pdf'"),
    ("'//cdn.example/x'", f"{NOT_HTTP} '//cdn.example/x'"),
    ("'https:///report'", "has no host name (expected https://host/...), got 'https:///report'"),
    ("'http://[::1'", "is not a valid URL (Invalid IPv6 URL): 'http://[::1'"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS, ids=[u[0] for u in BAD_URLS])
@pytest.mark.parametrize(("place", "line", "field"), URL_PLACES, ids=[p[2] for p in URL_PLACES])
def test_each_bad_url_is_reported_with_file_line_and_field(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], place, line, field, url, message
) -> None:
    """Catches: a URL field read as plain text (any scheme reaches an href), a check that only
    looks at the start of the raw text (" JavaScript:", "java<TAB>script:"), a traceback on a
    URL urllib cannot parse."""
    site.write("u.md", VALID(**{key: value % url for key, value in place.items()}))
    assert site.check() == 1
    err = capsys.readouterr().err
    assert f"error: content/predictions/u.md:{line}: {field}: {message}\n" in err, err
    assert "Traceback" not in err
    assert site.build() == 1
    assert not (site.output / "predictions" / "u").exists()


def test_a_url_is_percent_encoded_where_it_must_be(site: SiteFolder) -> None:
    """Catches: a URL that check accepts reaching the page raw ("<" in a query is invalid
    HTML), and a valid URL changed on the way."""
    raw = "https://evidence.example.org/a?x=1&y=<2>"
    plain = "https://a.example/1?x=1&y=2#top"
    references = f"references:\n  - {{title: T, url: '{raw}'}}\n  - {{title: U, url: '{plain}'}}\n"
    resolution = f"resolution: {{outcome: no, date: 2026-05-01, evidence: '{raw}'}}\n"
    site.write("u.md", VALID(extra=references, prediction_extra=resolution, body="[1] [2]\n"))
    assert site.build() == 0
    page = site.html("predictions/u/")
    encoded = "https://evidence.example.org/a?x=1&y=%3C2%3E"
    assert [a["href"] for a in page.select("li[id^=ref-] a")] == [encoded, plain]
    assert page.select_one("a.resolution-evidence")["href"] == encoded


# -- #13 items 10 and 15: file names and term names that `check` passed and `build` broke on


@pytest.mark.parametrize(
    ("name", "shown"),
    [("nl\n.md", "nl\\n.md"), ("esc\x1b[2J.md", "esc\\x1b[2J.md"), ("ls\u2028.md", "ls\\u2028.md")],
    ids=["newline", "escape", "line-separator"],
)
def test_a_control_character_in_a_file_name_is_one_line_problem(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], name: str, shown: str
) -> None:
    # Catches: "nl\n.md" passing check (its slug "nl\n" matched `^...$`) and crashing the
    # build; the name printed raw, which splits `path: field: message` over two lines (or
    # sends an escape sequence to the terminal); a file with its own slug let through.
    site.write("ok.md", VALID())
    site.write(name, VALID())
    site.write(f"own-{name}", VALID(extra="slug: own\n"))
    assert site.check() == 1
    assert site.build() == 1
    err = capsys.readouterr().err
    for file in (shown, f"own-{shown}"):
        where = f"error: content/predictions/{file}: file name: contains a control character"
        assert sum(line.startswith(where) for line in err.splitlines()) == 2, err
    assert "\x1b[2J" not in err and "Traceback" not in err
    assert err.count("error:") == 4  # the name alone: nothing else is read from these files


def test_term_names_that_share_a_page_with_a_draft_are_refused(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    # Catches: checking published predictions only: `build --drafts` would merge the pages.
    site.write("a.md", VALID(extra="tags: [C]\n"))
    site.write("d.md", VALID(extra="draft: true\ntags: ['c.']\n"))
    assert site.check() == 1
    assert site.build("--drafts") == 1
    err = capsys.readouterr().err
    assert err.count("d.md:6: tags.0: tag 'c.' and 'C' (content/predictions/a.md:5)") == 2, err


# -- #16 items 1 and 2: `prediction.updates`, each one a dated revision of the confidence ------

# Lines of VALID(prediction_extra=...): `confidence:` is line 8, `updates:` 9, its items 10...
UPDATES = "confidence: 0.6\nupdates:\n"
# (the items under `updates:`, the resolution date if any, the exact problems reported)
UPDATE_ERRORS = [
    (
        "  - {date: 2026-01-10, confidence: 0.5}\n  - {date: 2026-01-09, confidence: 0.5}\n",
        None,
        [
            "10: prediction.updates.0.date: must be after the publication date 2026-01-10, "
            "got 2026-01-10",
            "11: prediction.updates.1.date: must be after the publication date 2026-01-10, "
            "got 2026-01-09",
        ],
    ),
    (
        "  - {date: 2027-01-01, confidence: 0.5}\n  - {date: 2027-01-02, confidence: 0.5}\n",
        None,
        [
            "11: prediction.updates.1.date: must not be after the target date 2027-01-01, "
            "got 2027-01-02",
        ],
    ),
    (
        "  - {date: 2026-05-01, confidence: 0.5}\n  - {date: 2026-05-02, confidence: 0.5}\n",
        "2026-05-01",
        [
            "11: prediction.updates.1.date: must not be after the resolution date 2026-05-01, "
            "got 2026-05-02",
        ],
    ),
    (
        "  - {date: 2026-03-05, confidence: 0.5}\n  - {date: 2026-03-05, confidence: 0.4}\n"
        "  - {date: 2026-03-07, confidence: 0.3}\n  - {date: 2026-03-06, confidence: 0.2}\n",
        None,
        [
            "11: prediction.updates.1.date: must be after the previous update's date "
            "2026-03-05 (updates are listed oldest first, at most one a day), got 2026-03-05",
            "13: prediction.updates.3.date: must be after the previous update's date "
            "2026-03-07 (updates are listed oldest first, at most one a day), got 2026-03-06",
        ],
    ),
    (
        # On the line of the offending key, not of the item's dash.
        "  - confidence: 0.5\n    date: 2026-01-01\n  - note: no date\n    confidence: 1.5\n",
        None,
        [
            "11: prediction.updates.0.date: must be after the publication date 2026-01-10, "
            "got 2026-01-01",
            "12: prediction.updates.1.date: is required (a date YYYY-MM-DD)",
            "13: prediction.updates.1.confidence: must be between 0 and 1, got 1.5",
        ],
    ),
    (
        "  - {date: 2026-02-01, confidence: 55}\n  - {date: 2026-02-02, confidence: likely}\n"
        "  - {date: 2026-02-03}\n  - {date: 2026-02-04, confidence: 0.5, notes: x}\n"
        "  - 0.5\n  - {date: 2026-02-30, confidence: 0.5}\n",
        None,
        [
            "10: prediction.updates.0.confidence: must be between 0 and 1, got 55 "
            "(did you mean 0.55?)",
            "11: prediction.updates.1.confidence: expected a number from 0 to 1, got 'likely'",
            "12: prediction.updates.2.confidence: is required (a number from 0 to 1)",
            "13: prediction.updates.3.notes: unknown key 'notes' (did you mean 'note'?)",
            "14: prediction.updates.4: each update is a mapping with date, confidence and an "
            "optional note",
            "15: prediction.updates.5.date: impossible date '2026-02-30' (day is out of range "
            "for month)",
        ],
    ),
]


def _updates_file(items: str, resolved: str | None, first: str = UPDATES) -> str:
    resolution = f"resolution: {{outcome: no, date: {resolved}}}\n" if resolved else ""
    return VALID(prediction_extra=first + items + resolution)


@pytest.mark.parametrize(("items", "resolved", "problems"), UPDATE_ERRORS)
def test_each_update_error_is_on_its_own_line_with_its_field(
    site: SiteFolder, capsys: pytest.CaptureFixture[str], items, resolved, problems
) -> None:
    """Catches: an update dated on (or before) the publication day, after the target or the
    resolution date, on the day of the update before it or before it, accepted; the order
    checked against the first update only, or stopping at the first bad one; a problem put
    on the `updates:` line or the item's dash instead of the offending key's line; the
    percentage hint or the confidence rules missing from updates; unknown keys let through."""
    site.write("u.md", _updates_file(items, resolved))
    assert site.check() == 1
    err = capsys.readouterr().err
    reported = [line for line in err.splitlines() if line.startswith("error:")]
    assert reported == [f"error: content/predictions/u.md:{p}" for p in problems], err
    assert site.build() == 1


def test_updates_at_their_bounds_are_read_in_order(site: SiteFolder) -> None:
    """Catches: "not after" the target or resolution date read as "before" (an update on
    the day itself refused), a note not read, the updates not reaching the model."""
    from datetime import date

    from builder.content.loader import parse_prediction
    from builder.content.model import Update

    items = (
        "  - {date: 2026-01-11, confidence: 0.7, note: '  Day after publication. '}\n"
        "  - date: 2026-05-01\n    confidence: 1\n"
    )
    text = _updates_file(items, "2026-05-01")
    site.write("u.md", text)
    assert site.check() == 0
    parsed = parse_prediction("u.md", text, ["ada"]).prediction
    assert parsed is not None and parsed.confidence == 0.6
    assert parsed.updates == (
        Update(date(2026, 1, 11), 0.7, "Day after publication."),
        Update(date(2026, 5, 1), 1.0),
    )
    site.write("t.md", _updates_file("  - {date: 2027-01-01, confidence: 0.1}\n", None))
    site.write("e.md", _updates_file("", None, first="confidence: 0.6\nupdates: []\n"))
    assert site.check() == 0
    assert site.build() == 0


def test_updates_need_a_first_confidence_and_a_list(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: updates without the forecast they revise (what stood before the first one
    is unknown), a mapping taken for the list."""
    site.write(
        "n.md", _updates_file("  - {date: 2026-02-01, confidence: 0.5}\n", None, "updates:\n")
    )
    site.write("m.md", _updates_file("  date: 2026-02-01\n  confidence: 0.5\n", None))
    assert site.check() == 1
    reported = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert reported == [
        "error: content/predictions/m.md:9: prediction.updates: expected a list, got a mapping",
        "error: content/predictions/n.md:8: prediction.updates: updates revise "
        "prediction.confidence, which is missing: give the confidence you first published",
    ]
