"""The outbox page: counts by status, filters (htmx swaps the table), each row's recipient, channel,
masked address, status, attempts and last error, sending a failed message again (and refusing
anything else), the people reached in the app only, the JSON API, and towns kept apart; on
SQLite and PostgreSQL. Outbox rows are made directly in the database (tests/support/outbox.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from tests.support.accounts import audit, rows
from tests.support.outbox import add_message
from tests.support.personas import form_post, sign_in
from tests.support.work_pages import ENGLISH, HTMX, Work, build_work
from tracker.db.models.reminders import (
    ChannelKind,
    NotifyChannel,
    OutboxMessage,
    OutboxStatus,
    ReminderReason,
)
from tracker.db.models.roster import Person
from tracker.domain.clock import utc_now

URL = "/towns/alpha/outbox"
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…f3a9"


@dataclass
class Outbox:
    work: Work
    failed: int  # the cadre's e-mail, failed for good
    sent: int  # the cadre's in-app message
    queued: int  # the official's e-mail, waiting for a retry
    robot: int  # the town's WeCom robot: an escalation, sent
    beta: int  # a failed message of town B


async def _outbox(session) -> Outbox:
    work = await build_work(session)
    a, b = work.world.a, work.world.b
    robot = NotifyChannel(town_id=a.town.id, kind=ChannelKind.WECOM, label="镇党委群",
                          url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0000f3a9")  # fmt: skip
    session.add(robot)
    await session.flush()
    older = utc_now() - dt.timedelta(hours=2)
    overdue = [(work.overdue, ReminderReason.OVERDUE, 2)]
    failed = await add_message(session, a.town.id, a.cadre.id, status=OutboxStatus.FAILED, kind=ChannelKind.EMAIL,
                               address="cadre@example.org", items=overdue, subject="逾期提醒：走访东村", attempts=8,
                               last_error="550 mailbox unavailable", created_at=older)  # fmt: skip
    sent = await add_message(
        session, a.town.id, a.cadre.id, items=overdue, subject="逾期提醒：走访东村", created_at=older
    )
    queued = await add_message(session, a.town.id, a.official.id, status=OutboxStatus.QUEUED, kind=ChannelKind.EMAIL,
                               address="official@example.org", subject="督办：干部丁逾期", attempts=1,
                               last_error="timed out", items=[(work.overdue, ReminderReason.ESCALATED_SUPERVISOR, 3)])  # fmt: skip
    group = await add_message(session, a.town.id, None, kind=ChannelKind.WECOM, channel_id=robot.id, address=ROBOT,
                              subject="督办通报", items=[(work.overdue, ReminderReason.ESCALATED_SUPERVISOR, 3)])  # fmt: skip
    beta = await add_message(
        session, b.town.id, b.cadre.id, status=OutboxStatus.FAILED, subject="贝塔镇的提醒"
    )
    return Outbox(work, failed.id, sent.id, queued.id, group.id, beta.id)


def _message(db, message_id: int) -> OutboxMessage:
    [found] = rows(db, select(OutboxMessage).where(OutboxMessage.id == message_id))
    return found


def _count(html: str, status: str) -> int:
    found = re.search(
        rf'<span class="stat-value">(\d+)</span>\s*<span class="stat-label">{status}</span>', html
    )
    assert found, status
    return int(found.group(1))


def test_it_shows_the_counts_and_each_messages_recipient_channel_status_and_error(client, db) -> None:
    box = db(_outbox)
    sign_in(client, "secretary")
    html = client.get(URL, headers=ENGLISH).text
    assert [_count(html, s) for s in ("Queued", "Sending", "Sent", "Failed")] == [1, 0, 2, 1]
    assert "4 messages" in html and "贝塔镇的提醒" not in html
    failed = html[html.index(f'id="message-{box.failed}"') :]
    failed = failed[: failed.index("</li>")]  # the row up to its first task
    assert "干部丁" in failed and "E-mail" in failed and "cadre@example.org" in failed
    assert "Attempts: 8" in failed and "550 mailbox unavailable" in failed
    assert f'action="/towns/alpha/outbox/{box.failed}/resend"' in html
    assert f"/outbox/{box.sent}/resend" not in html and f"/outbox/{box.queued}/resend" not in html
    assert "Group: <bdi>镇党委群</bdi>" in html and ROBOT in html and "0000f3a9" not in html
    assert "Escalated to the supervisor" in html and f'href="/tasks/{box.work.overdue}"' in html


def test_it_filters_by_status_channel_and_person_and_swaps_the_table_alone(client, db) -> None:
    box = db(_outbox)
    sign_in(client, "secretary")
    failed = client.get(f"{URL}?status=failed", headers=HTMX)
    assert failed.status_code == 200
    assert failed.text.lstrip().startswith('<div id="outbox"') and "<html" not in failed.text
    assert f'id="message-{box.failed}"' in failed.text and f'id="message-{box.sent}"' not in failed.text
    email = client.get(f"{URL}?channel=email", headers=ENGLISH).text
    assert f'id="message-{box.failed}"' in email and f'id="message-{box.queued}"' in email
    assert f'id="message-{box.robot}"' not in email and f'id="message-{box.sent}"' not in email
    assert [_count(email, s) for s in ("Queued", "Sent", "Failed")] == [1, 0, 1]  # counts follow the filters
    official = client.get(f"{URL}?person={box.work.world.a.official.id}", headers=ENGLISH).text
    assert f'id="message-{box.queued}"' in official and f'id="message-{box.failed}"' not in official
    assert "No messages match these filters." in client.get(f"{URL}?status=sending", headers=ENGLISH).text
    wrong = client.get(f"{URL}?status=lost&channel=pigeon", headers=ENGLISH)
    assert wrong.status_code == 400
    assert 'id="f-status-error"' in wrong.text and 'id="f-channel-error"' in wrong.text
    assert f'id="message-{box.sent}"' in wrong.text  # the bad filters left out, not a blank page


def test_it_sends_a_failed_message_again_and_refuses_any_other(client, db) -> None:
    box = db(_outbox)
    sign_in(client, "secretary")
    before = utc_now()
    again = form_post(client, f"{URL}/{box.failed}/resend", {"status": "failed", "page": "1"})
    assert again.status_code == 303 and again.headers["location"] == f"{URL}?status=failed"
    message = _message(db, box.failed)
    assert (
        message.status is OutboxStatus.QUEUED and message.attempts == 0 and message.next_attempt_at >= before
    )
    assert message.last_error == "550 mailbox unavailable"  # the last error stays until the next try
    assert [e.object_id for e in audit(db, "update") if e.object_type == "outbox_message"] == [
        str(box.failed)
    ]
    twice = form_post(client, f"{URL}/{box.failed}/resend", headers=ENGLISH)
    assert twice.status_code == 409 and "Only a failed message can be sent again" in twice.text
    sent = form_post(client, f"{URL}/{box.sent}/resend", headers=ENGLISH)
    assert sent.status_code == 409
    assert _message(db, box.sent).status is OutboxStatus.SENT
    missing = form_post(client, f"{URL}/{box.beta}/resend")  # town B's message through town A
    assert missing.status_code == 404 and _message(db, box.beta).status is OutboxStatus.FAILED


def test_it_answers_htmx_resends_with_the_table_and_a_notice(client, db) -> None:
    box = db(_outbox)
    sign_in(client, "secretary")
    done = form_post(client, f"{URL}/{box.failed}/resend", {"status": "failed"}, headers=HTMX)
    assert done.status_code == 200 and done.text.lstrip().startswith('<div id="outbox"')
    assert "Queued to be sent again." in done.text and "No messages match these filters." in done.text
    refused = form_post(client, f"{URL}/{box.failed}/resend", headers=HTMX)
    assert refused.status_code == 409 and refused.text.lstrip().startswith('<div id="outbox"')
    assert 'class="alert alert-error"' in refused.text


def test_it_keeps_each_towns_outbox_to_itself(client, db) -> None:
    box = db(_outbox)
    sign_in(client, "secretary_b")
    assert client.get(URL).status_code == 404
    assert form_post(client, f"{URL}/{box.failed}/resend").status_code == 404
    assert form_post(client, f"/towns/beta/outbox/{box.failed}/resend").status_code == 404
    assert _message(db, box.failed).status is OutboxStatus.FAILED
    own = client.get("/towns/beta/outbox", headers=ENGLISH).text
    assert "贝塔镇的提醒" in own and "走访东村" not in own
    assert client.get("/api/v1/towns/alpha/outbox").status_code == 404
    client.cookies.clear()
    sign_in(client, "cadre")
    assert client.get(URL).status_code == 403
    assert form_post(client, f"{URL}/{box.failed}/resend").status_code == 403
    assert _message(db, box.failed).status is OutboxStatus.FAILED


async def _channels(session) -> Outbox:
    box = await _outbox(session)
    a = box.work.world.a
    unit_head = await session.get(Person, a.unit_head.id)
    unit_head.email = "head@example.org"
    official = await session.get(Person, a.official.id)
    official.email = "official@example.org"
    session.add_all([
        NotifyChannel(town_id=a.town.id, person_id=a.unit_head.id, kind=ChannelKind.EMAIL),  # counts: an address
        NotifyChannel(town_id=a.town.id, person_id=a.cadre.id, kind=ChannelKind.EMAIL),  # no address: in-app only
        NotifyChannel(town_id=a.town.id, person_id=a.secretary.id, kind=ChannelKind.DINGTALK,
                      url="https://oapi.dingtalk.com/robot/send?access_token=abc"),
        NotifyChannel(town_id=a.town.id, person_id=a.official.id, kind=ChannelKind.EMAIL, active=False),  # off
    ])  # fmt: skip
    session.add(Person(town_id=a.town.id, code="P9", name="离任者", tier=a.cadre.tier, active=False))
    await session.flush()
    return box


def test_it_lists_the_people_reached_in_the_app_only(client, db) -> None:
    box = db(_channels)
    sign_in(client, "secretary")
    html = client.get(URL, headers=ENGLISH).text
    section = html[html.index('id="no-channel"') :]
    assert "干部丁" in section and "镇长乙" in section and "干部戊" in section  # outsider: nothing at all
    assert "主任丙" not in section and "书记甲" not in section and "离任者" not in section
    assert section.count("no e-mail address") == 2  # the cadre and the outsider; the official has one
    assert f'href="/towns/alpha/people/{box.work.world.a.cadre.id}"' in section


def test_it_serves_the_outbox_as_json_paged(client, db) -> None:
    box = db(_outbox)
    sign_in(client, "secretary")
    response = client.get("/api/v1/towns/alpha/outbox?status=failed")
    assert response.status_code == 200
    body = response.json()
    assert (body["page"], body["pages"], body["total"]) == (1, 1, 1)
    assert body["counts"] == {"queued": 1, "sending": 0, "sent": 2, "failed": 1}
    [row] = body["rows"]
    assert (
        row["id"] == box.failed
        and row["recipient"] == "干部丁"
        and row["last_error"] == "550 mailbox unavailable"
    )
    assert row["items"] == [{"task_id": box.work.overdue, "title": "走访东村", "person_name": "干部丁",
                             "reason": "overdue", "days": 2}]  # fmt: skip
    assert client.get("/api/v1/towns/alpha/outbox?status=lost").status_code == 400
    assert client.get("/api/v1/towns/alpha/outbox?page=0").status_code == 400
