"""The board's and the desk's pure rules: a person's totals and completion rate, the overdue list's
order and pages, today's column, the desk's overdue counts by tier and unit."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import pytest

from tracker.db.models.roster import Tier
from tracker.db.models.tasks import TaskStatus
from tracker.domain.board.rules import current_column, newest_first, page_of, person_totals
from tracker.domain.board.schemas import GridTask, PersonTotals
from tracker.domain.desk.rules import group_overdue, week_end
from tracker.domain.desk.schemas import OverdueCount
from tracker.domain.work.lights import Light
from tracker.domain.work.schemas import TaskView

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
PAST, FUTURE = NOW - dt.timedelta(days=3), NOW + dt.timedelta(days=3)


def _view(status: TaskStatus, due_at: dt.datetime, task_id: int = 1) -> TaskView:
    task: Any = SimpleNamespace(id=task_id, status=status, due_at=due_at)
    return TaskView(task=task, light=Light.NONE, late=False)


@pytest.mark.parametrize(
    ("tasks", "expected", "completion"),
    [
        ([], PersonTotals(0, 0, 0, 0), None),
        ([(TaskStatus.OPEN, FUTURE), (TaskStatus.DONE, FUTURE)], PersonTotals(0, 0, 0, 0), None),  # nothing due yet
        ([(TaskStatus.OPEN, PAST), (TaskStatus.DONE, PAST)], PersonTotals(2, 1, 0, 1), Fraction(1, 2)),
        ([(TaskStatus.OPEN, NOW)], PersonTotals(1, 0, 0, 1), Fraction(0)),  # due at this very instant: overdue
        ([(TaskStatus.DONE, PAST), (TaskStatus.EXCUSED, PAST)], PersonTotals(2, 1, 1, 0), Fraction(1)),
        ([(TaskStatus.EXCUSED, PAST)], PersonTotals(1, 0, 1, 0), None),  # only excused work: no rate
        ([(TaskStatus.CANCELLED, PAST), (TaskStatus.REASSIGNED, PAST), (TaskStatus.DONE, PAST)],
         PersonTotals(1, 1, 0, 0), Fraction(1)),  # cancelled and reassigned work counts against nobody
    ],
)  # fmt: skip
def test_it_totals_a_persons_work_due_to_date(
    tasks: list[tuple[TaskStatus, dt.datetime]], expected: PersonTotals, completion: Fraction | None
) -> None:
    totals = person_totals([GridTask(1, 1, status, due, Light.NONE) for status, due in tasks], NOW)
    assert totals == expected and totals.completion == completion


def test_it_adds_totals_up() -> None:
    assert PersonTotals(2, 1, 0, 1) + PersonTotals(3, 3, 1, 0) == PersonTotals(5, 4, 1, 1)


def test_it_lists_the_latest_due_first() -> None:
    views = [
        _view(TaskStatus.OPEN, PAST - dt.timedelta(days=d), task_id=i)
        for i, d in ((1, 5), (2, 1), (3, 9), (4, 1))
    ]
    assert [v.task.id for v in newest_first(views)] == [4, 2, 1, 3]  # same due: the later made first


@pytest.mark.parametrize(
    ("count", "asked", "number", "pages", "shown", "first", "last"),
    [
        (0, None, 1, 1, [], 0, 0),
        (59, None, 1, 2, list(range(0, 30)), 1, 30),
        (59, 2, 2, 2, list(range(30, 59)), 31, 59),  # the end of the list: July to November come back
        (59, 9, 2, 2, list(range(30, 59)), 31, 59),  # past the end: the last page
        (59, 0, 1, 2, list(range(0, 30)), 1, 30),
        (60, 2, 2, 2, list(range(30, 60)), 31, 60),
        (61, 3, 3, 3, [60], 61, 61),
    ],
)  # fmt: skip
def test_it_pages_a_list_to_its_end(
    count: int, asked: int | None, number: int, pages: int, shown: list[int], first: int, last: int
) -> None:
    page = page_of(list(range(count)), asked, 30)
    assert (page.number, page.pages, page.items, page.first, page.last, page.total) == (
        number, pages, shown, first, last, count)  # fmt: skip


@pytest.mark.parametrize(
    ("today", "year", "cadence", "expected"),
    [
        (dt.date(2026, 12, 1), 2026, "month", 11),
        (dt.date(2026, 1, 31), 2026, "month", 0),
        (dt.date(2026, 7, 1), 2026, "quarter", 2),
        (dt.date(2026, 12, 1), 2025, "month", None),  # last year's board has no "now"
    ],
)
def test_it_finds_todays_column(today: dt.date, year: int, cadence: str, expected: int | None) -> None:
    assert current_column(today, year, cadence) == expected


def _count(tier: Tier, unit_id: int | None, name: str, this_year: int, earlier: int = 0) -> OverdueCount:
    return OverdueCount(tier, unit_id, name, 1, this_year, earlier, PAST)


def test_it_groups_the_desks_overdue_counts_by_tier_then_unit() -> None:
    groups = group_overdue([
        _count(Tier.VILLAGE_CADRE, None, "", 2, 1),
        _count(Tier.UNIT_HEAD, 7, "文化站", 1),
        _count(Tier.VILLAGE_CADRE, 3, "农业站", 1),
        _count(Tier.VILLAGE_CADRE, 4, "宣传办", 5),
        _count(Tier.SECTION_OFFICIAL, None, "", 0),  # nothing overdue: left out
    ])  # fmt: skip
    assert [(g.tier, g.tasks) for g in groups] == [(Tier.UNIT_HEAD, 1), (Tier.VILLAGE_CADRE, 9)]
    # most overdue first, no unit last
    assert [u.unit_name for u in groups[1].units] == ["宣传办", "农业站", ""]


def test_it_ends_the_week_seven_local_days_on() -> None:
    # work due on 5 December (Shanghai) falls due at its end, 16:00 UTC
    assert week_end(dt.date(2026, 11, 28), "Asia/Shanghai") == dt.datetime(2026, 12, 5, 16, 0, tzinfo=dt.UTC)
