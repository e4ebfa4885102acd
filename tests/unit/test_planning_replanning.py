"""Future occurrences after an edit or a roster change: only work due after `now` moves. Pure."""

from __future__ import annotations

import datetime as dt

import pytest

import tracker.db.models  # noqa: F401  (the models import the rules: load them first)
from tracker.db.models.tasks import TaskStatus
from tracker.domain.planning.replanning import FutureOccurrence, WantedOccurrence, plan_future_change
from tracker.domain.planning.who import OccurrenceKey

NOW = dt.datetime(2026, 4, 5, 4, 0, tzinfo=dt.UTC)
PAST, SOON = NOW - dt.timedelta(days=5), NOW + dt.timedelta(days=5)
OPEN, DONE, EXCUSED, CANCELLED, MOVED = (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.EXCUSED,
                                         TaskStatus.CANCELLED, TaskStatus.REASSIGNED)  # fmt: skip
A, B = OccurrenceKey(1, None, "2026-04"), OccurrenceKey(2, 10, "2026-04")


def held(task_id: int, key: OccurrenceKey, status: TaskStatus, due: dt.datetime) -> FutureOccurrence:
    return FutureOccurrence(task_id, key.person_id, key.place_id, key.period_key, status, due)


CASES = [
    # (existing, wanted, to_create, to_close, to_reopen)
    ("nothing yet, wanted soon", [], [(A, SOON)], [A], [], []),
    ("wanted but already late: not made", [], [(A, PAST)], [], [], []),
    ("wanted twice: made once", [], [(A, SOON), (A, SOON)], [A], [], []),
    ("held and wanted: nothing to do", [held(1, A, OPEN, SOON)], [(A, SOON)], [], [], []),
    ("open, not wanted: closed", [held(1, A, OPEN, SOON)], [], [], [1], []),
    ("overdue, not wanted: stays", [held(1, A, OPEN, PAST)], [], [], [], []),
    ("done, not wanted: stays", [held(1, A, DONE, SOON)], [], [], [], []),
    ("excused, not wanted: stays", [held(1, A, EXCUSED, SOON)], [], [], [], []),
    ("cancelled and wanted: not made again", [held(1, A, CANCELLED, SOON)], [(A, SOON)], [], [], []),
    ("reassigned and wanted again: reopened", [held(1, A, MOVED, SOON)], [(A, SOON)], [], [], [1]),
    ("reassigned in the past: stays", [held(1, A, MOVED, PAST)], [(A, SOON)], [], [], []),
    ("one of each", [held(1, A, OPEN, SOON), held(2, B, MOVED, SOON)], [(B, SOON)], [], [1], [2]),
]


@pytest.mark.parametrize(("name", "existing", "wanted", "create", "close", "reopen"), CASES, ids=[c[0] for c in CASES])
def test_it_plans_only_future_changes(name, existing, wanted, create, close, reopen) -> None:
    change = plan_future_change(existing, [WantedOccurrence(k, due) for k, due in wanted], NOW)
    assert (change.to_create, change.to_close, change.to_reopen) == (create, close, reopen)


def test_it_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        plan_future_change([], [], NOW.replace(tzinfo=None))
