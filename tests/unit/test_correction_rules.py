"""Who may correct, withdraw or send back a record, and when (work/correction_rules.py); which tasks a
stop cancels and what an edit changed (planning/changing.py's pure parts). Table-driven, explicit now."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.tasks import TaskStatus
from tracker.domain.planning.changing import EditPreview, TaskState, compare, stoppable
from tracker.domain.work.correction_rules import (
    ActorFacts,
    RecordFacts,
    filed_today,
    may_correct,
    may_send_back,
    reason_problem,
)

ZONE = "Asia/Shanghai"
NOW = dt.datetime(2026, 6, 10, 15, 0, tzinfo=dt.UTC)  # 23:00 in Shanghai
AUTHOR, BOSS, OTHER = 7, 3, 9
RECORD = RecordFacts(AUTHOR, NOW - dt.timedelta(hours=6))  # 17:00 local, the same day

ME = ActorFacts(person_id=AUTHOR, manages_town=False, below=())
SUPERVISOR = ActorFacts(person_id=BOSS, manages_town=False, below=(AUTHOR,))
SECRETARY = ActorFacts(person_id=1, manages_town=True, below=())
ADMIN = ActorFacts(person_id=None, manages_town=True, below=())
PEER = ActorFacts(person_id=OTHER, manages_town=False, below=())
VIEWER = ActorFacts(person_id=None, manages_town=False, below=(), read_only=True)


@pytest.mark.parametrize(
    ("filed", "now", "same"),
    [
        (
            dt.datetime(2026, 6, 9, 16, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 10, 15, 59, tzinfo=dt.UTC),
            True,
        ),  # 00:00 and 23:59 local
        (
            dt.datetime(2026, 6, 9, 15, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 9, 16, 0, tzinfo=dt.UTC),
            False,
        ),  # across local midnight
        (dt.datetime(2026, 6, 10, 1, 0, tzinfo=dt.UTC), dt.datetime(2026, 6, 10, 15, 0, tzinfo=dt.UTC), True),
    ],
)
def test_it_reads_the_filing_day_in_the_towns_zone(filed: dt.datetime, now: dt.datetime, same: bool) -> None:
    assert filed_today(filed, now, ZONE) is same


@pytest.mark.parametrize(
    ("actor", "now", "correct", "send_back"),
    [
        (ME, NOW, True, False),  # the author, the day it was filed; never sends their own back
        (ME, NOW + dt.timedelta(hours=2), False, False),  # the next local day: it stands
        (SUPERVISOR, NOW, False, True),
        (SECRETARY, NOW, False, True),
        (ADMIN, NOW, False, True),
        (PEER, NOW, False, False),
        (VIEWER, NOW, False, False),
    ],
)
def test_it_says_who_may_change_a_record(
    actor: ActorFacts, now: dt.datetime, correct: bool, send_back: bool
) -> None:
    assert may_correct(RECORD, actor, now, ZONE) is correct
    assert may_send_back(RECORD, actor) is send_back


@pytest.mark.parametrize(
    ("reason", "problem"), [("", "missing"), ("   ", "missing"), ("照片不清", None), ("字" * 501, "too_long")]
)
def test_it_wants_a_reason_to_send_back(reason: str, problem: str | None) -> None:
    assert reason_problem(reason) == problem


def test_it_cancels_only_open_tasks_not_yet_due_from_the_first_day() -> None:
    first = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    tasks = [
        (1, TaskStatus.OPEN, dt.datetime(2026, 6, 30, 15, 59, tzinfo=dt.UTC)),  # before the day
        (2, TaskStatus.OPEN, dt.datetime(2026, 7, 31, tzinfo=dt.UTC)),
        (3, TaskStatus.DONE, dt.datetime(2026, 8, 31, tzinfo=dt.UTC)),
        (4, TaskStatus.EXCUSED, dt.datetime(2026, 8, 31, tzinfo=dt.UTC)),
        (5, TaskStatus.OPEN, dt.datetime(2026, 7, 1, tzinfo=dt.UTC)),  # exactly the first instant
    ]
    assert stoppable(tasks, first, NOW) == [2, 5]
    assert stoppable(tasks, first, dt.datetime(2026, 7, 15, tzinfo=dt.UTC)) == [2]  # 5 is overdue by then


def test_it_counts_what_an_edit_changed() -> None:
    due = dt.datetime(2026, 7, 31, tzinfo=dt.UTC)
    before = {
        1: TaskState(TaskStatus.OPEN, due, "走访", 1),
        2: TaskState(TaskStatus.OPEN, due, "走访", 1),
        3: TaskState(TaskStatus.REASSIGNED, due, "走访", 1),
        4: TaskState(TaskStatus.DONE, due, "走访", 1),
    }
    after = {
        1: TaskState(TaskStatus.OPEN, due, "走访村组", 1),  # renamed
        2: TaskState(TaskStatus.REASSIGNED, due, "走访", 1),  # closed
        3: TaskState(TaskStatus.OPEN, due, "走访村组", 1),  # reopened
        4: TaskState(TaskStatus.DONE, due, "走访", 1),
        5: TaskState(TaskStatus.OPEN, due, "走访村组", 1),  # new
    }
    assert compare(before, after) == EditPreview(created=1, closed=1, reopened=1, moved=1)
    assert compare(before, before) == EditPreview(0, 0, 0, 0)
