"""The secretary's side of reminders: the town's policy, the outbox (filtered, paged, a failed
message sent again), who has no channel but the in-app list, and the reminders a person got.

Every query goes through the actor's reach in the town (domain/scope.py). The policy, the outbox
and the channel list are the town's secretary's (or an admin's): others are refused (NotAllowed),
another town is answered as missing. A person's received reminders are read by the person, the
town's managers and the officials above them in the chain.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.reminders import (
    ChannelKind,
    NotifyChannel,
    OutboxItem,
    OutboxMessage,
    OutboxStatus,
    ReminderPolicy,
)
from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Task
from tracker.domain.access import Actor
from tracker.domain.audit.service import record_event
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.reminders.rules import STRENGTH
from tracker.domain.reminders.schemas import (
    DEFAULT_VIEW,
    STATUS_LABELS,
    ItemView,
    OutboxPage,
    OutboxRow,
    PolicyIn,
    PolicyView,
    ReceivedReminder,
)
from tracker.domain.scope import Reach, Scope, require_manage
from tracker.i18n import _

PAGE_SIZE = 50
RECEIVED_LIMIT = 50


def _view(row: ReminderPolicy | None) -> PolicyView:
    if row is None:
        return DEFAULT_VIEW
    return PolicyView(
        days_before=tuple(row.days_before),
        on_due_day=row.on_due_day,
        overdue_every_days=row.overdue_every_days,
        escalate_supervisor_after_days=row.escalate_supervisor_after_days,
        escalate_secretary_after_days=row.escalate_secretary_after_days,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        enabled=row.enabled,
        saved=True,
        updated_at=row.updated_at,
    )


def message_missing(message_id: int) -> NotFound:
    message = _("No message %(id)s", id=message_id)
    return NotFound(message, fields={"message_id": message})


class ReminderService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    async def _managed(self, town: Town) -> Reach:
        reach = await self.scope.reach(town)
        require_manage(reach, _("Only the town's secretary may manage its reminders"))
        return reach

    # -- the policy ------------------------------------------------------------------------------

    async def _policy_row(self, reach: Reach) -> ReminderPolicy | None:
        query = reach.filter(select(ReminderPolicy), ReminderPolicy)
        return (await self.session.scalars(query.execution_options(populate_existing=True))).one_or_none()

    async def policy(self, town: Town) -> PolicyView:
        """The town's policy, or the defaults when it has none saved."""
        return _view(await self._policy_row(await self._managed(town)))

    async def update_policy(self, town: Town, data: PolicyIn, now: dt.datetime) -> PolicyView:
        """Check every field (InvalidInput with a message per field, nothing written), then keep one
        row per town: inserted by the first save (two saves at once: one inserts, the other
        updates), updated after."""
        reach = await self._managed(town)
        problems = data.problems()
        if problems:
            raise InvalidInput(next(iter(problems.values())), fields=problems)
        values = data.values()
        row = await self._policy_row(reach)
        if row is None:
            dialect = postgresql if self.session.bind.dialect.name == "postgresql" else sqlite
            created = await self.session.scalar(
                dialect.insert(ReminderPolicy)
                .values(town_id=town.id, created_at=now, updated_at=now, **values)
                .on_conflict_do_nothing(index_elements=["town_id"])
                .returning(ReminderPolicy.id)
            )
            if created is not None:  # written without the ORM: its audit entry by hand
                await record_event(self.session, "create", now=now, town_id=town.id, object_type="reminder_policy",
                                   object_id=created, details={"after": {"town_id": town.id, **values}})  # fmt: skip
                return _view(await self._policy_row(reach))
            row = await self._policy_row(reach)  # another save inserted it meanwhile: update it
            assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        await self.session.flush()
        return _view(row)

    # -- the outbox ------------------------------------------------------------------------------

    async def outbox(
        self,
        town: Town,
        status: OutboxStatus | None = None,
        channel: ChannelKind | None = None,
        person_id: int | None = None,
        page: int = 1,
    ) -> OutboxPage:
        """The town's messages, newest first, PAGE_SIZE a page, with the tasks each is about; the
        counts by status follow the channel and person filters."""
        reach = await self._managed(town)

        def narrowed(query: Select[Any]) -> Select[Any]:
            query = reach.filter(query, OutboxMessage)
            if channel is not None:
                query = query.where(OutboxMessage.channel_kind == channel)
            if person_id is not None:
                query = query.where(OutboxMessage.person_id == person_id)
            return query

        counts = {s: 0 for s in OutboxStatus}
        for found, count in (await self.session.execute(
            narrowed(select(OutboxMessage.status, func.count())).group_by(OutboxMessage.status)
        )).all():  # fmt: skip
            counts[OutboxStatus(found)] = count
        total = sum(counts.values()) if status is None else counts[status]
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)
        query = narrowed(
            select(OutboxMessage, Person.name, NotifyChannel.label)
            .outerjoin(Person, Person.id == OutboxMessage.person_id)
            .outerjoin(NotifyChannel, NotifyChannel.id == OutboxMessage.channel_id)
        )
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        query = query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        found_rows = (await self.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))).all()
        rows = [
            OutboxRow(message=m, recipient=name or label or _("Group robot"), is_group=m.person_id is None)
            for m, name, label in found_rows
        ]
        await self._attach_items(rows)
        return OutboxPage(rows=rows, counts=counts, total=total, page=page, pages=pages)

    async def _items(self, message_ids: list[int]) -> dict[int, list[ItemView]]:
        """The tasks of these messages (one query), per message, by whose task and due time."""
        if not message_ids:
            return {}
        query = (
            select(OutboxItem, Task.title, Person.name)
            .join(Task, Task.id == OutboxItem.task_id)
            .join(Person, Person.id == Task.person_id)
            .where(OutboxItem.message_id.in_(message_ids))
            .order_by(OutboxItem.message_id, Person.code, Task.due_at, Task.id)
        )
        items: dict[int, list[ItemView]] = {}
        for item, title, person_name in (await self.session.execute(query)).all():
            items.setdefault(item.message_id, []).append(
                ItemView(
                    task_id=item.task_id,
                    title=title,
                    person_name=person_name,
                    reason=item.reason,
                    days=item.days,
                )
            )
        return items

    async def _attach_items(self, rows: list[OutboxRow]) -> None:
        items = await self._items([row.message.id for row in rows])
        for row in rows:
            row.items = items.get(row.message.id, [])

    async def resend(self, town: Town, message_id: int, now: dt.datetime) -> OutboxMessage:
        """A failed message queued again for now, with a fresh round of retries (its attempts so far
        stay in its delivery attempts). One conditional UPDATE, so two clicks queue it once; any
        other status is a Conflict."""
        reach = await self._managed(town)
        changed = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.town_id == town.id,
                   OutboxMessage.status == OutboxStatus.FAILED)
            .values(status=OutboxStatus.QUEUED, next_attempt_at=now, claimed_until=None, attempts=0, updated_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        message = (await self.session.scalars(
            reach.filter(select(OutboxMessage), OutboxMessage).where(OutboxMessage.id == message_id)
            .execution_options(populate_existing=True)
        )).one_or_none()  # fmt: skip
        if message is None:
            raise message_missing(message_id)
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            text = _("Only a failed message can be sent again; this one is %(status)s",
                     status=str(STATUS_LABELS[message.status]).lower())  # fmt: skip
            raise Conflict(text, fields={"message_id": text})
        await record_event(self.session, "update", now=now, town_id=town.id, object_type="outbox_message",
                           object_id=message_id, details={"before": {"status": OutboxStatus.FAILED.value},
                                                          "after": {"status": OutboxStatus.QUEUED.value}})  # fmt: skip
        return message

    async def people_without_channel(self, town: Town) -> list[Person]:
        """Active people with no active channel of their own (an e-mail channel counts only with an
        address on file): their reminders reach them in the app only."""
        reach = await self._managed(town)
        has_address = and_(Person.email.is_not(None), func.trim(Person.email) != "")
        own_channel = exists().where(
            NotifyChannel.person_id == Person.id,
            NotifyChannel.town_id == Person.town_id,
            NotifyChannel.active.is_(True),
            NotifyChannel.kind != ChannelKind.IN_APP,
            or_(NotifyChannel.kind != ChannelKind.EMAIL, has_address),
        )
        query = reach.filter(select(Person), Person, people=False).where(
            Person.active.is_(True), ~own_channel
        )
        return list((await self.session.scalars(query.order_by(Person.code))).all())

    # -- a person's reminders --------------------------------------------------------------------

    def _may_read_reminders_of(self, reach: Reach, person_id: int) -> bool:
        """The person themselves, the town's managers, the officials above them (not a county viewer)."""
        actor = self.actor
        if actor is None or reach.manages or actor.person_id == person_id:
            return True
        return actor.role is Role.OFFICIAL and person_id in reach.below

    async def received(
        self, town: Town, person_id: int, limit: int = RECEIVED_LIMIT
    ) -> list[ReceivedReminder]:
        """The reminders the person got, newest first (their last `limit` messages), one per
        sending slot with every channel it went out on."""
        reach = await self.scope.reach(town)
        person = await self.session.scalar(
            reach.filter(select(Person), Person, people=False).where(Person.id == person_id)
        )
        if person is None:
            raise NotFound(_("No person %(id)s in %(town)s", id=person_id, town=town.name))
        if not self._may_read_reminders_of(reach, person_id):
            raise NotAllowed(
                _("Only the person, the officials above them and the town's secretary see their reminders")
            )
        query = (
            reach.filter(select(OutboxMessage), OutboxMessage)
            .where(OutboxMessage.person_id == person_id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(max(1, min(limit, RECEIVED_LIMIT)))
        )
        messages = list((await self.session.scalars(query)).all())
        items = await self._items([m.id for m in messages])
        by_slot: dict[str, ReceivedReminder] = {}
        for message in messages:
            reminder = by_slot.get(message.slot)
            if reminder is None:
                reminder = by_slot[message.slot] = ReceivedReminder(
                    slot=message.slot,
                    created_at=message.created_at,
                    subject=message.subject,
                    items=[],
                    deliveries=[],
                )
            reminder.deliveries.append(message)
            _merge_items(reminder.items, items.get(message.id, []))
        return list(by_slot.values())


def _merge_items(into: list[ItemView], more: list[ItemView]) -> None:
    """Each task once, with its strongest reason (the same digest went out on several channels)."""
    for item in more:
        for index, kept in enumerate(into):
            if kept.task_id == item.task_id:
                if STRENGTH[item.reason] > STRENGTH[kept.reason]:
                    into[index] = item
                break
        else:
            into.append(item)


__all__ = ["PAGE_SIZE", "ReminderService"]
