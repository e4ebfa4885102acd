"""API tokens, the pure part: how long one may live.

A token works until `expires_at`, unless revoked or its owner disabled (sessions.resolve_api_token
filters on all three); a read-only one may only read (web/auth.py refuses the rest under /api/)."""

from __future__ import annotations

import datetime as dt

DEFAULT_DAYS = 90
MAX_DAYS = 365


def is_valid_lifetime(days: int) -> bool:
    """A token lives 1 to MAX_DAYS days."""
    return 1 <= days <= MAX_DAYS


def expiry(now: dt.datetime, days: int) -> dt.datetime:
    return now + dt.timedelta(days=days)
