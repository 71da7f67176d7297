"""`foretell votes snapshot` against a real `foretell votes serve` (loopback port, real SQLite
file), over HTTP (--endpoint) and from the database (--db); then the built site's pages and
track-record.json, with the readers' figures computed by hand here."""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import REPO, SITE_YAML, SiteFolder, prediction_text, run_foretell

from builder.votes.database import Database, SqliteDatabase

TODAY = datetime.datetime.now(datetime.UTC).date()  # the endpoint closes voting by its clock
FUTURE = (TODAY + datetime.timedelta(days=400)).isoformat()
LISTENING = re.compile(rb"on http://127\.0\.0\.1:(\d+) ")
NOW = "2026-11-25"  # the build's today: every resolution below is before it
MIN_VOTES = 4

# slug -> (author, the author's confidence, outcome once resolved)
PREDICTIONS = {
    "alpha": ("ada", 0.8, "yes"),
    "beta": ("ada", 0.3, "no"),
    "delta": ("ada", 0.9, "no"),
    "gamma": ("bo", 0.6, "yes"),
    "few": ("bo", 0.7, "yes"),
}


@dataclass
class Endpoint:
    proc: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def vote(self, slug: str, **choices: int) -> None:
        for choice, count in choices.items():
            for _ in range(count):
                voter = f"snapshot-voter-{next(_VOTERS):08d}"
                body = {"choice": choice, "voter": voter}
                answer = httpx.post(f"{self.url}/v1/predictions/{slug}/votes", json=body)
                assert answer.status_code == 200, answer.text

    def state(self, slug: str) -> dict[str, object]:
        answer: dict[str, object] = httpx.get(f"{self.url}/v1/predictions/{slug}/votes").json()
        return answer

    def wait_until(self, slug: str, *, is_open: bool) -> None:
        """The endpoint re-reads the manifest when the build changes it: wait until it has."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.state(slug)["open"] is is_open:
                return
            time.sleep(0.05)
        pytest.fail(f"the endpoint never saw {slug} {'open' if is_open else 'closed'}")


_VOTERS = iter(range(10**8))


@contextmanager
def endpoint(db: Path | Database, manifest: Path) -> Iterator[Endpoint]:
    """`python -m builder.votes serve` on a free loopback port, as an operator starts it."""
    log_path = manifest.parent.parent / f"votes-{time.monotonic_ns()}.log"
    command = [sys.executable, "-m", "builder.votes", "serve", "--db", str(db)]
    command += ["--manifest", str(manifest), "--port", "0", "--rate-limit", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        server = Endpoint(proc, log_path)
        try:
            deadline = time.monotonic() + 15
            while not server.url:
                match = LISTENING.search(log_path.read_bytes())
                if match:
                    server.url = f"http://127.0.0.1:{int(match.group(1))}"
                assert proc.poll() is None, server.log()
                assert time.monotonic() < deadline, f"the endpoint did not start:\n{server.log()}"
                time.sleep(0.02)
            while True:  # the socket listens before uvicorn serves it
                try:
                    if httpx.get(server.url + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, server.log()
                    time.sleep(0.02)
            yield server
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
    assert "Traceback" not in log_path.read_text(errors="replace")


def write_predictions(site: SiteFolder, resolved: set[str]) -> None:
    """Every prediction, open to votes until the far future; the `resolved` ones resolved."""
    for slug, (author, confidence, outcome) in PREDICTIONS.items():
        extra = f"confidence: {confidence}\n"
        if slug in resolved:
            extra += f"resolution: {{outcome: {outcome}, date: 2026-11-01}}\n"
        text = prediction_text(slug.title(), author=author, target=FUTURE, prediction_extra=extra)
        site.write(f"{slug}.md", text)


def snapshot(site: SiteFolder, *how: str) -> subprocess.CompletedProcess[str]:
    done = run_foretell("votes", "snapshot", *how, "--source", str(site.root))
    assert "Traceback" not in done.stderr
    return done


def crowd_file(site: SiteFolder) -> Path:
    return site.root / "content" / "crowd.json"


def crowd_line(slug: str, will: int, wont: int, maybe: int) -> str:
    return f'  "{slug}": {{"maybe": {maybe}, "will": {will}, "wont": {wont}}}'


def points(q: float) -> float:
    """By hand: 100 x (1 + log2 q), q the probability given to what happened."""
    return 100 * (1 + math.log2(q))


@pytest.fixture
def voting_site(site: SiteFolder) -> SiteFolder:
    site.config(SITE_YAML + f"crowd: {{min_votes: {MIN_VOTES}}}\n")
    write_predictions(site, resolved=set())
    assert site.build() == 0
    return site


def test_snapshot_from_a_running_endpoint_then_the_built_site(voting_site: SiteFolder) -> None:
    """The whole loop: votes over HTTP, resolutions closing voting, a snapshot, more votes on a
    reopened prediction that the second snapshot must not take, and the built figures.

    Catches: open predictions written; a closed tally rewritten by a later snapshot; entries
    unsorted or not one a line; the crowd's probability counting "maybe"; a crowd figure below
    min_votes; the crowd row scored on other predictions than the author's; a wrong "beat"."""
    site = voting_site
    manifest = site.output / "votes-manifest.json"
    with endpoint(site.root.parent / "votes.sqlite3", manifest) as server:
        server.vote("alpha", will=6, wont=2, maybe=1)  # 75%
        server.vote("beta", will=1, wont=4)  # 20%
        server.vote("gamma", will=3, wont=3, maybe=2)  # 50%
        server.vote("few", will=1, wont=1)  # under MIN_VOTES: no figure
        server.vote("delta", will=1, wont=4)  # stays open for now
        write_predictions(site, resolved={"alpha", "beta", "gamma", "few"})
        assert site.build() == 0  # the manifest now closes them
        server.wait_until("alpha", is_open=False)

        first = snapshot(site, "--endpoint", server.url)
        assert first.returncode == 0, first.stderr
        written = crowd_file(site).read_text(encoding="utf-8")
        assert written == (
            '{"version": 1, "tallies": {\n'
            + ",\n".join([
                crowd_line("alpha", 6, 2, 1),
                crowd_line("beta", 1, 4, 0),
                crowd_line("few", 1, 1, 0),
                crowd_line("gamma", 3, 3, 2),
            ])
            + "\n}}\n"
        )  # fmt: skip
        assert "4 tallies added" in first.stdout and "1 still open" in first.stdout

        # alpha reopened (its resolution removed), voted on, then closed again with delta.
        write_predictions(site, resolved={"beta", "gamma", "few"})
        assert site.build() == 0
        server.wait_until("alpha", is_open=True)
        server.vote("alpha", will=5)
        write_predictions(site, resolved=set(PREDICTIONS))
        assert site.build() == 0
        server.wait_until("delta", is_open=False)
        assert server.state("alpha")["counts"] == {"will": 11, "wont": 2, "maybe": 1}

        second = snapshot(site, "--endpoint", server.url)
        assert second.returncode == 0, second.stderr
        assert "1 tally added, 4 kept" in second.stdout
    lines = [line.rstrip(",") for line in crowd_file(site).read_text("utf-8").splitlines()]
    assert lines[1] == crowd_line("alpha", 6, 2, 1)  # as closed the first time
    assert lines[3] == crowd_line("delta", 1, 4, 0)
    assert len(lines) == 7 and lines[1:-1] == sorted(lines[1:-1])

    assert site.build() == 0
    check_built_figures(site)


