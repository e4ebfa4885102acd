"""The records JSON API under /api/v1: file a record (for a task, or unplanned), list, read, photos.

Two shapes for filing: a JSON body (no photos), or multipart/form-data with a `record` part
holding the same JSON and any number of `photos` file parts (at most 9 are accepted). Filing
answers 201 with the new record, or 200 with the first one when its client key was seen before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from litestar.response import File

from tracker.db.models.accounts import Role
from tracker.db.models.tasks import TaskStatus, WorkKind
from tracker.domain.roster.service import RosterService
from tracker.domain.work.photos import MAX_RECORD_BODY_BYTES
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import (
    MyWorkOut,
    ReasonIn,
    RecordIn,
    RecordOut,
    RecordResult,
    RecordResultOut,
    TaskDetailOut,
    TaskOut,
    UnplannedRecordIn,
    UploadedPhoto,
    detail_out,
    my_work_out,
    record_out,
    result_out,
    task_out,
    view_out,
)
from tracker.domain.work.service import TaskService
from tracker.domain.work.uploads import parse_part, uploaded
from tracker.web.api_params import (
    DEFAULT_LIMIT,
    NEXT_PAGE_HEADER,
    PAGED_READ_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Limit,
    Offset,
    Year,
    paged,
)
from tracker.web.guards import require_not_viewer, require_role

REPEATED = {200: ResponseSpec(data_container=RecordResultOut, description="The client key was seen: the first result")}


@dataclass
class RecordUpload:
    """multipart/form-data: `record` is the JSON of the record, `photos` the picture files."""

    record: str
    photos: list[UploadFile] = field(default_factory=list)


def _answer(result: RecordResult) -> Response[RecordResultOut]:
    return Response(result_out(result), status_code=201 if result.created else 200)


class RecordApi(Controller):
    path = "/api/v1"
    tags = ["records"]

    async def _file_for_task(
        self, records: RecordService, now: dt.datetime, task_id: int, data: RecordIn,
        photos: list[UploadedPhoto],
    ) -> Response[RecordResultOut]:  # fmt: skip
        return _answer(await records.create(None, data, now, task_id=task_id, photos=photos))

    async def _file_unplanned(
        self, roster: RosterService, records: RecordService, now: dt.datetime, code: str, data: UnplannedRecordIn,
        photos: list[UploadedPhoto],
    ) -> Response[RecordResultOut]:  # fmt: skip
        town = await roster.get_town(code)
        record = RecordIn.model_validate(data.model_dump(exclude={"kind", "person_id"}))
        result = await records.create(town, record, now, kind=data.kind, photos=photos, person_id=data.person_id)
        return _answer(result)

    @post("/tasks/{task_id:int}/records", guards=[require_not_viewer], status_code=201, raises=WRITE_ERRORS,
          responses=REPEATED, summary="Record work done on a task (JSON, no photos); counts towards its target")  # fmt: skip
    async def file_record(
        self, records: NamedDependency[RecordService], now: NamedDependency[dt.datetime], task_id: FromPath[int],
        data: JSONBody[RecordIn],
    ) -> Response[RecordResultOut]:  # fmt: skip
        return await self._file_for_task(records, now, task_id, data, [])

    @post("/tasks/{task_id:int}/records/upload", guards=[require_not_viewer], status_code=201, raises=WRITE_ERRORS,
          responses=REPEATED, request_max_body_size=MAX_RECORD_BODY_BYTES,
          summary="Record work done on a task with photos (multipart: a `record` JSON part and `photos` files)")  # fmt: skip
    async def upload_record(
        self, records: NamedDependency[RecordService], now: NamedDependency[dt.datetime], task_id: FromPath[int],
        data: MultipartBody[RecordUpload],
    ) -> Response[RecordResultOut]:  # fmt: skip
        record = parse_part(RecordIn, data.record, "record")
        return await self._file_for_task(records, now, task_id, record, await uploaded(data.photos))

    @post("/towns/{code:str}/records", guards=[require_not_viewer], status_code=201, raises=WRITE_ERRORS,
          responses=REPEATED, summary="Record unplanned work (no task) of a kind; it counts in the year's figures")  # fmt: skip
    async def file_unplanned(
        self, roster: NamedDependency[RosterService], records: NamedDependency[RecordService],
        now: NamedDependency[dt.datetime], code: FromPath[str], data: JSONBody[UnplannedRecordIn],
    ) -> Response[RecordResultOut]:  # fmt: skip
        return await self._file_unplanned(roster, records, now, code, data, [])

    @post("/towns/{code:str}/records/upload", guards=[require_not_viewer], status_code=201, raises=WRITE_ERRORS,
          responses=REPEATED, request_max_body_size=MAX_RECORD_BODY_BYTES,
          summary="Record unplanned work with photos (multipart: a `record` JSON part and `photos` files)")  # fmt: skip
    async def upload_unplanned(
        self, roster: NamedDependency[RosterService], records: NamedDependency[RecordService],
        now: NamedDependency[dt.datetime], code: FromPath[str], data: MultipartBody[RecordUpload],
    ) -> Response[RecordResultOut]:  # fmt: skip
        record = parse_part(UnplannedRecordIn, data.record, "record")
        return await self._file_unplanned(roster, records, now, code, record, await uploaded(data.photos))

    @get("/towns/{code:str}/records", summary="A town's records you may see, newest first, a page at a time",
         raises=PAGED_READ_ERRORS, response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_records(
        self, request: Request, roster: NamedDependency[RosterService],
        records: NamedDependency[RecordService], code: FromPath[str], year: Year = None,
        flagged: FromQuery[bool] = False, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
    ) -> Response[list[RecordOut]]:  # fmt: skip
        town = await roster.get_town(code)
        rows = await records.list(town, year=year, flagged_only=flagged, limit=limit + 1, offset=offset)
        return paged(request, [record_out(r) for r in rows], limit, offset)

    @get("/records/{record_id:int}", summary="One record", raises=READ_ERRORS)
    async def get_record(self, records: NamedDependency[RecordService], record_id: FromPath[int]) -> RecordOut:
        return record_out(await records.get(record_id))

    @get("/photos/{photo_id:int}", summary="A record's photo (JPEG, metadata stripped), or its thumbnail",
         raises=READ_ERRORS, media_type="image/jpeg")  # fmt: skip
    async def get_photo(
        self, records: NamedDependency[RecordService], photo_id: FromPath[int], thumbnail: FromQuery[bool] = False
    ) -> File:
        photo = await records.photo(photo_id, thumbnail=thumbnail)
        return File(
            path=photo.path,
            media_type=photo.content_type,
            content_disposition_type="inline",
            filename=f"photo-{photo_id}{'-thumb' if thumbnail else ''}.jpg",
            headers={"Cache-Control": "no-store"},  # not kept on a shared phone after sign-out
        )


class TaskApi(Controller):
    path = "/api/v1"
    tags = ["tasks"]

    @get("/me/tasks", summary="My work: overdue, due this week, later, done in the last 14 days", raises=[NotAuthorizedException])
    async def my_tasks(self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime]) -> MyWorkOut:
        return my_work_out(await tasks.my_work(now))

    @get("/towns/{code:str}/tasks", summary="A town's tasks you may see, by due time, a page at a time",
         raises=PAGED_READ_ERRORS, response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_tasks(
        self, request: Request, roster: NamedDependency[RosterService], tasks: NamedDependency[TaskService],
        now: NamedDependency[dt.datetime], code: FromPath[str],
        person_id: FromQuery[int | None] = None, status: FromQuery[TaskStatus | None] = None,
        year: Year = None, kind: FromQuery[WorkKind | None] = None,
        assignment_id: FromQuery[int | None] = None, overdue: FromQuery[bool] = False,
        limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
    ) -> Response[list[TaskOut]]:  # fmt: skip
        town = await roster.get_town(code)
        views = await tasks.list(
            town, now, person_id=person_id, status=status.value if status else None, year=year, kind=kind,
            assignment_id=assignment_id, overdue_only=overdue, limit=limit + 1, offset=offset,
        )  # fmt: skip
        return paged(request, [view_out(v) for v in views], limit, offset)

    @get("/tasks/{task_id:int}", summary="One task with its records", raises=READ_ERRORS)
    async def get_task(
        self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime], task_id: FromPath[int]
    ) -> TaskDetailOut:
        return detail_out(await tasks.detail(task_id, now))

    @post("/tasks/{task_id:int}/excuse", guards=[require_role(Role.SECRETARY)], status_code=200,
          raises=WRITE_ERRORS, summary="Excuse an open task, with a reason (the town's secretary)")  # fmt: skip
    async def excuse_task(
        self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime], task_id: FromPath[int],
        data: JSONBody[ReasonIn],
    ) -> TaskOut:  # fmt: skip
        return task_out(await tasks.excuse(task_id, data.reason, now))

    @post("/tasks/{task_id:int}/cancel", guards=[require_role(Role.SECRETARY)], status_code=200,
          raises=WRITE_ERRORS, summary="Cancel an open task, with a reason (the town's secretary)")  # fmt: skip
    async def cancel_task(
        self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime], task_id: FromPath[int],
        data: JSONBody[ReasonIn],
    ) -> TaskOut:  # fmt: skip
        return task_out(await tasks.cancel(task_id, data.reason, now))
