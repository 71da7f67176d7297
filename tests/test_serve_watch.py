"""`foretell serve` keeps watching content/ and themes/ after they are deleted and re-created
(`rm -rf content && git checkout -- content`): a watch is on a folder, not on its name, so the
new folder must be watched anew. The real command on a loopback port, driven over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import SiteFolder, prediction_text
from serving import Serve, serving, wait_for

TIMEOUT = 10  # seconds for a change to be served; a working watch takes well under one
PAGE = "/predictions/alpha/"


def served(server: Serve) -> tuple[int, bool, str]:
    """The page's status, whether it shows the error box, and its text."""
    response = server.get(PAGE)
    soup = BeautifulSoup(response.text, "lxml")
    return response.status_code, soup.find(role="alert") is not None, soup.get_text(" ")


def shows(server: Serve, text: str) -> bool:
    return text in served(server)[2]


def replace_folder(server: Serve, folder: Path, backup: Path, mark: str | None) -> None:
    """Delete `folder` entirely, wait until serve has rebuilt without it, then put it back
    (a new folder, as `git checkout` makes) and wait until the site is whole again. Without
    themes/ the site has the installed theme: `mark`, in the site's own, tells them apart."""

    def whole() -> bool:
        return served(server)[:2] == (200, False) and (mark is None or shows(server, mark))

    shutil.rmtree(folder)
    wait_for(lambda: not whole(), timeout=TIMEOUT, what="the deletion")
    shutil.copytree(backup, folder)
    wait_for(whole, timeout=TIMEOUT, what="the copy back")


def edit_article(site: SiteFolder, marker: str) -> None:
    site.write("alpha.md", prediction_text(marker))


def edit_template(site: SiteFolder, marker: str) -> None:
    template = site.root / "themes" / "default" / "templates" / "prediction.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace("{% block content %}", "{% block content %}" + marker, 1), encoding="utf-8"
    )


@pytest.mark.parametrize(("name", "edit"), [("content", edit_article), ("themes", edit_template)])
def test_a_deleted_and_recreated_folder_is_watched_again(
    site: SiteFolder, tmp_path: Path, name: str, edit: Callable[[SiteFolder, str], None]
) -> None:
    site.write("alpha.md", prediction_text("Alpha"))
    mark = "TheSitesOwnTheme" if name == "themes" else None
    if mark:
        edit_template(site, mark)
    folder = site.root / name
    backup = tmp_path / f"{name}-backup"
    shutil.copytree(folder, backup)
    with serving(site.root) as server:
        assert "Alpha" in served(server)[2]
        for attempt in ("One", "Two"):  # twice: a re-armed watch is re-armed again
            replace_folder(server, folder, backup, mark)
            marker = f"Marker{attempt}After{name.title()}Returned"
            edit(site, marker)
            wait_for(partial(shows, server, marker), timeout=TIMEOUT, what="the edit")
        assert server.proc.poll() is None
