"""The audit log's pure rules: how refused requests are grouped so that a probe can't flood the log."""

from __future__ import annotations

import datetime as dt

REFUSAL_WINDOW = dt.timedelta(minutes=10)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def refusal_window_start(now: dt.datetime, window: dt.timedelta = REFUSAL_WINDOW) -> dt.datetime:
    """The start of the fixed window (aligned on the epoch, in UTC) that `now` falls in: refusals of one
    user on one route in one window make one audit entry and a count."""
    return now - (now.astimezone(dt.UTC) - _EPOCH) % window
