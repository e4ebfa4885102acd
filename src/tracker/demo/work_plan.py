"""What the demo town did this year: a seeded plan of records and excuses over its tasks. Pure.

`plan_task_work(tasks, context)` decides, task by task in the order given, what happened:
- work already due (`due_at <= now`): done on time (70 %), done late (12 %, the last record a
  few days after the due day), missed (12 %, left open and so red; a two-lecture quota may have
  one lecture), excused with a reason (6 %); the committee meetings were always held on time;
- work of a period already running and not due within a week: for people other than the demo's
  focus people, done early now and then (30 %); a focus cadre's lecture quota may have one of
  its two lectures (50 %); tasks due this week and later stay open otherwise;
- the collective study of a month is one session: everyone who studied on time shares its day
  and is listed as attending; a late one is a make-up study of one's own.
Two visits that carry a location are then moved a few kilometres off their place (flagged far).
`plan_unplanned(context)` adds the work no task asked for, month by month up to yesterday: a
film screening a month, seven performances a year, three publicity pieces and two lectures a
month, and two online-opinion incidents (June and October).

Every record happens before today (a late record at the latest today, never after `now`), at
a working hour in the town's zone. The same seed and the same tasks give the same plan.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tracker.db.models.tasks import WorkKind
from tracker.domain.work.kinds import CultureForm, OutletLevel

EARLY_WINDOW = dt.timedelta(days=7)
FAR_RECORDS = 2
ON_SPOT_DEGREES = 0.0025  # about 250 m
FAR_DEGREES = (0.03, 0.045)  # about 3.3 to 5 km
OUTLET_WEIGHTS = (
    (OutletLevel.COUNTY, 30), (OutletLevel.ONLINE, 30), (OutletLevel.XUEXI_QIANGGUO, 20),
    (OutletLevel.CITY, 12), (OutletLevel.PROVINCIAL, 6), (OutletLevel.CENTRAL, 2),
)  # fmt: skip


class Outcome(str, enum.Enum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    EXCUSED = "excused"
    EARLY = "early"
    PARTIAL = "partial"
    OPEN = "open"


PAST_OUTCOMES = ((Outcome.ON_TIME, 70), (Outcome.LATE, 12), (Outcome.MISSED, 12), (Outcome.EXCUSED, 6))


@dataclass(frozen=True)
class PlaceFacts:
    id: int
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class TaskFacts:
    id: int
    kind: WorkKind
    person_id: int
    place: PlaceFacts | None
    period_key: str
    period_start: dt.date
    due_on: dt.date  # the last local day to do it
    due_at: dt.datetime
    target_count: int
    focus: bool  # one of the demo's focus people (the demo official and the cadres below them)


@dataclass
class PlannedRecord:
    kind: WorkKind
    person_id: int
    occurred_on: dt.date
    at: dt.datetime  # when it happened (UTC): the task's closing time when it closes one
    task_id: int | None = None
    place_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True)
class PlannedExcuse:
    task_id: int
    reason: str
    at: dt.datetime


@dataclass
class WorkPlan:
    records: list[PlannedRecord] = field(default_factory=list)
    excuses: list[PlannedExcuse] = field(default_factory=list)


@dataclass
class PlanContext:
    now: dt.datetime
    timezone: str
    rng: random.Random
    texts: dict[str, Any]  # seeds/meili/work.json
    officials: Sequence[int]  # tier-1 officials: the study's and the meetings' attendees
    villages: dict[int, list[PlaceFacts]] = field(default_factory=dict)  # a cadre's villages (lectures)
    places: Sequence[PlaceFacts] = ()  # natural villages: unplanned work happens there
    people: dict[str, Sequence[int]] = field(default_factory=dict)  # roles: publicity, culture, opinion
    lecturers: Sequence[int] = ()  # who gives unplanned lectures

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(ZoneInfo(self.timezone)).date()


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def happened_at(context: PlanContext, day: dt.date) -> dt.datetime:
    """A working hour on local `day`, in UTC, never after `now`."""
    rng = context.rng
    local = dt.datetime.combine(
        day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), ZoneInfo(context.timezone)
    )
    return min(local.astimezone(dt.UTC), context.now)


def _days(rng: random.Random, first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    span = (last - first).days
    return sorted(first + dt.timedelta(days=rng.randint(0, max(span, 0))) for _ in range(count))


def outcome_of(task: TaskFacts, context: PlanContext) -> Outcome:
    rng, now, today = context.rng, context.now, context.today
    if task.due_at <= now:
        return Outcome.ON_TIME if task.kind is WorkKind.MEETING else _weighted(rng, PAST_OUTCOMES)
    running = task.period_start < today and task.due_at - now > EARLY_WINDOW
    if running and not task.focus and rng.random() < 0.3:
        return Outcome.EARLY
    if running and task.focus and task.target_count > 1 and rng.random() < 0.5:
        return Outcome.PARTIAL
    return Outcome.OPEN


def plan_task_work(tasks: Sequence[TaskFacts], context: PlanContext) -> WorkPlan:
    """Records and excuses for the town's tasks (see the module notes)."""
    outcomes = [(task, outcome_of(task, context)) for task in tasks]
    studied: dict[str, list[int]] = {}
    for task, outcome in outcomes:
        if task.kind is WorkKind.STUDY and outcome in (Outcome.ON_TIME, Outcome.EARLY):
            studied.setdefault(task.period_key, []).append(task.person_id)
    sessions: dict[str, dt.date] = {}
    plan = WorkPlan()
    for task, outcome in outcomes:
        if outcome is Outcome.EXCUSED:
            day = max(task.period_start, task.due_on - dt.timedelta(days=context.rng.randint(0, 5)))
            plan.excuses.append(PlannedExcuse(task.id, context.rng.choice(context.texts["excuse_reasons"]),
                                              happened_at(context, day)))  # fmt: skip
            continue
        for day in _record_days(task, outcome, context, sessions):
            plan.records.append(
                _task_record(task, day, outcome, context, sorted(studied.get(task.period_key, [])))
            )
    _move_far(plan.records, context)
    return plan


