"""The calendar feed's ICS, built from task shapes and read back with icalendar: one all-day event
per open task on its due day in town time, stable UIDs, places and links, alarms the day before,
no closed tasks; and the secret address's token shape."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from tracker.db.models.tasks import TaskStatus, WorkKind
from tracker.domain.clock import due_instant
from tracker.domain.reminders.calendar import (
    CalendarTask,
    build_calendar,
    feed_url,
    looks_like_token,
    new_token,
    should_touch,
    token_from_file_name,
    webcal_url,
)
from tracker.i18n import use_locale

ZONE = "Asia/Shanghai"
BASE = "https://tracker.example.org"
NOW = dt.datetime(2026, 3, 15, 4, 0, tzinfo=dt.UTC)  # noon, Sunday 15 March 2026, in Shanghai


def task(task_id: int, day: dt.date, **extra: object) -> CalendarTask:
    return CalendarTask(id=task_id, title=f"任务{task_id}", due_at=due_instant(day, ZONE), **extra)  # type: ignore[arg-type]


def parse(
    tasks: list[CalendarTask], now: dt.datetime = NOW, name: str = "干部丁", zone: str = ZONE
) -> Calendar:
    with use_locale("en"):
        return Calendar.from_ical(build_calendar(tasks, name=name, timezone=zone, base_url=BASE, now=now))


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_it_makes_one_all_day_event_per_open_task_on_its_local_due_day() -> None:
    tasks = [task(1, dt.date(2026, 3, 20)), task(2, dt.date(2026, 3, 31)), task(3, dt.date(2026, 4, 30))]
    found = events(parse(tasks))
    assert sorted(found) == [
        "task-1@tracker.example.org",
        "task-2@tracker.example.org",
        "task-3@tracker.example.org",
    ]
    first = found["task-1@tracker.example.org"]
    # due at the start of 21 March in Shanghai (16:00 UTC on the 20th): shown on 20 March, all day
    assert first.decoded("dtstart") == dt.date(2026, 3, 20)  # type: ignore[attr-defined]
    assert first.decoded("dtend") == dt.date(2026, 3, 21)  # type: ignore[attr-defined]
    assert first["dtstart"].params["VALUE"] == "DATE"  # type: ignore[index]
    assert str(first["summary"]) == "任务1"  # type: ignore[index]


@pytest.mark.parametrize(
    ("zone", "due_at", "shown_on"),
    [
        # the start of a local day is due the day before, wherever the town is
        ("Asia/Shanghai", dt.datetime(2026, 3, 20, 16, 0, tzinfo=dt.UTC), dt.date(2026, 3, 20)),
        ("Asia/Urumqi", dt.datetime(2026, 3, 20, 18, 0, tzinfo=dt.UTC), dt.date(2026, 3, 20)),
        # an instant inside a local day makes that day the due day (not the UTC day)
        ("Asia/Shanghai", dt.datetime(2026, 3, 20, 17, 0, tzinfo=dt.UTC), dt.date(2026, 3, 21)),
        ("Asia/Shanghai", dt.datetime(2026, 3, 20, 15, 59, tzinfo=dt.UTC), dt.date(2026, 3, 20)),
    ],
)
def test_it_puts_the_event_on_the_due_day_in_the_towns_time(
    zone: str, due_at: dt.datetime, shown_on: dt.date
) -> None:
    found = events(parse([CalendarTask(id=7, title="x", due_at=due_at)], zone=zone))
    assert found["task-7@tracker.example.org"].decoded("dtstart") == shown_on  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "status", [TaskStatus.DONE, TaskStatus.EXCUSED, TaskStatus.CANCELLED, TaskStatus.REASSIGNED]
)
def test_it_leaves_out_tasks_that_are_not_open(status: TaskStatus) -> None:
    found = events(parse([task(1, dt.date(2026, 3, 20)), task(2, dt.date(2026, 3, 21), status=status)]))
    assert list(found) == ["task-1@tracker.example.org"]


def test_it_names_the_place_links_the_task_page_and_says_the_kind_and_progress() -> None:
    found = events(parse([task(5, dt.date(2026, 3, 20), place="东村2组", kind=WorkKind.LECTURE, target_count=3,
                               done_count=1)]))  # fmt: skip
    event = found["task-5@tracker.example.org"]
    assert str(event["summary"]) == "任务5 (东村2组)"  # type: ignore[index]
    assert str(event["url"]) == "https://tracker.example.org/tasks/5"  # type: ignore[index]
    description = str(event["description"])  # type: ignore[index]
    assert "https://tracker.example.org/tasks/5" in description
    assert "Lecture" in description and "Done 1 of 3" in description and "March 20, 2026" in description


def test_it_speaks_chinese_by_default() -> None:
    ics = build_calendar([task(5, dt.date(2026, 3, 20), place="东村2组")], name="干部丁", timezone=ZONE,
                         base_url=BASE, now=NOW)  # fmt: skip
    calendar = Calendar.from_ical(ics)
    assert str(calendar["x-wr-calname"]) == "干部丁的任务"
    assert str(calendar.walk("VEVENT")[0]["summary"]) == "任务5（东村2组）"


def test_it_rings_at_nine_the_day_before_and_never_for_a_day_already_over() -> None:
    found = events(parse([task(1, dt.date(2026, 3, 20)), task(2, dt.date(2026, 3, 10))]))
    alarms = found["task-1@tracker.example.org"].walk("VALARM")  # type: ignore[attr-defined]
    assert len(alarms) == 1 and str(alarms[0]["action"]) == "DISPLAY"
    trigger = alarms[0].decoded("trigger")
    assert dt.datetime.combine(dt.date(2026, 3, 20), dt.time(0)) + trigger == dt.datetime(2026, 3, 19, 9, 0)
    overdue = found["task-2@tracker.example.org"]
    assert overdue.walk("VALARM") == []  # type: ignore[attr-defined]
    assert str(overdue["summary"]) == "Overdue: 任务2"  # type: ignore[index]


def test_it_counts_today_as_not_overdue_in_the_towns_time() -> None:
    # 17:00 UTC on 20 March is already 21 March in Shanghai: a task due on the 20th is then overdue
    late = dt.datetime(2026, 3, 20, 17, 0, tzinfo=dt.UTC)
    on_the_day = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)
    assert str(
        events(parse([task(1, dt.date(2026, 3, 20))], now=late))["task-1@tracker.example.org"]["summary"]
    ).startswith("Overdue")  # type: ignore[index]
    assert (
        str(
            events(parse([task(1, dt.date(2026, 3, 20))], now=on_the_day))["task-1@tracker.example.org"][
                "summary"
            ]
        )
        == "任务1"
    )  # type: ignore[index]


def test_it_asks_to_be_fetched_hourly_and_names_the_calendar() -> None:
    calendar = parse([])
    assert calendar.walk("VEVENT") == []
    assert str(calendar["x-wr-calname"]) == "Tasks of 干部丁"
    assert str(calendar["version"]) == "2.0" and str(calendar["method"]) == "PUBLISH"
    assert calendar.decoded("refresh-interval") == dt.timedelta(hours=1)
    assert calendar["refresh-interval"].params["VALUE"] == "DURATION"
    raw = build_calendar([], name="", timezone=ZONE, base_url=BASE, now=NOW).decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw and "X-PUBLISHED-TTL:PT1H\r\n" in raw


def test_it_keeps_uids_and_content_stable_between_fetches() -> None:
    tasks = [task(2, dt.date(2026, 3, 31)), task(1, dt.date(2026, 3, 20))]
    first = build_calendar(tasks, name="干部丁", timezone=ZONE, base_url=BASE, now=NOW)
    again = build_calendar(list(reversed(tasks)), name="干部丁", timezone=ZONE, base_url=BASE, now=NOW)
    assert first == again
    assert [str(e["uid"]) for e in Calendar.from_ical(first).walk("VEVENT")] == [
        "task-1@tracker.example.org",
        "task-2@tracker.example.org",
    ]  # earliest due first


def test_it_escapes_text_that_means_something_in_ics() -> None:
    tricky = CalendarTask(id=9, title="学习; 讨论, 总结\\", due_at=due_instant(dt.date(2026, 3, 20), ZONE),
                          place="村委会\n二楼")  # fmt: skip
    event = parse([tricky]).walk("VEVENT")[0]
    assert str(event["summary"]) == "学习; 讨论, 总结\\ (村委会\n二楼)"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("cal_" + "A" * 43, True),
        ("cal_" + "a-_9" * 10 + "xyz", True),
        ("cal_" + "A" * 42, False),
        ("cal_" + "A" * 44, False),
        ("trk_" + "A" * 43, False),
        ("cal_" + "A" * 42 + "=", False),
        ("cal_" + "A" * 42 + "/", False),
        ("cal_" + "A" * 42 + "é", False),
        ("", False),
    ],
)
def test_it_knows_the_shape_of_a_token(text: str, ok: bool) -> None:
    assert looks_like_token(text) is ok


def test_it_makes_tokens_of_that_shape_and_finds_them_in_the_file_name() -> None:
    token = new_token()
    assert looks_like_token(token) and token != new_token()
    assert token_from_file_name(f"{token}.ics") == token
    assert token_from_file_name(token) is None
    assert token_from_file_name(f"{token}.ics.ics") is None
    assert token_from_file_name("nope.ics") is None
    assert feed_url(BASE + "/", token) == f"https://tracker.example.org/calendar/{token}.ics"
    assert webcal_url(BASE, token) == f"webcal://tracker.example.org/calendar/{token}.ics"


def test_it_writes_the_last_use_at_most_once_a_minute() -> None:
    assert should_touch(None, NOW)
    assert not should_touch(NOW - dt.timedelta(seconds=59), NOW)
    assert should_touch(NOW - dt.timedelta(seconds=60), NOW)
