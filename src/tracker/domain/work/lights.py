"""Task status and the board's traffic lights, computed from an explicit `now`. Pure.

Public API
- `TaskStatus`: open, done, excused (with a reason), cancelled, reassigned (closed because the
  roster changed: the person left or the place is no longer theirs; kept in history, not
  counted against anyone).
- `Light`: green, yellow, red (open work), done, none (excused, cancelled, reassigned).
- `DEFAULT_WARNING_DAYS` (3): the town's warning window.
- `task_light(status, due_at, now, warning_days=3) -> Light`
- `is_overdue(status, due_at, now) -> bool`
- `done_late(done_at, due_at) -> bool`
- `combine_lights(lights) -> Light`: the worst light of a board cell's tasks.
- `STATUS_LABELS`, `LIGHT_LABELS`: lazily translated names for templates.

Rules (due is half-open, see periods.py)
- open and `now >= due_at` -> red; open and `due_at - now <= warning window` -> yellow;
  open otherwise -> green; done -> done; excused, cancelled, reassigned -> none.
- Work done at or after `due_at` is late, and stays recorded as late once done.
- Worst first: red, yellow, green, done, none. A cell with no tasks has no light.
All datetimes must be timezone-aware; a naive one raises ValueError.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from tracker.db.models.tasks import TaskStatus
from tracker.i18n import LazyText, lazy_gettext

DEFAULT_WARNING_DAYS = 3




class Light(str, enum.Enum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    DONE = "done"
    NONE = "none"


STATUS_LABELS: dict[TaskStatus, LazyText] = {
    TaskStatus.OPEN: lazy_gettext("To do"),
    TaskStatus.DONE: lazy_gettext("Done"),
    TaskStatus.EXCUSED: lazy_gettext("Excused"),
    TaskStatus.CANCELLED: lazy_gettext("Cancelled"),
    TaskStatus.REASSIGNED: lazy_gettext("Reassigned"),
}

LIGHT_LABELS: dict[Light, LazyText] = {
    Light.GREEN: lazy_gettext("On track"),
    Light.YELLOW: lazy_gettext("Due soon"),
    Light.RED: lazy_gettext("Overdue"),
    Light.DONE: lazy_gettext("Done"),
    Light.NONE: lazy_gettext("No light"),
}

_SEVERITY = {Light.NONE: 0, Light.DONE: 1, Light.GREEN: 2, Light.YELLOW: 3, Light.RED: 4}


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"{name} must be timezone-aware"
        raise ValueError(msg)
    return value


def is_overdue(status: TaskStatus | str, due_at: dt.datetime, now: dt.datetime) -> bool:
    """Open work whose due instant has come."""
    return TaskStatus(status) is TaskStatus.OPEN and _aware(now, "now") >= _aware(due_at, "due_at")


def task_light(
    status: TaskStatus | str, due_at: dt.datetime, now: dt.datetime, warning_days: int = DEFAULT_WARNING_DAYS
) -> Light:
    """The light of one task at `now` (see the module notes)."""
    status = TaskStatus(status)
    if status is TaskStatus.DONE:
        return Light.DONE
    if status is not TaskStatus.OPEN:
        return Light.NONE
    if is_overdue(status, due_at, now):
        return Light.RED
    if due_at - now <= dt.timedelta(days=warning_days):
        return Light.YELLOW
    return Light.GREEN


def done_late(done_at: dt.datetime, due_at: dt.datetime) -> bool:
    """Work finished at or after its due instant."""
    return _aware(done_at, "done_at") >= _aware(due_at, "due_at")


def combine_lights(lights: Iterable[Light | str]) -> Light:
    """The worst of the lights; none for an empty cell."""
    return max((Light(light) for light in lights), key=_SEVERITY.__getitem__, default=Light.NONE)
