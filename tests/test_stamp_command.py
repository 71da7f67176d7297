"""`foretell stamp` (builder/trackrecord/stamps/stamp.py) against a local timestamp authority
made by the test (tests/authority.py): no test reaches the network."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from authority import OPENSSL, Authority
from conftest import SITE_YAML, SiteFolder, prediction_text
from rfc3161_client import decode_timestamp_response

from builder.cli import main
from builder.content.claim import claims
from builder.content.loader import parse_prediction

STAMPS = Path("content/stamps")


@pytest.fixture(scope="session")
def authorities(tmp_path_factory: pytest.TempPathFactory) -> tuple[Authority, Authority]:
    """Two authorities, each with its own CA: the configured one and a stranger."""
    folder = tmp_path_factory.mktemp("authorities")
    return Authority(folder / "a", "Test"), Authority(folder / "b", "Other")


@pytest.fixture
def served(authorities: tuple[Authority, Authority], site: SiteFolder) -> Iterator[Authority]:
    authority = authorities[0]
    with authority.serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        yield authority


def _stamp(site: SiteFolder, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["stamp", "--source", str(site.root)])
    out, err = capsys.readouterr()
    return code, out, err


def _tokens(site: SiteFolder) -> list[Path]:
    return sorted((site.root / STAMPS).glob("*.tsr"))


def test_stamp_stores_tokens_openssl_accepts_and_asks_once(
    site: SiteFolder, served: Authority, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Catches: a token openssl refuses (wrong imprint, no certificates), certificates not
    pinned, a second run that asks again, a draft stamped."""
    text = prediction_text("A", prediction_extra="confidence: 0.7\n")
    site.write("a.md", text)
    site.write("draft.md", prediction_text("Draft", extra="draft: true\n"))
    before = served.requests
    code, out, _ = _stamp(site, capsys)
    assert code == 0
    [token] = _tokens(site)
    claim = claims(parse_prediction("content/predictions/a.md", text, ["ada"]).prediction)[0]
    assert token.name == f"a.{claim.prefix}.127.0.0.1.tsr"
    line = out.splitlines()[0]
    assert line.startswith(f"stamped a (as published, {claim.prefix}) from 127.0.0.1")
    pinned = site.root / STAMPS / "authorities" / "127.0.0.1.pem"
    assert pinned.read_bytes().count(b"BEGIN CERTIFICATE") == 2
    (tmp_path / "claim.json").write_bytes(claim.data)
    for ca in (served.ca, pinned):  # the authority's own root, or the pinned chain
        checked = subprocess.run(
            [OPENSSL, "ts", "-verify", "-data", tmp_path / "claim.json", "-in", token,
             "-CAfile", ca], capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        assert "Verification: OK" in checked.stdout
    assert served.requests == before + 1
    code, out, _ = _stamp(site, capsys)
    assert (code, served.requests) == (0, before + 1)
    assert out.startswith("Nothing to stamp")


def test_each_new_update_gets_its_own_token(
    site: SiteFolder, served: Authority, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: updates left unstamped, or the first claim stamped again after an update."""
    site.write("a.md", prediction_text("A", prediction_extra="confidence: 0.7\n"))
    assert _stamp(site, capsys)[0] == 0
    updated = "confidence: 0.7\nupdates:\n  - {date: 2026-03-02, confidence: 0.5}\n"
    site.write("a.md", prediction_text("A", prediction_extra=updated))
    before = served.requests
    code, out, _ = _stamp(site, capsys)
    assert code == 0 and served.requests == before + 1
    assert "(as of update 1," in out
    assert len(_tokens(site)) == 2


def test_an_authority_error_is_named_and_leaves_no_token(
    site: SiteFolder, served: Authority, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a traceback, exit 0, or an error page stored as a token."""
    site.write("a.md", prediction_text("A"))
    served.fail_with = 503
    code, _, err = _stamp(site, capsys)
    assert code == 1
    assert "127.0.0.1" in err and "HTTP 503" in err
    assert "Traceback" not in err
    assert _tokens(site) == []
    assert not (site.root / STAMPS / "authorities").exists()


def test_an_unreachable_authority_is_named(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a network error that escapes as a traceback."""
    site.config(SITE_YAML + "timestamps:\n  authorities: ['http://127.0.0.1:9/tsr']\n")
    site.write("a.md", prediction_text("A"))
    code, _, err = _stamp(site, capsys)
    assert code == 1 and "cannot reach it" in err and "http://127.0.0.1:9/tsr" in err
    assert _tokens(site) == []


def test_a_token_signed_by_another_key_than_the_pinned_one_is_refused(
    site: SiteFolder,
    authorities: tuple[Authority, Authority],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Catches: a pin that is not enforced (any valid token accepted once one is pinned)."""
    configured, stranger = authorities
    site.write("a.md", prediction_text("A"))
    with configured.serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        assert _stamp(site, capsys)[0] == 0
    site.write("b.md", prediction_text("B"))
    with stranger.serving() as url:  # the same host: its tokens would be filed as the pinned one's
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        code, _, err = _stamp(site, capsys)
    assert code == 1
    assert "CN=Other TSA" in err and "CN=Test TSA" in err
    assert [t.name.split(".")[0] for t in _tokens(site)] == ["a"]


def test_no_authority_configured_is_a_usage_error(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a silent success that stamps nothing."""
    site.write("a.md", prediction_text("A"))
    code, _, err = _stamp(site, capsys)
    assert code == 2 and "timestamps: {authorities: [URL]}" in err


def test_an_authority_whose_tokens_carry_no_root_is_pinned_with_the_root_the_author_saves(
    site: SiteFolder, served: Authority, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a token kept that nothing can verify (no root), or a root saved by the author
    that the first token's certificates do not complete."""
    site.write("a.md", prediction_text("A"))
    served.chain = False  # as FreeTSA: the TSA's certificate alone
    code, _, err = _stamp(site, capsys)
    pinned = site.root / STAMPS / "authorities" / "127.0.0.1.pem"
    assert (
        code == 1 and f"save its root certificate (PEM) as {pinned.relative_to(site.root)}" in err
    )
    assert _tokens(site) == [] and not pinned.exists()
    pinned.parent.mkdir(parents=True)
    pinned.write_bytes(served.ca.read_bytes())
    code, out, _ = _stamp(site, capsys)
    assert code == 0 and "(its certificates pinned)" in out
    assert pinned.read_bytes().count(b"BEGIN CERTIFICATE") == 2
    assert len(_tokens(site)) == 1


def test_a_reply_whose_certificates_are_not_in_der_order_is_kept_sorted(
    site: SiteFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: an authority refused because rfc3161-client reads only DER-sorted
    certificate sets (which `openssl ts -reply -chain` does not write), or a re-sorted token
    whose signature no longer holds."""
    authority = Authority(tmp_path / "unsorted", "Unsorted", der_order=False)
    with pytest.raises(ValueError, match="InvalidSetOrdering"):  # the snag is real here
        decode_timestamp_response(authority.stamp(b"x"))
    text = prediction_text("A")
    site.write("a.md", text)
    with authority.serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        assert _stamp(site, capsys)[0] == 0
    [token] = _tokens(site)
    assert decode_timestamp_response(token.read_bytes()).signed_data.certificates
    claim = claims(parse_prediction("content/predictions/a.md", text, ["ada"]).prediction)[0]
    (tmp_path / "claim.json").write_bytes(claim.data)
    checked = subprocess.run(
        [OPENSSL, "ts", "-verify", "-data", tmp_path / "claim.json", "-in", token,
         "-CAfile", authority.ca], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Verification: OK" in checked.stdout, checked.stderr
    assert main(["build", "--source", str(site.root), "--now", "2026-11-25"]) == 0
    assert site.html("predictions/a/").select_one(".timestamps .timestamp") is not None
