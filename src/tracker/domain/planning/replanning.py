"""Bringing an assignment's future occurrences in line after an edit or a roster change. Pure.

Public API
- `FutureOccurrence(id, person_id, place_id, period_key, status, due_at)`: a stored task.
- `WantedOccurrence(key, due_at)`: an occurrence the assignment should have, with the due
  instant of its period (from `plan_occurrences` over `current_year_periods_from`).
- `plan_future_change(existing, wanted, now) -> RosterChange(to_create, to_close, to_reopen)`.

Rules ("future" means `due_at > now`; everything else is history and never changes)
- An open future occurrence no longer wanted is closed (the service closes it as reassigned,
  with a reason).
- A future occurrence closed as reassigned and wanted again is reopened (one per key).
- A wanted future occurrence with no stored occurrence of its key at all is created. A key
  already stored (done, excused, cancelled, overdue, or in the past) is never made twice: one
  task per person, place and period.
- Wanted occurrences whose due instant has passed are not created: an edit or a roster change
  does not hand anyone work that is already late.
- Done, excused and cancelled occurrences are never touched, whatever their due date.
All datetimes must be timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.db.models.tasks import TaskStatus
from tracker.domain.planning.who import OccurrenceKey, RosterChange


@dataclass(frozen=True)
class FutureOccurrence:
    id: int
    person_id: int
    place_id: int | None
    period_key: str
    status: TaskStatus
    due_at: dt.datetime

    @property
    def key(self) -> OccurrenceKey:
        return OccurrenceKey(self.person_id, self.place_id, self.period_key)


@dataclass(frozen=True)
class WantedOccurrence:
    key: OccurrenceKey
    due_at: dt.datetime


def plan_future_change(
    existing: Iterable[FutureOccurrence], wanted: Iterable[WantedOccurrence], now: dt.datetime
) -> RosterChange:
    """What to create, close and reopen so that future occurrences match `wanted` (module notes)."""
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    wanted_list = list(wanted)
    wanted_keys = {w.key for w in wanted_list}
    by_key: dict[OccurrenceKey, list[FutureOccurrence]] = {}
    for occurrence in existing:
        by_key.setdefault(occurrence.key, []).append(occurrence)
    change = RosterChange()
    for key, occurrences in by_key.items():
        future = [o for o in occurrences if o.due_at > now]
        if key in wanted_keys:
            if occurrences and all(TaskStatus(o.status) is TaskStatus.REASSIGNED for o in occurrences):
                change.to_reopen.extend(o.id for o in future[:1])
        else:
            change.to_close.extend(o.id for o in future if TaskStatus(o.status) is TaskStatus.OPEN)
    seen: set[OccurrenceKey] = set()
    for item in wanted_list:
        if item.key in by_key or item.key in seen or item.due_at <= now:
            continue
        seen.add(item.key)
        change.to_create.append(item.key)
    change.to_close.sort()
    change.to_reopen.sort()
    return change
