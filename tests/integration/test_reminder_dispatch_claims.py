"""Claims on the outbox (domain/reminders/dispatch.py) on both engines: a dead dispatcher's message
is claimed again, a late finisher can't overwrite a newer attempt, a message interrupted again and
again is given up, no message is claimed twice; and a failed message resent."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

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
from tracker.db.models.reminders import AttemptOutcome, ChannelKind, OutboxStatus
from tracker.domain.reminders.dispatch import MAX_INTERRUPTED, claim_one, dispatch_one, resend

LEASE = dt.timedelta(minutes=5)


# -- claims ---------------------------------------------------------------------------------------


async def test_it_claims_again_a_message_whose_dispatcher_died(outbox: Outbox, mailbox: Any) -> None:
    box, smtp = mailbox
    message_id = await outbox.queue(
        ChannelKind.EMAIL, await outbox.channel(ChannelKind.EMAIL), "ding@town.example.cn"
    )
    # a dispatcher claims it and dies before it finishes
    assert await claim_one(outbox.maker, T0, worker="dead", lease=LEASE) == message_id
    clock = Clock(T0 + LEASE - dt.timedelta(seconds=1))

    assert await dispatch_one(outbox.maker, config_for(smtp), worker="alive", now=clock) is False, (
        "still held"
    )
    clock.advance(dt.timedelta(seconds=2))
    assert await dispatch_one(outbox.maker, config_for(smtp), worker="alive", now=clock) is True

    assert len(box.mails) == 1
    message = await outbox.message(message_id)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    interrupted, sent = await outbox.attempts(message_id)
    assert (interrupted.worker, interrupted.outcome, interrupted.finished_at) == ("dead", None, None)
    assert (sent.worker, sent.outcome) == ("alive", AttemptOutcome.SENT)


async def test_it_never_lets_a_late_finisher_overwrite_a_newer_attempt(
    outbox: Outbox, receiver: Receiver
) -> None:
    receiver.answer("hang", 200)
    message_id = await outbox.queue(
        ChannelKind.WEBHOOK, await outbox.channel(ChannelKind.WEBHOOK, receiver.url)
    )
    clock, config = Clock(), config_for()
    slow = asyncio.create_task(dispatch_one(outbox.maker, config, worker="slow", now=clock, lease=LEASE))
    for _ in range(200):
        if receiver.bodies:
            break
        await asyncio.sleep(0.02)
    clock.advance(LEASE + dt.timedelta(seconds=1))  # the slow one's claim has run out

    assert await dispatch_one(outbox.maker, config, worker="fast", now=clock) is True
    receiver.release.set()  # the slow one's request now ends with no answer: a temporary failure
    assert await slow is True

    message = await outbox.message(message_id)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")
    first, second = await outbox.attempts(message_id)
    assert (first.worker, first.outcome) == ("slow", AttemptOutcome.TEMPORARY)
    assert first.finished_at is not None
    assert (second.worker, second.outcome) == ("fast", AttemptOutcome.SENT)


async def test_it_gives_up_a_message_interrupted_again_and_again(outbox: Outbox) -> None:
    message_id = await outbox.queue(ChannelKind.IN_APP)
    now = T0
    for _ in range(MAX_INTERRUPTED):
        assert await claim_one(outbox.maker, now, worker="crashing", lease=LEASE) == message_id
        now += LEASE + dt.timedelta(seconds=1)
    assert await dispatch_one(outbox.maker, config_for(), worker="w", now=Clock(now)) is True
    message = await outbox.message(message_id)
    assert message.status is OutboxStatus.FAILED
    assert f"interrupted {MAX_INTERRUPTED} times" in message.last_error

    async with outbox.maker() as session, session.begin():  # the secretary resends it: it goes out
        assert await resend(session, message_id, now) is True
    assert await dispatch_one(outbox.maker, config_for(), worker="w", now=Clock(now)) is True
    assert (await outbox.message(message_id)).status is OutboxStatus.SENT


async def test_it_never_claims_one_message_twice(outbox: Outbox) -> None:
    queued = {await outbox.queue(ChannelKind.IN_APP) for _ in range(12)}
    claims = await asyncio.gather(*(claim_one(outbox.maker, T0, worker=f"w{i}") for i in range(20)))
    claimed = [message_id for message_id in claims if message_id is not None]
    assert sorted(claimed) == sorted(queued)
    for message_id in queued:
        assert len(await outbox.attempts(message_id)) == 1


# -- resending ------------------------------------------------------------------------------------


async def test_it_resends_a_failed_message_keeping_its_attempts(outbox: Outbox) -> None:
    failed = await outbox.queue(ChannelKind.IN_APP, status=OutboxStatus.FAILED, attempts=3, last_error="550")
    sent = await outbox.queue(ChannelKind.IN_APP, status=OutboxStatus.SENT, attempts=1)
    later = T0 + dt.timedelta(days=1)
    async with outbox.maker() as session, session.begin():
        assert await resend(session, failed, later) is True
        assert await resend(session, failed, later) is False  # already queued again
        assert await resend(session, sent, later) is False
    message = await outbox.message(failed)
    assert (message.status, message.attempts, message.next_attempt_at) == (OutboxStatus.QUEUED, 3, later)
    assert (await outbox.message(sent)).status is OutboxStatus.SENT
