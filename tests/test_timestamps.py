"""Timestamps in the build (builder/trackrecord/stamps/ token, verdict, store and
builder/render/timestamps.py): every token checked offline, what the page says, what the
track record counts, the files published for readers, and incremental builds. Tokens come
from a local authority made by the test (tests/authority.py)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from authority import OPENSSL, Authority
from bs4 import BeautifulSoup
from conftest import SITE_YAML, SiteFolder, prediction_text
from test_incremental import _clean_build
from test_integrity import _commit, _git

from builder.cli import main
from builder.content.claim import claims
from builder.content.loader import parse_prediction
from builder.incremental import dispatch
from builder.options import BuildOptions
from builder.trackrecord.stamps import store, token

# Stamps carry the real time (openssl's clock): dates are set around the real today.
TODAY = dt.datetime.now(dt.UTC).date()
LATER = (TODAY + dt.timedelta(days=400)).isoformat()
NOW = (TODAY + dt.timedelta(days=3)).isoformat()  # the build's --now, after any stamp here
TOKEN = re.compile(r"^[0-9a-f]{16}\.127\.0\.0\.1\.tsr$")


@pytest.fixture(scope="session")
def authorities(tmp_path_factory: pytest.TempPathFactory) -> tuple[Authority, Authority]:
    folder = tmp_path_factory.mktemp("authorities")
    return Authority(folder / "a", "Test"), Authority(folder / "b", "Other")


@pytest.fixture
def stamped(authorities: tuple[Authority, Authority], site: SiteFolder) -> Iterator[SiteFolder]:
    """The site, configured with the test authority, served while the test runs."""
    with authorities[0].serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        yield site


def _stamp(site: SiteFolder) -> None:
    assert main(["stamp", "--source", str(site.root)]) == 0


def _build(site: SiteFolder, *args: str) -> int:
    return main(["build", "--source", str(site.root), "--now", NOW, *args])


def _notice(site: SiteFolder, slug: str) -> BeautifulSoup:
    return site.html(f"predictions/{slug}/").select_one(".timestamps")


def _tokens(site: SiteFolder, slug: str) -> list[Path]:
    return sorted((site.root / store.STAMPS_DIR).glob(f"{slug}.*.tsr"))


def _claim(site: SiteFolder, slug: str, index: int = 0) -> bytes:
    source = f"content/predictions/{slug}.md"
    text = (site.root / source).read_text(encoding="utf-8")
    prediction = parse_prediction(source, text, ["ada", "bo"]).prediction
    assert prediction is not None
    return claims(prediction)[index].data


def _good(site: SiteFolder) -> None:
    # Two paragraphs: an edit of the second leaves the summary, so it takes the shortcut.
    site.write("good.md", prediction_text("Good", target=LATER, body="Summary.\n\nBody text.\n",
                                          prediction_extra="confidence: 0.7\n"))  # fmt: skip


def test_a_good_stamp_is_shown_with_its_files_and_the_openssl_command(
    stamped: SiteFolder, tmp_path: Path
) -> None:
    """Catches: no notice, a wrong date or authority, links to files the build does not
    publish, a command that does not verify the published files."""
    _good(stamped)
    _stamp(stamped)
    assert _build(stamped) == 0
    notice = _notice(stamped, "good")
    first = notice.select_one(".timestamp")
    assert "timestamped by 127.0.0.1 on" in first.get_text()
    when = dt.datetime.fromisoformat(first.select_one("time")["datetime"])
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=10)
    assert notice.select(".timestamp-problems") == []
    page = stamped.output / "predictions" / "good"
    files = {a.get_text(): (page / a["href"]).resolve() for a in first.select("a")}
    assert set(files) == {"token", "claim", "authority\u2019s certificates"}
    assert all(path.is_file() for path in files.values())
    assert TOKEN.match(files["token"].name)
    command = notice.select_one(".timestamp-command").get_text().split()
    for path in files.values():  # the reader's folder: the three files side by side
        (tmp_path / path.name).write_bytes(path.read_bytes())
    done = subprocess.run([OPENSSL, *command[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    record = json.loads((stamped.output / "track-record.json").read_text())
    entry = record["predictions"]["good"]
    assert entry["timestamp"]["authority"] == "127.0.0.1" and entry["late"] is False


def test_a_claim_edited_after_stamping_is_flagged(stamped: SiteFolder) -> None:
    """Catches: a token compared with nothing (any good signature passes), or a stamp still
    shown for a claim that now reads otherwise."""
    _good(stamped)
    _stamp(stamped)
    stamped.write(
        "good.md",
        prediction_text("Good", target=LATER, prediction_extra="confidence: 0.9\n"),
    )
    assert _build(stamped) == 0
    notice = _notice(stamped, "good")
    assert notice.select(".timestamp") == []
    [problem] = notice.select(".timestamp-problems li")
    assert problem.get_text().startswith("Claim edited after it was timestamped on")
    assert "integrity-edited" in notice["class"]


def test_a_token_whose_bytes_were_altered_is_flagged(stamped: SiteFolder) -> None:
    """Catches: a token trusted for what it says without checking its signature (here its
    time moved a year on; a year back, before its certificate, is refused too)."""
    _good(stamped)
    _stamp(stamped)
    [token] = _tokens(stamped, "good")
    data = token.read_bytes()
    # The signing time: a GeneralizedTime (tag 0x18, 15 bytes), the only one in the token
    # (the certificates' dates are UTCTime).
    gen_time = b"\x18\x0f" + str(TODAY.year).encode()
    assert data.count(gen_time) == 1
    token.write_bytes(data.replace(gen_time, b"\x18\x0f" + str(TODAY.year + 1).encode()))
    assert _build(stamped) == 0
    notice = _notice(stamped, "good")
    assert notice.select(".timestamp") == []
    [problem] = notice.select(".timestamp-problems li")
    assert "A timestamp that proves nothing" in problem.get_text()
    assert "its bytes were altered" in problem.get_text()
    token.write_bytes(data.replace(gen_time, b"\x18\x0f" + str(TODAY.year - 1).encode()))
    assert _build(stamped) == 0
    [problem] = _notice(stamped, "good").select(".timestamp-problems li")
    assert "certificate is not yet valid" in problem.get_text()


def test_a_token_signed_by_another_authority_is_flagged(
    stamped: SiteFolder, authorities: tuple[Authority, Authority]
) -> None:
    """Catches: a pin that is not enforced: any authority's good token accepted."""
    _good(stamped)
    _stamp(stamped)
    [token] = _tokens(stamped, "good")
    token.write_bytes(authorities[1].stamp(_claim(stamped, "good")))  # a good one, from a stranger
    assert _build(stamped) == 0
    [problem] = _notice(stamped, "good").select(".timestamp-problems li")
    assert (
        "is signed by CN=Other TSA, not by the pinned authority CN=Test TSA" in problem.get_text()
    )
    assert _notice(stamped, "good").select(".timestamp") == []


