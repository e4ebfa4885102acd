"""The record routes' JSON answers for the phone's queue (record_answers.py, static/js/record-queue-core.js):
a queued record is posted as the form posts it, with the CSRF header and `Accept: application/json`,
and its answer read as JSON: saved (201, or 200 for a client key seen before), refused with field
messages (400), the task closed meanwhile (400, `task_id`), not the sender's (404), signed out (401).
On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import csrf_token, sign_in
from tests.support.work_pages import all_records, build_work, client_key, png, task_and_records
from tracker.db.models.tasks import Record, TaskStatus
from tracker.domain.clock import local_date, utc_now

QUEUE = {"Accept": "application/json", "Accept-Language": "en"}


def _today() -> str:
    return local_date(utc_now(), "Asia/Shanghai").isoformat()


def _send(client, path: str, form: dict[str, str], photos=()):  # noqa: ANN001, ANN202
    """As the queue sends it: multipart, the token in the header (not in the form), JSON asked for."""
    files = [("photos", (name, content, "image/jpeg")) for name, content in photos] or [
        ("unused", ("", b"", "text/plain"))
    ]
    return client.post(path, data=form, files=files, headers={**QUEUE, "x-csrftoken": csrf_token(client)},
                       follow_redirects=False)  # fmt: skip


async def unplanned_records(session: AsyncSession) -> list[Record]:
    return list((await session.scalars(select(Record).where(Record.task_id.is_(None)))).all())


def test_it_answers_the_queue_in_json(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    key = client_key(client.get(f"/tasks/{work.overdue}").text)
    visit = {
        "client_key": key,
        "occurred_on": _today(),
        "f_people_met": "村支书王某",
        "f_issues_raised": "道路维修",
    }

    refused = _send(client, f"/tasks/{work.overdue}/records", {**visit, "occurred_on": "not a day"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("application/json")
    body = refused.json()
    assert body["fields"]["occurred_on"] == "Enter the date it happened" and body["detail"]
    assert db(all_records) == []

    first = _send(client, f"/tasks/{work.overdue}/records", visit, photos=[("v.jpg", png())])
    assert first.status_code == 201, first.text
    saved = first.json()
    assert saved["created"] is True and saved["redirect"] == f"/tasks/{work.overdue}?saved=1"
    again = _send(client, f"/tasks/{work.overdue}/records", visit, photos=[("v.jpg", png())])  # sent twice
    assert again.status_code == 200 and again.json() == {**saved, "created": False}
    task, records = db(lambda s: task_and_records(s, work.overdue))
    assert [r.id for r in records] == [saved["record_id"]] and task.status is TaskStatus.DONE

    closed = _send(client, f"/tasks/{work.overdue}/records", {**visit, "client_key": "another-key-of-18ch"})
    assert closed.status_code == 400
    assert closed.json()["fields"]["task_id"] == closed.json()["detail"] == "This task is already done"

    not_hers = _send(
        client, f"/tasks/{work.officials}/records", {**visit, "client_key": "officials-key-18chr"}
    )
    assert not_hers.status_code == 404 and not_hers.json()["detail"]

    # work without a task: the same answers
    lecture = {
        "client_key": "lecture-key-of-18ch",
        "kind": "lecture",
        "occurred_on": _today(),
        "f_topic": "送学上门",
        "f_audience": "12",
    }
    lecture_refused = _send(client, "/towns/alpha/records", {**lecture, "f_audience": "-1"})
    assert lecture_refused.status_code == 400 and "audience" in lecture_refused.json()["fields"]
    filed = _send(client, "/towns/alpha/records", lecture)
    assert filed.status_code == 201 and filed.json()["redirect"] == "/my?recorded=1"
    (unplanned,) = db(lambda s: unplanned_records(s))
    assert unplanned.id == filed.json()["record_id"] and unplanned.person_id == work.world.a.cadre.id

    client.post("/logout", headers={"x-csrftoken": csrf_token(client)}, follow_redirects=False)
    client.cookies.clear()
    signed_out = client.post(
        f"/tasks/{work.this_week}/records", data=visit, headers=QUEUE, follow_redirects=False
    )
    assert signed_out.status_code in (401, 403) and signed_out.headers["content-type"].startswith(
        "application/json"
    )
    assert len(db(all_records)) == 2
