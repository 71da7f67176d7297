"""site.yaml: the typed site configuration and its validation, every problem collected."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from builder.config.comments import Comments, read_comments
from builder.config.fields import FieldReader
from builder.config.themes import find_theme, installed_names
from builder.config.timestamps import TimestampSettings, read_timestamps
from builder.config.yamlpos import YamlError
from builder.config.yamlpos import load as load_yaml
from builder.errors import Problem
from builder.system import clock

CONFIG_FILE = "site.yaml"
AUTHOR_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SITE_KEYS = (
    "title", "url", "description", "language", "timezone", "paginate", "theme",
    "authors", "votes", "feed_size", "track_record", "timestamps", "crowd",
    "share_cards", "search", "comments",
)  # fmt: skip
AUTHOR_KEYS = ("name", "bio", "url")
TRACK_RECORD_KEYS = ("include_late", "update_grace_days", "tag_threshold", "stamped_only")
CROWD_KEYS = ("min_votes",)


@dataclass(frozen=True)
class Author:
    key: str
    name: str
    bio: str = ""
    url: str | None = None


@dataclass(frozen=True)
class TrackRecordSettings:
    """`track_record:` in site.yaml: how far the scores trust what git cannot vouch for."""

    include_late: bool = False  # score predictions recorded after the fact all the same
    update_grace_days: int = 2  # an update committed later than this after its date is backdated
    tag_threshold: int = 5  # a tag gets its slice of the record from this many scored up
    # score only the predictions a timestamp authority vouches for: stamped before the
    # date that settles them (trackrecord/stamps/)
    stamped_only: bool = False


@dataclass(frozen=True)
class CrowdSettings:
    """`crowd:` in site.yaml: when the readers' final votes (content/crowd.json) make a
    forecast scored beside the author's."""

    min_votes: int = 10  # will and won't votes a resolved prediction needs for a crowd figure


@dataclass(frozen=True)
class SiteConfig:
    title: str
    url: str  # absolute, always ending in "/"
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    paginate: int = 20
    theme: str = "default"
    authors: tuple[Author, ...] = ()
    votes_endpoint: str | None = None
    feed_size: int = 20
    track_record: TrackRecordSettings = TrackRecordSettings()
    timestamps: TimestampSettings = field(default_factory=TimestampSettings)
    crowd: CrowdSettings = CrowdSettings()
    share_cards: bool = True  # a 1200x630 PNG per prediction for link previews (render/cards.py)
    search: bool = False  # the Pagefind index, the search page and the masthead's box
    comments: Comments | None = None  # builder/config/comments.py; off by default

    def author(self, key: str) -> Author | None:
        return self._authors_by_key.get(key)

    @cached_property
    def _authors_by_key(self) -> dict[str, Author]:
        # Asked once per prediction by several outputs (pages, oEmbed files): a lookup, not a
        # scan. cached_property writes __dict__ directly, which a frozen dataclass allows.
        return {a.key: a for a in self.authors}

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        return clock.today(self.timezone)


ConfigResult = tuple[SiteConfig | None, list[Problem]]


def _known_zone(name: str) -> bool:
    # Not `name in available_timezones()`: that walks the whole zone database on every build.
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def load_config(root: Path) -> ConfigResult:
    """Read and validate `root/site.yaml`.

    The config is None only when the file cannot be used at all; otherwise it is returned with
    defaults in place of bad values, so the content can still be checked against it and every
    problem reported in one run. Callers must check `problems` for errors.
    """
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(CONFIG_FILE, None, None, "not found: is this a foretell site?")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(CONFIG_FILE, None, None, f"cannot be read: {exc}")]
    try:
        located = load_yaml(text)
    except YamlError as exc:
        return None, [Problem(CONFIG_FILE, exc.line, None, exc.message)]
    reader = FieldReader(located, CONFIG_FILE)
    return _read(reader, root), reader.problems