def _record_days(
    task: TaskFacts, outcome: Outcome, context: PlanContext, sessions: dict[str, dt.date]
) -> list[dt.date]:
    rng, today = context.rng, context.today
    yesterday = today - dt.timedelta(days=1)
    first = task.period_start
    if len(task.period_key) == 10:  # work due on a date (once, RRULE): done in its last days
        first = max(first, task.due_on - dt.timedelta(days=6))
    count = task.target_count
    if outcome is Outcome.ON_TIME and task.kind is WorkKind.STUDY:
        if task.period_key not in sessions:
            sessions[task.period_key] = _days(
                rng, max(first, task.due_on - dt.timedelta(days=20)), task.due_on, 1
            )[0]
        return [sessions[task.period_key]]
    if outcome is Outcome.ON_TIME:
        return _days(rng, first, task.due_on, count)
    if outcome is Outcome.LATE:
        late = task.due_on + dt.timedelta(days=rng.randint(1, 10))
        return [*_days(rng, first, task.due_on, count - 1), min(late, today)]
    if outcome is Outcome.MISSED and count > 1 and rng.random() < 0.5:
        return _days(rng, first, task.due_on, 1)
    if outcome in (Outcome.EARLY, Outcome.PARTIAL) and first > yesterday:
        return []  # nothing of the period's window has passed yet
    if outcome is Outcome.EARLY and task.kind is WorkKind.STUDY:
        if task.period_key not in sessions:
            sessions[task.period_key] = _days(rng, first, yesterday, 1)[0]
        return [sessions[task.period_key]]
    if outcome is Outcome.EARLY:
        return _days(rng, first, yesterday, count)
    if outcome is Outcome.PARTIAL:
        return _days(rng, first, yesterday, 1)
    return []


def _task_record(
    task: TaskFacts, day: dt.date, outcome: Outcome, context: PlanContext, studied: list[int]
) -> PlannedRecord:
    rng, texts = context.rng, context.texts
    record = PlannedRecord(task.kind, task.person_id, day, happened_at(context, day), task_id=task.id,
                           place_id=task.place.id if task.place else None)  # fmt: skip
    if task.kind is WorkKind.VISIT:
        record.fields = visit_fields(rng, texts)
        if task.place is not None and rng.random() < 0.7:
            _locate(record, task.place, rng)
    elif task.kind is WorkKind.STUDY:
        topic = texts["study"]["topics"][(int(task.period_key[5:7]) - 1) % len(texts["study"]["topics"])]
        if outcome is Outcome.LATE:
            record.fields = {
                "attendee_ids": [task.person_id],
                "minutes": texts["study"]["make_up"].format(topic=topic),
            }
        else:
            attendees = studied or [task.person_id]
            record.fields = {
                "attendee_ids": attendees,
                "minutes": texts["study"]["minutes"].format(topic=topic),
            }
    elif task.kind is WorkKind.MEETING:
        minutes = texts["meeting"]["minutes"]
        index = 0 if task.due_on.month <= 6 else len(minutes) - 1
        absent = rng.choice(list(context.officials)) if context.officials and rng.random() < 0.5 else None
        attendees = [pid for pid in context.officials if pid != absent or pid == task.person_id]
        record.fields = {"attendee_ids": attendees or [task.person_id], "minutes": minutes[index]}
    elif task.kind is WorkKind.LECTURE:
        record.fields = lecture_fields(rng, texts)
        villages = context.villages.get(task.person_id, [])
        if villages:
            place = rng.choice(villages)
            record.place_id = place.id
            if rng.random() < 0.5:
                _locate(record, place, rng)
    else:
        record.fields = {"note": texts["one_off"]["overdue"]["note"]}
    return record


