"""Pure helpers: what an object looked like, what changed, with secrets left out."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from tracker.notify.urls import mask_url

# Never written to the log, whatever the table: hashes, TOTP and robot/webhook signing secrets.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "secret"})
# Written masked: a robot's or webhook's address carries its access token.
MASKED_COLUMNS = frozenset({"url"})
# Bookkeeping that says nothing about what a person did. A sign-in's time is the "login" event itself:
# the account's last_login_at changing with it would be a second entry for one sign-in.
IGNORED_COLUMNS = frozenset({"created_at", "updated_at", "last_login_at"})


def to_json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    return str(value)


def _shown(key: str, value: Any) -> Any:
    if key in SECRET_COLUMNS:
        return "***"
    if key in MASKED_COLUMNS and isinstance(value, str):
        return mask_url(value)
    return to_json_value(value)


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _shown(key, value) for key, value in values.items() if key not in IGNORED_COLUMNS}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{"before": {...}, "after": {...}} restricted to the keys whose value changed."""
    changed = [k for k in after if k not in IGNORED_COLUMNS and before.get(k) != after.get(k)]
    return {
        "before": snapshot({k: before.get(k) for k in changed}),
        "after": snapshot({k: after.get(k) for k in changed}),
    }
