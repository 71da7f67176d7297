"""The vote API in-process (Starlette TestClient): every status, CORS, rate limit, clock."""

from __future__ import annotations

import datetime
import json
import logging
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import openapi_spec_validator
import pytest
from conftest import NOW, SiteFolder, cast_vote, prediction_text
from starlette.exceptions import StarletteDeprecationWarning

from builder.render.votes_manifest import build_manifest
from builder.votes.app import create_app
from builder.votes.database import Database, open_store
from builder.votes.manifest import ManifestError, load_votables
from builder.votes.ratelimit import RateLimiter, client_ip, limit_key
from builder.votes.sqlite_store import SqliteVoteStore
from builder.votes.store import VoteStore, WriteOutcome

with warnings.catch_warnings():
    # Starlette >= 1.x warns at import that it prefers `httpx2` over `httpx` (a declared test
    # dependency); the warning is about packaging, not about anything these tests check.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

UTC = datetime.UTC
TARGET = datetime.date(2030, 6, 15)
PAST = datetime.date(2020, 1, 1)
SITE = "https://predictions.example.org"
VOTER = "reader_0123456789abcdef"  # 23 characters
VOTES = "/v1/predictions/open-one/votes"


class Clock:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "votes-manifest.json"
    path.write_bytes(build_manifest([("open-one", TARGET), ("closed-one", PAST)]))
    return path


@pytest.fixture
def store(vote_db: Database) -> Iterator[VoteStore]:
    """Each engine in turn: every test of the API through `store` runs against both."""
    with open_store(vote_db) as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.datetime(2030, 1, 1, 12, 0, tzinfo=UTC))


MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(store: VoteStore, manifest: Path, clock: Clock) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(client: tuple[str, int] = ("203.0.113.5", 40000), **options: Any) -> TestClient:
        settings: dict[str, Any] = {
            "allow_origins": [SITE],
            "rate_limit": None,
            "trust_forwarded_for": False,
            "clock": clock,
        }
        settings.update(options)
        app = create_app(store, manifest, **settings)
        test_client = TestClient(app, client=client)
        clients.append(test_client)
        return test_client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    return make_client()


def vote(
    client: TestClient, choice: str = "will", voter: str = VOTER, path: str = VOTES, **kwargs: Any
) -> Any:
    return client.post(path, json={"choice": choice, "voter": voter}, **kwargs)


def assert_error(response: Any, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str)
    assert fragment.lower() in body["error"].lower()


# -- happy paths ---------------------------------------------------------------------------


def test_healthz(api: TestClient) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "predictions": 2}


def test_counts_start_at_zero(api: TestClient) -> None:
    response = api.get(VOTES)
    assert response.status_code == 200
    assert response.json() == {
        "slug": "open-one",
        "counts": {"will": 0, "wont": 0, "maybe": 0},
        "total": 0,
        "open": True,
        "target_date": "2030-06-15",
    }
    assert response.headers["cache-control"] == "no-store"  # a cached count would lie


def test_vote_then_read_back(api: TestClient) -> None:
    response = vote(api, "maybe")
    assert response.status_code == 200
    assert response.json() == {
        "slug": "open-one",
        "counts": {"will": 0, "wont": 0, "maybe": 1},
        "total": 1,
        "open": True,
        "target_date": "2030-06-15",
        "your_choice": "maybe",
    }
    assert api.get(VOTES, params={"voter": VOTER}).json()["your_choice"] == "maybe"
    # Without ?voter there is no your_choice at all; another voter's is null.
    assert "your_choice" not in api.get(VOTES).json()
    assert api.get(VOTES, params={"voter": "x" * 16}).json()["your_choice"] is None


def test_revote_replaces(api: TestClient) -> None:
    vote(api, "will")
    vote(api, "will", voter="other_voter_000000")
    response = vote(api, "wont")
    assert response.json()["counts"] == {"will": 1, "wont": 1, "maybe": 0}
    assert response.json()["total"] == 2
    assert response.json()["your_choice"] == "wont"


@pytest.mark.parametrize("voter", ["a" * 16, "Z" * 64, "A-b_C-d_0123456789", "-" * 16])
def test_voter_id_boundaries_accepted(api: TestClient, voter: str) -> None:
    assert vote(api, voter=voter).status_code == 200


