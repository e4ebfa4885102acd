"""The calendar feed, the pure part: a person's open tasks as one iCalendar (RFC 5545) file that phone
calendars subscribe to at a secret address, and the shape of that address's token. No session, no
request: the tasks, the town's time zone and `now` come in.

- One VEVENT per open task (done, excused, cancelled and reassigned tasks are left out), its UID
  `task-<id>@<host of base_url>`, stable across fetches, so a calendar updates the event in place.
- The event is all-day on the task's due day in the town's time zone: the last local day to do the
  work (a task due at the start of 21 December, local time, is shown on 20 December).
- SUMMARY: the title, with the place in brackets when there is one; "Overdue: …" once the due day is
  over (in the town's time, at `now`). DESCRIPTION: the kind, the due day, the progress of a task
  done more than once, and the link to the task page `<base_url>/tasks/<id>` (also as URL).
- A DISPLAY alarm at 09:00 the day before the due day (-PT15H before the all-day start); none for a
  task whose due day is over (a calendar must not ring for the past when it subscribes).
- The calendar asks to be fetched again every hour (REFRESH-INTERVAL and X-PUBLISHED-TTL) and is
  named after the person (X-WR-CALNAME).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vDuration

from tracker.db.models.tasks import TaskStatus, WorkKind
from tracker.domain.accounts.rules import token_hash
from tracker.domain.clock import local_date
from tracker.domain.work.display import due_on
from tracker.domain.work.kinds import KIND_LABELS
from tracker.i18n import _, format_date

TOKEN_START = "cal_"
TOKEN_PATTERN = re.compile(r"cal_[A-Za-z0-9_-]{43}")  # "cal_" + 32 random bytes, URL-safe base64
PREFIX_LENGTH = 10  # what the settings page shows of an address after it was made: "cal_AbCdEf"
FEED_SUFFIX = ".ics"
LOOKBACK = dt.timedelta(days=30)  # open tasks due up to 30 days ago stay in the calendar
MAX_EVENTS = 500  # a safety bound: a person's open tasks for this period and the next are far fewer
REFRESH = dt.timedelta(hours=1)
ALARM_BEFORE = dt.timedelta(hours=15)  # from 00:00 of the due day back to 09:00 the day before
TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute
PRODID = "-//Responsibility tracker//Calendar feed//EN"

__all__ = [
    "FEED_SUFFIX",
    "LOOKBACK",
    "MAX_EVENTS",
    "PREFIX_LENGTH",
    "CalendarTask",
    "build_calendar",
    "feed_url",
    "looks_like_token",
    "new_token",
    "should_touch",
    "token_from_file_name",
    "token_hash",
    "webcal_url",
]


@dataclass(frozen=True)
class CalendarTask:
    """A task as the calendar needs it."""

    id: int
    title: str
    due_at: dt.datetime  # the instant it falls due (UTC): the start of the day after the due day
    status: TaskStatus = TaskStatus.OPEN
    place: str | None = None
    kind: WorkKind | None = None
    target_count: int = 1
    done_count: int = 0


# -- the secret address ---------------------------------------------------------------------------


def new_token() -> str:
    return TOKEN_START + secrets.token_urlsafe(32)


def looks_like_token(text: str) -> bool:
    """Could `text` be a token we handed out? Checked before the database is asked anything."""
    return TOKEN_PATTERN.fullmatch(text) is not None


def token_from_file_name(name: str) -> str | None:
    """The token in the last part of a feed address ("cal_….ics"), or None when it can't be one."""
    if not name.endswith(FEED_SUFFIX):
        return None
    token = name[: -len(FEED_SUFFIX)]
    return token if looks_like_token(token) else None


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/calendar/{token}{FEED_SUFFIX}"


def webcal_url(base_url: str, token: str) -> str:
    """The same address as webcal://, which phones open as "subscribe to this calendar"."""
    address = feed_url(base_url, token)
    return "webcal://" + address.split("://", 1)[1]


def should_touch(last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOUCH_INTERVAL


# -- the calendar ---------------------------------------------------------------------------------


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def _summary(task: CalendarTask, overdue: bool) -> str:
    title = task.title
    if task.place:
        title = _("%(title)s (%(place)s)", title=task.title, place=task.place)
    return _("Overdue: %(title)s", title=title) if overdue else title


def _description(task: CalendarTask, due_day: dt.date, link: str) -> str:
    lines = []
    if task.kind is not None:
        lines.append(str(KIND_LABELS[task.kind]))
    lines.append(_("Due %(day)s", day=format_date(due_day, "long")))
    if task.target_count > 1:
        lines.append(_("Done %(done)d of %(target)d", done=task.done_count, target=task.target_count))
    lines.append(link)
    return "\n".join(lines)


def _event(
    task: CalendarTask, *, timezone: str, base_url: str, host: str, today: dt.date, now: dt.datetime
) -> Event:
    due_day = due_on(task.due_at, timezone)
    overdue = due_day < today
    link = f"{base_url.rstrip('/')}/tasks/{task.id}"
    event = Event()
    event.add("uid", f"task-{task.id}@{host}")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", due_day)
    event.add("dtend", due_day + dt.timedelta(days=1))
    event.add("summary", _summary(task, overdue))
    event.add("description", _description(task, due_day, link))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")  # a day's work, not a meeting: the day stays free
    if not overdue:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _summary(task, overdue=False))
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event


def build_calendar(
    tasks: Iterable[CalendarTask], *, name: str, timezone: str, base_url: str, now: dt.datetime
) -> bytes:
    """The ICS file of the open tasks among `tasks`, earliest due first; `name` is the person's.

    `now` must be aware; it stamps the events and decides which due days are over."""
    today = local_date(now, timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Tasks of %(name)s", name=name) if name else _("Responsibility tracker"))
    calendar.add("x-wr-caldesc", _("Open tasks from the responsibility tracker, refreshed every hour"))
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    host = _host(base_url)
    open_tasks = sorted((t for t in tasks if t.status is TaskStatus.OPEN), key=lambda t: (t.due_at, t.id))
    for task in open_tasks[:MAX_EVENTS]:
        calendar.add_component(
            _event(task, timezone=timezone, base_url=base_url, host=host, today=today, now=now)
        )
    return calendar.to_ical()
