"""Old addresses from git: the slugs under which each prediction was published before its
current one, so that `foretell check` can warn when a renamed prediction's old address has no
alias (a link to it, shared while it was live, would now break).

A prediction's slug is its `slug:` field or, without one, its file name: renaming the file
changes it as surely as editing the field. Its history is followed across renames (`git log -M`,
along HEAD's first-parent line, as gitlog.py reads it), and only versions that were published
count: a slug a prediction had only as a draft was never anyone's link. It costs two git
processes whatever the site's size (one `log`, one `cat-file --batch` through gitlog.py's
reader), and YAML is parsed only for the versions whose slug may differ from today's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from builder.content.model import Prediction
from builder.errors import Problem
from builder.trackrecord import gitlog


@dataclass(frozen=True)
class OldSlug:
    slug: str
    commit: str  # short hash of the last commit that published it
    day: date | None  # None: a date Python cannot hold


@dataclass(frozen=True)
class _Version:
    path: str  # in the repository, as git names it
    blob: str
    commit: str
    day: date | None


def old_slugs(root: Path, predictions: Iterable[Prediction]) -> dict[str, list[OldSlug]]:
    """source -> the slugs each published prediction was published under before its current
    one, most recent first (empty when git history cannot be read)."""
    published = [p for p in predictions if not p.draft]
    top = gitlog.work_tree(root)
    if top is None or not published:
        return {}
    wanted = gitlog.repository_paths(top, root, [p.source for p in published])
    lineages = _lineages(top, {path: sources[0] for path, sources in wanted.items()})
    if not lineages:
        return {}
    blobs = {v.blob for versions in lineages.values() for v in versions}
    texts = gitlog.read_front_matter(top, blobs)
    if texts is None:
        return {}
    current = {p.source: p.slug for p in published}
    found: dict[str, list[OldSlug]] = {}
    reader = _SlugReader()
    for source, versions in lineages.items():
        seen: dict[str, OldSlug] = {}
        for version in versions:  # newest first
            text = texts.get(version.blob)
            # Without a slug field its slug is its file name: no YAML to read unless that
            # was another one.
            named = text is not None and "slug" not in text
            if named and PurePosixPath(version.path).stem == current[source]:
                continue
            slug = reader.slug(text, version.path)
            if slug is None or slug == current[source] or slug in seen:
                continue
            seen[slug] = OldSlug(slug, version.commit[: gitlog.SHORT_HASH], version.day)
        if seen:
            found[source] = list(seen.values())
    return found


def missing_aliases(
    root: Path, predictions: Sequence[Prediction], lines: Mapping[str, int]
) -> list[Problem]:
    """A warning for each old address of a published prediction that leads nowhere now: no
    alias (of any prediction) and no other prediction's page. `lines`: source -> the line to
    name (its slug's, or its first)."""
    taken = {p.url for p in predictions} | {a for p in predictions for a in p.aliases}
    problems = []
    for source, olds in sorted(old_slugs(root, predictions).items()):
        for old in olds:
            address = f"predictions/{old.slug}/"
            if address in taken:
                continue
            when = old.commit if old.day is None else f"{old.commit}, {old.day}"
            message = (
                f"was published at /{address} (last in commit {when}): add "
                f"'/{address}' to its aliases so that links to the old address keep working"
            )
            problems.append(Problem(source, lines.get(source, 1), "aliases", message, "warning"))
    return problems


class _SlugReader:
    """The slug of a version, when it was published; each distinct front matter parsed once,
    and only when it may name a slug."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple[bool, str | None]] = {}

    def slug(self, text: str | None, path: str) -> str | None:
        if text is None:
            return None
        if text not in self._parsed:
            self._parsed[text] = _published_slug(text)
        published, slug = self._parsed[text]
        return (slug or PurePosixPath(path).stem) if published else None


def _published_slug(text: str) -> tuple[bool, str | None]:
    """(whether the version was a published prediction, its `slug:` field if any)."""
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return False, None
    if not isinstance(data, dict) or data.get("draft") is True:
        return False, None
    if not isinstance(data.get("prediction"), dict):
        return False, None
    slug = data.get("slug")
    return True, slug.strip() if isinstance(slug, str) and slug.strip() else None


def _lineages(top: Path, wanted: Mapping[str, str]) -> dict[str, list[_Version]]:
    """source -> every committed version of its file, newest first, across renames."""
    folders = sorted({str(PurePosixPath(path).parent) for path in wanted})
    # Renames followed: a renamed file keeps its history, and its old name is an old slug.
    logged = gitlog.log(top, folders, renames=True)
    if logged is None:
        return {}
    owner = dict(wanted)  # path at the commit being read -> source it becomes
    lineages: dict[str, list[_Version]] = {}
    for entry in logged:
        for change in entry.changes:
            path = change.paths[-1]  # the name after this commit
            source = owner.get(path)
            if source is None:
                continue
            if change.blob is not None:
                version = _Version(path, change.blob, entry.sha, entry.day)
                lineages.setdefault(source, []).append(version)
            if change.status == "R":  # before this commit, it had the old name
                del owner[path]
                owner[change.paths[0]] = source
            elif change.status == "A":  # before it, this name held nothing of it
                del owner[path]
    return lineages
