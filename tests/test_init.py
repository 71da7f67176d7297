"""`foretell init`: every way of starting a site, by the files it makes, and a site that
checks, builds and serves with no file written by hand (#15 item 1)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import run_foretell
from serving import serving

from builder.cli import main
from builder.config.siteconfig import SITE_KEYS

NOW = "2026-03-01"
SITE = ["site.yaml", "content/predictions/first-prediction.md", ".gitignore"]
WORKFLOW = ".github/workflows/pages.yml"
NEXT = [
    "  foretell serve          preview it in a browser, rebuilt at every save",
    '  foretell new "Title"    start a prediction (a draft: foretell serve --drafts)',
    "  foretell build          make the site in output/, to upload to any static host",
]
PAGES_NOTE = (
    f"GitHub Pages: {WORKFLOW} publishes every push to main, once the repository's "
    "Settings > Pages has Source set to GitHub Actions. foretell is not on PyPI yet: in that "
    "file, replace OWNER/foretell with the repository you install foretell from."
)
REFUSED = "Nothing was written: foretell init never overwrites a file."


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_init_dir_makes_a_site_in_a_new_folder(tmp_path: Path) -> None:
    """Catches: a file missing, one more (a copied theme: the installed one is used), or a
    folder that has to exist first."""
    done = run_foretell("init", "s/new", "--now", NOW, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(_files(tmp_path / "s" / "new")) == sorted(SITE)
    assert done.stderr.splitlines() == [
        "Created a foretell site in s/new:",
        *(f"  s/new/{name}" for name in SITE),
        "Next: cd s/new, then",
        *NEXT,
    ]


def test_init_without_dir_makes_the_site_here(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")  # a folder with files is fine
    done = run_foretell("init", "--now", NOW, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(_files(tmp_path)) == sorted([*SITE, "notes.txt"])
    assert done.stderr.splitlines() == [
        "Created a foretell site here:",
        *(f"  {name}" for name in SITE),
        "Next:",
        *NEXT,
    ]


def test_init_inside_a_site_does_not_look_above(tmp_path: Path) -> None:
    """Catches: init searching upward like the other commands, and refusing (or writing
    into) the site above."""
    assert main(["init", str(tmp_path), "--now", NOW]) == 0
    before = _files(tmp_path)
    done = run_foretell("init", "inner", "--now", NOW, cwd=tmp_path / "content")
    assert done.returncode == 0, done.stderr
    assert sorted(_files(tmp_path / "content" / "inner")) == sorted(SITE)
    assert {k: v for k, v in _files(tmp_path).items() if "inner/" not in k} == before


def test_init_github_pages_adds_the_workflow(tmp_path: Path) -> None:
    done = run_foretell("init", "--github-pages", "s", "--now", NOW, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(_files(tmp_path / "s")) == sorted([*SITE, WORKFLOW])
    assert done.stderr.splitlines()[-1] == PAGES_NOTE
    # The line the note asks to edit is there to edit (catches a note naming another text).
    workflow = (tmp_path / "s" / WORKFLOW).read_text(encoding="utf-8")
    assert 'pip install "foretell @ git+https://github.com/OWNER/foretell"' in workflow


def test_the_pages_workflow_builds_with_the_cache_and_deploys(tmp_path: Path) -> None:
    """Catches: a workflow that is not YAML, builds for site.yaml's address instead of the
    Pages one, loses the build cache between runs, or uploads something else than output/."""
    assert main(["init", str(tmp_path), "--github-pages", "--now", NOW]) == 0
    text = (tmp_path / WORKFLOW).read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    assert flow[True]["push"]["branches"] == ["main"]  # `on:`, which YAML 1.1 reads as true
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    uses = [step.get("uses", "").partition("@")[0] for step in build["steps"]]
    assert [name for name in uses if name] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/cache",
        "actions/upload-pages-artifact",
    ]
    steps = {
        name or step.get("name"): step for name, step in zip(uses, build["steps"], strict=True)
    }
    assert steps["actions/checkout"]["with"]["fetch-depth"] == 0  # history: the track record
    assert steps["Install foretell"]["run"].startswith('pip install "foretell @ git+https://')
    assert "# foretell is not on PyPI yet: replace OWNER/foretell" in text
    cache = steps["actions/cache"]["with"]
    assert ".foretell/cache" in cache["path"].split() and "output" in cache["path"].split()
    assert re.fullmatch(r"foretell-\$\{\{ hashFiles\(.*'content/\*\*'.*\) \}\}", cache["key"])
    assert cache["restore-keys"] == "foretell-"
    pages_id = steps["actions/configure-pages"]["id"]
    url = f'"${{{{ steps.{pages_id}.outputs.base_url }}}}"'
    assert steps["Build"]["run"] == f"foretell build --url {url}"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "output"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].partition("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


def test_site_yaml_has_every_setting_commented_one_author_and_no_votes(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path), "--now", NOW]) == 0
    text = (tmp_path / "site.yaml").read_text(encoding="utf-8")
    settings = yaml.safe_load(text)
    # Shown but not set: a vote endpoint and timestamp authorities are the author's to choose.
    assert set(settings) == set(SITE_KEYS) - {"votes", "timestamps", "comments"}
    assert "# timestamps:\n#   authorities:" in text
    assert list(settings["authors"]) == ["you"]
    assert "# votes:\n#   endpoint:" in text  # shown, not set: no endpoint, no widget
    assert "# comments:\n#   giscus:" in text  # shown, not set: off by default
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"[a-z_]+:", line):  # each setting comes after a comment saying what it is
            assert lines[index - 1].startswith("#"), line
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"output/", ".foretell/"} <= set(ignored)


def test_git_ignores_what_builds_and_the_vote_endpoint_make(tmp_path: Path) -> None:
    """`git status` in a new site lists its sources only: not the output, the cache, nor the
    vote database `foretell votes serve` creates by default and its journal files (catches a
    .gitignore without them: three files offered for the first commit)."""
    assert main(["init", str(tmp_path)]) == 0
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    made = ["output/index.html", ".foretell/cache/x", "votes.sqlite3", "votes.sqlite3-wal"]
    made.append("votes.sqlite3-shm")
    for name in made:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    listed = {line[3:] for line in status if line}
    assert listed == set(SITE), listed


@pytest.mark.parametrize(
    ("existing", "args"),
    [
        (["site.yaml"], []),
        (["site.yaml", ".gitignore"], []),
        ([".gitignore"], []),
        ([WORKFLOW], ["--github-pages"]),
    ],
    ids=["site.yaml", "two", "gitignore-only", "workflow"],
)
def test_init_never_overwrites_and_then_writes_nothing(
    tmp_path: Path, existing: list[str], args: list[str]
) -> None:
    """Catches: a file overwritten, the files that did not exist written all the same (half a
    site beside someone's files), or only the first conflict named."""
    for name in existing:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"{name}: mine\n")
    before = _files(tmp_path)
    done = run_foretell("init", *args, "--now", NOW, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        *(f"error: {name} already exists" for name in [*SITE, WORKFLOW] if name in existing),
        REFUSED,
    ]
    assert _files(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {name.split("/")[0] for name in existing}
    )


