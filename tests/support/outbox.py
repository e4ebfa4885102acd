"""Outbox rows made directly in the database, for the secretary's reminder pages and the board's
escalation marks (queueing itself is tested with the queue)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.reminders import ChannelKind, OutboxItem, OutboxMessage, OutboxStatus, ReminderReason
from tracker.domain.clock import utc_now

_keys = itertools.count(1)


async def add_message(
    session: AsyncSession,
    town_id: int,
    person_id: int | None,
    *,
    status: OutboxStatus = OutboxStatus.SENT,
    kind: ChannelKind = ChannelKind.IN_APP,
    items: list[tuple[int, ReminderReason, int]] = (),  # type: ignore[assignment]  # (task id, reason, days)
    subject: str = "提醒",
    address: str = "",
    channel_id: int | None = None,
    slot: str = "2026-11-28",
    attempts: int = 0,
    last_error: str = "",
    created_at: dt.datetime | None = None,
) -> OutboxMessage:
    """One message (and the tasks it is about), flushed; a unique key of its own."""
    now = utc_now()
    message = OutboxMessage(
        town_id=town_id, key=f"test:{person_id}:{kind.value}:{slot}:{next(_keys)}", slot=slot, person_id=person_id,
        channel_id=channel_id, channel_kind=kind, address=address, subject=subject, text=subject, status=status,
        attempts=attempts, next_attempt_at=now, last_error=last_error,
        sent_at=now if status is OutboxStatus.SENT else None,
    )  # fmt: skip
    if created_at is not None:
        message.created_at = created_at
    session.add(message)
    await session.flush()
    session.add_all(OutboxItem(message_id=message.id, task_id=task_id, reason=reason, days=days)
                    for task_id, reason, days in items)  # fmt: skip
    await session.flush()
    return message