def test_charset_parameter_is_fine(api: TestClient) -> None:
    body = json.dumps({"choice": "will", "voter": VOTER})
    response = api.post(
        VOTES, content=body, headers={"Content-Type": "Application/JSON; charset=utf-8"}
    )
    assert response.status_code == 200


def test_batch_counts(api: TestClient) -> None:
    vote(api, "wont")
    response = api.get("/v1/votes", params={"ids": "closed-one,open-one,ghost,open-one"})
    assert response.status_code == 200
    assert response.json() == {
        "votes": {
            "closed-one": {
                "counts": {"will": 0, "wont": 0, "maybe": 0},
                "total": 0,
                "open": False,
                "target_date": "2020-01-01",
            },
            "open-one": {
                "counts": {"will": 0, "wont": 1, "maybe": 0},
                "total": 1,
                "open": True,
                "target_date": "2030-06-15",
            },
        },
        "unknown": ["ghost"],
    }


def test_batch_cap(api: TestClient) -> None:
    assert api.get("/v1/votes", params={"ids": ",".join(["open-one"] * 100)}).status_code == 200
    assert_error(api.get("/v1/votes", params={"ids": ",".join(["x"] * 101)}), 400, "at most 100")


@pytest.mark.parametrize("query", ["", "?ids=", "?ids=open-one,,closed-one", "?other=1"])
def test_batch_needs_ids(api: TestClient, query: str) -> None:
    assert_error(api.get("/v1/votes" + query), 400)


# -- client errors -------------------------------------------------------------------------


def test_unknown_prediction_is_404(api: TestClient) -> None:
    assert_error(api.get("/v1/predictions/ghost/votes"), 404, "ghost")
    assert_error(vote(api, path="/v1/predictions/ghost/votes"), 404, "ghost")