def test_init_where_a_file_is_in_the_way_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file\n")
    done = run_foretell("init", "taken", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "error: taken is a file, not a folder\n")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "content").write_text("a file\n")  # where a folder must go
    done = run_foretell("init", "s", cwd=tmp_path)
    assert done.returncode == 1
    assert _files(tmp_path / "s") == {"content": b"a file\n"}  # not half a site
    assert done.stderr.startswith("error: cannot write the site into s: ")
    assert "Traceback" not in done.stderr


def test_the_new_site_checks_builds_and_serves_as_it_is(tmp_path: Path) -> None:
    """The whole path of a newcomer, with the theme installed with foretell: no file written
    by hand. Catches: an example that fails the check, a site.yaml naming a theme that is not
    there, a home page without the theme's stylesheet."""
    site = tmp_path / "s"
    assert run_foretell("init", "s", "--now", NOW, cwd=tmp_path).returncode == 0
    checked = run_foretell("check", "--now", NOW, cwd=site)
    assert (checked.returncode, checked.stderr) == (
        0,
        "OK: 1 prediction, 0 error(s), 0 warning(s)\n",
    )
    built = run_foretell("build", "--now", NOW, cwd=site)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    assert not (site / "themes").exists()
    home = BeautifulSoup((site / "output" / "index.html").read_text(encoding="utf-8"), "lxml")
    assert home.find("a", href="predictions/first-prediction/") is not None
    css = [link["href"] for link in home.find_all("link", rel="stylesheet")]
    assert css and all((site / "output" / href).is_file() for href in css)
    with serving(site) as served:
        page = served.get("")
        assert page.status_code == 200
        links = BeautifulSoup(page.text, "lxml").find_all("link", rel="stylesheet")
        assert links
        for link in links:
            sheet = httpx.get(served.url + link["href"], timeout=10)
            assert sheet.status_code == 200 and "text/css" in sheet.headers["content-type"]
            assert sheet.text.strip()
