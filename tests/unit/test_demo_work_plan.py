"""The demo's seeded plan of work (tracker.demo_work_plan): what happened to each task, and when."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from tracker.db.models.tasks import WorkKind
from tracker.demo.work import demo_work_texts
from tracker.demo.work_plan import (
    Outcome,
    PlaceFacts,
    PlanContext,
    TaskFacts,
    outcome_of,
    plan_task_work,
    plan_unplanned,
)
from tracker.domain.planning.periods import Recurrence, periods_in_year

ZONE = "Asia/Shanghai"
VILLAGE = PlaceFacts(7, 34.26, 108.91)


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)


def context(now: dt.datetime, seed: int = 2026) -> PlanContext:
    return PlanContext(now=now, timezone=ZONE, rng=random.Random(seed), texts=demo_work_texts(), officials=[1, 2, 3],
                       villages={4: [VILLAGE]}, places=[VILLAGE], people={"culture": [5], "publicity": [6],
                       "opinion": [6]}, lecturers=[1, 4])  # fmt: skip


def tasks_of(recurrence: Recurrence, kind: WorkKind, people: list[int], *, target: int = 1, focus: bool = False,
             first_id: int = 1) -> list[TaskFacts]:  # fmt: skip
    pairs = [(period, person) for period in periods_in_year(recurrence, 2026, ZONE) for person in people]
    place = VILLAGE if kind is WorkKind.VISIT else None
    return [
        TaskFacts(first_id + n, kind, person, place, p.key, p.start, p.due_on, p.due_at, target, focus)
        for n, (p, person) in enumerate(pairs)
    ]


def one(
    kind: WorkKind, due_on: dt.date, *, start: dt.date, target: int = 1, focus: bool = False
) -> TaskFacts:
    due_at = dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(0), ZoneInfo(ZONE)).astimezone(dt.UTC)
    return TaskFacts(1, kind, 1, None, "2026-Q2", start, due_on, due_at, target, focus)


NOW = local(2026, 6, 15, 10, 0)


@pytest.mark.parametrize(
    ("task", "possible"),
    [
        # a meeting already due was held on time
        (one(WorkKind.MEETING, dt.date(2026, 6, 10), start=dt.date(2026, 1, 1)), {Outcome.ON_TIME}),
        # other work already due: on time, late, missed or excused
        (one(WorkKind.VISIT, dt.date(2026, 5, 31), start=dt.date(2026, 5, 1)),
         {Outcome.ON_TIME, Outcome.LATE, Outcome.MISSED, Outcome.EXCUSED}),
        # due within a week: left open
        (one(WorkKind.VISIT, dt.date(2026, 6, 20), start=dt.date(2026, 6, 1)), {Outcome.OPEN}),
        # a later period not started yet: open
        (one(WorkKind.VISIT, dt.date(2026, 7, 31), start=dt.date(2026, 7, 1)), {Outcome.OPEN}),
        # running and due later: done early now and then, but never by the focus people
        (one(WorkKind.VISIT, dt.date(2026, 6, 30), start=dt.date(2026, 6, 1)), {Outcome.OPEN, Outcome.EARLY}),
        (one(WorkKind.VISIT, dt.date(2026, 6, 30), start=dt.date(2026, 6, 1), focus=True), {Outcome.OPEN}),
        # a focus cadre's quota may be half done
        (one(WorkKind.LECTURE, dt.date(2026, 6, 30), start=dt.date(2026, 4, 1), target=2, focus=True),
         {Outcome.OPEN, Outcome.PARTIAL}),
    ],
)  # fmt: skip
def test_it_chooses_what_happened_to_a_task(task: TaskFacts, possible: set[Outcome]) -> None:
    seen = {outcome_of(task, context(NOW, seed)) for seed in range(60)}
    assert seen == possible


@pytest.mark.parametrize(
    "now", [local(2026, 1, 1, 0, 30), local(2026, 3, 31, 23, 30), NOW, local(2026, 12, 31, 23, 30)]
)
def test_it_keeps_every_record_between_its_period_and_now(now: dt.datetime) -> None:
    tasks = (
        tasks_of(Recurrence.monthly(), WorkKind.VISIT, [1, 2, 3])
        + tasks_of(Recurrence.monthly(), WorkKind.STUDY, [1, 2, 3], first_id=100)
        + tasks_of(Recurrence.quarterly(), WorkKind.LECTURE, [4], target=2, focus=True, first_id=200)
    )
    plan = plan_task_work(tasks, context(now))
    by_id = {t.id: t for t in tasks}
    today = now.astimezone(ZoneInfo(ZONE)).date()
    for record in plan.records:
        task = by_id[record.task_id]  # type: ignore[index]
        assert task.period_start <= record.occurred_on <= today and record.at <= now
        assert record.at.astimezone(ZoneInfo(ZONE)).date() == record.occurred_on or record.at == now
        if record.occurred_on > task.due_on:
            assert task.due_at <= now  # only work already due is done late
    per_task = Counter(r.task_id for r in plan.records)
    assert all(per_task[t.id] <= t.target_count for t in tasks)
    assert all(by_id[e.task_id].due_at <= now and e.reason for e in plan.excuses)
    # one study session a month: those who studied on time share its day and its list of attendees
    sessions = {(r.occurred_on, tuple(r.fields["attendee_ids"])) for r in plan.records if r.kind is WorkKind.STUDY
                and len(r.fields["attendee_ids"]) > 1}  # fmt: skip
    assert len({day.month for day, _people in sessions}) == len(sessions)


def test_it_plans_unplanned_work_until_yesterday() -> None:
    assert plan_unplanned(context(local(2026, 1, 1, 0, 30))) == []
    records = plan_unplanned(context(local(2026, 12, 31, 12, 0)))
    kinds = Counter(r.kind for r in records)
    assert kinds[WorkKind.PUBLICITY] == 36 and kinds[WorkKind.LECTURE] == 24 and kinds[WorkKind.OPINION] == 2
    assert Counter(r.fields["form"] for r in records if r.kind is WorkKind.CULTURE) == {
        "film": 12,
        "performance": 7,
    }
    assert all(r.occurred_on < dt.date(2026, 12, 31) for r in records)


def test_it_gives_the_same_plan_for_the_same_seed() -> None:
    tasks = tasks_of(Recurrence.monthly(), WorkKind.VISIT, [1, 2, 3])
    first, again = plan_task_work(tasks, context(NOW)), plan_task_work(tasks, context(NOW))
    assert first == again
    assert plan_task_work(tasks, context(NOW, seed=7)) != first
