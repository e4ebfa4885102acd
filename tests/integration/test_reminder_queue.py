"""Queueing reminders on both engines: each recipient gets one digest per channel and slot (in-app
always, e-mail and robots where set), in their language; group robots get the escalations;
computing twice, or in two sessions at once, queues once; quiet hours and a dry run write nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import func, select

from tests.support.databases import run
from tests.support.factories import SmallTown, build_small_town
from tracker.db.models.accounts import Role, User
from tracker.db.models.reminders import ChannelKind, NotifyChannel, OutboxItem, OutboxMessage, ReminderReason
from tracker.db.models.roster import Person
from tracker.db.models.tasks import Assignment, Cadence, Task, WhoKind, WorkKind
from tracker.db.session import open_session
from tracker.domain.clock import due_instant
from tracker.domain.reminders.queue import queue_owed

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MORNING = dt.datetime(2027, 3, 10, 9, tzinfo=SHANGHAI)
BASE = "https://tracker.example.org"
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0123456789abcdef"


def _task(town: SmallTown, assignment: Assignment, person: Person, due_on: dt.date, title: str) -> Task:
    key = due_on.isoformat()
    return Task(town_id=town.town.id, assignment_id=assignment.id, person_id=person.id, place_id=None,
                slot=f"{person.id}:-:{key}:{title}", period_key=key, period_start=due_on, period_end=due_on,
                due_at=due_instant(due_on, "Asia/Shanghai"), title=title, kind=WorkKind.CUSTOM)  # fmt: skip


async def _build(session: Any) -> dict[str, int]:
    town = await build_small_town(session)
    assignment = Assignment(town_id=town.town.id, title="work", kind=WorkKind.CUSTOM, who_kind=WhoKind.PEOPLE,
                            who_person_ids=[], cadence=Cadence.ONCE, due_date=dt.date(2027, 3, 10))  # fmt: skip
    session.add(assignment)
    await session.flush()
    town.cadre.email = "cadre@example.org"
    soon = _task(town, assignment, town.cadre, dt.date(2027, 3, 13), "学习强国")
    today = _task(town, assignment, town.cadre, dt.date(2027, 3, 10), "理论学习")
    late = _task(town, assignment, town.cadre, dt.date(2027, 3, 7), "走访东村")
    quiet = _task(town, assignment, town.cadre, dt.date(2027, 3, 12), "not yet")  # 2 days before: nothing
    email = NotifyChannel(town_id=town.town.id, person_id=town.cadre.id, kind=ChannelKind.EMAIL)
    robot = NotifyChannel(town_id=town.town.id, kind=ChannelKind.WECOM, url=ROBOT, label="镇群")
    session.add_all([soon, today, late, quiet, email, robot])
    session.add(User(login="cadre", role=Role.MEMBER, town_id=town.town.id, person_id=town.cadre.id,
                     password_hash="x", locale="en"))  # fmt: skip
    await session.flush()
    return {"cadre": town.cadre.id, "official": town.official.id, "email": email.id, "robot": robot.id,
            "soon": soon.id, "today": today.id, "late": late.id}  # fmt: skip


async def _outbox(session: Any) -> dict[str, tuple[OutboxMessage, dict[int, ReminderReason]]]:
    messages = (await session.scalars(select(OutboxMessage))).all()
    items = (await session.scalars(select(OutboxItem))).all()
    return {m.key: (m, {i.task_id: i.reason for i in items if i.message_id == m.id}) for m in messages}


def test_it_queues_one_digest_per_recipient_and_channel_once(db: Any) -> None:
    ids = db(_build)
    first = db(lambda s: queue_owed(s, MORNING, base_url=BASE))
    again = db(lambda s: queue_owed(s, MORNING + dt.timedelta(hours=5), base_url=BASE))
    outbox = db(_outbox)

    cadre, official, slot = ids["cadre"], ids["official"], "2027-03-10"
    assert set(outbox) == {f"p{cadre}:in_app:{slot}", f"p{cadre}:c{ids['email']}:{slot}",
                           f"p{official}:in_app:{slot}", f"c{ids['robot']}:{slot}"}  # fmt: skip
    assert len(first) == 4 and again == []
    mail, items = outbox[f"p{cadre}:c{ids['email']}:{slot}"]
    assert mail.address == "cadre@example.org" and mail.channel_kind is ChannelKind.EMAIL
    assert items == {ids["soon"]: ReminderReason.BEFORE_DUE, ids["today"]: ReminderReason.DUE_TODAY,
                     ids["late"]: ReminderReason.OVERDUE}  # fmt: skip
    assert mail.subject == "3 tasks need you: overdue work"  # the cadre reads English
    assert (
        "走访东村" in mail.text
        and f"{BASE}/tasks/{ids['late']}" in mail.text
        and "3 days overdue" in mail.text
    )
    escalated, items = outbox[f"p{official}:in_app:{slot}"]
    assert items == {ids["late"]: ReminderReason.ESCALATED_SUPERVISOR}
    assert "逾期" in escalated.subject and "干部丁" in escalated.text  # no account: the town's language
    group, items = outbox[f"c{ids['robot']}:{slot}"]
    assert items == {ids["late"]: ReminderReason.ESCALATED_SUPERVISOR} and group.person_id is None
    assert "0123456789abcdef" not in group.address


def test_it_waits_for_the_morning_and_a_dry_run_writes_nothing(db: Any) -> None:
    db(_build)
    night = dt.datetime(2027, 3, 9, 22, 30, tzinfo=SHANGHAI)
    assert db(lambda s: queue_owed(s, night, base_url=BASE)) == []
    assert db(lambda s: queue_owed(s, night + dt.timedelta(hours=4), base_url=BASE)) == []  # 02:30
    would = db(lambda s: queue_owed(s, MORNING, base_url=BASE, dry_run=True))
    assert len(would) == 4
    assert db(lambda s: s.scalar(select(func.count()).select_from(OutboxMessage))) == 0


def test_it_queues_once_when_two_passes_run_at_the_same_moment(db: Any, db_url: str) -> None:
    db(_build)

    async def one_pass() -> int:
        async with open_session(db_url) as session:
            return len(await queue_owed(session, MORNING, base_url=BASE))

    async def both() -> list[int]:
        return list(await asyncio.gather(one_pass(), one_pass()))

    counts = run(both())
    assert sum(counts) == 4, counts
    assert db(lambda s: s.scalar(select(func.count()).select_from(OutboxMessage))) == 4
    assert db(lambda s: s.scalar(select(func.count()).select_from(OutboxItem))) == 3 + 3 + 1 + 1