def test_invalid_voter_in_query_is_400(api: TestClient) -> None:
    assert_error(api.get(VOTES, params={"voter": "short"}), 400, "voter")
    assert_error(api.get(VOTES + "?voter="), 400, "voter")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 1000 + b"]" * 20, "not valid JSON"),  # too deep: RecursionError, not 500
        (b'["will"]', "JSON object"),
        (b"null", "JSON object"),
        (b'{"choice": "will", "voter": "reader_0123456789abcdef", "x": 1}', "unknown field"),
        (b'{"voter": "reader_0123456789abcdef"}', "missing field: choice"),
        (b'{"choice": "will"}', "missing field: voter"),
        (b'{"choice": "yes", "voter": "reader_0123456789abcdef"}', "choice must be"),
        (b'{"choice": "WILL", "voter": "reader_0123456789abcdef"}', "choice must be"),
        (b'{"choice": ["will"], "voter": "reader_0123456789abcdef"}', "choice must be"),
        (b'{"choice": "will", "voter": null}', "voter"),
        (b'{"choice": "will", "voter": 1234567890123456789}', "voter"),
        (b'{"choice": "will", "voter": "aaaaaaaaaaaaaaa"}', "voter"),  # 15 characters
        (b'{"choice": "will", "voter": "' + b"a" * 65 + b'"}', "voter"),
        (b'{"choice": "will", "voter": "aaaaaaaa aaaaaaaa"}', "voter"),
        (b'{"choice": "will", "voter": "aaaaaaaa.aaaaaaaa"}', "voter"),
        # "$" in a regex also matches before a final newline: fullmatch must be used.
        (b'{"choice": "will", "voter": "aaaaaaaaaaaaaaaa\\n"}', "voter"),
        (b'{"choice": "will", "voter": "aaaaaaaa\xc3\xa9aaaaaaaa"}', "voter"),
        (b'{"choice": "will", "choice": "wont", "voter": "reader_0123456789abcdef"}', "duplicate"),
    ],
)
def test_bad_vote_bodies_are_400(api: TestClient, body: bytes, fragment: str) -> None:
    response = api.post(VOTES, content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, fragment)
    assert api.get(VOTES).json()["total"] == 0  # and nothing was counted


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/jsonx", "application/x-www-form-urlencoded"]
)
def test_wrong_content_type_is_415(api: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = json.dumps({"choice": "will", "voter": VOTER})
    assert_error(api.post(VOTES, content=body, headers=headers), 415, "application/json")


def _padded(size: int) -> bytes:
    body = json.dumps({"choice": "will", "voter": VOTER}).encode()
    return body + b" " * (size - len(body))  # trailing whitespace is still valid JSON


def test_body_of_exactly_1kb_is_accepted(api: TestClient) -> None:
    response = api.post(VOTES, content=_padded(1024), headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_body_over_1kb_by_content_length_is_413(api: TestClient) -> None:
    response = api.post(VOTES, content=_padded(1025), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "1024")


def test_body_over_1kb_streamed_without_length_is_413(api: TestClient) -> None:
    # Chunked transfer announces no Content-Length: catches checking only the header.
    def chunks() -> Iterator[bytes]:
        body = _padded(4000)
        for i in range(0, len(body), 500):
            yield body[i : i + 500]

    response = api.post(VOTES, content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413)


def test_small_streamed_body_is_accepted(api: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        body = _padded(300)
        yield body[:10]
        yield body[10:]

    response = api.post(VOTES, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_unknown_route_and_wrong_method_are_json(api: TestClient) -> None:
    assert_error(api.get("/nope"), 404)
    assert_error(api.get("/healthz/"), 404)  # no redirect dance for API clients
    response = api.put(VOTES, json={})
    assert_error(response, 405)
    # Catches one route per method: Starlette would then answer "Allow: GET, HEAD".
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_error(api.post("/v1/votes"), 405)
    assert_error(api.delete("/healthz"), 405)


# -- time ----------------------------------------------------------------------------------


def test_voting_is_open_through_the_target_date_in_utc(api: TestClient, clock: Clock) -> None:
    clock.now = datetime.datetime(2030, 6, 15, 23, 59, 59, 999999, tzinfo=UTC)
    assert vote(api, "will").status_code == 200
    assert api.get(VOTES).json()["open"] is True

    clock.now = datetime.datetime(2030, 6, 16, 0, 0, tzinfo=UTC)
    assert_error(vote(api, "wont"), 409, "closed")
    final = api.get(VOTES, params={"voter": VOTER}).json()
    assert final["open"] is False
    assert final["counts"]["will"] == 1 and final["your_choice"] == "will"  # tally kept


def test_closing_uses_utc_not_the_clocks_timezone(api: TestClient, clock: Clock) -> None:
    # 01:30 on the 16th in UTC+2 is still the 15th in UTC: open. Catches `now.date()`.
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    clock.now = datetime.datetime(2030, 6, 16, 1, 30, tzinfo=plus_two)
    assert vote(api).status_code == 200
    # 20:00 on the 15th in UTC-5 is already the 16th in UTC: closed.
    minus_five = datetime.timezone(datetime.timedelta(hours=-5))
    clock.now = datetime.datetime(2030, 6, 15, 20, 0, tzinfo=minus_five)
    assert_error(vote(api), 409)


def test_past_prediction_is_closed(api: TestClient) -> None:
    assert_error(vote(api, path="/v1/predictions/closed-one/votes"), 409)
    assert api.get("/v1/predictions/closed-one/votes").json()["open"] is False


def test_resolved_prediction_is_closed_before_its_target_date(
    store: VoteStore, tmp_path: Path, clock: Clock
) -> None:
    # Issue #13, item 8: a prediction resolved early was still taking votes until its target
    # date. The twin with the same target date, unresolved, stays open.
    manifest = tmp_path / "m.json"
    entries = [("open-one", TARGET), ("early", TARGET)]
    manifest.write_bytes(build_manifest(entries, {"early": datetime.date(2029, 12, 1)}))
    with TestClient(create_app(store, manifest, clock=clock)) as api:
        assert_error(vote(api, path="/v1/predictions/early/votes"), 409, "resolved (2029-12-01)")
        assert api.get("/v1/predictions/early/votes").json()["open"] is False
        many = api.get("/v1/votes", params={"ids": "early,open-one"}).json()["votes"]
        assert (many["early"]["open"], many["open-one"]["open"]) == (False, True)
        assert vote(api).status_code == 200
        assert api.get("/v1/predictions/early/votes").json()["total"] == 0


def test_a_built_site_closes_voting_at_the_resolution(
    site: SiteFolder, store: VoteStore, clock: Clock
) -> None:
    # From content to endpoint: the build puts the resolution in the manifest, the endpoint
    # refuses votes on it although its target date (2027-01-01) is ahead of NOW.
    resolution = "resolution:\n  outcome: yes\n  date: 2026-06-02\n"
    site.write("early.md", prediction_text("Early", prediction_extra=resolution))
    site.write("pending.md", prediction_text("Pending"))
    assert site.build() == 0
    manifest = site.output / "votes-manifest.json"
    votable = load_votables(manifest)
    assert votable["early"].resolution_date == datetime.date(2026, 6, 2)
    assert votable["pending"].resolution_date is None
    clock.now = datetime.datetime.fromisoformat(NOW).replace(hour=12, tzinfo=UTC)
    with TestClient(create_app(store, manifest, clock=clock)) as api:
        assert_error(vote(api, path="/v1/predictions/early/votes"), 409, "resolved")
        assert vote(api, path="/v1/predictions/pending/votes").status_code == 200


# -- rate limit and client address ---------------------------------------------------------


def test_rate_limit_gives_429_with_retry_after(make_client: MakeClient) -> None:
    api = make_client(rate_limit=3)
    assert [vote(api, voter=f"voter_{i:011d}").status_code for i in range(3)] == [200] * 3
    response = vote(api, voter="voter_99999999999")
    assert_error(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert api.get(VOTES).json()["total"] == 3  # the refused vote was not counted
    assert api.get(VOTES).status_code == 200  # reading is not limited


def test_rate_limit_is_per_client_address(store: VoteStore, manifest: Path, clock: Clock) -> None:
    app = create_app(store, manifest, rate_limit=1, clock=clock)
    with (
        TestClient(app, client=("198.51.100.1", 1)) as first,
        TestClient(app, client=("198.51.100.2", 1)) as second,
    ):
        assert vote(first).status_code == 200
        assert vote(second).status_code == 200
        assert vote(first).status_code == 429


def test_forwarded_for_is_ignored_unless_trusted(make_client: MakeClient) -> None:
    # Catches trusting a header any client can set: that would make the limit useless.
    api = make_client(rate_limit=1)
    assert vote(api, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert vote(api, headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 429


def test_trusted_forwarded_for_uses_the_rightmost_address(make_client: MakeClient) -> None:
    api = make_client(rate_limit=1, trust_forwarded_for=True)
    assert vote(api, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert vote(api, headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 200
    # The left part is client-supplied; the proxy appended the real one on the right.
    assert vote(api, headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.1"}).status_code == 429


def test_rate_limiter_refills_and_reports_wait() -> None:
    now = [0.0]
    limiter = RateLimiter(6, clock=lambda: now[0])  # one token per 10 s
    assert [limiter.hit("a") for _ in range(6)] == [None] * 6
    assert limiter.hit("a") == 10
    now[0] = 4.0
    assert limiter.hit("a") == 6  # rounded up, never 0
    now[0] = 10.0
    assert limiter.hit("a") is None
    assert limiter.hit("b") is None  # others unaffected


def test_rate_limiter_memory_is_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0], max_clients=100)
    for i in range(1000):
        limiter.hit(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100
    now[0] = 61.0  # everyone idle long enough to be full again
    limiter.hit("x")
    assert len(limiter) == 1


def test_limit_key_groups_ipv6_by_64() -> None:
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:bbbb::9")
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert limit_key("192.0.2.7") != limit_key("192.0.2.8")


def test_client_ip_with_garbage_forwarded_for_falls_back_to_peer() -> None:
    scope = {"client": ("10.0.0.1", 1), "headers": [(b"x-forwarded-for", b"unknown")]}
    assert client_ip(scope, trust_forwarded_for=True) == "10.0.0.1"


# -- CORS ----------------------------------------------------------------------------------


def test_cors_allows_configured_origin(api: TestClient) -> None:
    response = api.get(VOTES, headers={"Origin": SITE})
    assert response.headers["access-control-allow-origin"] == SITE
    assert "Origin" in response.headers["vary"]
    # Error responses too, or the widget could not read why its vote failed.
    response = vote(api, "nope", headers={"Origin": SITE})
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == SITE


def test_cors_exposes_retry_after(make_client: MakeClient) -> None:
    api = make_client(rate_limit=1)
    vote(api, headers={"Origin": SITE})
    response = vote(api, headers={"Origin": SITE})
    assert response.status_code == 429
    assert response.headers["access-control-allow-origin"] == SITE
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", SITE + ".evil.example", "http://predictions.example.org", "null"],
)
def test_cors_denies_other_origins(api: TestClient, origin: str) -> None:
    response = api.get(VOTES, headers={"Origin": origin})
    assert response.status_code == 200  # CORS is the browser's job; the request still works
    assert "access-control-allow-origin" not in response.headers


def test_preflight_for_configured_origin(api: TestClient) -> None:
    response = api.options(
        VOTES,
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert int(response.headers["access-control-max-age"]) > 0


def test_preflight_for_other_origin_is_refused(api: TestClient) -> None:
    response = api.options(
        VOTES,
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert "access-control-allow-origin" not in response.headers
    assert_error(response, 400, "origin")


def test_no_configured_origins_means_no_cors(make_client: MakeClient) -> None:
    api = make_client(allow_origins=[])
    assert "access-control-allow-origin" not in api.get(VOTES, headers={"Origin": SITE}).headers
    response = api.options(VOTES, headers={"Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in response.headers


# -- manifest, logging, failures -----------------------------------------------------------


def test_manifest_changes_are_picked_up(api: TestClient, manifest: Path) -> None:
    assert api.get("/v1/predictions/new-one/votes").status_code == 404
    manifest.write_bytes(build_manifest([("new-one", TARGET)]))
    assert vote(api, path="/v1/predictions/new-one/votes").status_code == 200
    assert api.get(VOTES).status_code == 404  # dropped from the manifest
    assert api.get("/healthz").json()["predictions"] == 1


def test_app_refuses_missing_manifest(store: VoteStore, tmp_path: Path) -> None:
    with pytest.raises(ManifestError):
        create_app(store, tmp_path / "missing.json")


def test_one_log_line_per_request_without_voter_ids(
    api: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="foretell.votes.access"):
        api.get(VOTES, params={"voter": VOTER})
        vote(api)
        api.get("/nope")
    lines = [r.getMessage() for r in caplog.records if r.name == "foretell.votes.access"]
    assert len(lines) == 3
    assert '"GET /v1/predictions/open-one/votes" 200' in lines[0]
    assert '"POST /v1/predictions/open-one/votes" 200' in lines[1]
    assert lines[0].startswith("203.0.113.5 ")
    assert '"GET /nope" 404' in lines[2]
    assert not any(VOTER in line for line in lines)  # the id is the key to someone's vote


def test_closed_store_gives_503_not_500(api: TestClient, store: VoteStore) -> None:
    store.close()
    assert_error(vote(api), 503)
    assert api.get("/healthz").status_code == 503


def corrupt_vote_table(db: Path) -> None:
    """A database that opens and reads its schema, but whose votes table is garbage (issue #13,
    item 9: /healthz said ok while every vote got 503)."""
    with SqliteVoteStore(db) as s:
        cast_vote(s, "open-one", VOTER, "will")
    conn = sqlite3.connect(db)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'votes'").fetchone()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(bytes(8))  # the b-tree page header: no longer a valid page type


def test_healthz_reports_a_database_that_cannot_be_written(
    tmp_path: Path, manifest: Path, clock: Clock
) -> None:
    db = tmp_path / "corrupt.sqlite3"
    corrupt_vote_table(db)
    with (
        SqliteVoteStore(db) as broken,
        TestClient(create_app(broken, manifest, clock=clock)) as api,
    ):
        response = api.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "error",
            "error": "the vote database is not accepting writes",
            "predictions": 2,
        }
        assert_error(vote(api), 503)
        assert api.get("/healthz").status_code == 503


def test_healthz_trusts_a_recent_write_and_rechecks_an_old_one(
    api: TestClient, store: VoteStore
) -> None:
    now = time.monotonic()
    store.last_write = WriteOutcome("disk I/O error", now)  # a vote failed just now
    assert api.get("/healthz").status_code == 503
    # A failure long ago is checked again (a probe), so a repaired database is healthy again
    # without waiting for a vote; an old success is checked again too.
    store.last_write = WriteOutcome("disk I/O error", now - 60)
    assert api.get("/healthz").json() == {"status": "ok", "predictions": 2}
    assert store.last_write.ok and store.last_write.at > now
    assert store.tallies(["open-one"])["open-one"].total == 0  # the probe left nothing


def test_every_response_says_nosniff(make_client: MakeClient, store: VoteStore) -> None:
    # Errors included: they echo parts of the request, and must never be sniffed as HTML.
    api = make_client(rate_limit=1)
    preflight = {"Access-Control-Request-Method": "POST"}
    responses = [
        api.get("/healthz"),
        api.get("/v1/openapi.json"),
        api.get(VOTES),
        vote(api),
        vote(api),  # 429
        api.get("/v1/votes"),  # 400
        api.get("/nope"),  # 404
        api.put(VOTES),  # 405
        api.post(VOTES, content=b"{}"),  # 415 (the rate limit refuses first: 429)
        api.options(VOTES, headers={"Origin": SITE, **preflight}),  # 200
        api.options(VOTES, headers={"Origin": "https://evil.example", **preflight}),  # 400
    ]
    fresh = make_client()
    responses += [
        vote(fresh, path="/v1/predictions/closed-one/votes"),  # 409
        fresh.post(VOTES, content=b"x" * 2000, headers={"Content-Type": "application/json"}),
        fresh.post(VOTES, content=b"{}", headers={"Content-Type": "text/plain"}),  # 415
    ]
    store.close()
    responses += [vote(fresh), fresh.get("/healthz")]  # 503
    statuses = {r.status_code for r in responses}
    assert statuses == {200, 400, 404, 405, 409, 413, 415, 429, 503}
    values = [r.headers.get("x-content-type-options") for r in responses]
    assert values == ["nosniff"] * len(responses)


# -- OpenAPI -------------------------------------------------------------------------------


def test_openapi_document_is_valid(api: TestClient) -> None:
    response = api.get("/v1/openapi.json")
    assert response.status_code == 200
    openapi_spec_validator.validate(response.json())


def test_openapi_describes_exactly_the_routes(api: TestClient) -> None:
    # Catches adding or changing a route without documenting it.
    document = api.get("/v1/openapi.json").json()
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    served = {
        (route.path, method)
        for route in api.app.routes  # type: ignore[attr-defined]
        for method in route.methods - {"HEAD"}
    }
    assert documented == served


def test_responses_match_openapi_schemas(api: TestClient, make_client: MakeClient) -> None:
    document = api.get("/v1/openapi.json").json()

    def check(instance: Any, name: str) -> None:
        # The document is the root, so its "#/components/..." references resolve.
        schema = {**document, "$ref": f"#/components/schemas/{name}"}
        jsonschema.Draft202012Validator(schema).validate(instance)

    check(vote(api).json(), "PredictionVotes")
    check(api.get(VOTES).json(), "PredictionVotes")
    check(api.get(VOTES, params={"voter": "n" * 20}).json(), "PredictionVotes")
    check(api.get("/v1/votes?ids=open-one,closed-one,x").json(), "ManyVotes")
    check(api.get("/healthz").json(), "Health")
    check(vote(api, "bad").json(), "Error")
    check({"choice": "will", "voter": VOTER}, "Vote")
    for wrong in ({"choice": "will", "voter": "short"}, {"choice": "will"}):
        with pytest.raises(jsonschema.ValidationError):
            check(wrong, "Vote")
    api.app.state.store.close()  # type: ignore[attr-defined]
    failing = api.get("/healthz")
    assert failing.status_code == 503
    check(failing.json(), "Health")


def test_unexpected_errors_are_json_500(
    store: VoteStore, manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "tally_and_choice", broken)
    app = create_app(store, manifest)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(VOTES)
    assert_error(response, 500, "internal server error")
    assert "boom" not in response.text  # no internals leak to clients
    assert response.headers["x-content-type-options"] == "nosniff"
