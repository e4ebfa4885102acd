"""Real `tracker worker` processes over one outbox, on both engines, with a real SMTP server on
loopback: two at once send each message exactly once and stop cleanly on SIGTERM; one killed with
SIGKILL in the middle of a send loses nothing (its claim runs out, another worker sends the message,
which may then arrive twice, and the attempt log shows the interrupted attempt)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import build_small_town
from tracker.db.models.reminders import (
    AttemptOutcome,
    ChannelKind,
    DeliveryAttempt,
    NotifyChannel,
    OutboxMessage,
    OutboxStatus,
)

TRACKER = str(Path(sys.executable).parent / "tracker")
READY = "sending reminders"
WAIT_SECONDS = 60


class SlowMailbox:
    """An SMTP sink that notes each mail's subject on arrival, then waits `delay` seconds, or while
    `held` is set, before it answers (the sender is still sending meanwhile)."""

    def __init__(self) -> None:
        self.subjects: list[str] = []
        self.delay = 0.0
        self.held = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for line in envelope.original_content.decode("ascii", "replace").splitlines():
            if line.startswith("Subject: "):
                self.subjects.append(line.removeprefix("Subject: "))
        await asyncio.sleep(self.delay)
        while self.held.is_set():
            await asyncio.sleep(0.02)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[SlowMailbox, int]]:
    box = SlowMailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        box.held.clear()
        controller.stop()


def queue_mails(db: Any, count: int) -> list[int]:
    """`count` e-mails queued for the cadre, subjects "reminder-1" … (ASCII: one line in the header)."""

    async def go(session: AsyncSession) -> list[int]:
        town = await build_small_town(session)
        channel = NotifyChannel(town_id=town.town.id, person_id=town.cadre.id, kind=ChannelKind.EMAIL)
        session.add(channel)
        await session.flush()
        now = dt.datetime.now(dt.UTC)
        messages = [
            OutboxMessage(
                town_id=town.town.id,
                key=f"p{town.cadre.id}:c{channel.id}:{n}",
                slot="2027-12-20",
                person_id=town.cadre.id,
                channel_id=channel.id,
                channel_kind=ChannelKind.EMAIL,
                address="ding@town.example.cn",
                subject=f"reminder-{n}",
                text=f"reminder {n}",
                next_attempt_at=now + dt.timedelta(microseconds=n),  # claimed in this order
            )
            for n in range(1, count + 1)
        ]
        session.add_all(messages)
        await session.flush()
        return [m.id for m in messages]

    return db(go)


def outbox(db: Any) -> tuple[dict[int, OutboxMessage], list[DeliveryAttempt]]:
    async def go(session: AsyncSession) -> tuple[dict[int, OutboxMessage], list[DeliveryAttempt]]:
        messages = {m.id: m for m in (await session.scalars(select(OutboxMessage))).all()}
        attempts = list((await session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))).all())
        return messages, attempts

    return db(go)


def wait_until(condition: Any, what: str, processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                pytest.fail(f"a worker stopped ({process.returncode}) before {what}: {log.read_text()}")
        time.sleep(0.05)
    pytest.fail(f"not within {WAIT_SECONDS} s: {what}; " + " | ".join(log.read_text() for log in logs))


@contextlib.contextmanager
def workers(
    count: int, db_url: str, smtp_port: int, tmp_path: Path, lease: float, name: str
) -> Iterator[Any]:
    """`count` `tracker worker` processes, started and ready (their start-up line printed); any still
    running at the end is killed by its pid."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "LITESTAR_"))}
    env.update(
        TRACKER_DATABASE_URL=db_url, TRACKER_DATA_DIR=str(tmp_path / "data"), TRACKER_DEFAULT_LOCALE="en",
        TRACKER_SECRET_KEY="test-secret-key-0123456789", TRACKER_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        TRACKER_SCHEDULER_INTERVAL_SECONDS="0.2", TRACKER_DISPATCH_LEASE_SECONDS=str(lease),
    )  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"{name}-{i}.log" for i in range(count)]
    try:
        for log in logs:
            with log.open("w") as out:
                processes.append(subprocess.Popen(
                    [TRACKER, "worker"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.STDOUT,
                ))  # fmt: skip
        wait_until(
            lambda: all(READY in log.read_text() for log in logs), "the workers are ready", processes, logs
        )
        yield processes, logs
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def stop_cleanly(processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process, log in zip(processes, logs, strict=True):
        assert process.wait(timeout=20) == 0, log.read_text()
        assert "Traceback" not in log.read_text()


def test_it_sends_each_message_once_with_two_workers_at_once(
    db_url: str, db: Any, tmp_path: Path, mailbox: tuple[SlowMailbox, int]
) -> None:
    box, port = mailbox
    box.delay = 0.05  # each send takes a while, so the two workers overlap
    with workers(2, db_url, port, tmp_path, lease=60, name="pair") as (processes, logs):
        ids = queue_mails(db, 40)

        def all_sent() -> bool:
            messages, _attempts = outbox(db)
            return all(m.status is OutboxStatus.SENT for m in messages.values())

        wait_until(all_sent, "all 40 messages are sent", processes, logs)
        stop_cleanly(processes, logs)

    assert Counter(box.subjects) == {f"reminder-{n}": 1 for n in range(1, 41)}
    messages, attempts = outbox(db)
    assert sorted(messages) == sorted(ids)
    assert all(m.attempts == 1 for m in messages.values())
    assert sorted(a.message_id for a in attempts) == sorted(ids)
    assert all(a.outcome is AttemptOutcome.SENT for a in attempts)
    pids = {int(a.worker.split(":")[1]) for a in attempts}
    assert pids == {p.pid for p in processes}, "both workers took part"


def test_it_loses_nothing_when_a_worker_is_killed_while_sending(
    db_url: str, db: Any, tmp_path: Path, mailbox: tuple[SlowMailbox, int]
) -> None:
    box, port = mailbox
    ids = queue_mails(db, 10)
    box.held.set()  # the first mail arrives and its sender waits for the answer ...
    with workers(1, db_url, port, tmp_path, lease=2, name="killed") as ([killed], logs):
        wait_until(lambda: len(box.subjects) == 1, "the first mail arrives", [killed], logs)
        killed.send_signal(signal.SIGKILL)  # ... and dies before it gets it
        assert killed.wait(timeout=10) == -signal.SIGKILL
    box.held.clear()

    with workers(1, db_url, port, tmp_path, lease=2, name="survivor") as (processes, logs):

        def all_sent() -> bool:
            messages, _attempts = outbox(db)
            return all(m.status is OutboxStatus.SENT for m in messages.values())

        wait_until(all_sent, "every message is sent", processes, logs)
        stop_cleanly(processes, logs)
    [survivor] = processes

    first = ids[0]
    assert Counter(box.subjects) == {"reminder-1": 2, **{f"reminder-{n}": 1 for n in range(2, 11)}}
    messages, attempts = outbox(db)
    assert messages[first].attempts == 2
    interrupted, resent = [a for a in attempts if a.message_id == first]
    assert f":{killed.pid}:" in interrupted.worker
    assert (interrupted.outcome, interrupted.finished_at) == (None, None)
    assert f":{survivor.pid}:" in resent.worker and resent.outcome is AttemptOutcome.SENT
    assert all(m.attempts == 1 for message_id, m in messages.items() if message_id != first)
