"""The board's lights for one task and for a cell of tasks, from an explicit `now`."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.tasks import TaskStatus
from tracker.domain.work.lights import Light, combine_lights, done_late, is_overdue, task_light

# Monthly March 2026 in Asia/Shanghai: due at 2026-04-01T00:00+08:00.
DUE = dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("status", "now", "warning_days", "light"),
    [
        ("open", "2026-03-01T09:00+08:00", 3, Light.GREEN),
        ("open", "2026-03-28T23:59:59+08:00", 3, Light.GREEN),  # 3 days and 1 second left
        ("open", "2026-03-29T00:00+08:00", 3, Light.YELLOW),  # exactly 3 days left
        ("open", "2026-03-31T23:59:59+08:00", 3, Light.YELLOW),  # the last second of the last day
        ("open", "2026-04-01T00:00+08:00", 3, Light.RED),  # due: half-open, now >= due is late
        ("open", "2026-03-31T16:00Z", 3, Light.RED),  # the same instant in UTC
        ("open", "2026-06-01T00:00+08:00", 3, Light.RED),
        ("open", "2026-03-25T00:00+08:00", 7, Light.YELLOW),  # a town with a wider window
        ("open", "2026-03-31T12:00+08:00", 0, Light.GREEN),  # no window: green until due
        ("done", "2026-06-01T00:00+08:00", 3, Light.DONE),
        ("done", "2026-03-01T00:00+08:00", 3, Light.DONE),
        ("excused", "2026-06-01T00:00+08:00", 3, Light.NONE),
        ("cancelled", "2026-03-30T00:00+08:00", 3, Light.NONE),
        ("reassigned", "2026-06-01T00:00+08:00", 3, Light.NONE),
        (TaskStatus.OPEN, "2026-03-30T00:00+08:00", 3, Light.YELLOW),
    ],
)
def test_it_lights_a_task_from_its_status_and_due_instant(status, now, warning_days, light):
    assert task_light(status, DUE, at(now), warning_days=warning_days) is light


@pytest.mark.parametrize(
    ("status", "now", "overdue"),
    [
        ("open", "2026-03-31T15:59:59.999999Z", False),
        ("open", "2026-03-31T16:00Z", True),
        ("open", "2026-04-02T00:00+08:00", True),
        ("done", "2026-04-02T00:00+08:00", False),
        ("excused", "2026-04-02T00:00+08:00", False),
        ("cancelled", "2026-04-02T00:00+08:00", False),
        ("reassigned", "2026-04-02T00:00+08:00", False),
    ],
)
def test_it_calls_only_open_work_past_its_due_instant_overdue(status, now, overdue):
    assert is_overdue(status, DUE, at(now)) is overdue


@pytest.mark.parametrize(
    ("done_at", "late"),
    [
        ("2026-03-15T10:00+08:00", False),
        ("2026-03-31T23:59:59+08:00", False),
        ("2026-04-01T00:00+08:00", True),
        ("2026-04-20T10:00+08:00", True),
    ],
)
def test_it_records_work_done_at_or_after_the_due_instant_as_late(done_at, late):
    assert done_late(at(done_at), DUE) is late


@pytest.mark.parametrize(
    ("lights", "cell"),
    [
        ([], Light.NONE),
        ([Light.NONE, Light.NONE], Light.NONE),
        ([Light.DONE, Light.NONE], Light.DONE),
        ([Light.DONE, Light.GREEN], Light.GREEN),
        ([Light.GREEN, Light.YELLOW, Light.DONE], Light.YELLOW),
        ([Light.YELLOW, Light.RED, Light.GREEN], Light.RED),
        (["red", "done"], Light.RED),
    ],
)
def test_it_colours_a_cell_with_the_worst_light_of_its_tasks(lights, cell):
    assert combine_lights(lights) is cell


@pytest.mark.parametrize(
    "call",
    [
        lambda: task_light("open", DUE, dt.datetime(2026, 3, 1)),
        lambda: task_light("open", DUE.replace(tzinfo=None), at("2026-03-01T00:00+08:00")),
        lambda: done_late(dt.datetime(2026, 3, 1), DUE),
        lambda: is_overdue("open", DUE, dt.datetime(2026, 3, 1)),
    ],
)
def test_it_refuses_naive_datetimes(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_it_refuses_an_unknown_status():
    with pytest.raises(ValueError):
        task_light("lost", DUE, at("2026-03-01T00:00+08:00"))
