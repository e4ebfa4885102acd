"""Correcting, withdrawing and sending back records (issue 12, item 7), through the pages, on SQLite and
PostgreSQL: the author corrects and withdraws on the day it was filed (not after); a supervisor or the
secretary sends back with a reason (none: a field message, nothing changed), the task opens again and
its author is told in the app and on their channel, and sees it on 我的任务; every step is audited and
on the task page; a finalised year's record is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text

from tests.support.personas import form_post, sign_in
from tests.support.work_pages import ENGLISH, build_work
from tracker.db.models.audit import AuditEntry
from tracker.db.models.record_changes import RecordChange, RecordChangeKind
from tracker.db.models.reminders import ChannelKind, NotifyChannel, OutboxMessage
from tracker.db.models.review import FinalisedYear
from tracker.db.models.tasks import Record, Task, TaskStatus
from tracker.domain.clock import local_date, utc_now
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import RecordIn

VISIT = {"people_met": "村支书王某", "issues_raised": "道路维修"}


def _today() -> dt.date:
    return local_date(utc_now(), "Asia/Shanghai")


def file_visit(db: Any, work: Any, task_id: int, key: str) -> int:
    async def make(session: Any) -> int:
        records = RecordService(session, None, "/tmp", 1024)
        data = RecordIn(client_key=key, occurred_on=_today(), fields=VISIT)
        return (await records.create(None, data, utc_now(), task_id=task_id)).record.id

    return db(make)


def state(db: Any, task_id: int) -> tuple[Task, list[Record], list[RecordChange]]:
    async def read(session: Any) -> tuple[Task, list[Record], list[RecordChange]]:
        task = await session.get(Task, task_id)
        records = (await session.scalars(select(Record).where(Record.task_id == task_id))).all()
        changes = (await session.scalars(select(RecordChange).where(RecordChange.task_id == task_id))).all()
        return task, list(records), list(changes)

    return db(read)


def audit_actions(db: Any) -> list[str]:
    async def read(session: Any) -> list[str]:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())

    return db(read)


def test_it_lets_the_author_correct_and_withdraw_a_record_only_on_the_day_it_was_filed(client, db) -> None:
    work = db(build_work)
    record_id = file_visit(db, work, work.overdue, "correct-me-1")
    assert state(db, work.overdue)[0].status is TaskStatus.DONE

    sign_in(client, "secretary")  # not the author: no correcting (the secretary sends back instead)
    assert client.get(f"/records/{record_id}/correct", headers=ENGLISH).status_code == 403
    task_page = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert "Send back" in task_page and f"/records/{record_id}/correct" not in task_page
    client.cookies.clear()

    sign_in(client, "cadre")
    assert f"/records/{record_id}/correct" in client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    page = client.get(f"/records/{record_id}/correct", headers=ENGLISH)
    assert page.status_code == 200 and "道路维修" in page.text
    day = _today().isoformat()
    refused = form_post(client, f"/records/{record_id}/correct", {"occurred_on": day, "f_people_met": "", "f_issues_raised": ""},
                        headers=ENGLISH)  # fmt: skip
    assert refused.status_code == 400 and 'class="field-error"' in refused.text
    assert state(db, work.overdue)[1][0].fields["issues_raised"] == "道路维修"  # nothing changed
    saved = form_post(client, f"/records/{record_id}/correct",
                      {"occurred_on": day, "f_people_met": "村支书王某、会计李某", "f_issues_raised": "路灯不亮"},
                      headers=ENGLISH)  # fmt: skip
    assert (
        saved.status_code == 303 and saved.headers["location"] == f"/tasks/{work.overdue}?changed=corrected"
    )
    task, records, changes = state(db, work.overdue)
    assert records[0].fields["issues_raised"] == "路灯不亮" and [c.kind for c in changes] == [
        RecordChangeKind.CORRECTED
    ]
    assert changes[0].snapshot["before"]["fields"]["issues_raised"] == "道路维修"

    unconfirmed = form_post(client, f"/records/{record_id}/withdraw", {}, headers=ENGLISH)
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    withdrawn = form_post(client, f"/records/{record_id}/withdraw", {"confirm": "yes"}, headers=ENGLISH)
    assert withdrawn.status_code == 303
    task, records, changes = state(db, work.overdue)
    assert records == [] and (task.status, task.done_count, task.closed_at) == (TaskStatus.OPEN, 0, None)
    assert [c.kind for c in changes] == [RecordChangeKind.CORRECTED, RecordChangeKind.WITHDRAWN]
    assert changes[1].snapshot["reopened"] is True and changes[1].by_name == work.world.a.cadre.name
    history = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert "Withdrawn by its author" in history and "Corrected by its author" in history
    assert {"record_corrected", "record_withdrawn"} <= set(audit_actions(db))

    # filed yesterday: it stands
    old = file_visit(db, work, work.later, "yesterday-1")
    db(lambda s: s.execute(text("UPDATE record SET created_at = :at WHERE id = :id"),
                           {"at": utc_now() - dt.timedelta(days=1), "id": old}))  # fmt: skip
    late = form_post(client, f"/records/{old}/withdraw", {"confirm": "yes"}, headers=ENGLISH)
    assert late.status_code == 403 and "only on the day it was filed" in late.text
    assert len(state(db, work.later)[1]) == 1


def test_it_sends_a_record_back_with_a_reason_and_tells_its_author(client, db) -> None:
    work = db(build_work)
    world = work.world

    async def channel(session: Any) -> None:
        session.add(NotifyChannel(town_id=world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK,
                                  url="http://127.0.0.1:9/hook"))  # fmt: skip

    db(channel)
    record_id = file_visit(db, work, work.overdue, "send-me-back")
    sign_in(client, "official")  # the cadre's supervisor
    empty = form_post(client, f"/records/{record_id}/send-back", {"reason": "  "}, headers=ENGLISH)
    assert empty.status_code == 400 and "Say why the record is sent back" in empty.text
    assert 'aria-invalid="true"' in empty.text
    assert len(state(db, work.overdue)[1]) == 1  # nothing changed
    sent = form_post(
        client, f"/records/{record_id}/send-back", {"reason": "照片不清楚，请补充走访记录"}, headers=ENGLISH
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/tasks/{work.overdue}?changed=sent_back"
    task, records, changes = state(db, work.overdue)
    assert records == [] and task.status is TaskStatus.OPEN and task.done_count == 0
    assert [(c.kind, c.reason) for c in changes] == [
        (RecordChangeKind.SENT_BACK, "照片不清楚，请补充走访记录")
    ]
    again = form_post(client, f"/records/{record_id}/send-back", {"reason": "再次"}, headers=ENGLISH)
    assert again.status_code == 404

    async def messages(session: Any) -> list[OutboxMessage]:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())

    notices = db(messages)
    assert sorted(m.channel_kind for m in notices) == sorted([ChannelKind.IN_APP, ChannelKind.WEBHOOK])
    assert all(m.person_id == world.a.cadre.id and "照片不清楚" in m.text for m in notices)
    assert "record_sent_back" in audit_actions(db)
    client.cookies.clear()

    sign_in(client, "cadre")
    mine = client.get("/my", headers=ENGLISH).text
    assert (
        'id="sent-back"' in mine and "照片不清楚，请补充走访记录" in mine and f"/tasks/{work.overdue}" in mine
    )
    assert "走访东村" in client.get("/notifications", headers=ENGLISH).text  # the notice, in the bell's list
    page = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert "Sent back" in page and "照片不清楚，请补充走访记录" in page and world.a.official.name in page
    # the author can't send their own record back; a member is stopped by the guard
    own = file_visit(db, work, work.later, "own-record")
    assert form_post(client, f"/records/{own}/send-back", {"reason": "x"}, headers=ENGLISH).status_code == 403

    # a finalised year: nothing changes any more (409), whoever asks
    async def finalise(session: Any) -> None:
        session.add(
            FinalisedYear(town_id=world.a.town.id, year=_today().year, finalised_at=utc_now(), snapshot={})
        )

    db(finalise)
    assert (
        form_post(client, f"/records/{own}/withdraw", {"confirm": "yes"}, headers=ENGLISH).status_code == 409
    )
    client.cookies.clear()
    sign_in(client, "official")
    refused = form_post(client, f"/records/{own}/send-back", {"reason": "补充"}, headers=ENGLISH)
    assert refused.status_code == 409 and "finalised" in refused.text
    task, records, changes = state(db, work.later)
    assert len(records) == 1 and task.status is TaskStatus.DONE and changes == []
