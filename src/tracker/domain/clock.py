"""Time helpers: UTC `now` in, the town's local calendar out. Pure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar day it is in `timezone` at the instant `now` (which must be aware)."""
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    return now.astimezone(ZoneInfo(timezone)).date()