def _read(r: FieldReader, root: Path) -> SiteConfig | None:
    if r.mapping("") is None:
        r.report("", "site.yaml must be a mapping of settings")
        return None
    r.unknown_keys("", SITE_KEYS)
    title = r.string("title", required=True)
    url = _base_url(r, "url", required=True)
    timezone = r.string("timezone") or "UTC"
    if not _known_zone(timezone):
        r.report("timezone", f"unknown time zone {timezone!r} (use an IANA name like Europe/Paris)")
        timezone = "UTC"  # never a zone that fails to load: the report above fails the build
    theme = _theme(r, root)
    paginate = r.integer("paginate", default=20)
    votes_endpoint = None
    if r.mapping("votes") is not None:
        r.unknown_keys("votes", ("endpoint",))
        votes_endpoint = _base_url(r, "votes.endpoint", required=True)
    return SiteConfig(
        title=title or "",
        url=(url or "https://example.org").rstrip("/") + "/",
        description=r.string("description") or "",
        language=r.string("language") or "en",
        timezone=timezone,
        paginate=paginate,
        theme=theme,
        authors=_authors(r),
        votes_endpoint=votes_endpoint.rstrip("/") if votes_endpoint else None,
        feed_size=r.integer("feed_size", default=max(paginate, 20), minimum=20),
        track_record=_track_record(r),
        timestamps=read_timestamps(r),
        crowd=_crowd(r),
        share_cards=r.boolean("share_cards", default=True),
        search=r.boolean("search"),
        comments=read_comments(r, r.string("language") or "en"),
    )


def _track_record(r: FieldReader) -> TrackRecordSettings:
    if r.mapping("track_record") is None:
        return TrackRecordSettings()
    r.unknown_keys("track_record", TRACK_RECORD_KEYS)
    default = TrackRecordSettings()
    return TrackRecordSettings(
        include_late=r.boolean("track_record.include_late", default=default.include_late),
        update_grace_days=r.integer(
            "track_record.update_grace_days", default=default.update_grace_days, minimum=0
        ),
        tag_threshold=r.integer(
            "track_record.tag_threshold", default=default.tag_threshold, minimum=1
        ),
        stamped_only=r.boolean("track_record.stamped_only", default=default.stamped_only),
    )


def _crowd(r: FieldReader) -> CrowdSettings:
    if r.mapping("crowd") is None:
        return CrowdSettings()
    r.unknown_keys("crowd", CROWD_KEYS)
    return CrowdSettings(min_votes=r.integer("crowd.min_votes", default=CrowdSettings.min_votes))


def _base_url(r: FieldReader, field: str, *, required: bool) -> str | None:
    """A URL that others are made from by appending a path (every page's from the site's, the
    vote requests' from the endpoint's): a query or a fragment would land in their middle."""
    url = r.url(field, required=required)
    if url is None:
        return None
    # After web_url, a "?" or "#" can only be where the query or the fragment starts.
    extra = [(mark, part) for mark, part in (("?", "query"), ("#", "fragment")) if mark in url]
    for mark, part in extra:
        r.report(field, f"must not have a {part} ({mark}...), got {url!r}")
    return None if extra else url


def _theme(r: FieldReader, root: Path) -> str:
    """A folder name under themes/: a path could load templates from anywhere on the disk,
    where the up-to-date check does not look."""
    theme = r.string("theme") or "default"
    if theme in (".", "..") or "/" in theme or "\\" in theme:
        r.report("theme", f"expected the name of a folder under themes/, got {theme!r}")
        return "default"
    if not find_theme(root, theme).usable:
        installed = ", ".join(installed_names()) or "none"
        r.report(
            "theme",
            f"no theme {theme!r}: looked in the site's themes/{theme}/templates and in the "
            f"themes installed with foretell ({installed})",
        )
    return theme


def _authors(r: FieldReader) -> tuple[Author, ...]:
    authors = r.mapping("authors") or {}
    result = []
    for key in authors:
        field = f"authors.{key}"
        if not AUTHOR_KEY.match(key):
            r.report(field, "author keys are lower-case letters, digits, '-' and '_'")
        if r.mapping(field, required=True) is None:
            continue
        r.unknown_keys(field, AUTHOR_KEYS)
        name = r.string(f"{field}.name", required=True) or key
        bio = r.string(f"{field}.bio") or ""
        url = r.url(f"{field}.url")
        result.append(Author(key=key, name=name, bio=bio, url=url))
    return tuple(sorted(result, key=lambda a: a.key))