def check_built_figures(site: SiteFolder) -> None:
    """The pages and track-record.json against figures worked out here."""
    record = json.loads((site.output / "track-record.json").read_text(encoding="utf-8"))
    alpha = record["predictions"]["alpha"]["crowd"]
    assert alpha == {
        "will": 6, "wont": 2, "maybe": 1, "probability": 0.75,
        "brier": 0.0625, "points": round(points(0.75), 2),
    }  # fmt: skip
    assert record["predictions"]["few"]["crowd"] is None  # 2 will/won't votes: under 4
    # Ada on alpha, beta, delta: 0.8 yes, 0.3 no, 0.9 no; the readers 0.75, 0.2, 0.2.
    ada = record["authors"]["ada"]["crowd"]
    assert ada["predictions"] == 3 and ada["beaten"] == 1 and ada["tied"] == 0
    assert ada["author"]["brier"] == round((0.04 + 0.09 + 0.81) / 3, 4)
    assert ada["crowd"]["brier"] == round((0.0625 + 0.04 + 0.04) / 3, 4)
    assert ada["author"]["points"] == round(points(0.8) + points(0.7) + points(0.1), 2)
    assert ada["crowd"]["points"] == round(points(0.75) + 2 * points(0.8), 2)
    bo = record["authors"]["bo"]["crowd"]  # gamma alone: 0.6 against the readers' 0.5
    assert (bo["predictions"], bo["beaten"], bo["crowd"]["points"]) == (1, 1, 0.0)
    assert record["site"]["crowd"]["predictions"] == 4
    assert record["site"]["crowd"]["beaten"] == 2

    rows = csv.DictReader(io.StringIO((site.output / "track-record.csv").read_text("utf-8")))
    by_url = {row["url"].rsplit("/", 2)[-2]: row for row in rows}
    assert [by_url["alpha"][f"crowd_{k}"] for k in ("confidence", "brier", "points")] == [
        "0.75", "0.0625", str(round(points(0.75), 2)),
    ]  # fmt: skip
    assert by_url["few"]["crowd_confidence"] == by_url["few"]["crowd_points"] == ""

    page = site.html("predictions/alpha/")
    readers = page.select_one(".crowd-table .crowd-readers")
    assert readers is not None
    assert readers.select_one(".crowd-probability").get_text() == "75%"
    assert readers.select_one(".crowd-points").get_text() == "+58.5"  # 58.496
    author = page.select_one(".crowd-table .crowd-author")
    assert [td.get_text() for td in author.select("td")] == ["80%", "+67.8"]
    assert "6 will happen, 2 won\u2019t happen and 1 maybe" in page.select_one(".crowd-votes").text
    assert site.html("predictions/few/").select_one(".crowd-compare") is None

    table = site.html("track-record/").select_one("#site-crowd")
    cells = [row.select("th, td") for row in table.select("tbody tr")]
    rows = [[cell.get_text(" ", strip=True) for cell in row] for row in cells]
    assert rows == [
        ["Ada Quill", "3", "0.313", "\u2212115.8", "1 of 3"],
        ["The readers , on the same predictions", "3", "0.048", "+194.1", "2 of 3"],
        ["Bo Ek", "1", "0.160", "+26.3", "1 of 1"],
        ["The readers , on the same predictions", "1", "0.250", "0", "0 of 1"],
        ["All authors", "4", "0.275", "\u221289.5", "2 of 4"],
        ["The readers , on the same predictions", "4", "0.098", "+194.1", "2 of 4"],
    ]
    author_page = site.html("authors/bo/").select_one(".record-crowd")
    assert "Bo Ek beat the readers on 1 of the 1 prediction" in author_page.get_text(" ")


