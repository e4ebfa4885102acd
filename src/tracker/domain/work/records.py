"""Records of work done: filed against a task (or unplanned, with a kind), with photos and a location.

The order of `create`:
1. access: the task's town within reach (else 404), the task readable (else 404), the actor may
   file work for its person (their own, or the town's secretary; else 403);
2. the photos decoded and re-encoded in a worker thread, behind the process's cap on concurrent
   decodes (photos.prepare_photos_off_loop), before any lock is taken: a heavy upload never holds
   the database's write lock (SQLite) or the person's row (PostgreSQL) while it decodes;
3. the person's submissions serialised (see `_lock_person`): on SQLite this takes the database's
   write lock, so everything read from here on is read under it;
4. the client key: a record of the same person with the same key is the first result of the
   same submission, returned as it is (created=False) with nothing else done;
   then the finalised-year lock (locks.py): a record of a finalised year, or for a task of one, is
   refused (YearFinalised, 409) before anything is written;
5. every check, all field messages at once, nothing written on any problem: the task still
   open; the day not in the town's future and not before the task's period (an unplanned
   record: within the last year); the kind's fields (`fields.<name>`) and its evidence
   (evidence_rules.py: e.g. a visit's people met and what was found, or a photo: messages on those
   fields and on `photos`); the place and the attendees in the town; the coordinates; the photos
   (what step 2 found);
6. the photo files are written (content-addressed, harmless if the commit then fails);
7. in one savepoint, the record and its photos are inserted and the task counts it: done_count + 1,
   done (closed now) when the target is met, in one conditional UPDATE that reads the count it
   changes (`_count`), so concurrent records on one task are each counted and none past the
   target; a task closed meanwhile refuses the record and the savepoint leaves nothing behind. A
   concurrent first send of the same key (the unique constraint) rolls the savepoint back and
   returns that one instead.
The task loaded in step 1 (before the lock) is only read for access and the open-task check; what
a record changes in it is changed by step 7's UPDATE from the stored values, never from that read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from sqlalchemy import case, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Record, RecordPhoto, Task, TaskStatus, WorkKind
from tracker.domain.access import Actor
from tracker.domain.clock import local_date
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.scope import Reach, Scope, require_act
from tracker.domain.work.display import due_on
from tracker.domain.work.evidence_rules import evidence_problems
from tracker.domain.work.geo import coordinates_problems, distance_m, is_far
from tracker.domain.work.kinds import PHOTO, FieldType, clean_record_fields, record_fields
from tracker.domain.work.locks import check_days, locked_final_years
from tracker.domain.work.photos import (
    CONTENT_TYPE,
    PreparedPhoto,
    photo_path,
    prepare_photos_off_loop,
    store_prepared,
)
from tracker.domain.work.schemas import PhotoFile, RecordIn, RecordResult, UploadedPhoto
from tracker.domain.work.service import TaskService, already_closed, check_year
from tracker.i18n import _

UNPLANNED_DAYS_BACK = 366


@dataclass(frozen=True)
class BatchRecord:
    """One record of `RecordService.file_batch`: for `task`, or unplanned of `kind` by `person_id`."""

    data: RecordIn
    happened_at: dt.datetime  # a task that this record completes closes at this instant
    task: Task | None = None
    kind: WorkKind | None = None
    person_id: int | None = None
RECORD_LOADS = (selectinload(Record.photos), selectinload(Record.person), selectinload(Record.place))


class RecordService:
    def __init__(
        self, session: AsyncSession, actor: Actor | None, photo_dir: str, max_photo_bytes: int,
        scope: Scope | None = None,
    ) -> None:  # fmt: skip
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)
        self.photo_dir = photo_dir
        self.max_photo_bytes = max_photo_bytes

    async def create(
        self, town: Town | None, data: RecordIn, now: dt.datetime, *, task_id: int | None = None,
        kind: WorkKind | None = None, photos: Sequence[UploadedPhoto] = (), person_id: int | None = None,
    ) -> RecordResult:  # fmt: skip
        """File a record (for a task, or unplanned with `kind`); photos saved with it or not at all.

        `person_id` (unplanned records only) lets the town's secretary file someone else's work;
        by default an unplanned record is the actor's own. For a task, `town` may be None: the
        task's own town is used (loaded with the task, once per request).
        """
        task: Task | None = None
        if task_id is not None:
            task, task_town, reach = await TaskService(self.session, self.actor, self.scope).load(task_id)
            if town is not None and task_town.id != town.id:
                raise NotFound(_("No task %(id)s", id=task_id), fields={"task_id": _("No task %(id)s", id=task_id)})
            require_act(reach, task.person_id, task.id)
            person_id, kind, town = task.person_id, WorkKind(task.kind), task_town
        else:
            if town is None:
                raise NotFound(_("Not found"))
            reach = await self.scope.reach(town)
            person_id = await self._unplanned_person(town, reach, person_id)
        prepared, photo_problem = await self._decoded(photos)
        await self._lock_person(person_id)
        first = await self._by_client_key(person_id, data.client_key)
        if first is not None:
            return await self._repeat(first, task)
        final = await locked_final_years(self.session, town.id, write_locked=True)  # _lock_person's lock on SQLite
        self._refuse_if_final(town, final, data, task)
        cleaned, place, distance = await self._checked(town, data, now, task, kind, photo_problem, len(prepared))
        await anyio.to_thread.run_sync(store_prepared, self.photo_dir, prepared)
        record = self._new_record(town, data, task, kind, person_id, cleaned, place, distance, prepared)  # type: ignore[arg-type]
        try:
            async with self.session.begin_nested():
                self.session.add(record)
                await self.session.flush()
                if task is not None:
                    await self._count(task, now)
        except IntegrityError:
            first = await self._by_client_key(person_id, data.client_key)
            if first is None:
                raise
            return await self._repeat(first, task)
        return RecordResult(record=record, task=task, created=True)

    async def file_batch(self, town: Town, entries: Sequence[BatchRecord], now: dt.datetime) -> list[Record]:
        """Many records at once, as the system (the demo's year of work): each checked and built exactly
        as `create` does and counted by its task in the same conditional UPDATE, in the order given;
        without the per-submission lock and client-key lookup (the keys are fresh), and with a task
        closed at the time its last record happened rather than `now`. Any refused entry raises
        InvalidInput and the caller's transaction saves none."""
        records: list[Record] = []
        final = await locked_final_years(self.session, town.id) if entries else frozenset[int]()
        for entry in entries:
            task = entry.task
            kind = WorkKind(task.kind) if task is not None else entry.kind
            person_id = task.person_id if task is not None else entry.person_id
            self._refuse_if_final(town, final, entry.data, task)
            cleaned, place, distance = await self._checked(town, entry.data, now, task, kind)
            record = self._new_record(town, entry.data, task, kind, person_id, cleaned, place, distance, [])  # type: ignore[arg-type]
            self.session.add(record)
            await self.session.flush()
            if task is not None:
                await self._count(task, entry.happened_at)
            records.append(record)
        return records

    # -- steps -------------------------------------------------------------------------------

    @staticmethod
    def _refuse_if_final(town: Town, final: frozenset[int], data: RecordIn, task: Task | None) -> None:
        """A record of a finalised year, or one that would count towards a task of one: YearFinalised."""
        if not final:
            return
        check_days(final, [data.occurred_on], field="occurred_on")
        if task is not None:
            check_days(final, [due_on(task.due_at, town.timezone)], field="task_id")

    async def _count(self, task: Task, now: dt.datetime) -> None:
        """The task counts the record in one conditional UPDATE (never from a value read earlier):
        done_count + 1, and done (closed now) when that meets the target. A task closed meanwhile
        by another request refuses the record (the caller's transaction rolls it back)."""
        reaches = Task.done_count + 1 >= Task.target_count
        row = (await self.session.execute(
            update(Task)
            .where(Task.id == task.id, Task.status == TaskStatus.OPEN)
            .values(done_count=Task.done_count + 1,
                    status=case((reaches, TaskStatus.DONE), else_=Task.status),
                    closed_at=case((reaches, now), else_=Task.closed_at))
            .returning(Task.done_count, Task.status, Task.closed_at)
            .execution_options(synchronize_session=False)
        )).one_or_none()  # fmt: skip
        if row is None:
            await self.session.refresh(task)
            raise already_closed(task)
        set_committed_value(task, "done_count", row.done_count)
        set_committed_value(task, "status", TaskStatus(row.status))
        set_committed_value(task, "closed_at", row.closed_at)

    async def _decoded(self, photos: Sequence[UploadedPhoto]) -> tuple[list[PreparedPhoto], str | None]:
        """The photos ready to store, or what is wrong with them (the "photos" field message)."""
        try:
            return await prepare_photos_off_loop(photos, self.max_photo_bytes), None
        except InvalidInput as refused:
            return [], refused.fields.get("photos", refused.message)

    async def _unplanned_person(self, town: Town, reach: Reach, person_id: int | None) -> int:
        actor = self.actor
        if actor is not None and actor.role is Role.VIEWER:
            raise NotAllowed(_("Read-only access"))
        if person_id is None:
            if actor is None or actor.person_id is None or actor.town_id != town.id:
                message = _("Choose whose work this was")
                raise InvalidInput(message, fields={"person_id": message})
            return actor.person_id
        person = await self.session.get(Person, person_id)
        if person is None or person.town_id != town.id:
            message = _("Person %(id)s is not in this town's roster", id=person_id)
            raise InvalidInput(message, fields={"person_id": message})
        if not reach.may_act(person_id):
            raise NotAllowed(_("Only the town's secretary may record someone else's work"))
        return person_id

    async def _lock_person(self, person_id: int) -> None:
        """Serialise submissions of one person's work until the commit, so that the client-key lookup
        that follows sees any first send: the person's row locked on PostgreSQL; on SQLite a no-op
        write takes the database's write lock (and opens a real transaction, so that the savepoint
        below nests in it instead of committing on release)."""
        if self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(text("UPDATE person SET id = id WHERE id = :id"), {"id": person_id})
        else:
            await self.session.execute(select(Person.id).where(Person.id == person_id).with_for_update())

    async def _by_client_key(self, person_id: int, client_key: str) -> Record | None:
        query = select(Record).where(Record.person_id == person_id, Record.client_key == client_key).options(*RECORD_LOADS)
        return (await self.session.scalars(query)).one_or_none()

    async def _repeat(self, first: Record, task: Task | None) -> RecordResult:
        """The same submission sent again: the first result, unless the key was used for other work."""
        if first.task_id != (task.id if task is not None else None):
            message = _("This submission key was already used for other work")
            raise Conflict(message, fields={"client_key": message})
        if task is not None:
            await self.session.refresh(task)
        return RecordResult(record=first, task=task, created=False)

    async def _checked(
        self, town: Town, data: RecordIn, now: dt.datetime, task: Task | None, kind: WorkKind | None,
        photo_problem: str | None = None, photo_count: int = 0,
    ) -> tuple[dict[str, object], Place | None, float | None]:  # fmt: skip
        errors: dict[str, str] = {}
        today = local_date(now, town.timezone)
        if task is not None and task.status is not TaskStatus.OPEN:
            raise already_closed(task)
        if kind is None:
            errors["kind"] = _("Choose a kind of work")
        if data.occurred_on > today:
            errors["occurred_on"] = _("The day can't be in the future")
        elif task is not None and data.occurred_on < task.period_start:
            errors["occurred_on"] = _("This task's period starts on %(day)s", day=task.period_start.isoformat())
        elif task is None and data.occurred_on < today - dt.timedelta(days=UNPLANNED_DAYS_BACK):
            errors["occurred_on"] = _("The day is more than a year ago")
        cleaned: dict[str, object] = {}
        if kind is not None:
            result = clean_record_fields(kind, data.fields)
            cleaned = result.values
            errors.update({f"fields.{name}": message for name, message in result.errors.items()})
            if photo_problem is None:  # a refused photo says so itself; the evidence is judged once it is fixed
                for name, message in evidence_problems(kind, cleaned, photo_count).items():
                    errors.setdefault(name if name == PHOTO else f"fields.{name}", message)
            errors.update(await self._people_problems(town, kind, cleaned, result.errors))
        place_id = data.place_id if data.place_id is not None else (task.place_id if task is not None else None)
        place = await self.session.get(Place, place_id) if place_id is not None else None
        if place_id is not None and (place is None or place.town_id != town.id):
            errors["place_id"] = _("Choose a place of this town")
            place = None
        errors.update(coordinates_problems(data.latitude, data.longitude, data.accuracy_m))
        if photo_problem is not None:
            errors["photos"] = photo_problem
        if errors:
            raise InvalidInput(next(iter(errors.values())), fields=errors)
        distance = None
        if place is not None and None not in (place.latitude, place.longitude, data.latitude, data.longitude):
            distance = round(distance_m(data.latitude, data.longitude, place.latitude, place.longitude), 1)  # type: ignore[arg-type]
        return cleaned, place, distance

    async def _people_problems(
        self, town: Town, kind: WorkKind, cleaned: dict[str, object], field_errors: dict[str, str]
    ) -> dict[str, str]:
        """Attendees (and any other list of people) must be people of this town's roster."""
        problems: dict[str, str] = {}
        for spec in record_fields(kind):
            ids = cleaned.get(spec.name)
            if spec.type is not FieldType.PERSON_IDS or spec.name in field_errors or not ids:
                continue
            known = set((await self.session.scalars(
                select(Person.id).where(Person.id.in_(ids), Person.town_id == town.id)  # type: ignore[arg-type]
            )).all())  # fmt: skip
            unknown = [pid for pid in ids if pid not in known]  # type: ignore[union-attr]
            if unknown:
                problems[f"fields.{spec.name}"] = _(
                    "Person %(id)s is not in this town's roster", id=", ".join(map(str, unknown))
                )
        return problems

    def _new_record(
        self, town: Town, data: RecordIn, task: Task | None, kind: WorkKind, person_id: int,
        cleaned: dict[str, object], place: Place | None, distance: float | None, prepared: list[PreparedPhoto],
    ) -> Record:  # fmt: skip
        located_at = data.located_at
        if located_at is not None and located_at.tzinfo is None:
            located_at = located_at.replace(tzinfo=dt.UTC)
        return Record(
            town_id=town.id,
            task_id=task.id if task is not None else None,
            person_id=person_id,
            kind=kind,
            occurred_on=data.occurred_on,
            place_id=place.id if place is not None else None,
            fields=cleaned,
            latitude=data.latitude,
            longitude=data.longitude,
            accuracy_m=data.accuracy_m,
            located_at=located_at,
            distance_m=distance,
            flagged_far=is_far(distance, town.far_record_meters),
            client_key=data.client_key,
            created_by_user_id=self.actor.user_id if self.actor is not None else None,
            photos=[
                RecordPhoto(sha256=p.sha256, thumb_sha256=p.thumb_sha256, content_type=CONTENT_TYPE,
                            width=p.width, height=p.height, size_bytes=len(p.content))
                for p in prepared
            ],
        )  # fmt: skip

    # -- reading -----------------------------------------------------------------------------

    async def list(
        self, town: Town, *, year: int | None = None, flagged_only: bool = False, limit: int | None = None,
        offset: int = 0,
    ) -> list[Record]:  # fmt: skip
        """The town's records the actor may read, newest first (by day, then id: a total order);
        `limit` rows from `offset` when given."""
        check_year(year)
        reach = await self.scope.reach(town)
        query = reach.filter(select(Record), Record).options(*RECORD_LOADS, selectinload(Record.task))
        if year is not None:
            query = query.where(Record.occurred_on >= dt.date(year, 1, 1), Record.occurred_on <= dt.date(year, 12, 31))
        if flagged_only:
            query = query.where(Record.flagged_far.is_(True))
        query = query.order_by(Record.occurred_on.desc(), Record.id.desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return list((await self.session.scalars(query)).all())

    async def get(self, record_id: int) -> Record:
        """One record, if the actor may read its person's work (else NotFound)."""
        record = (await self.session.scalars(
            select(Record).where(Record.id == record_id).options(*RECORD_LOADS, selectinload(Record.task))
        )).one_or_none()  # fmt: skip
        missing = NotFound(_("No record %(id)s", id=record_id))
        if record is None:
            raise missing
        town = await self.session.get(Town, record.town_id)
        reach = await self.scope.reach(town)  # type: ignore[arg-type]
        if not reach.may_read(record.person_id):
            raise missing
        return record

    async def photo(self, photo_id: int, *, thumbnail: bool) -> PhotoFile:
        """The file of a photo, if the actor may see its record (else NotFound)."""
        missing = NotFound(_("No photo %(id)s", id=photo_id))
        photo = await self.session.get(RecordPhoto, photo_id)
        if photo is None:
            raise missing
        record = await self.session.get(Record, photo.record_id)
        town = await self.session.get(Town, record.town_id) if record is not None else None
        if record is None or town is None:
            raise missing
        reach = await self.scope.reach(town)
        if not reach.may_read(record.person_id):
            raise missing
        path = photo_path(self.photo_dir, photo.thumb_sha256 if thumbnail else photo.sha256)
        if not Path(path).is_file():
            raise missing
        return PhotoFile(path=str(path), content_type=photo.content_type)


__all__ = ["RecordService"]
