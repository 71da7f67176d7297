"""site.yaml validation: typed, every problem collected, typos never ignored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from builder.cli import main
from builder.config.siteconfig import load_config

GOOD = 'title: T\nurl: "https://x.example.org/blog"\nauthors:\n  ada: {name: Ada}\n'


def _load(tmp_path: Path, text: str):
    (tmp_path / "site.yaml").write_text(text)
    (tmp_path / "themes" / "default" / "templates").mkdir(parents=True, exist_ok=True)
    return load_config(tmp_path)


def test_defaults_and_normalised_url(tmp_path: Path) -> None:
    config, problems = _load(tmp_path, GOOD)
    assert problems == []
    assert config is not None
    assert config.url == "https://x.example.org/blog/"
    assert (config.paginate, config.theme, config.timezone, config.language) == (
        20,
        "default",
        "UTC",
        "en",
    )
    assert config.author("ada").name == "Ada"
    assert config.votes_endpoint is None


def test_every_problem_is_collected_with_its_line(tmp_path: Path) -> None:
    text = (
        "title: T\n"
        "url: not-a-url\n"
        "paginte: 10\n"
        "timezone: Mars/Olympus\n"
        "paginate: zero\n"
        "theme: missing\n"
        "authors:\n"
        "  Bad Key: {name: X}\n"
        "  bo: {bio: no name}\n"
    )
    _, problems = _load(tmp_path, text)
    assert all(p.is_error for p in problems)
    found = {(p.line, p.field) for p in problems}
    assert found >= {
        (2, "url"),
        (3, "paginte"),
        (4, "timezone"),
        (5, "paginate"),
        (6, "theme"),
        (8, "authors.Bad Key"),
        (9, "authors.bo.name"),
    }
    typo = next(p for p in problems if p.field == "paginte")
    assert "did you mean 'paginate'" in typo.message
    assert str(typo).startswith("site.yaml:3: paginte: unknown key")


def test_missing_and_broken_files(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert config is None and "not found" in problems[0].message
    config, problems = _load(tmp_path, "title: [oops\n")
    assert config is None and (problems[0].line, problems[0].message) == (
        1,  # where the list opens, not line 2 where the file ends
        "YAML syntax error: a list opened by the [ at column 8 is never closed: add the closing ]",
    )


def test_votes_endpoint(tmp_path: Path) -> None:
    config, _ = _load(tmp_path, GOOD + 'votes: {endpoint: "https://votes.example.org/"}\n')
    assert config.votes_endpoint == "https://votes.example.org"
    _, problems = _load(tmp_path, GOOD + "votes: {endpont: x}\n")
    assert {p.field for p in problems} == {"votes.endpont", "votes.endpoint"}


BAD_SITE_URLS = [
    ("http://[::1", "is not a valid URL (Invalid IPv6 URL): 'http://[::1'"),
    (
        "https://x.example.org/?q=1",
        "must not have a query (?...), got 'https://x.example.org/?q=1'",
    ),
    (
        "https://x.example.org/b#x",
        "must not have a fragment (#...), got 'https://x.example.org/b#x'",
    ),
    ("javascript:alert(1)", "expected an absolute http(s) URL, got 'javascript:alert(1)'"),
    ("https:///blog", "has no host name (expected https://host/...), got 'https:///blog'"),
]


@pytest.mark.parametrize(("url", "message"), BAD_SITE_URLS)
def test_a_site_url_every_page_url_can_be_made_from(tmp_path: Path, url: str, message: str) -> None:
    """Catches: a traceback on a URL urllib cannot parse, and a query or fragment accepted
    (each canonical URL would be "https://x/?q=1predictions/...")."""
    config, problems = _load(tmp_path, f"title: T\nurl: {url!r}\n")
    assert [str(p) for p in problems] == [f"site.yaml:2: url: {message}"]
    assert config is not None and config.url == "https://example.org/"  # never the bad one


def test_the_votes_endpoint_has_no_query_either(tmp_path: Path) -> None:
    """Catches: the endpoint taken as a base for request URLs with "?k=v" in it."""
    _, problems = _load(tmp_path, GOOD + 'votes: {endpoint: "https://v.example/api?k=v"}\n')
    assert [str(p) for p in problems] == [
        "site.yaml:5: votes.endpoint: must not have a query (?...), got 'https://v.example/api?k=v'"
    ]


@pytest.mark.parametrize(
    "theme", ["../outside", "{root}/outside", "..", ".", "a/b", "a\\b", "default/"]
)
def test_the_theme_is_a_folder_name_under_themes(tmp_path: Path, theme: str) -> None:
    """Catches: templates loaded from anywhere on the disk, outside what the up-to-date check
    watches. Each of these names a folder that has templates/, so only the rule refuses it."""
    theme = theme.format(root=tmp_path)
    for folder in ("outside", "themes/a/b", "themes/a\\b", "themes", ""):
        (tmp_path / folder / "templates").mkdir(parents=True, exist_ok=True)
    config, problems = _load(tmp_path, GOOD + f"theme: {json.dumps(theme)}\n")
    assert [str(p) for p in problems] == [
        f"site.yaml:5: theme: expected the name of a folder under themes/, got {theme!r}"
    ]
    assert config is not None and config.theme == "default"


def test_a_bad_site_url_is_an_error_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`foretell check` and `build` end with the problem, never a traceback."""
    shutil.copytree(REPO / "themes", tmp_path / "themes")
    (tmp_path / "site.yaml").write_text('title: T\nurl: "http://[::1"\ntheme: "../x"\n')
    for command in ("check", "build"):
        assert main([command, "--source", str(tmp_path)]) == 1
        err = capsys.readouterr().err
        assert "error: site.yaml:2: url: is not a valid URL" in err, err
        assert "error: site.yaml:3: theme: expected the name of a folder under themes/" in err
        assert "Traceback" not in err


