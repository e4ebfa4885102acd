"""The desk's pure rules: the window of "due this week", and overdue counts grouped by tier, then by
unit (the most overdue first, people without a unit last). `now` and `today` passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tracker.domain.board.rules import TIER_ORDER
from tracker.domain.clock import due_instant
from tracker.domain.desk.schemas import OverdueCount, TierOverdue

WEEK_DAYS = 7  # "due this week": the next seven local days, as on 我的任务
FAR_DAYS = 30  # records flagged far from their place in the last thirty days
LIST_LIMIT = 10  # items listed per section; the rest are counted and linked


def week_end(today: dt.date, timezone: str) -> dt.datetime:
    """The due instant of work due on the seventh day from `today` (work due by then is "this week")."""
    return due_instant(today + dt.timedelta(days=WEEK_DAYS), timezone)


def far_since(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=FAR_DAYS)


def group_overdue(counts: Iterable[OverdueCount]) -> list[TierOverdue]:
    """Counts grouped by tier (tier 1, 2, 3), units by most overdue tasks, then name; no unit last."""
    by_tier: dict[object, list[OverdueCount]] = {}
    for count in counts:
        if count.tasks:
            by_tier.setdefault(count.tier, []).append(count)
    return [
        TierOverdue(tier, sorted(units, key=lambda u: (u.unit_id is None, -u.tasks, u.unit_name)))
        for tier, units in sorted(by_tier.items(), key=lambda item: TIER_ORDER[item[0]])  # type: ignore[index]
    ]


__all__ = ["FAR_DAYS", "LIST_LIMIT", "WEEK_DAYS", "far_since", "group_overdue", "week_end"]