def _late(site: SiteFolder) -> None:
    """Written in 2019 (say its commits), settled in 2020, stamped only now."""
    resolved = "confidence: 0.7\nresolution: {outcome: yes, date: 2020-01-02}\n"
    site.write("late.md", prediction_text("Late", date="2019-01-01", target="2020-01-01",
                                          prediction_extra=resolved))  # fmt: skip


def test_a_stamp_after_the_target_date_is_recorded_after_the_fact_whatever_git_says(
    stamped: SiteFolder,
) -> None:
    """Catches: git's (author-supplied) dates trusted over the authority's, a late stamp not
    flagged, or a late prediction scored."""
    _late(stamped)
    _git(stamped, "init", "-q")
    _commit(stamped, "written in time, says the author's clock", when="2019-06-01T12:00:00+00:00")
    _stamp(stamped)
    assert _build(stamped) == 0
    notice = _notice(stamped, "late")
    late = notice.select_one(".integrity-after-the-fact").get_text(" ", strip=True)
    assert late.startswith("Recorded after the fact: this prediction was first timestamped after")
    assert "January 1, 2020" in late and "left out of every score" in late
    page = stamped.html("predictions/late/")
    git_notice = page.select_one(".integrity")
    assert git_notice is not None and git_notice.select_one(".integrity-after-the-fact") is None
    own = git_notice.select_one(".integrity-own-dates").get_text(" ", strip=True)
    assert own.endswith("the timestamp above is the one that counts.")
    entry = json.loads((stamped.output / "track-record.json").read_text())["predictions"]["late"]
    assert entry["late"] is True and entry["brier"] is None


