"""Time helpers: UTC `now` in, the town's local calendar out; when work due on a local day falls due. Pure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# The years the tracker reasons about: a year outside them is a field error (not a crash on
# date(99999)); the JSON API's `year` parameters take these bounds too.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def due_instant(day: dt.date, timezone: str = "Asia/Shanghai") -> dt.datetime:
    """The UTC instant work due on local `day` falls due: the start of the next local day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar day it is in `timezone` at the instant `now` (which must be aware)."""
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    return now.astimezone(ZoneInfo(timezone)).date()