def visit_fields(rng: random.Random, texts: dict[str, Any]) -> dict[str, Any]:
    visit = texts["visit"]
    fields: dict[str, Any] = {
        "people_met": rng.choice(visit["people_met"]),
        "issues_raised": rng.choice(visit["issues_raised"]),
        "issues_found": "",
        "needs_follow_up": False,
    }
    draw = rng.random()
    if draw < 0.15:
        fields.update(issues_found=rng.choice(visit["issues_follow_up"]), needs_follow_up=True)
    elif draw < 0.25:
        fields["issues_found"] = rng.choice(visit["issues_resolved"])
    return fields


def lecture_fields(rng: random.Random, texts: dict[str, Any]) -> dict[str, Any]:
    return {"topic": rng.choice(texts["lecture"]["topics"]), "audience": rng.randint(25, 180)}


def _locate(record: PlannedRecord, place: PlaceFacts, rng: random.Random) -> None:
    if place.latitude is None or place.longitude is None:
        return
    record.latitude = round(place.latitude + rng.uniform(-ON_SPOT_DEGREES, ON_SPOT_DEGREES), 6)
    record.longitude = round(place.longitude + rng.uniform(-ON_SPOT_DEGREES, ON_SPOT_DEGREES), 6)
    record.accuracy_m = float(rng.randint(8, 60))


def _move_far(records: list[PlannedRecord], context: PlanContext) -> None:
    """A couple of visits logged a few kilometres from their place (the secretary sees them flagged)."""
    located = [r for r in records if r.kind is WorkKind.VISIT and r.latitude is not None]
    for record in context.rng.sample(located, min(FAR_RECORDS, len(located))):
        record.latitude = round(record.latitude + context.rng.uniform(*FAR_DEGREES), 6)  # type: ignore[operator]


def plan_unplanned(context: PlanContext) -> list[PlannedRecord]:
    """Work no task asked for, month by month until yesterday (see the module notes)."""
    rng, texts, today = context.rng, context.texts, context.today
    people, places = context.people, list(context.places)
    performance_months = set(rng.sample(range(1, 13), 7))
    opinion_months = {6: 0, 10: 1}
    records: list[PlannedRecord] = []

    def add(
        kind: WorkKind, who: Sequence[int], month: int, fields: dict[str, Any], *, place: bool = True
    ) -> None:
        day = dt.date(today.year, month, rng.randint(1, 28))
        spot = rng.choice(places) if place and places else None
        if day < today and who:
            records.append(PlannedRecord(kind, rng.choice(list(who)), day, happened_at(context, day), fields=fields,
                                         place_id=spot.id if spot else None))  # fmt: skip

    culture, publicity, opinion = (people.get(role, ()) for role in ("culture", "publicity", "opinion"))
    film, performance = CultureForm.FILM.value, CultureForm.PERFORMANCE.value
    for month in range(1, today.month + 1):
        add(WorkKind.CULTURE, culture, month, {"form": film, "audience": rng.randint(80, 300)})
        if month in performance_months:
            add(WorkKind.CULTURE, culture, month, {"form": performance, "audience": rng.randint(200, 600)})
        for _piece in range(3):
            piece = {"outlet_level": _weighted(rng, OUTLET_WEIGHTS).value,
                     "title": rng.choice(texts["publicity"]["titles"])}  # fmt: skip
            add(WorkKind.PUBLICITY, publicity, month, piece, place=False)
        for _lecture in range(2):
            add(WorkKind.LECTURE, context.lecturers, month, lecture_fields(rng, texts))
        if month in opinion_months:
            add(WorkKind.OPINION, opinion, month, dict(texts["opinion"][opinion_months[month]]), place=False)
    return records


__all__ = [
    "Outcome",
    "PlaceFacts",
    "PlanContext",
    "PlannedExcuse",
    "PlannedRecord",
    "TaskFacts",
    "WorkPlan",
    "happened_at",
    "lecture_fields",
    "outcome_of",
    "plan_task_work",
    "plan_unplanned",
    "visit_fields",
]
