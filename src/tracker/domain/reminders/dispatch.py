"""Sending the outbox: claim one message, deliver it outside any transaction, record what happened.

The shape of healthchecks' `sendalerts` (`process_one_flip`): each step claims one row with a
conditional update and returns whether there was work; a loop (`dispatch_all`, the scheduler)
goes round it. Any number of dispatchers may run at once, in one process or many:

- A claim is ONE short transaction: the oldest claimable message (QUEUED and due, or SENDING whose
  claim has run out: its dispatcher died) becomes SENDING until `now + lease`, its `attempts` goes
  up by one and a DeliveryAttempt (outcome None) is written. On PostgreSQL the candidate is
  selected `FOR UPDATE SKIP LOCKED`; on SQLite the single `UPDATE ... WHERE id = (SELECT ...)`
  runs under the database's one write lock. Two dispatchers never claim the same row.
- The channel is called with no transaction open (a slow SMTP server holds no lock).
- The outcome is recorded in one transaction, on the message only while this attempt still holds
  it (status SENDING and the same `attempts`), so a dispatcher that outlived its lease can't
  overwrite a newer attempt's result; its own attempt row is finished in every case.
- An attempt that never finished (outcome None) was interrupted. A message may then have gone out
  and go out again: at least once, never silently lost. After MAX_INTERRUPTED interruptions in a row
  the message is given up (a message that kills its dispatcher would otherwise kill every one); a
  resend by the secretary gives it another try.

Public API
- `claim_one(session_maker, now, *, worker, lease) -> int | None`
- `dispatch_one(session_maker, config, *, worker, now, lease) -> bool`
- `dispatch_all(session_maker, config, *, worker, now, limit, lease, stop) -> DispatchCounts`
- `resend(session, message_id, now) -> bool`: a failed message queued again (the outbox page).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tracker.db.models.reminders import (
    AttemptOutcome,
    ChannelKind,
    DeliveryAttempt,
    NotifyChannel,
    OutboxItem,
    OutboxMessage,
    OutboxStatus,
)
from tracker.domain.reminders.rules import retry_delay
from tracker.i18n import _
from tracker.notify.deliver import DeliveryConfig, Target, deliver
from tracker.notify.errors import TransportError
from tracker.notify.message import Message

logger = logging.getLogger(__name__)

SessionMaker = async_sessionmaker[AsyncSession]
DEFAULT_LEASE = dt.timedelta(minutes=5)  # longer than any one delivery may take (DeliveryConfig.timeout)
MAX_INTERRUPTED = 3  # attempts in a row that never finished: the message is given up
DETAIL_CHARS = 1000


class StopSignal(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Claim:
    message_id: int
    attempts: int  # the message's attempts, this one included
    attempt_id: int


@dataclass
class DispatchCounts:
    sent: int = 0
    failed: int = 0  # given up: permanent failure, or out of retries
    retried: int = 0  # a temporary failure, queued again for later


@dataclass(frozen=True)
class Outcome:
    status: OutboxStatus  # the message's new status
    attempt: AttemptOutcome
    detail: str
    next_attempt_at: dt.datetime | None = None


def _claimable(now: dt.datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )


async def claim(
    session_maker: SessionMaker, now: dt.datetime, *, worker: str, lease: dt.timedelta
) -> Claim | None:
    """Claim the oldest claimable message for one attempt (see the module's notes); None if none is."""
    async with session_maker() as session, session.begin():
        candidate = (
            select(OutboxMessage.id)
            .where(_claimable(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        )
        if session.bind.dialect.name == "postgresql":
            candidate = candidate.with_for_update(skip_locked=True)
        claimed = (
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == candidate.scalar_subquery(), _claimable(now))
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_until=now + lease,
                    attempts=OutboxMessage.attempts + 1,
                    updated_at=now,
                )
                .returning(OutboxMessage.id, OutboxMessage.attempts)
                .execution_options(synchronize_session=False)
            )
        ).first()
        if claimed is None:
            return None
        attempt = DeliveryAttempt(message_id=claimed.id, worker=worker[:100], started_at=now)
        session.add(attempt)
        await session.flush()
        return Claim(claimed.id, claimed.attempts, attempt.id)


async def claim_one(
    session_maker: SessionMaker, now: dt.datetime, *, worker: str, lease: dt.timedelta = DEFAULT_LEASE
) -> int | None:
    """The id of the message this worker now holds until `now + lease`, or None if nothing is claimable."""
    claimed = await claim(session_maker, now, worker=worker, lease=lease)
    return claimed.message_id if claimed else None


@dataclass(frozen=True)
class Prepared:
    """What a claimed message needs to go out, read before the send; `refused`: don't send, finish so."""

    target: Target
    message: Message
    extra: dict[str, Any]
    refused: Outcome | None = None