def test_a_stamp_before_the_target_date_outweighs_a_late_commit(stamped: SiteFolder) -> None:
    """Catches: a prediction called late from its commit date when an authority vouches that
    it existed in time."""
    _good(stamped)
    _git(stamped, "init", "-q")
    after = (dt.date.fromisoformat(LATER) + dt.timedelta(days=10)).isoformat()
    _commit(stamped, "committed after the target date", when=f"{after}T12:00:00+00:00")
    _stamp(stamped)
    assert _build(stamped) == 0
    page = stamped.html("predictions/good/")
    assert page.select(".integrity-after-the-fact") == []
    assert page.select_one(".timestamps .timestamp") is not None
    entry = json.loads((stamped.output / "track-record.json").read_text())["predictions"]["good"]
    assert entry["late"] is False


def _resolved(site: SiteFolder, name: str) -> None:
    settled = (
        f"confidence: 0.8\nresolution: {{outcome: yes, date: {TODAY + dt.timedelta(days=1)}}}\n"
    )
    start = (TODAY - dt.timedelta(days=30)).isoformat()
    site.write(f"{name}.md", prediction_text(name.title(), date=start, target=LATER,
                                             prediction_extra=settled))  # fmt: skip


def test_the_track_record_counts_stamped_predictions_and_can_score_only_those(
    stamped: SiteFolder,
) -> None:
    """Catches: no count, a count of unscored or unstamped predictions, a `stamped_only`
    setting that scores everything (or nothing)."""
    _resolved(stamped, "vouched")
    _stamp(stamped)
    _resolved(stamped, "unvouched")  # after the stamping: no token
    assert _build(stamped) == 0
    record = json.loads((stamped.output / "track-record.json").read_text())
    assert (record["site"]["stamped"], record["site"]["scored"]) == (1, 2)
    assert record["authors"]["ada"]["stamped"] == 1
    note = stamped.html("track-record/").select_one(".record-stamped").get_text(" ", strip=True)
    assert note.startswith("1 scored prediction was timestamped by an independent authority")
    assert "scores only" not in note
    config = (stamped.root / "site.yaml").read_text()
    stamped.config(config + "track_record: {stamped_only: true}\n")
    assert _build(stamped) == 0
    record = json.loads((stamped.output / "track-record.json").read_text())
    assert (record["site"]["stamped"], record["site"]["scored"]) == (1, 1)
    assert record["site"]["stamped_only"] is True
    assert record["predictions"]["unvouched"]["brier"] is None
    assert record["predictions"]["vouched"]["brier"] is not None
    note = stamped.html("track-record/").select_one(".record-stamped").get_text(" ", strip=True)
    assert "this site scores only those" in note


