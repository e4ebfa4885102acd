"""Pure helpers: what an object looked like, what changed, with secrets left out."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

# Never written to the log, whatever the table.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})
# Bookkeeping that says nothing about what a person did.
IGNORED_COLUMNS = frozenset({"created_at", "updated_at"})


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


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: ("***" if key in SECRET_COLUMNS else to_json_value(value))
        for key, value in values.items()
        if key not in IGNORED_COLUMNS
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{"before": {...}, "after": {...}} restricted to the keys whose value changed."""
    changed = [k for k in after if k not in IGNORED_COLUMNS and before.get(k) != after.get(k)]
    return {
        "before": snapshot({k: before.get(k) for k in changed}),
        "after": snapshot({k: after.get(k) for k in changed}),
    }