async def _prepare(session_maker: SessionMaker, claimed: Claim, now: dt.datetime) -> Prepared:
    async with session_maker() as session:
        row = await session.get_one(OutboxMessage, claimed.message_id)
        channel = await session.get(NotifyChannel, row.channel_id) if row.channel_id is not None else None
        task_ids = (
            await session.scalars(
                select(OutboxItem.task_id).where(OutboxItem.message_id == row.id).order_by(OutboxItem.task_id)
            )
        ).all()
        recent = (
            await session.scalars(
                select(DeliveryAttempt.outcome)
                .where(DeliveryAttempt.message_id == row.id, DeliveryAttempt.id != claimed.attempt_id)
                .order_by(DeliveryAttempt.id.desc())
                .limit(MAX_INTERRUPTED)
            )
        ).all()
    interrupted = len(recent) if len(recent) == MAX_INTERRUPTED and all(o is None for o in recent) else 0
    target = Target(
        kind=row.channel_kind,
        address=row.address if row.channel_kind is ChannelKind.EMAIL else "",
        url=channel.url if channel else None,
        secret=channel.secret if channel else None,
    )
    message = Message(
        subject=row.subject,
        text=row.text,
        html=row.html,
        markdown=row.markdown,
        mentions=tuple(row.mentions or ()),
    )
    extra = {"message_id": row.id, "key": row.key, "slot": row.slot, "task_ids": list(task_ids)}
    refused = None
    if row.channel_kind is not ChannelKind.IN_APP and (channel is None or not channel.active):
        refused = Outcome(OutboxStatus.FAILED, AttemptOutcome.PERMANENT, _("The channel was removed"))
    elif interrupted:
        detail = _("Given up: sending was interrupted %(count)d times", count=interrupted)
        refused = Outcome(OutboxStatus.FAILED, AttemptOutcome.PERMANENT, detail)
    return Prepared(target, message, extra, refused)


async def _send(prepared: Prepared, config: DeliveryConfig, claimed: Claim, now: dt.datetime) -> Outcome:
    """Deliver (no transaction is open here) and say what the message becomes."""
    if prepared.refused is not None:
        return prepared.refused
    try:
        answer = await deliver(prepared.target, prepared.message, config, extra=prepared.extra)
    except TransportError as error:
        permanent = error.permanent
        detail = error.message
    except Exception as error:  # a transport's bug must not leave the message claimed until the lease ends
        logger.exception("delivering outbox message %s failed unexpectedly", claimed.message_id)
        permanent = False
        detail = f"{type(error).__name__}: {error}"
    else:
        return Outcome(OutboxStatus.SENT, AttemptOutcome.SENT, answer)
    delay = None if permanent else retry_delay(claimed.attempts)
    if delay is None:
        return Outcome(
            OutboxStatus.FAILED, AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TEMPORARY, detail
        )
    return Outcome(OutboxStatus.QUEUED, AttemptOutcome.TEMPORARY, detail, now + delay)


async def _finish(session_maker: SessionMaker, claimed: Claim, outcome: Outcome, now: dt.datetime) -> bool:
    """Record the outcome; False if the message was no longer this attempt's (its lease ran out)."""
    detail = outcome.detail[:DETAIL_CHARS]
    values: dict[str, Any] = {"status": outcome.status, "claimed_until": None, "updated_at": now}
    if outcome.status is OutboxStatus.SENT:
        values.update(sent_at=now, last_error="")
    else:
        values["last_error"] = detail
    if outcome.next_attempt_at is not None:
        values["next_attempt_at"] = outcome.next_attempt_at
    async with session_maker() as session, session.begin():
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claimed.message_id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.attempts == claimed.attempts,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.id == claimed.attempt_id)
            .values(finished_at=now, outcome=outcome.attempt, detail=detail, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


async def _dispatch(
    session_maker: SessionMaker,
    config: DeliveryConfig,
    *,
    worker: str,
    now: Callable[[], dt.datetime],
    lease: dt.timedelta,
) -> Outcome | None:
    claimed = await claim(session_maker, now(), worker=worker, lease=lease)
    if claimed is None:
        return None
    prepared = await _prepare(session_maker, claimed, now())
    outcome = await _send(prepared, config, claimed, now())
    if not await _finish(session_maker, claimed, outcome, now()):
        logger.warning(
            "outbox message %s: the claim ran out before the send ended; outcome %s kept on the attempt only",
            claimed.message_id,
            outcome.attempt.value,
        )
    return outcome


async def dispatch_one(
    session_maker: SessionMaker,
    config: DeliveryConfig,
    *,
    worker: str,
    now: Callable[[], dt.datetime],
    lease: dt.timedelta = DEFAULT_LEASE,
) -> bool:
    """Claim, deliver and record one message; False when nothing was claimable (healthchecks' shape)."""
    return await _dispatch(session_maker, config, worker=worker, now=now, lease=lease) is not None


async def dispatch_all(
    session_maker: SessionMaker,
    config: DeliveryConfig,
    *,
    worker: str,
    now: Callable[[], dt.datetime],
    limit: int = 500,
    lease: dt.timedelta = DEFAULT_LEASE,
    stop: StopSignal | None = None,
) -> DispatchCounts:
    """`dispatch_one` until nothing is claimable, `limit` messages were handled or `stop` is set."""
    counts = DispatchCounts()
    for _index in range(limit):
        if stop is not None and stop.is_set():
            break
        outcome = await _dispatch(session_maker, config, worker=worker, now=now, lease=lease)
        if outcome is None:
            break
        if outcome.status is OutboxStatus.SENT:
            counts.sent += 1
        elif outcome.status is OutboxStatus.FAILED:
            counts.failed += 1
        else:
            counts.retried += 1
    return counts


async def resend(session: AsyncSession, message_id: int, now: dt.datetime) -> bool:
    """A FAILED message queued again for `now` (attempts kept, so a retry budget is not reset);
    False if it is not failed (already queued again, or sent). The caller checks access and commits."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.QUEUED, next_attempt_at=now, claimed_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