def test_the_settings_are_checked_in_site_yaml(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a mistyped setting or an authority that is not an http(s) URL silently
    ignored."""
    site.write("a.md", prediction_text("A"))
    wrong = "track_record: {stamped_only: 3}\ntimestamps: {authorities: [ftp://x]}\n"
    site.config(SITE_YAML + wrong)
    assert site.check() == 1
    out = capsys.readouterr().err
    assert "site.yaml:10: track_record.stamped_only: expected true or false, got" in out
    assert "site.yaml:11: timestamps.authorities.0: expected an absolute http(s) URL" in out


def test_incremental_builds_notice_new_and_changed_tokens_and_equal_a_clean_build(
    stamped: SiteFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Catches: a new or changed token the incremental build misses (stale page, stale
    copy), a body or title edit (the shortcut) that drops the stamp from the page, and
    tokens checked again when they did not change."""
    checked: list[int] = []
    # Only the builds' checks are counted: the stamp command's module takes the real function
    # when imported, which must come first (the test failed when it ran alone).
    importlib.import_module("builder.trackrecord.stamps.stamp")
    real = token.check_token  # store.py imports it when a token needs checking
    monkeypatch.setattr(token, "check_token", lambda *a: checked.append(1) or real(*a))
    _good(stamped)
    stamped.write("other.md", prediction_text("Other", target=LATER))
    _stamp(stamped)
    assert _build(stamped) == 0 and len(checked) == 2
    edits = [
        ("body", lambda: _replace(stamped, "good.md", "Body text.", "A new body.")),
        ("title", lambda: _replace(stamped, "other.md", "'Other'", "'Renamed'")),
        ("new token", lambda: (_good_update(stamped), _stamp(stamped))),
        ("altered token", lambda: _alter(_tokens(stamped, "other")[0])),
    ]
    for name, edit in edits:
        edit()
        before = len(checked)
        way = dispatch.build(BuildOptions(stamped.root, dt.date.fromisoformat(NOW))).way
        assert (way == "shortcut") == (name in ("body", "title")), (name, way)
        # Only new or changed tokens are checked.
        expected = {"body": 0, "title": 0, "new token": 1, "altered token": 1}[name]
        assert len(checked) - before == expected, name
        assert stamped.files() == _clean_build(stamped, tmp_path, NOW), name
    assert len(_notice(stamped, "good").select(".timestamp")) == 2  # as published, update 1
    assert _notice(stamped, "other").select(".timestamp-problems li")


def _replace(site: SiteFolder, name: str, old: str, new: str) -> None:
    path = site.root / "content" / "predictions" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _good_update(site: SiteFolder) -> None:
    update = f"confidence: 0.7\nupdates:\n  - {{date: {TODAY}, confidence: 0.6}}\n"
    site.write("good.md", prediction_text("Good", target=LATER, prediction_extra=update,
                                          body="Summary.\n\nA new body.\n"))  # fmt: skip


def _alter(token: Path) -> None:
    data = bytearray(token.read_bytes())
    data[-5] ^= 0xFF  # in the signature
    token.write_bytes(bytes(data))


def test_an_update_stamped_long_after_its_date_is_backdated_whatever_git_says(
    stamped: SiteFolder,
) -> None:
    """Catches: an update's git commit date (the author's word) trusted over its timestamp:
    a revision stamped days after the date it claims counts only from its timestamp."""
    start, claimed = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)
    update = f"confidence: 0.7\nupdates:\n  - {{date: {claimed}, confidence: 0.2}}\n"
    stamped.write("u.md", prediction_text("U", date=start.isoformat(), target=LATER,
                                          prediction_extra=update))  # fmt: skip
    _git(stamped, "init", "-q")
    _commit(stamped, "on time, says the author's clock", when=f"{claimed}T12:00:00+00:00")
    _stamp(stamped)
    assert _build(stamped) == 0
    [backdated] = stamped.html("predictions/u/").select(".integrity-backdated li")
    text = backdated.get_text(" ", strip=True)
    assert "backdated: first timestamped on" in text and "commit" not in text


def test_an_update_to_a_stamped_open_prediction_takes_the_full_path(
    stamped: SiteFolder, tmp_path: Path
) -> None:
    """The site publishes each of its claims, the update's a new one. Catches: the forecast
    shortcut (incremental/forecasts.py) taken for it, which makes no claim file."""
    _good(stamped)
    _stamp(stamped)
    assert _build(stamped) == 0
    _good_update(stamped)
    way = dispatch.build(BuildOptions(stamped.root, dt.date.fromisoformat(NOW))).way
    assert way == "full"
    assert stamped.files() == _clean_build(stamped, tmp_path, NOW)
