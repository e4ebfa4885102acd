"""Queueing what is owed: the scheduler's reminder job.

For every town outside its quiet hours, `queue_owed` loads the open tasks the policy may speak
of, asks the pure rule (`rules.due_reminders`, `rules.group_digests`) what each person and group
robot is owed in this sending slot, renders one message per recipient and channel in the
recipient's language (`messages`), and inserts it into the outbox with its unique key
(`p<person>:<channel>:<slot>` or `c<channel>:<slot>`): computing twice queues once, even from two
processes at the same moment (INSERT ... ON CONFLICT DO NOTHING). Every recipient gets an in-app
message; each of their active channels one more; group robots of a unit or the town the
escalations of the slot. The caller commits. With `dry_run` nothing is written and the messages
that would be new are returned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.db.models.accounts import Role, User
from tracker.db.models.reminders import (
    ChannelKind,
    NotifyChannel,
    OutboxItem,
    OutboxMessage,
    OutboxStatus,
    ReminderPolicy,
)
from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Task, TaskStatus
from tracker.domain.reminders.messages import TaskLine, render_digest, render_group
from tracker.domain.reminders.rules import (
    DEFAULT_POLICY,
    OwedItem,
    Policy,
    TaskFacts,
    due_day,
    due_reminders,
    group_digests,
    sending_slot,
)
from tracker.i18n import DEFAULT_LOCALE
from tracker.notify.deliver import DeliveryConfig
from tracker.notify.message import Message
from tracker.notify.urls import mask_url


@dataclass(frozen=True)
class QueuedMessage:
    key: str
    town_id: int
    person_id: int | None
    recipient: str  # a person's name or a robot's label
    channel_kind: ChannelKind
    address: str
    subject: str
    task_ids: tuple[int, ...] = field(default=())


def policy_of(row: ReminderPolicy | None, timezone: str) -> Policy:
    """A town's policy: its row, or the defaults, in the town's time zone."""
    if row is None:
        return Policy(timezone=timezone) if timezone != DEFAULT_POLICY.timezone else DEFAULT_POLICY
    return Policy(
        days_before=tuple(row.days_before or ()),
        on_due_day=row.on_due_day,
        overdue_every_days=row.overdue_every_days,
        escalate_supervisor_after_days=row.escalate_supervisor_after_days,
        escalate_secretary_after_days=row.escalate_secretary_after_days,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        timezone=timezone,
        enabled=row.enabled,
    )


def delivery_config(settings: Settings) -> DeliveryConfig:
    return DeliveryConfig(
        smtp=settings.smtp, mail_from=settings.mail_from, allow_http=settings.webhook_allow_http
    )


@dataclass
class _Town:
    """What one town's pass loaded."""

    town: Town
    people: dict[int, Person]
    locales: dict[int, str]
    channels: list[NotifyChannel]
    lines: dict[int, TaskLine]


@dataclass
class _Row:
    message: QueuedMessage
    rendered: Message
    items: Sequence[OwedItem]
    slot: str
    channel_id: int | None
    locale: str


async def queue_owed(
    session: AsyncSession, now: dt.datetime, *, base_url: str, dry_run: bool = False,
    default_locale: str = DEFAULT_LOCALE,
) -> list[QueuedMessage]:  # fmt: skip
    """Queue every message owed at `now` in every town; the ones newly queued (see module notes)."""
    policies = {p.town_id: p for p in (await session.scalars(select(ReminderPolicy))).all()}
    queued: list[QueuedMessage] = []
    for town in (await session.scalars(select(Town).order_by(Town.id))).all():
        policy = policy_of(policies.get(town.id), town.timezone)
        slot = sending_slot(policy, now)
        if slot is None or not policy.enabled:
            continue
        rows = await _owed_in_town(session, town, policy, now, slot, base_url, default_locale)
        queued.extend(await _insert(session, rows, now, dry_run=dry_run))
    return queued


