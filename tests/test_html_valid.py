"""Every page of the example site is valid HTML, by the Nu Html Checker (vnu.jar, the W3C's)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SiteFolder

VNU_JAR = REPO / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALLER = REPO / "scripts" / "install-vnu"

# The validator needs deep recursion for the HTML schema (it exits with a StackOverflowError on a
# small stack); C1-only compilation halves the run time of this short-lived JVM.
JAVA_OPTIONS = ("-Xss16m", "-XX:TieredStopAtLevel=1")


def vnu_jar() -> Path:
    if not VNU_JAR.is_file():
        subprocess.run([str(INSTALLER)], check=True, cwd=REPO, timeout=300)
    assert VNU_JAR.is_file(), f"{INSTALLER} did not install {VNU_JAR}"
    return VNU_JAR


def vnu(java: str, files: list[Path]) -> list[dict[str, object]]:
    """The checker's error messages for these files (HTML, and CSS with --also-check-css)."""
    command = [java, *JAVA_OPTIONS, "-jar", str(vnu_jar()), "--errors-only", "--also-check-css"]
    proc = subprocess.run(
        [*command, "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    try:
        report = json.loads(proc.stderr)
    except json.JSONDecodeError:  # the checker itself failed: never read that as "no errors"
        pytest.fail(f"vnu exited with {proc.returncode}:\n{proc.stderr}\n{proc.stdout}")
    messages = report["messages"]
    assert proc.returncode == 0 or messages, f"vnu exited with {proc.returncode}: {proc.stderr}"
    return messages


def describe(message: dict[str, object], root: Path) -> str:
    url = str(message.get("url", "?")).removeprefix("file:")
    where = Path(url).relative_to(root).as_posix() if url.startswith(str(root)) else url
    extract = str(message.get("extract", "")).replace("\n", "⏎")
    return f"{where}:{message.get('lastLine', '?')}: {message['message']}\n    {extract}"


def test_every_page_is_valid_html(example_site: SiteFolder) -> None:
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker"
    assert example_site.build() == 0
    out = example_site.output
    pages = sorted(out.rglob("*.html"))
    checked = {p.relative_to(out).as_posix() for p in pages}
    # Every page kind is among them (a renamed output folder must not shrink what is checked).
    for kind in ("index.html", "page/2/index.html", "404.html", "open/index.html",
                 "awaiting/index.html", "categories/index.html", "tags/index.html",
                 "authors/index.html", "search/index.html"):  # fmt: skip
        assert kind in checked, kind
    assert any(c.startswith("predictions/") and c.endswith("/embed/index.html") for c in checked)
    redirects = (out / "_redirects").read_text("utf-8").split()  # the example has an alias
    assert redirects[-3].strip("/") + "/index.html" in checked
    for folder in ("predictions", "categories", "tags", "authors"):
        assert any(c.startswith(f"{folder}/") and c.count("/") == 2 for c in checked), folder
    # Inline SVG too: a prediction with updates draws its step chart.
    assert any('class="step-chart"' in p.read_text("utf-8") for p in pages), "no step chart"
    # The awaiting page with a card on it (the example site has a prediction past its date).
    assert 'class="card"' in (out / "awaiting/index.html").read_text("utf-8"), "none awaiting"
    stylesheets = sorted((out / "static").glob("*.css"))
    assert stylesheets

    errors = vnu(java, [*pages, *stylesheets])

    if errors:
        listing = "\n".join(describe(m, out) for m in errors)
        pytest.fail(f"{len(errors)} validation errors:\n{listing}", pytrace=False)
