"""The one place the real clock is read, and only when no --now was given."""

from __future__ import annotations

import datetime as dt
import zoneinfo


def today(timezone: str) -> dt.date:
    """Today's date in the site's time zone (an IANA name, as site.yaml gives it)."""
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()
