"""`tracker remind` on the demo town, on both engines: at 20 December 2027 it makes January 2028's
tasks and mails the demo people at their example.org addresses through a real SMTP server on
loopback; run again at the same moment it creates and queues nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from tests.support.reminder_outbox import Mailbox, mailbox_fixture  # noqa: F401  (the fixture)
from tracker.cli.reminders import remind_command
from tracker.config import SmtpConfig
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Task
from tracker.demo.town import DEMO_TOWN_CODE, load_demo
from tracker.demo.work import load_demo_work

DEMO_DAY = dt.datetime(2026, 11, 28, 8, tzinfo=dt.UTC)
NOW = "2027-12-20T09:00:00+08:00"


async def demo(session: Any) -> None:
    await load_demo(session, DEMO_DAY.date())
    town = (await session.scalars(select(Town).where(Town.code == DEMO_TOWN_CODE))).one()
    await load_demo_work(session, town, DEMO_DAY)


def test_it_plans_january_and_mails_example_org_once(
    db: Any, db_url: str, tmp_path: Path, mailbox: tuple[Mailbox, SmtpConfig]
) -> None:
    box, smtp = mailbox
    db(demo)
    january = select(func.count()).select_from(Task).where(Task.period_key.like("2028-%"))
    assert db(lambda s: s.scalar(january)) == 0
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path), "TRACKER_DEFAULT_LOCALE": "en",
           "TRACKER_SMTP_URL": f"smtp://{smtp.host}:{smtp.port}", "TRACKER_MAIL_FROM": "tracker@example.org"}  # fmt: skip

    first = CliRunner().invoke(remind_command, ["--now", NOW], env=env, catch_exceptions=False)
    total = db(lambda s: s.scalar(select(func.count()).select_from(Task)))
    again = CliRunner().invoke(remind_command, ["--now", NOW], env=env, catch_exceptions=False)

    assert first.exit_code == 0, first.output
    created = int(first.stdout.splitlines()[0].removeprefix("tasks created "))
    assert created > 0 and db(lambda s: s.scalar(january)) > 0
    queued, sent, failed = (int(part.split()[1]) for part in first.stdout.splitlines()[-1].split(", "))
    assert queued > 0 and failed == 0 and sent == queued  # e-mail and in-app, all delivered
    mailed = [to for recipients, _subject in box.mails for to in recipients]
    assert mailed and all(to.endswith("@example.org") for to in mailed)
    assert len(mailed) == len(set(mailed))  # one digest per person
    assert again.stdout.splitlines() == ["tasks created 0", "queued 0, sent 0, failed 0"]
    assert db(lambda s: s.scalar(select(func.count()).select_from(Task))) == total
    assert len(box.mails) == len(mailed)