def _sqlite_files(database: Database) -> dict[str, int]:
    """The SQLite file and its WAL with their mtimes (the -shm index is not the data)."""
    if not isinstance(database, SqliteDatabase):
        return {}
    found = database.path.parent.glob(database.path.name + "*")
    return {p.name: p.stat().st_mtime_ns for p in found if not p.name.endswith("-shm")}


def test_snapshot_from_the_database_while_the_endpoint_runs(
    voting_site: SiteFolder, vote_db: Database
) -> None:
    """--db reads the endpoint's database (an SQLite file read-only, or PostgreSQL), closing
    voting as the endpoint does (the target date passed in UTC, or resolved), and never
    rewrites a closed tally.

    Catches: an SQLite file written by the read; the manifest's dates ignored (an open
    prediction written); a later snapshot changing a closed tally."""
    site = voting_site
    db = str(vote_db.path if isinstance(vote_db, SqliteDatabase) else vote_db)
    with endpoint(vote_db, site.output / "votes-manifest.json") as server:
        server.vote("alpha", will=6, wont=2, maybe=1)
        server.vote("delta", will=1, wont=4)
        write_predictions(site, resolved={"alpha"})
        assert site.build() == 0
        before = _sqlite_files(vote_db)

        first = snapshot(site, "--db", db)
        assert first.returncode == 0, first.stderr
        assert "1 tally added" in first.stdout
        assert _sqlite_files(vote_db) == before
        after_first = crowd_file(site).read_bytes()
        assert after_first == (
            b'{"version": 1, "tallies": {\n' + crowd_line("alpha", 6, 2, 1).encode() + b"\n}}\n"
        )

        # More votes reach alpha once it is reopened; then a day after delta's target date
        # (--now) closes delta: alpha stays as it closed.
        write_predictions(site, resolved=set())
        assert site.build() == 0
        server.wait_until("alpha", is_open=True)
        server.vote("alpha", wont=7)
        mtime = crowd_file(site).stat().st_mtime_ns
        again = snapshot(site, "--db", db)
        assert "0 tallies added" in again.stdout
        assert crowd_file(site).stat().st_mtime_ns == mtime  # nothing new: not rewritten
        later = (datetime.date.fromisoformat(FUTURE) + datetime.timedelta(days=1)).isoformat()
        closing = snapshot(site, "--db", db, "--now", later)
        assert closing.returncode == 0, closing.stderr
    tallies = json.loads(crowd_file(site).read_text(encoding="utf-8"))["tallies"]
    assert tallies["alpha"] == {"will": 6, "wont": 2, "maybe": 1}
    assert tallies["delta"] == {"will": 1, "wont": 4, "maybe": 0}
    assert tallies["gamma"] == {"will": 0, "wont": 0, "maybe": 0}  # closed without a vote


def test_snapshot_refuses_what_it_cannot_use(voting_site: SiteFolder, tmp_path: Path) -> None:
    """One line and exit 2, nothing written: no database, an endpoint that is not there, and
    a crowd file with a mistake (never overwritten).

    Catches: a traceback; a missing database created by the read; a broken file replaced."""
    site = voting_site
    missing = tmp_path / "nothing.sqlite3"
    done = snapshot(site, "--db", str(missing))
    assert done.returncode == 2 and "no such vote database" in done.stderr
    assert not missing.exists() and not crowd_file(site).exists()
    done = snapshot(site, "--endpoint", "http://127.0.0.1:9")
    assert done.returncode == 2 and "cannot reach the endpoint" in done.stderr
    crowd_file(site).write_text('{"version": 1, "tallies": {"alpha": {"will": -1}}}\n')
    done = snapshot(site, "--db", str(missing))
    assert done.returncode == 2
    assert "content/crowd.json:1: tallies.alpha.will: must be a whole number" in done.stderr