async def _owed_in_town(
    session: AsyncSession,
    town: Town,
    policy: Policy,
    now: dt.datetime,
    slot: str,
    base_url: str,
    default_locale: str,
) -> list[_Row]:
    horizon = now + dt.timedelta(days=max(policy.days_before, default=0) + 2)
    tasks = (await session.execute(
        select(Task, Place.name)
        .outerjoin(Place, Place.id == Task.place_id)
        .where(Task.town_id == town.id, Task.status == TaskStatus.OPEN, Task.due_at <= horizon)
        .order_by(Task.due_at, Task.id)
    )).all()  # fmt: skip
    if not tasks:
        return []
    people = {p.id: p for p in (await session.scalars(select(Person).where(Person.town_id == town.id))).all()}
    users = (await session.execute(
        select(User.person_id, User.locale, User.role)
        .where(User.town_id == town.id, User.person_id.is_not(None), User.active.is_(True))
    )).all()  # fmt: skip
    locales = {pid: locale or default_locale for pid, locale, _role in users}
    secretaries = tuple(sorted({pid for pid, _locale, role in users if role is Role.SECRETARY}))
    facts = [
        TaskFacts(
            task.id,
            task.person_id,
            task.due_at,
            task.status,
            people[task.person_id].supervisor_id,
            secretaries,
        )
        for task, _place in tasks
        if task.person_id in people and people[task.person_id].active
    ]
    digests = due_reminders(policy, facts, now)
    if not digests:
        return []
    lines = {
        task.id: TaskLine(task.id, task.title, place or "", due_day(task.due_at, town.timezone),
                          people[task.person_id].name)
        for task, place in tasks
        if task.person_id in people
    }  # fmt: skip
    channels = list((await session.scalars(
        select(NotifyChannel).where(NotifyChannel.town_id == town.id, NotifyChannel.active.is_(True))
        .order_by(NotifyChannel.id)
    )).all())  # fmt: skip
    loaded = _Town(town, people, locales, channels, lines)
    rows: list[_Row] = []
    for digest in digests:
        rows.extend(
            _person_rows(loaded, digest.recipient_person_id, digest.items, slot, base_url, default_locale)
        )
    unit_of = {pid: person.unit_id for pid, person in people.items()}
    for group in group_digests(digests, unit_of):
        rows.extend(_group_rows(loaded, group.unit_id, group.items, slot, base_url, default_locale))
    return rows


def _person_rows(
    town: _Town, person_id: int, items: Sequence[OwedItem], slot: str, base_url: str, default_locale: str
) -> list[_Row]:
    person = town.people.get(person_id)
    if person is None or not person.active:
        return []
    locale = town.locales.get(person_id, default_locale)
    message = render_digest(items, town.lines, locale, base_url, own_person_id=person_id)
    task_ids = tuple(i.task_id for i in items)
    targets: list[tuple[ChannelKind, NotifyChannel | None, str, str]] = [
        (ChannelKind.IN_APP, None, "", f"p{person_id}:in_app:{slot}")
    ]
    for channel in town.channels:
        if channel.person_id != person_id:
            continue
        if channel.kind is ChannelKind.EMAIL:
            if person.email:
                targets.append((channel.kind, channel, person.email, f"p{person_id}:c{channel.id}:{slot}"))
        elif channel.url:
            targets.append(
                (channel.kind, channel, mask_url(channel.url), f"p{person_id}:c{channel.id}:{slot}")
            )
    return [
        _Row(QueuedMessage(key, town.town.id, person_id, person.name, kind, address, message.subject, task_ids),
             message, items, slot, channel.id if channel else None, locale)
        for kind, channel, address, key in targets
    ]  # fmt: skip


def _group_rows(
    town: _Town, unit_id: int | None, items: Sequence[OwedItem], slot: str, base_url: str, default_locale: str
) -> list[_Row]:
    robots = [
        c for c in town.channels
        if c.person_id is None and c.unit_id == unit_id and c.kind is not ChannelKind.EMAIL and c.url
    ]  # fmt: skip
    if not robots:
        return []
    mobiles = {pid: p.phone for pid, p in town.people.items() if p.phone}
    message = render_group(items, town.lines, default_locale, base_url, mobiles=mobiles)
    task_ids = tuple(i.task_id for i in items)
    return [
        _Row(QueuedMessage(f"c{c.id}:{slot}", town.town.id, None, c.label or c.kind.value, c.kind,
                           mask_url(c.url or ""), message.subject, task_ids),
             message, items, slot, c.id, default_locale)
        for c in robots
    ]  # fmt: skip


async def _insert(
    session: AsyncSession, rows: list[_Row], now: dt.datetime, *, dry_run: bool
) -> list[QueuedMessage]:
    """Insert the rows whose key is new; their messages. Dry run: only look."""
    if not rows:
        return []
    keys = [row.message.key for row in rows]
    existing = set(
        (await session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys)))).all()
    )
    fresh = [row for row in rows if row.message.key not in existing]
    if dry_run or not fresh:
        return [row.message for row in fresh]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    queued: list[QueuedMessage] = []
    items_by_message: dict[int, Sequence[OwedItem]] = defaultdict(tuple)
    for row in fresh:
        m = row.message
        values = {
            "town_id": m.town_id, "key": m.key, "slot": row.slot, "person_id": m.person_id,
            "channel_id": row.channel_id, "channel_kind": m.channel_kind, "address": m.address,
            "locale": row.locale, "subject": row.rendered.subject, "text": row.rendered.text,
            "html": row.rendered.html, "markdown": row.rendered.markdown, "mentions": list(row.rendered.mentions),
            "status": OutboxStatus.QUEUED, "attempts": 0, "next_attempt_at": now, "last_error": "",
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
        message_id = await session.scalar(statement.returning(OutboxMessage.id))
        if message_id is None:
            continue  # another process queued it a moment ago
        items_by_message[message_id] = row.items
        queued.append(m)
    session.add_all(
        OutboxItem(message_id=message_id, task_id=item.task_id, reason=item.reason, days=item.days)
        for message_id, items in items_by_message.items()
        for item in {i.task_id: i for i in items}.values()
    )
    await session.flush()
    return queued
