"""The in-app list (the bell): the signed-in person's IN_APP messages, newest first, and reading them.

Only the actor's own person's messages exist here: anybody else's message, a message on another
channel, or an actor without a person is answered as missing (NotFound), never as refused, so an id
says nothing about other people's reminders. Marking read is one conditional UPDATE (`read_at IS
NULL`), so a message opened twice at once, or by two tabs, keeps its first read time; an UPDATE of
the table, not a change of a loaded object, so the bell's bookkeeping does not fill the audit log.

Every IN_APP message is listed whatever its sending status: the row itself is the delivery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.reminders import ChannelKind, OutboxItem, OutboxMessage, ReminderReason
from tracker.db.models.tasks import Task
from tracker.domain.access import Actor
from tracker.domain.errors import NotFound
from tracker.domain.scope import Scope
from tracker.i18n import _

PAGE_SIZE = 20
MAX_PAGE = 10_000  # a page number past this is answered as the last page, not a huge OFFSET


@dataclass(frozen=True)
class NotificationItem:
    """A task a notification is about, as the list shows it (its link is /tasks/{task_id})."""

    task_id: int
    title: str
    reason: ReminderReason
    days: int
    due_at: dt.datetime


@dataclass(frozen=True)
class Notification:
    message: OutboxMessage
    items: list[NotificationItem]


@dataclass(frozen=True)
class NotificationPage:
    messages: list[OutboxMessage]
    page: int
    pages: int
    total: int
    unread: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def missing(message_id: int) -> NotFound:
    return NotFound(_("No notification %(id)s", id=message_id))


class NotificationService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    @property
    def person_id(self) -> int | None:
        return self.actor.person_id if self.actor is not None else None

    def _mine(self) -> list[object]:
        """The conditions of "my in-app messages" (nothing at all for an actor without a person)."""
        if self.person_id is None:
            return [OutboxMessage.id.is_(None)]  # matches no row
        return [OutboxMessage.person_id == self.person_id, OutboxMessage.channel_kind == ChannelKind.IN_APP]

    async def unread_count(self) -> int:
        if self.person_id is None:
            return 0
        query = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(*self._mine(), OutboxMessage.read_at.is_(None))
        )
        return int(await self.session.scalar(query) or 0)

    async def list(self, page: int = 1) -> NotificationPage:
        """One page of my notifications, newest first; a page past the end is the last page."""
        total = int(
            await self.session.scalar(select(func.count()).select_from(OutboxMessage).where(*self._mine()))
            or 0
        )
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages, MAX_PAGE)
        query = (
            select(OutboxMessage)
            .where(*self._mine())
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        messages = list((await self.session.scalars(query)).all())
        return NotificationPage(messages, page, pages, total, await self.unread_count())

    async def get(self, message_id: int) -> Notification:
        """One of my notifications with the tasks it is about (NotFound if it is not mine)."""
        message = await self.session.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id, *self._mine())
        )
        if message is None:
            raise missing(message_id)
        rows = await self.session.execute(
            select(OutboxItem, Task.title, Task.due_at)
            .join(Task, Task.id == OutboxItem.task_id)
            .where(OutboxItem.message_id == message.id)
            .order_by(Task.due_at, Task.id)
        )
        items = [
            NotificationItem(
                task_id=item.task_id, title=title, reason=item.reason, days=item.days, due_at=due_at
            )
            for item, title, due_at in rows.all()
        ]
        return Notification(message, items)

    async def open(self, message_id: int, now: dt.datetime) -> Notification:
        """Mark one of my notifications read (kept at its first reading) and return it."""
        await self._mark_read(now, OutboxMessage.id == message_id)
        notification = await self.get(message_id)
        return notification

    async def mark_read(self, message_id: int, now: dt.datetime) -> None:
        """Mark one of my notifications read; NotFound if it is not mine."""
        await self.get(message_id)
        await self._mark_read(now, OutboxMessage.id == message_id)

    async def mark_all_read(self, now: dt.datetime) -> int:
        """Mark every unread notification of mine read; how many were."""
        if self.person_id is None:
            return 0
        return await self._mark_read(now)

    async def _mark_read(self, now: dt.datetime, *conditions: object) -> int:
        if self.person_id is None:
            return 0
        result = await self.session.execute(
            update(OutboxMessage)
            .where(*self._mine(), OutboxMessage.read_at.is_(None), *conditions)
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
