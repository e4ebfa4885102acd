"""Pydantic input and output shapes of the tasks area (pages and the JSON API share them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import inspect

from tracker.db.models.review import RecordAmendment
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record, Task, TaskStatus, WorkKind
from tracker.domain.inputs import Day, Id, Instant
from tracker.domain.text import Text
from tracker.domain.work.lights import Light, done_late


class RecordIn(BaseModel):
    """A record of work done. `client_key` makes a repeated send return the first result."""

    model_config = ConfigDict(extra="forbid")

    client_key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    occurred_on: Day
    place_id: Id | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="the kind's fields (checked by kinds.py)")
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    located_at: Instant | None = None


class UnplannedRecordIn(RecordIn):
    """A record with no task (an unplanned lecture): its kind, and whose work it was (default: your own;
    only the town's secretary may name someone else)."""

    kind: WorkKind
    person_id: Id | None = None


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=500)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    assignment_id: int
    person_id: int
    place_id: int | None
    title: str
    kind: WorkKind
    period_key: str
    period_start: dt.date
    period_end: dt.date
    due_at: dt.datetime
    target_count: int
    done_count: int
    status: TaskStatus
    status_reason: str
    closed_at: dt.datetime | None
    light: Light | None = None
    late: bool = False
    person_name: str | None = None
    place_name: str | None = None




class RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int | None
    person_id: int
    kind: WorkKind
    occurred_on: dt.date
    place_id: int | None
    fields: dict[str, Any]
    latitude: float | None
    longitude: float | None
    distance_m: float | None
    flagged_far: bool
    client_key: str
    photo_ids: list[int] = Field(default_factory=list)




class MyWorkOut(BaseModel):
    overdue: list[TaskOut]
    due_this_week: list[TaskOut]
    later: list[TaskOut]
    recently_done: list[TaskOut]


class TaskDetailOut(BaseModel):
    task: TaskOut
    records: list[RecordOut]
    can_record: bool
    can_excuse: bool


class RecordResultOut(BaseModel):
    record: RecordOut
    task: TaskOut | None
    created: bool = Field(description="false when the client key had been seen: the first result, unchanged")










@dataclass
class TaskView:
    task: Task  # with .person, .place and .assignment loaded
    light: Light
    late: bool  # done after its due time (stays recorded as late)


@dataclass
class MyWork:
    """The phone's home screen for the signed-in person."""

    overdue: list[TaskView]
    due_this_week: list[TaskView]  # due within the next 7 local days, not overdue
    later: list[TaskView]
    recently_done: list[TaskView]  # done in the last 14 days


@dataclass
class TaskDetail:
    view: TaskView
    town: Town  # the task's town, loaded through the scope
    records: list[Record]  # with .photos loaded
    can_record: bool  # the actor may file a record for it now (own open task, or the secretary)
    can_excuse: bool  # the actor may excuse or cancel it (the town's secretary)
    # the finalised-year lock (locks.py): the town's finalised years, the notes on this task's records
    # of those years (by record id), and whether the actor may add one (their own work, or the secretary)
    final_years: frozenset[int] = frozenset()
    amendments: dict[int, list[RecordAmendment]] = field(default_factory=dict)
    can_amend: bool = False
    locked_year: int | None = None  # the finalised year this task falls in: no record, excuse or cancel


@dataclass
class RecordResult:
    record: Record
    task: Task | None
    created: bool  # False when the client key had been seen: the first result is returned


@dataclass
class UploadedPhoto:
    filename: str
    content: bytes


@dataclass
class PhotoFile:
    path: str
    content_type: str


def _loaded(obj: object, name: str) -> Any:
    """A relationship's value if it was loaded, else None (they are lazy="raise")."""
    return None if name in inspect(obj).unloaded else getattr(obj, name)


def task_out(task: Task, view: TaskView | None = None) -> TaskOut:
    person, place = _loaded(task, "person"), _loaded(task, "place")
    late = view.late if view is not None else (task.closed_at is not None and task.status == "done"
                                               and done_late(task.closed_at, task.due_at))  # fmt: skip
    return TaskOut.model_validate(task).model_copy(
        update={
            "light": view.light if view is not None else None,
            "late": late,
            "person_name": person.name if person is not None else None,
            "place_name": place.name if place is not None else None,
        }
    )


def view_out(view: TaskView) -> TaskOut:
    return task_out(view.task, view)


def record_out(record: Record) -> RecordOut:
    photos = _loaded(record, "photos") or []
    return RecordOut.model_validate(record).model_copy(update={"photo_ids": [p.id for p in photos]})


def my_work_out(work: MyWork) -> MyWorkOut:
    return MyWorkOut(
        overdue=[view_out(v) for v in work.overdue],
        due_this_week=[view_out(v) for v in work.due_this_week],
        later=[view_out(v) for v in work.later],
        recently_done=[view_out(v) for v in work.recently_done],
    )


def detail_out(detail: TaskDetail) -> TaskDetailOut:
    return TaskDetailOut(
        task=view_out(detail.view),
        records=[record_out(r) for r in detail.records],
        can_record=detail.can_record,
        can_excuse=detail.can_excuse,
    )


def result_out(result: RecordResult) -> RecordResultOut:
    return RecordResultOut(
        record=record_out(result.record),
        task=task_out(result.task) if result.task is not None else None,
        created=result.created,
    )
