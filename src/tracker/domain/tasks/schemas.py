"""Pydantic input and output shapes of the tasks area (pages and the JSON API share them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tracker.db.models.roster import Tier
from tracker.domain.tasks.fanout import WhoKind
from tracker.domain.tasks.kinds import WorkKind
from tracker.domain.tasks.lights import Light, TaskStatus
from tracker.domain.tasks.periods import Cadence


class WhoIn(BaseModel):
    """Who gets the work (see fanout.Who)."""

    model_config = ConfigDict(extra="forbid")

    kind: WhoKind
    person_ids: list[int] = Field(default_factory=list, max_length=500)
    tier: Tier | None = None
    unit_id: int | None = None
    official_id: int | None = None
    place_ids: list[int] | None = Field(default=None, max_length=500)


class WhenIn(BaseModel):
    """When it is due (see periods.Recurrence)."""

    model_config = ConfigDict(extra="forbid")

    cadence: Cadence
    due_date: dt.date | None = None
    due_day: int | None = None
    due_month: int | None = None
    rule: str | None = Field(default=None, max_length=500)


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    kind: WorkKind
    description: str = Field(default="", max_length=5000)
    target_count: int = Field(default=1, ge=1, le=100)
    who: WhoIn
    when: WhenIn
    template: str | None = Field(default=None, max_length=64, description="a statutory template's key")


class RecordIn(BaseModel):
    """A record of work done. `client_key` makes a repeated send return the first result."""

    model_config = ConfigDict(extra="forbid")

    client_key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    occurred_on: dt.date
    place_id: int | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    located_at: dt.datetime | None = None


class UnplannedRecordIn(RecordIn):
    """A record with no task (an unplanned lecture): its kind, and whose work it was (default: your own;
    only the town's secretary may name someone else)."""

    kind: WorkKind
    person_id: int | None = None


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


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


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    kind: WorkKind
    description: str
    target_count: int
    cadence: Cadence
    active: bool
    template: str | None = None
    who: WhoIn | None = None
    when: WhenIn | None = None
    task_count: int | None = Field(default=None, description="tasks made (on creation) or held, all states")


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


class PreviewOut(BaseModel):
    task_count: int
    people_count: int
    period_count: int
    targets: list[str] = Field(default_factory=list, description="who and where, for the preview list")


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


class BoardCellOut(BaseModel):
    light: Light
    task_ids: list[int]


class BoardRowOut(BaseModel):
    person_id: int
    person_name: str
    cells: list[BoardCellOut]


class BoardGroupOut(BaseModel):
    label: str
    rows: list[BoardRowOut]


class BoardOut(BaseModel):
    year: int
    cadence: str
    columns: list[str]
    groups: list[BoardGroupOut]
    overdue: list[TaskOut]
    flagged: list[RecordOut]
