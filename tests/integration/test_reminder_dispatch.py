"""Sending the outbox (domain/reminders/dispatch.py), step by step on both engines, against a real SMTP
server (aiosmtpd) and a webhook receiver on loopback: the step's boolean asserted, healthchecks style
(hc/api/tests/test_sendalerts.py). Messages are queued by hand; a movable clock stands in for time.
Claims and resending: test_reminder_dispatch_claims.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, update

from tests.support.reminder_outbox import (  # noqa: F401
    T0,
    Clock,
    Outbox,
    Receiver,
    config_for,
    mailbox_fixture,
    outbox_fixture,
    receiver_fixture,
)
from tracker.db.models.reminders import AttemptOutcome, ChannelKind, NotifyChannel, OutboxStatus
from tracker.domain.reminders.dispatch import DispatchCounts, claim_one, dispatch_all, dispatch_one
from tracker.domain.reminders.rules import RETRY_DELAYS

LEASE = dt.timedelta(minutes=5)


# -- sending --------------------------------------------------------------------------------------


async def test_it_sends_an_email_once_and_records_the_attempt(outbox: Outbox, mailbox: Any) -> None:
    box, smtp = mailbox
    channel = await outbox.channel(ChannelKind.EMAIL)
    message_id = await outbox.queue(ChannelKind.EMAIL, channel, "ding@town.example.cn")

    assert await dispatch_one(outbox.maker, config_for(smtp), worker="w1", now=Clock()) is True
    assert await dispatch_one(outbox.maker, config_for(smtp), worker="w1", now=Clock()) is False

    assert box.mails == [(["ding@town.example.cn"], "提醒 1")]
    message = await outbox.message(message_id)
    assert (message.status, message.attempts, message.sent_at, message.claimed_until) == (
        OutboxStatus.SENT, 1, T0, None,
    )  # fmt: skip
    [attempt] = await outbox.attempts(message_id)
    assert (attempt.worker, attempt.outcome, attempt.started_at, attempt.finished_at) == (
        "w1", AttemptOutcome.SENT, T0, T0,
    )  # fmt: skip
    assert "queued as 7C1D" in attempt.detail


async def test_it_returns_false_when_nothing_is_claimable(outbox: Outbox) -> None:
    config = config_for()
    assert await dispatch_one(outbox.maker, config, worker="w", now=Clock()) is False
    await outbox.queue(ChannelKind.IN_APP, next_attempt_at=T0 + dt.timedelta(minutes=1))  # not yet due
    await outbox.queue(ChannelKind.IN_APP, status=OutboxStatus.SENDING, claimed_until=T0 + LEASE)  # held
    await outbox.queue(ChannelKind.IN_APP, status=OutboxStatus.SENT)
    await outbox.queue(ChannelKind.IN_APP, status=OutboxStatus.FAILED)
    assert await dispatch_one(outbox.maker, config, worker="w", now=Clock()) is False
    assert await claim_one(outbox.maker, T0, worker="w") is None
    assert (
        await dispatch_one(outbox.maker, config, worker="w", now=Clock(T0 + dt.timedelta(minutes=1))) is True
    )


async def test_it_marks_in_app_messages_sent_without_a_transport(outbox: Outbox) -> None:
    message_id = await outbox.queue(ChannelKind.IN_APP)
    assert await dispatch_one(outbox.maker, config_for(), worker="w", now=Clock()) is True
    assert (await outbox.message(message_id)).status is OutboxStatus.SENT
    [attempt] = await outbox.attempts(message_id)
    assert (attempt.outcome, attempt.detail) == (AttemptOutcome.SENT, "in-app")


async def test_it_requeues_a_temporary_failure_later_each_time(outbox: Outbox, receiver: Receiver) -> None:
    receiver.answer(500, 503, 200)
    message_id = await outbox.queue(
        ChannelKind.WEBHOOK, await outbox.channel(ChannelKind.WEBHOOK, receiver.url)
    )
    clock, config = Clock(), config_for()

    assert await dispatch_one(outbox.maker, config, worker="w", now=clock) is True
    first = await outbox.message(message_id)
    assert (first.status, first.attempts, first.next_attempt_at) == (
        OutboxStatus.QUEUED,
        1,
        T0 + RETRY_DELAYS[0],
    )
    assert "500" in first.last_error

    assert await dispatch_one(outbox.maker, config, worker="w", now=clock) is False  # not due yet
    clock.advance(RETRY_DELAYS[0])
    assert await dispatch_one(outbox.maker, config, worker="w", now=clock) is True
    second = await outbox.message(message_id)
    assert (second.status, second.attempts) == (OutboxStatus.QUEUED, 2)
    assert second.next_attempt_at == clock.now + RETRY_DELAYS[1]
    assert RETRY_DELAYS[1] > RETRY_DELAYS[0]
    assert "503" in second.last_error

    clock.advance(RETRY_DELAYS[1])
    assert await dispatch_one(outbox.maker, config, worker="w", now=clock) is True
    sent = await outbox.message(message_id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error) == (
        OutboxStatus.SENT,
        3,
        clock.now,
        "",
    )
    outcomes = [a.outcome for a in await outbox.attempts(message_id)]
    assert outcomes == [AttemptOutcome.TEMPORARY, AttemptOutcome.TEMPORARY, AttemptOutcome.SENT]
    assert len(receiver.bodies) == 3


async def test_it_gives_up_after_the_last_retry(outbox: Outbox, receiver: Receiver) -> None:
    receiver.answer(500)
    channel = await outbox.channel(ChannelKind.WEBHOOK, receiver.url)
    message_id = await outbox.queue(ChannelKind.WEBHOOK, channel, attempts=len(RETRY_DELAYS))
    assert await dispatch_one(outbox.maker, config_for(), worker="w", now=Clock()) is True
    message = await outbox.message(message_id)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, len(RETRY_DELAYS) + 1)
    assert "500" in message.last_error
    assert [a.outcome for a in await outbox.attempts(message_id)] == [AttemptOutcome.TEMPORARY]


async def test_it_marks_a_permanent_failure_failed(outbox: Outbox, receiver: Receiver, mailbox: Any) -> None:
    box, smtp = mailbox
    receiver.answer(404)
    hook = await outbox.queue(ChannelKind.WEBHOOK, await outbox.channel(ChannelKind.WEBHOOK, receiver.url))
    box.refuse.add("nobody@town.example.cn")
    mail = await outbox.queue(
        ChannelKind.EMAIL, await outbox.channel(ChannelKind.EMAIL), "nobody@town.example.cn"
    )

    counts = await dispatch_all(outbox.maker, config_for(smtp), worker="w", now=Clock())

    assert counts == DispatchCounts(sent=0, failed=2, retried=0)
    for message_id, answer in ((hook, "404"), (mail, "550")):
        message = await outbox.message(message_id)
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
        assert answer in message.last_error
        [attempt] = await outbox.attempts(message_id)
        assert attempt.outcome is AttemptOutcome.PERMANENT and answer in attempt.detail
    assert box.mails == []
    assert await dispatch_one(outbox.maker, config_for(smtp), worker="w", now=Clock()) is False


async def test_it_counts_what_dispatch_all_did(outbox: Outbox, receiver: Receiver, mailbox: Any) -> None:
    _box, smtp = mailbox
    receiver.answer(503)
    await outbox.queue(ChannelKind.IN_APP)
    await outbox.queue(ChannelKind.EMAIL, await outbox.channel(ChannelKind.EMAIL), "ding@town.example.cn")
    await outbox.queue(ChannelKind.WEBHOOK, await outbox.channel(ChannelKind.WEBHOOK, receiver.url))
    counts = await dispatch_all(outbox.maker, config_for(smtp), worker="w", now=Clock())
    assert counts == DispatchCounts(sent=2, failed=0, retried=1)
    assert (
        await dispatch_all(outbox.maker, config_for(smtp), worker="w", now=Clock(), limit=0)
        == DispatchCounts()
    )


async def test_it_fails_a_message_whose_channel_was_removed_or_turned_off(
    outbox: Outbox, receiver: Receiver
) -> None:
    removed = await outbox.channel(ChannelKind.WEBHOOK, receiver.url)
    off = await outbox.channel(ChannelKind.WEBHOOK, receiver.url)
    first = await outbox.queue(ChannelKind.WEBHOOK, removed)
    second = await outbox.queue(ChannelKind.WEBHOOK, off)
    async with outbox.maker() as session, session.begin():
        await session.execute(delete(NotifyChannel).where(NotifyChannel.id == removed))
        await session.execute(update(NotifyChannel).where(NotifyChannel.id == off).values(active=False))

    assert await dispatch_all(outbox.maker, config_for(), worker="w", now=Clock()) == DispatchCounts(failed=2)
    for message_id in (first, second):
        message = await outbox.message(message_id)
        assert (message.status, message.last_error) == (OutboxStatus.FAILED, "The channel was removed")
    assert receiver.bodies == []