def test_the_default_theme_needs_no_themes_folder(tmp_path: Path) -> None:
    """Catches: the theme looked for in the site alone (#15: a new site has no themes/)."""
    (tmp_path / "site.yaml").write_text(GOOD)
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config is not None and config.theme == "default"


@pytest.mark.parametrize("folder", [None, "static"])
def test_an_unknown_theme_names_both_places_looked_in(tmp_path: Path, folder: str | None) -> None:
    """Catches: a theme that is neither the site's nor installed taken for one (the build
    would then fail on a missing template), also when the site's folder has static files but
    no templates."""
    if folder:
        (tmp_path / "themes" / "mine" / folder).mkdir(parents=True)
    (tmp_path / "site.yaml").write_text(GOOD + "theme: mine\n")
    _, problems = load_config(tmp_path)
    assert [str(p) for p in problems] == [
        "site.yaml:5: theme: no theme 'mine': looked in the site's themes/mine/templates and "
        "in the themes installed with foretell (default)"
    ]


# --- track_record: what the scores make of what git cannot vouch for (#16 item 5) ----------


def test_track_record_defaults(tmp_path: Path) -> None:
    """Catches: late predictions scored by default, or a grace period other than 2 days."""
    config, problems = _load(tmp_path, GOOD)
    assert problems == []
    assert (config.track_record.include_late, config.track_record.update_grace_days) == (False, 2)


def test_track_record_settings_are_read(tmp_path: Path) -> None:
    """Catches: a setting read from the wrong key, or 0 days (no grace at all) refused."""
    text = GOOD + "track_record:\n  include_late: true\n  update_grace_days: 0\n"
    config, problems = _load(tmp_path, text)
    assert problems == []
    assert (config.track_record.include_late, config.track_record.update_grace_days) == (True, 0)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "\n  include_late: yes please",
            "site.yaml:6: track_record.include_late: expected true or false, got",
        ),
        (
            "\n  update_grace_days: -1",
            "site.yaml:6: track_record.update_grace_days: must be at least 0, got -1",
        ),
        (
            "\n  update_grace_days: 1.5",
            "site.yaml:6: track_record.update_grace_days: expected a whole number, got",
        ),
        (
            "\n  include_lat: true",
            "site.yaml:6: track_record.include_lat: unknown key 'include_lat' "
            "(did you mean 'include_late'?)",
        ),
        (" 3", "site.yaml:5: track_record: expected a mapping of keys to values, got"),
    ],
)
def test_track_record_mistakes_are_errors_on_their_line(
    tmp_path: Path, setting: str, message: str
) -> None:
    """Catches: a bad value silently replaced by the default, an unknown key ignored (a typo
    in include_late would quietly leave late predictions out), a negative grace period."""
    _, problems = _load(tmp_path, GOOD + f"track_record:{setting}\n")
    assert [p.is_error for p in problems] == [True]
    assert str(problems[0]).startswith(message), str(problems[0])


def test_track_record_mistakes_fail_check_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a bad setting that `check` lets through for `build` to trip on."""
    (tmp_path / "site.yaml").write_text(GOOD + "track_record: {update_grace_days: -3}\n")
    assert main(["check", "--source", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: site.yaml:5: track_record.update_grace_days: must be at least 0" in err, err
    assert "Traceback" not in err


# --- track_record.tag_threshold: which tags get a slice of the record (#17 item 2) ----------


def test_tag_threshold_defaults_to_five_and_is_read(tmp_path: Path) -> None:
    """Catches: a default other than 5, or the setting read from the wrong key."""
    config, _ = _load(tmp_path, GOOD)
    assert config.track_record.tag_threshold == 5
    config, problems = _load(tmp_path, GOOD + "track_record:\n  tag_threshold: 1\n")
    assert problems == []
    assert config.track_record.tag_threshold == 1


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("0", "site.yaml:6: track_record.tag_threshold: must be at least 1, got 0"),
        ("two", "site.yaml:6: track_record.tag_threshold: expected a whole number, got"),
    ],
)
def test_a_bad_tag_threshold_is_an_error_on_its_line(
    tmp_path: Path, setting: str, message: str
) -> None:
    """Catches: a threshold of 0 (every tag of no scored forecast would be a slice) or a
    non-number silently replaced by the default."""
    _, problems = _load(tmp_path, GOOD + f"track_record:\n  tag_threshold: {setting}\n")
    assert [p.is_error for p in problems] == [True]
    assert str(problems[0]).startswith(message), str(problems[0])


@pytest.mark.parametrize("zone", ["Europe/Pariss", "5", "../../etc/passwd"])
def test_an_unknown_time_zone_is_reported_when_today_comes_from_it(
    site, capsys: pytest.CaptureFixture[str], zone: str
) -> None:
    """Without --now, today is read in the site's zone before anything else: an unknown one is
    reported as a problem of site.yaml, not raised (catches the raw value handed to the clock:
    ZoneInfoNotFoundError, or ValueError for a path)."""
    site.config((site.root / "site.yaml").read_text() + f"timezone: {zone!r}\n")
    for command in ("check", "build"):
        assert main([command, "--source", str(site.root)]) == 1
        err = capsys.readouterr().err
        assert f"timezone: unknown time zone {zone!r}" in err
        assert "Traceback" not in err
    assert not site.output.exists()
