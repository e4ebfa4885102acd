"""Changing a record once it is filed: its author corrects or withdraws it on the day it was filed; a
supervisor (anyone above the author in the chain) or the town's secretary sends it back with a reason.

Who may do what and when: correction_rules.py (pure). Every change:
1. loads the record through the scope (a record the actor may not read is NotFound) and checks the
   rule (NotAllowed);
2. takes the town's lock and reads its finalised years (locks.locked_final_years: on SQLite the
   database's write lock, so everything read after it is read under it; on PostgreSQL the town's row
   FOR SHARE); a record of a finalised year, or of a task of one, is refused (YearFinalised, 409);
3. writes with conditional statements, so two changes of one record at the same moment (two
   supervisors sending it back, the author withdrawing it as it is sent back) have one winner and the
   other is refused (Conflict, "already withdrawn or sent back"): the record's DELETE / UPDATE
   names its id and finds no row the second time;
4. a withdrawn or sent-back record is deleted (its photos' rows with it; the files stay, stored by
   content), so every count, figure and board reads only records that stand, and its task counts it
   out in one conditional UPDATE: done_count - 1 and, if the record had made it done, open again;
5. keeps the change (RecordChange, with what the record said) and an audit entry.
The caller commits. Telling the author of a send-back is the reminders area's (send_back.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.record_changes import RecordChange, RecordChangeKind
from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Record, Task, TaskStatus
from tracker.domain.access import Actor
from tracker.domain.audit.service import record_event
from tracker.domain.clock import local_date
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.scope import Reach, Scope
from tracker.domain.text import text_problem
from tracker.domain.work.correction_rules import (
    REASON_MAX,
    ActorFacts,
    RecordFacts,
    may_correct,
    may_send_back,
    reason_problem,
)
from tracker.domain.work.display import due_on
from tracker.domain.work.evidence_rules import evidence_problems
from tracker.domain.work.kinds import PHOTO, FieldType, clean_record_fields, record_fields
from tracker.domain.work.locks import check_days, locked_final_years
from tracker.domain.work.schemas import RecordIn, TaskDetail
from tracker.i18n import _

# The record's task with what the task page reads of it, so that a page rendered after a change finds
# it complete in the session.
TASK_WITH_LOADS = selectinload(Record.task).options(
    selectinload(Task.person), selectinload(Task.place), selectinload(Task.assignment)
)


def gone(record_id: int) -> Conflict:
    message = _("Record %(id)s was already withdrawn or sent back", id=record_id)
    return Conflict(message, fields={"record_id": message})


def snapshot_of(record: Record) -> dict[str, Any]:
    """What a record said, kept with its change (JSON)."""
    return {
        "kind": record.kind.value,
        "occurred_on": record.occurred_on.isoformat(),
        "place_id": record.place_id,
        "fields": dict(record.fields or {}),
        "photos": len(record.photos),
        "filed_at": record.created_at.isoformat(),
    }


class RecordCorrections:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    # -- reading -----------------------------------------------------------------------------

    async def load(self, record_id: int) -> tuple[Record, Town, Reach]:
        """The record (photos loaded), its town and the actor's reach; NotFound if unreadable."""
        record = (await self.session.scalars(
            select(Record).where(Record.id == record_id)
            .options(selectinload(Record.photos))
            .execution_options(populate_existing=True)
        )).one_or_none()  # fmt: skip
        missing = NotFound(_("No record %(id)s", id=record_id))
        if record is None:
            raise missing
        town = await self.session.get(Town, record.town_id)
        reach = await self.scope.reach(town)  # type: ignore[arg-type]
        if not reach.may_read(record.person_id):
            raise missing
        return record, town, reach  # type: ignore[return-value]

    def facts(self, reach: Reach) -> ActorFacts:
        actor = self.actor
        return ActorFacts(
            person_id=actor.person_id if actor is not None else None,
            manages_town=reach.manages,
            below=reach.below,
            read_only=actor is not None and actor.role.value == "viewer",
        )

    def allowed(
        self, records: Sequence[Record], reach: Reach, town: Town, now: dt.datetime
    ) -> dict[int, set[str]]:
        """What the actor may do with each record on a task page: "correct" (and withdraw), "send_back"."""
        me = self.facts(reach)
        found: dict[int, set[str]] = {}
        for record in records:
            facts = RecordFacts(record.person_id, record.created_at)
            actions = set()
            if may_correct(facts, me, now, town.timezone):
                actions.add("correct")
            if may_send_back(facts, me):
                actions.add("send_back")
            found[record.id] = actions
        return found

    async def task_extras(self, detail: TaskDetail, now: dt.datetime) -> dict[str, Any]:
        """What the task page shows of corrections: each record's actions, the task's record changes."""
        reach = await self.scope.reach(detail.town)
        return {
            "record_actions": self.allowed(detail.records, reach, detail.town, now),
            "record_changes": await self.changes_of_task(detail.view.task.id),
        }

    async def changes_of_task(self, task_id: int) -> list[RecordChange]:
        """A task's record changes, oldest first (the task page's history; the task is already readable)."""
        query = (
            select(RecordChange)
            .where(RecordChange.task_id == task_id)
            .order_by(RecordChange.at, RecordChange.id)
        )
        return list((await self.session.scalars(query)).all())

    async def sent_back_open(self, person_id: int) -> dict[int, RecordChange]:
        """The person's open tasks that were sent back, with the latest send-back of each (by task id)."""
        query = (
            select(RecordChange)
            .join(Task, Task.id == RecordChange.task_id)
            .where(RecordChange.person_id == person_id, RecordChange.kind == RecordChangeKind.SENT_BACK,
                   Task.status == TaskStatus.OPEN)
            .order_by(RecordChange.at, RecordChange.id)
        )  # fmt: skip
        return {change.task_id: change for change in (await self.session.scalars(query)).all()}  # type: ignore[misc]

    # -- changing ----------------------------------------------------------------------------

    async def correct(self, record_id: int, data: RecordIn, now: dt.datetime) -> Record:
        """The author changes the day and the kind's fields, the day the record was filed."""
        _record, town, _reach = await self._checked(record_id, now, author=True)
        final = await locked_final_years(self.session, town.id)
        record = await self._reloaded(record_id)
        self._refuse_if_final(town, final, record, data.occurred_on)
        cleaned = await self._cleaned(town, record, data, now)
        before = {"occurred_on": record.occurred_on.isoformat(), "fields": dict(record.fields or {})}
        after = {"occurred_on": data.occurred_on.isoformat(), "fields": cleaned}
        changed = (await self.session.execute(
            update(Record).where(Record.id == record.id)
            .values(occurred_on=data.occurred_on, fields=cleaned, updated_at=now)
            .execution_options(synchronize_session=False)
        )).rowcount  # type: ignore[attr-defined]  # fmt: skip
        if not changed:
            raise gone(record_id)
        await self._keep(
            record, town, RecordChangeKind.CORRECTED, "", now, {"before": before, "after": after}
        )
        await self.session.refresh(record)
        return record

    async def withdraw(self, record_id: int, now: dt.datetime) -> RecordChange:
        """The author takes the record back, the day it was filed: it is gone and its task counts it out."""
        _record, town, _reach = await self._checked(record_id, now, author=True)
        return await self._remove(record_id, town, RecordChangeKind.WITHDRAWN, "", now)

    async def send_back(self, record_id: int, reason: str, now: dt.datetime) -> RecordChange:
        """A supervisor or the secretary returns the record with a reason; its task opens again."""
        _record, town, _reach = await self._checked(record_id, now, author=False)
        reason = (reason or "").strip()
        problem = reason_problem(reason)
        if problem == "missing":
            message = _("Say why the record is sent back")
            raise InvalidInput(message, fields={"reason": message})
        if problem == "too_long":
            message = _("At most %(maximum)d characters", maximum=REASON_MAX)
            raise InvalidInput(message, fields={"reason": message})
        if found := text_problem(reason):
            raise InvalidInput(found, fields={"reason": found})
        return await self._remove(record_id, town, RecordChangeKind.SENT_BACK, reason, now)

    # -- steps -------------------------------------------------------------------------------

    async def _checked(self, record_id: int, now: dt.datetime, *, author: bool) -> tuple[Record, Town, Reach]:
        record, town, reach = await self.load(record_id)
        facts = RecordFacts(record.person_id, record.created_at)
        if author and not may_correct(facts, self.facts(reach), now, town.timezone):
            if self.actor is not None and self.actor.person_id == record.person_id:
                raise NotAllowed(_("A record can be corrected or withdrawn only on the day it was filed"))
            raise NotAllowed(_("Only the person whose work it is may correct or withdraw a record"))
        if not author and not may_send_back(facts, self.facts(reach)):
            raise NotAllowed(
                _(
                    "Only someone above the person in the chain, or the town's secretary, may send a record back"
                )
            )
        return record, town, reach

    async def _reloaded(self, record_id: int) -> Record:
        """The record read again under the lock (gone meanwhile: Conflict)."""
        record = (await self.session.scalars(
            select(Record).where(Record.id == record_id)
            .options(selectinload(Record.photos), TASK_WITH_LOADS)
            .execution_options(populate_existing=True)
        )).one_or_none()  # fmt: skip
        if record is None:
            raise gone(record_id)
        return record

    @staticmethod
    def _refuse_if_final(town: Town, final: frozenset[int], record: Record, *days: dt.date) -> None:
        if not final:
            return
        check_days(final, [record.occurred_on, *days], field="record_id")
        if record.task is not None:
            check_days(final, [due_on(record.task.due_at, town.timezone)], field="record_id")

    async def _remove(
        self, record_id: int, town: Town, kind: RecordChangeKind, reason: str, now: dt.datetime
    ) -> RecordChange:
        final = await locked_final_years(self.session, town.id)
        record = await self._reloaded(record_id)
        self._refuse_if_final(town, final, record)
        snapshot = snapshot_of(record)
        deleted = (await self.session.execute(
            delete(Record).where(Record.id == record.id).returning(Record.id)
            .execution_options(synchronize_session=False)
        )).scalar_one_or_none()  # fmt: skip
        if deleted is None:
            raise gone(record_id)
        reopened = await self._count_out(record.task) if record.task is not None else False
        self.session.expunge(record)
        return await self._keep(record, town, kind, reason, now, {**snapshot, "reopened": reopened})

    async def _count_out(self, task: Task) -> bool:
        """The task counts the record out in one conditional UPDATE: done_count - 1; a task the record had
        made done (done, and now short of its target) is open again. Whether it was reopened."""
        short = Task.done_count - 1 < Task.target_count
        reopen = (Task.status == TaskStatus.DONE) & short
        was_done = task.status is TaskStatus.DONE
        await self.session.execute(
            update(Task).where(Task.id == task.id)
            .values(done_count=case((Task.done_count > 0, Task.done_count - 1), else_=0),
                    status=case((reopen, TaskStatus.OPEN), else_=Task.status),
                    closed_at=case((reopen, None), else_=Task.closed_at),
                    status_reason=case((reopen, ""), else_=Task.status_reason))
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        await self.session.refresh(task)
        return was_done and task.status is TaskStatus.OPEN

    async def _keep(
        self, record: Record, town: Town, kind: RecordChangeKind, reason: str, now: dt.datetime,
        snapshot: dict[str, Any],
    ) -> RecordChange:  # fmt: skip
        change = RecordChange(
            town_id=town.id, task_id=record.task_id, record_id=record.id, person_id=record.person_id,
            kind=kind, reason=reason, at=now, by_user_id=self.actor.user_id if self.actor else None,
            by_name=await self._actor_name(), snapshot=snapshot,
        )  # fmt: skip
        self.session.add(change)
        await self.session.flush()
        details: dict[str, Any] = {"task_id": record.task_id, "person_id": record.person_id}
        if reason:
            details["reason"] = reason
        if kind is RecordChangeKind.CORRECTED:
            details.update(snapshot)
        await record_event(
            self.session, f"record_{kind.value}", now=now, town_id=town.id,
            object_type="record", object_id=record.id, details=details,
        )  # fmt: skip
        return change

    async def _actor_name(self) -> str:
        actor = self.actor
        if actor is None:
            return "system"
        if actor.person_id is not None:
            name = await self.session.scalar(select(Person.name).where(Person.id == actor.person_id))
            if name:
                return str(name)
        return actor.login

    async def _cleaned(
        self, town: Town, record: Record, data: RecordIn, now: dt.datetime
    ) -> dict[str, object]:
        """The corrected day and fields checked as a new record's are; all field messages at once."""
        errors: dict[str, str] = {}
        today = local_date(now, town.timezone)
        if data.occurred_on > today:
            errors["occurred_on"] = _("The day can't be in the future")
        elif record.task is not None and data.occurred_on < record.task.period_start:
            errors["occurred_on"] = _(
                "This task's period starts on %(day)s", day=record.task.period_start.isoformat()
            )
        result = clean_record_fields(record.kind, data.fields)
        errors.update({f"fields.{name}": message for name, message in result.errors.items()})
        for name, message in evidence_problems(record.kind, result.values, len(record.photos)).items():
            errors.setdefault(name if name == PHOTO else f"fields.{name}", message)
        for spec in record_fields(record.kind):
            ids = result.values.get(spec.name)
            if spec.type is not FieldType.PERSON_IDS or not ids or f"fields.{spec.name}" in errors:
                continue
            known = set((await self.session.scalars(
                select(Person.id).where(Person.id.in_(ids), Person.town_id == town.id)  # type: ignore[arg-type]
            )).all())  # fmt: skip
            unknown = [pid for pid in ids if pid not in known]  # type: ignore[union-attr]
            if unknown:
                errors[f"fields.{spec.name}"] = _(
                    "Person %(id)s is not in this town's roster", id=", ".join(map(str, unknown))
                )
        if errors:
            raise InvalidInput(next(iter(errors.values())), fields=errors)
        return result.values


__all__ = ["RecordCorrections", "gone", "snapshot_of"]
