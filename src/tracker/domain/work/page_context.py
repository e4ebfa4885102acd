"""Pieces the work pages share: the local day, partial-or-page, the labels every task template uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.plugins.htmx import HTMXRequest

from tracker.db.models.roster import Town
from tracker.domain.clock import local_date
from tracker.domain.work.display import LIGHT_SYMBOLS, due_on
from tracker.domain.work.kinds import KIND_LABELS, record_fields
from tracker.domain.work.lights import LIGHT_LABELS, STATUS_LABELS, Light


def today_in(town: Town, now: dt.datetime) -> dt.date:
    return local_date(now, town.timezone)


def wants_partial(request: HTMXRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_context(town: Town | None, **extra: Any) -> dict[str, Any]:
    """What every task template may use: the town (for the top bar), labels and date helpers."""
    zone = town.timezone if town is not None else "Asia/Shanghai"
    context: dict[str, Any] = {
        "Light": Light,
        "kind_labels": KIND_LABELS,
        "light_labels": LIGHT_LABELS,
        "light_symbols": LIGHT_SYMBOLS,
        "status_labels": STATUS_LABELS,
        "due_on": lambda due_at: due_on(due_at, zone),
        "local_day": lambda instant: local_date(instant, zone),
        "record_fields": record_fields,
        "zone": zone,
    }
    if town is not None:
        context["town"] = town
    context.update(extra)
    return context
