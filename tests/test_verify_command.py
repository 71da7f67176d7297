"""`foretell verify` (builder/trackrecord/stamps/verify.py): a reader checks a built site's
timestamps, served on a loopback port, or from its folder."""

from __future__ import annotations

import pytest
from authority import Authority
from conftest import SITE_YAML, SiteFolder, prediction_text
from serving import static_site
from test_timestamps import LATER, _alter, _build, _claim, _good, _late, _stamp, _tokens

from builder.cli import main


@pytest.fixture(scope="session")
def authorities(tmp_path_factory: pytest.TempPathFactory) -> tuple[Authority, Authority]:
    folder = tmp_path_factory.mktemp("authorities")
    return Authority(folder / "a", "Test"), Authority(folder / "b", "Other")


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str], str]:
    code = main(["verify", *args])
    out = capsys.readouterr().out
    lines = {
        line.split()[1].rstrip(":"): line
        for line in out.splitlines()
        if line.split()[0] in ("ok", "late", "none", "FAIL")
    }
    return code, lines, out


@pytest.fixture
def every_case(
    site: SiteFolder, authorities: tuple[Authority, Authority], capsys: pytest.CaptureFixture[str]
) -> SiteFolder:
    """A built site with one prediction of each kind: good, edited after stamping, altered
    token, token from another authority, stamped after its target date, never stamped."""
    configured, stranger = authorities
    _good(site)
    for name in ("edited", "altered", "stranger"):
        site.write(f"{name}.md", prediction_text(name.title(), target=LATER))
    _late(site)
    with configured.serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        _stamp(site)
    site.write("none.md", prediction_text("None", target=LATER))
    site.write("edited.md", prediction_text("Edited", target=LATER, statement="Edited since."))
    _alter(_tokens(site, "altered")[0])
    _tokens(site, "stranger")[0].write_bytes(stranger.stamp(_claim(site, "stranger")))
    assert _build(site) == 0
    capsys.readouterr()
    return site


def test_verify_reports_every_case_from_a_served_site(
    every_case: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a verify that trusts the site's word (claims not made again from its record,
    signatures or the pin not checked, late stamps passed as good) or exits 0 on a failure."""
    with static_site(every_case.output) as url:
        code, lines, out = _verify(capsys, "--site", url)
    assert code == 1
    assert lines["good"].startswith("ok    good: timestamped by 127.0.0.1 on ")
    assert lines["late"].startswith("late  late: first timestamped on ")
    assert "after its target date 2020-01-01" in lines["late"]
    assert lines["none"] == "none  none: no timestamp"
    assert lines["edited"].startswith("FAIL  edited:")
    assert "edited after stamping" in lines["edited"]
    assert lines["altered"].startswith("FAIL  altered:") and "altered" in lines["altered"]
    assert "CN=Other TSA, not by the pinned authority CN=Test TSA" in lines["stranger"]
    assert "6 predictions: 1 timestamped before the date that settles them, 1 after it, " \
        "1 without a timestamp, 3 failed." in out  # fmt: skip
    assert "certificate 127.0.0.1: CN=Test TSA, SHA-256 " in out


def test_verify_passes_a_sound_site_and_can_trust_only_the_readers_root(
    site: SiteFolder,
    authorities: tuple[Authority, Authority],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Catches: a verify that fails a sound site, or that ignores --ca (trusting whatever
    root the site publishes)."""
    configured, stranger = authorities
    _good(site)
    with configured.serving() as url:
        site.config(SITE_YAML + f"timestamps:\n  authorities: [{url!r}]\n")
        _stamp(site)
    assert _build(site) == 0
    capsys.readouterr()
    code, lines, _ = _verify(capsys, str(site.output))
    assert code == 0 and lines["good"].startswith("ok ")
    assert _verify(capsys, str(site.output), "--ca", str(configured.ca))[0] == 0
    code, lines, _ = _verify(capsys, str(site.output), "--ca", str(stranger.ca))
    assert code == 1 and "does not chain to the pinned root" in lines["good"]


def test_a_site_without_timestamps_is_an_error(
    site: SiteFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Catches: a traceback, or "all good" for a site that publishes nothing to check."""
    site.write("a.md", prediction_text("A"))
    assert site.build() == 0
    capsys.readouterr()
    assert main(["verify", str(site.output)]) == 1
    assert "stamps.json" in capsys.readouterr().err
