"""One record changed by three people at the same moment, as real parallel requests against a live
server on SQLite and PostgreSQL: the cadre's official and the town's secretary send it back while the
cadre withdraws it. Exactly one wins (303), the others are refused (404 or 409: the record is gone),
never a 500 or "database is locked"; the task counts the record out once and is open again; one change
is kept, and only a winning send-back tells the author."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.live_server import LiveServer
from tests.support.live_work import open_task, record_body
from tests.support.mfa import next_recovery_code
from tests.support.personas import PASSWORD, World, build_world
from tracker.db.models.record_changes import RecordChange, RecordChangeKind
from tracker.db.models.reminders import OutboxMessage
from tracker.db.models.tasks import Record, Task, TaskStatus
from tracker.domain.clock import utc_now
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import RecordIn

TRIALS = 3


def browser(live: LiveServer, login: str) -> tuple[httpx.Client, str]:
    """A signed-in browser (cookies, the CSRF token); a second factor by recovery code where one is asked."""
    client = httpx.Client(
        base_url=live.base_url, timeout=httpx.Timeout(60.0), headers={"Accept-Language": "en"}
    )
    client.get("/login")
    form = {"login": login, "password": PASSWORD, "_csrf_token": client.cookies["tracker_csrf"], "next": "/"}
    answer = client.post("/login", data=form)
    assert answer.status_code == 303, answer.text
    if answer.headers["location"].startswith("/login/code"):
        code = {"code": next_recovery_code(login), "_csrf_token": client.cookies["tracker_csrf"], "next": "/"}
        assert client.post("/login/code", data=code).status_code == 303
    return client, client.cookies["tracker_csrf"]


def filed_record(db: Any, world: World, trial: int) -> tuple[int, int]:
    make_task = open_task(lambda w: w.a.cadre.id, 1, f"同时退回-{trial}")

    async def make(session: Any) -> tuple[int, int]:
        task_id = await make_task(session, world)
        data = RecordIn.model_validate(record_body(f"together-{trial:02d}"))
        result = await RecordService(session, None, "/tmp", 1024).create(
            None, data, utc_now(), task_id=task_id
        )
        return task_id, result.record.id

    return db(make)


def outcome(db: Any, task_id: int, record_id: int) -> tuple[Task, int, list[RecordChange], int]:
    async def read(session: Any) -> tuple[Task, int, list[RecordChange], int]:
        task = await session.get(Task, task_id)
        records = len((await session.scalars(select(Record.id).where(Record.task_id == task_id))).all())
        changes = (
            await session.scalars(select(RecordChange).where(RecordChange.task_id == task_id))
        ).all()
        notices = len(
            (await session.scalars(select(OutboxMessage.id).where(OutboxMessage.key.like("rb%")))).all()
        )
        return task, records, list(changes), notices

    return db(read)


def test_it_lets_one_of_three_changes_of_a_record_at_the_same_moment_win(
    live_server: LiveServer, db: Any
) -> None:
    world = db(build_world)
    people = {login: browser(live_server, login) for login in ("official", "secretary", "cadre")}
    told = 0
    try:
        for trial in range(TRIALS):
            task_id, record_id = filed_record(db, world, trial)
            start = threading.Barrier(len(people))

            def send(
                login: str, record_id: int = record_id, start: threading.Barrier = start
            ) -> httpx.Response:
                client, token = people[login]
                start.wait(timeout=30)
                if login == "cadre":
                    return client.post(
                        f"/records/{record_id}/withdraw", data={"confirm": "yes", "_csrf_token": token}
                    )
                return client.post(
                    f"/records/{record_id}/send-back", data={"reason": f"{login}退回", "_csrf_token": token}
                )

            with ThreadPoolExecutor(max_workers=len(people)) as pool:
                answers = dict(zip(people, pool.map(send, people), strict=True))
            statuses = sorted(a.status_code for a in answers.values())
            assert statuses[0] == 303 and statuses[1:] in ([404, 404], [404, 409], [409, 409]), (
                trial, {login: (a.status_code, a.text[:200]) for login, a in answers.items()}
            )  # fmt: skip
            task, records, changes, notices = outcome(db, task_id, record_id)
            assert records == 0 and (task.status, task.done_count) == (TaskStatus.OPEN, 0), trial
            assert len(changes) == 1, trial
            winner = next(login for login, a in answers.items() if a.status_code == 303)
            expected = RecordChangeKind.WITHDRAWN if winner == "cadre" else RecordChangeKind.SENT_BACK
            assert changes[0].kind is expected, (trial, winner)
            told += 1 if expected is RecordChangeKind.SENT_BACK else 0
            assert notices == told, (
                trial
            )  # one in-app notice per winning send-back (the cadre has no channel)
    finally:
        for client, _token in people.values():
            client.close()
