"""Search (builder/render/search.py, pagefind.py): what the Pagefind index holds, its shards,
its bytes from build to build, and the search page and masthead box around it."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SITE_YAML, SiteFolder, prediction_text

from builder.cli import main
from builder.incremental.cache import CACHE_DIR, SHORTCUT
from builder.render import pagefind, search
from builder.render.pagefind import Document, index_batches

SEARCH_ON = SITE_YAML + "search: true\n"


def _populate(site: SiteFolder, count: int = 8) -> None:
    for i in range(1, count + 1):
        site.write(
            f"p{i}.md",
            prediction_text(
                f"Prediction number {i}",
                date=f"2026-0{1 + i % 9}-01",
                author="ada" if i % 2 else "bo",
                extra=f"category: {'Space' if i % 3 else 'Energy'}\ntags: [t{i % 2}, shared]\n",
                target=f"2026-{1 + i % 12:02d}-15",
                statement=f"Claim {i} will hold.",
                # The words below the first paragraph: an edit there is a body edit alone
                # (the first paragraph is the summary list pages show).
                body=f"Summary of {i}.\n\nBody of {i} mentions zebrafish{i} and more.\n",
                prediction_extra="resolution: {outcome: yes, date: 2026-10-01}\n" if i == 2 else "",
            ),
        )


def _fragments(out: Path) -> dict[str, dict]:
    """url -> what Pagefind stored of each page (a fragment: JSON behind its signature)."""
    found = {}
    for path in out.glob("pagefind/**/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        found[data["url"]] = data
    return found


def _search_files(site: SiteFolder) -> dict[str, bytes]:
    return {k: v for k, v in site.files().items() if k.startswith(("pagefind/", "search/"))}


def test_search_is_off_unless_site_yaml_turns_it_on(site: SiteFolder) -> None:
    """Catches: search on by default (every site paying for Pagefind), or a masthead box
    pointing at a search page that was not built."""
    _populate(site, 2)
    assert site.build() == 0
    assert not (site.output / "pagefind").exists()
    assert not (site.output / "search").exists()
    assert site.html("").select_one("form.site-search") is None


def test_search_setting_must_be_a_boolean(site: SiteFolder, capsys) -> None:
    """Catches: `search: "yes"` (a string) silently read as on or off."""
    site.config(SITE_YAML + 'search: "yes"\n')
    _populate(site, 1)
    assert site.check() == 1
    assert "site.yaml:10: search: expected true or false" in capsys.readouterr().err


def test_index_holds_title_statement_and_body_only(site: SiteFolder) -> None:
    """Catches: indexing the whole page (masthead, navigation, footer, author box) or leaving
    out the statement or the article."""
    site.config(SEARCH_ON)
    _populate(site, 3)
    assert site.build() == 0
    page = _fragments(site.output)["/predictions/p1/"]
    content = page["content"]
    for wanted in ("Prediction number 1", "Claim 1 will hold.", "zebrafish1"):
        assert wanted in content
    for unwanted in ("Track record", "Upcoming", "Resolutions feed", "Energy writer", "Sitemap"):
        assert unwanted not in content, unwanted
    assert page["meta"]["title"] == "Prediction number 1"


def test_results_carry_statement_status_and_target_date_and_filters(site: SiteFolder) -> None:
    """Catches: results missing the statement, status or target date, or filters missing
    status, category, tag or author (or holding the wrong prediction's values)."""
    site.config(SEARCH_ON)
    _populate(site, 3)
    assert site.build() == 0
    pages = _fragments(site.output)
    open_one, resolved = pages["/predictions/p1/"], pages["/predictions/p2/"]
    assert open_one["meta"]["statement"] == "Claim 1 will hold."
    assert open_one["meta"]["status"] == "Awaiting resolution"  # target 2026-02-15, now 11-25
    assert open_one["meta"]["target_date"] == "February 15, 2026"
    assert open_one["meta"]["target_iso"] == "2026-02-15"
    assert resolved["meta"]["status"] == "Resolved: it happened"
    assert open_one["filters"] == {
        "status": ["Awaiting resolution"],
        "category": ["Space"],
        "tag": ["t1", "shared"],
        "author": ["Ada Quill"],
    }
    assert resolved["filters"]["author"] == ["Bo Ek"]
    assert resolved["filters"]["category"] == ["Space"]


def test_two_builds_of_the_same_input_give_the_same_index(site: SiteFolder, tmp_path) -> None:
    """Catches: Pagefind's filter files written in hash-map order (different bytes, names,
    metadata and entry file on every run) reaching the output."""
    site.config(SEARCH_ON)
    _populate(site)
    assert site.build() == 0
    first = _search_files(site)
    assert site.build("--clean") == 0
    assert _search_files(site) == first
    assert any(name.startswith("pagefind/filter/") for name in first)


def test_the_bundle_is_canonical_whatever_order_pagefind_writes() -> None:
    """Catches: canonical() keeping Pagefind's order of filter values (10 runs of Pagefind
    with 6 values per filter would agree only by chance)."""
    docs = [
        Document(
            f"/p{i}/",
            f'<html lang="en"><body data-pagefind-body><h1>T{i}</h1><p>word{i}</p>'
            f'<span data-pagefind-filter="status">s{i % 6}</span></body></html>',
        )
        for i in range(12)
    ]
    bundles = [index_batches([docs], "en")[0] for _ in range(10)]
    assert all(bundle == bundles[0] for bundle in bundles)


def test_shards_are_merged_and_an_edit_remakes_one(site: SiteFolder, monkeypatch) -> None:
    """Catches: every shard re-indexed on any edit (the cost that sharding exists to avoid),
    or shards missing from the search page's list to merge."""
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    site.config(SEARCH_ON)
    _populate(site)
    assert site.build() == 0
    shards = search.shard_count(8)
    assert shards == 4
    page = site.html("search/").select_one("[data-search]")
    assert page["data-shards"].split() == ["../pagefind/1/", "../pagefind/2/", "../pagefind/3/"]
    urls = _fragment_folders(site.output)
    assert len(set(urls.values())) == shards  # every shard holds some of the 8
    indexed: list[list[str]] = []  # the documents of each batch given to Pagefind

    def recording(batches, language, processes=1):
        indexed.extend([doc.url for doc in batch] for batch in batches)
        return index_batches(batches, language, processes)

    monkeypatch.setattr(search, "index_batches", recording)
    before = {p: p.stat().st_mtime_ns for p in site.output.glob("pagefind/**/*") if p.is_file()}
    edited = site.root / "content/predictions/p5.md"  # a tag, by the full build (the
    # shortcut's re-indexing: test_reindex.py)
    edited.write_text(edited.read_text().replace("[t1, shared]", "[t1, other]"), encoding="utf-8")
    (site.root / CACHE_DIR / SHORTCUT).unlink()
    assert site.build() == 0
    assert len(indexed) == 1 and "/predictions/p5/" in indexed[0]  # its shard alone
    folder = urls["/predictions/p5/"]
    assert sorted(indexed[0]) == sorted(url for url, f in urls.items() if f == folder)
    after = {p: p.stat().st_mtime_ns for p in site.output.glob("pagefind/**/*") if p.is_file()}
    changed = {p for p in after if before.get(p) != after[p]}
    assert changed and all(_shard_folder(p, site.output) == folder for p in changed)


def _fragment_folders(out: Path) -> dict[str, str]:
    found = {}
    for path in out.glob("pagefind/**/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        found[data["url"]] = _shard_folder(path, out)
    return found


def _shard_folder(path: Path, out: Path) -> str:
    parts = path.relative_to(out / "pagefind").parts
    return parts[0] if parts[0].isdigit() else "0"


EDITS = {
    "body": ("content/predictions/p3.md", "zebrafish3", "a new word, quokka"),
    "tag": ("content/predictions/p4.md", "[t0, shared]", "[t0, fresh]"),
    "author name": ("site.yaml", "Bo Ek", "Bo Eklund"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("shard_size", [500, 2])
def test_incremental_index_equals_a_clean_build(
    site: SiteFolder, tmp_path: Path, monkeypatch, edit: str, shard_size: int
) -> None:
    """Catches: a shard's key missing something its documents show (a body, a tag, an
    author's name), so that an edit leaves a stale index; or the body-edit shortcut rewriting
    the article page without the index."""
    monkeypatch.setattr(search, "SHARD_SIZE", shard_size)
    site.config(SEARCH_ON)
    _populate(site)
    assert site.build() == 0
    relative, old, new = EDITS[edit]
    path = site.root / relative
    path.write_text(path.read_text().replace(old, new), encoding="utf-8")
    assert site.build() == 0
    copy = tmp_path / "clean"
    shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("output", ".foretell"))
    assert main(["build", "--source", str(copy), "--now", "2026-11-25", "--clean"]) == 0
    assert site.files() == SiteFolder(copy).files()


def test_a_new_day_reindexes_what_changed_status(site: SiteFolder, tmp_path: Path) -> None:
    """Catches: the status in results and filters frozen at the day of the first build."""
    site.config(SEARCH_ON)
    _populate(site)
    site.write("december.md", prediction_text("Due in December", target="2026-12-15"))
    assert site.build() == 0
    assert _fragments(site.output)["/predictions/december/"]["meta"]["status"] == "Resolves soon"
    assert main(["build", "--source", str(site.root), "--now", "2026-12-31"]) == 0
    statuses = {url: page["meta"]["status"] for url, page in _fragments(site.output).items()}
    assert statuses["/predictions/december/"] == "Awaiting resolution"


def test_search_page_and_masthead_box(site: SiteFolder) -> None:
    """Catches: a masthead box that does not send its words to the search page (as ?q=), and
    a search page that says nothing without JavaScript."""
    site.config(SEARCH_ON)
    _populate(site, 2)
    assert site.build() == 0
    assert site.html("search/").select_one("form.site-search") is None  # its own box instead
    for page in ("", "predictions/p1/", "tags/", "404.html"):
        form = site.html(page).select_one("header.masthead form.site-search")
        assert form is not None, page
        assert form["action"].endswith("search/")
        assert form.select_one("input[type=search]")["name"] == "q"
        assert form.select_one("label")["for"] == form.select_one("input")["id"]
    page = site.html("search/")
    assert page.select_one("[data-search]").has_attr("hidden")
    fallback = page.select_one("[data-search-fallback]")
    assert not fallback.has_attr("hidden")
    assert "site:test.example.org" in fallback.get_text()
    assert fallback.select_one("form")["action"] == "https://duckduckgo.com/"
    assert fallback.select_one("input")["value"] == "site:test.example.org "
    assert (site.output / "pagefind/pagefind.js").is_file()
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert "/search/" not in (site.output / "sitemap.xml").read_text(encoding="utf-8")
    assert page.select_one("[data-search]")["data-pagefind"] == "../pagefind/pagefind.js"


def test_drafts_are_not_indexed(site: SiteFolder) -> None:
    """Catches: a `--drafts` preview indexing drafts as if published (their text in results)."""
    site.config(SEARCH_ON)
    _populate(site, 2)
    site.write("d.md", prediction_text("Secret draft", extra="draft: true\n", body="narwhal\n"))
    assert site.build("--drafts") == 0
    assert "/predictions/d/" not in _fragments(site.output)
    assert "/predictions/p1/" in _fragments(site.output)


def test_a_pagefind_that_cannot_run_fails_the_build_in_one_line(
    site: SiteFolder, monkeypatch, capsys
) -> None:
    """Catches: a traceback (and a half-made output) when Pagefind's program is missing or
    broken, instead of the build's one-line failure with the previous output left as it was."""
    site.config(SEARCH_ON)
    _populate(site, 2)
    assert site.build() == 0
    before = site.files()
    monkeypatch.setattr(pagefind, "pagefind_binary", lambda: Path("/nonexistent/pagefind"))
    site.write("p3.md", prediction_text("A third"))
    assert site.build() == 1
    err = capsys.readouterr().err
    assert "site.yaml: search: the search index could not be made" in err
    assert "Traceback" not in err
    assert site.files() == before


def test_the_binary_is_the_packages_and_found_without_asyncio() -> None:
    """Looked up as `pagefind.service` would, without importing it (it imports asyncio: 50 ms
    before Pagefind starts, on every edit with search on). Catches: the lookup through
    `pagefind.service` again; another binary than the package's; PAGEFIND_BINARY_PATH, which
    the package honours, ignored."""
    code = (
        "import sys; from builder.render.pagefind import pagefind_binary as b; "
        "from pathlib import Path; found = b(); print('asyncio' in sys.modules); "
        "from pagefind.service import get_executable; print(Path(found) == get_executable())"
    )
    run = lambda env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    env = {k: v for k, v in os.environ.items() if k != "PAGEFIND_BINARY_PATH"}
    assert run(env) == ["False", "True"]
    assert run({**env, "PAGEFIND_BINARY_PATH": "/elsewhere/pagefind"}) == ["True", "True"]


def test_the_search_page_holds_each_filters_values_and_counts(site: SiteFolder) -> None:
    """Catches: filter options missing from the page (search.js no longer asks every shard
    for them), counts not those of the indexed predictions, or a value not escaped."""
    site.config(SEARCH_ON)
    _populate(site, 4)
    site.write("x.md", prediction_text("Odd tag", extra="tags: ['<b>odd</b>']\n"))
    assert site.build() == 0
    page = site.html("search/")

    def options(name: str) -> list[tuple[str, str]]:
        select = page.select_one(f"select[data-filter={name}]")
        return [(o["value"], o.get_text()) for o in select.select("option")][1:]  # after "Any"

    assert options("tag") == [
        ("<b>odd</b>", "<b>odd</b> (1)"),
        ("shared", "shared (4)"),
        ("t0", "t0 (2)"),
        ("t1", "t1 (2)"),
    ]
    assert options("category") == [("Energy", "Energy (1)"), ("Space", "Space (3)")]
    assert [value for value, _ in options("author")] == ["Ada Quill", "Bo Ek"]
    for name in ("status", "category", "tag", "author"):
        assert not page.select_one(f"#filter-{name}").parent.has_attr("hidden")


def test_a_filter_no_prediction_has_is_hidden(site: SiteFolder) -> None:
    """Catches: a filter offered with "Any" as its only choice."""
    site.config(SEARCH_ON)
    site.write("a.md", prediction_text("No category"))
    assert site.build() == 0
    page = site.html("search/")
    assert page.select_one("#filter-category").parent.has_attr("hidden")
    assert not page.select_one("#filter-author").parent.has_attr("hidden")
