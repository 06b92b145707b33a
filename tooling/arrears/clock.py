"""The only place that reads the wall clock: "today" in the records' time zone.

The core takes `as_of` as a parameter; the CLI asks this module for its
default. `ARREARS_TODAY=YYYY-MM-DD` pins it (for demos, screenshots and tests).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from arrears.records.model import Settings


def today(settings: Settings) -> date:
    """The day reports are computed as of: arrears.toml's `as_of` when the repository pins one (a demo
    keeps telling its story), else ARREARS_TODAY, else today in the records' time zone."""
    if settings.as_of is not None:
        return settings.as_of
    pinned = os.environ.get("ARREARS_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(ZoneInfo(settings.timezone)).date()


def now(settings: Settings) -> datetime:
    """The current local time, aware, in the records' time zone."""
    return datetime.now(ZoneInfo(settings.timezone))
