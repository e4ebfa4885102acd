"""From the services' views to the API's output shapes, and multipart parts to input shapes."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ValidationError
from sqlalchemy import inspect

from tracker.db.models.tasks import Assignment, Record, Task
from tracker.domain.errors import InvalidInput
from tracker.domain.tasks.lights import done_late
from tracker.domain.tasks.schemas import (
    AssignmentOut,
    BoardCellOut,
    BoardGroupOut,
    BoardOut,
    BoardRowOut,
    MyWorkOut,
    PreviewOut,
    RecordOut,
    RecordResultOut,
    TaskDetailOut,
    TaskOut,
    WhenIn,
    WhoIn,
)
from tracker.domain.tasks.views import Board, MyWork, Preview, RecordResult, TaskDetail, TaskView, UploadedPhoto
from tracker.i18n import _

M = TypeVar("M", bound=BaseModel)


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


def assignment_out(assignment: Assignment, task_count: int | None = None) -> AssignmentOut:
    who = WhoIn(
        kind=assignment.who_kind,
        person_ids=list(assignment.who_person_ids or []),
        tier=assignment.who_tier,
        unit_id=assignment.who_unit_id,
        official_id=assignment.who_official_id,
        place_ids=None if assignment.who_place_ids is None else list(assignment.who_place_ids),
    )
    when = WhenIn(
        cadence=assignment.cadence,
        due_date=assignment.due_date,
        due_day=assignment.due_day,
        due_month=assignment.due_month,
        rule=assignment.rule,
    )
    return AssignmentOut.model_validate(assignment).model_copy(update={"who": who, "when": when, "task_count": task_count})


def preview_out(preview: Preview) -> PreviewOut:
    return PreviewOut(
        task_count=preview.task_count,
        people_count=len({person.id for person, _place in preview.targets}),
        period_count=len(preview.periods),
        targets=[f"{person.name} · {place.name}" if place is not None else person.name
                 for person, place in preview.targets],
    )  # fmt: skip


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


def board_out(board: Board, year: int, cadence: str) -> BoardOut:
    return BoardOut(
        year=year,
        cadence=cadence,
        columns=board.columns,
        groups=[
            BoardGroupOut(label=group.label, rows=[
                BoardRowOut(person_id=row.person.id, person_name=row.person.name,
                            cells=[BoardCellOut(light=c.light, task_ids=c.task_ids) for c in row.cells])
                for row in group.rows
            ])
            for group in board.groups
        ],
        overdue=[view_out(v) for v in board.overdue],
        flagged=[record_out(r) for r in board.flagged],
    )  # fmt: skip


def parse_part(model: type[M], text: str | bytes | None, part: str) -> M:
    """A multipart part holding JSON, read as `model`; InvalidInput with `part.field` messages otherwise."""
    try:
        return model.model_validate_json(text or b"")
    except ValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors():
            location = ".".join(str(item) for item in problem["loc"])
            fields[f"{part}.{location}" if location else part] = problem["msg"]
        message = _("Some fields are not valid")
        raise InvalidInput(message, fields=fields or {part: message}) from error


async def uploaded(files: list[UploadFile] | UploadFile | None) -> list[UploadedPhoto]:
    if files is None:
        return []
    items = files if isinstance(files, list) else [files]
    return [UploadedPhoto(filename=f.filename or "", content=await f.read()) for f in items if f.filename]
