"""Records filed at the same moment, as real parallel requests against a live server, on SQLite and
PostgreSQL: every record is counted (two people on a target-2 task: done_count 2, the task done);
fifty records on a target-10 task store and count exactly ten and refuse the rest with a field
message (never a 500 or "database is locked"); the same submission sent twice at once is one record.
While a record with nine decompression-heavy photos is being decoded, another person's record and a
sign-in answer promptly (the photos are decoded before the write lock is taken)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.support.databases import run
from tests.support.live_server import LiveServer
from tests.support.live_work import (
    bearer,
    file_record,
    heavy_png,
    open_task,
    sign_in_live,
    task_and_records,
    tokens,
    upload_parts,
)
from tests.support.personas import PASSWORD, World, build_world
from tracker.db.models.tasks import TaskStatus
from tracker.domain.work.photos import MAX_PHOTOS, MAX_PIXELS

TRIALS = 3
CROWD = 50
TARGET = 10
HEAVY_EDGE = 7070  # 49,984,900 pixels: just under the largest picture accepted
PROMPT_SECONDS = 2.0


def _cadres_task(db: Any, world: World, target: int, title: str) -> int:
    make = open_task(lambda w: w.a.cadre.id, target, title)
    return db(lambda session: make(session, world))


async def _all_at_once(live: LiveServer, sends: list[tuple[str, int, str]]) -> list[httpx.Response]:
    """Every (token, task, client key) filed at the same moment, each on its own connection."""
    limits = httpx.Limits(max_connections=len(sends) + 1, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=live.base_url, limits=limits, timeout=60) as client:
        return list(await asyncio.gather(*(file_record(client, *send) for send in sends)))


def test_it_counts_two_records_filed_at_the_same_moment_by_two_people(
    live_server: LiveServer, db: Any
) -> None:
    world = db(build_world)
    secret = tokens(db, world, "cadre", "secretary")  # the secretary may record the cadre's work
    for trial in range(TRIALS):
        task_id = _cadres_task(db, world, 2, f"两人同时-{trial}")
        answers = run(_all_at_once(live_server, [
            (secret["cadre"], task_id, f"cadre-key-{trial}"), (secret["secretary"], task_id, f"secretary-key-{trial}"),
        ]))  # fmt: skip
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        task, records = db(lambda session, task_id=task_id: task_and_records(session, task_id))
        assert len(records) == 2
        assert (task.done_count, task.status) == (2, TaskStatus.DONE), trial
        assert task.closed_at is not None


def test_it_stores_and_counts_exactly_the_target_of_fifty_parallel_records(
    live_server: LiveServer, db: Any
) -> None:
    world = db(build_world)
    secret = tokens(db, world, "cadre", "secretary")
    task_id = _cadres_task(db, world, TARGET, "五十条")
    people = ["cadre", "secretary"]
    answers = run(
        _all_at_once(
            live_server, [(secret[people[n % 2]], task_id, f"crowd-key-{n:02d}") for n in range(CROWD)]
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * TARGET + [400] * (CROWD - TARGET), [
        a.text for a in answers if a.status_code >= 500
    ]
    refused = [a.json() for a in answers if a.status_code == 400]
    assert {r["fields"]["task_id"] for r in refused} == {"This task is already done"}
    counted = sorted(a.json()["task"]["done_count"] for a in answers if a.status_code == 201)
    assert counted == list(range(1, TARGET + 1))  # each record counted once, never past the target
    task, records = db(lambda session: task_and_records(session, task_id))
    assert len(records) == TARGET
    assert (task.done_count, task.status) == (TARGET, TaskStatus.DONE)
    assert sorted(r.client_key for r in records) == sorted(
        a.json()["record"]["client_key"] for a in answers if a.status_code == 201
    )


def test_it_makes_one_record_of_the_same_submission_sent_twice_at_once(
    live_server: LiveServer, db: Any
) -> None:
    world = db(build_world)
    secret = tokens(db, world, "cadre")
    for trial in range(TRIALS):
        task_id = _cadres_task(db, world, 2, f"重发-{trial}")
        send = (secret["cadre"], task_id, f"twice-key-{trial}")
        answers = run(_all_at_once(live_server, [send, send]))
        assert sorted(a.status_code for a in answers) == [200, 201], [
            a.text for a in answers
        ]  # 200: a repeat
        bodies = [a.json() for a in answers]
        assert sorted(b["created"] for b in bodies) == [False, True]
        assert len({b["record"]["id"] for b in bodies}) == 1
        task, records = db(lambda session, task_id=task_id: task_and_records(session, task_id))
        assert len(records) == 1
        assert (task.done_count, task.status) == (1, TaskStatus.OPEN)


async def _while_heavy_upload(
    live: LiveServer, heavy: tuple[str, int], light: tuple[str, int]
) -> dict[str, Any]:
    """The heavy record sent; once the server is busy with it, another person's record and a sign-in."""
    pictures = [heavy_png(HEAVY_EDGE)] * MAX_PHOTOS
    data, files = upload_parts("heavy-upload-1", pictures)
    async with httpx.AsyncClient(base_url=live.base_url, timeout=60) as uploader, \
            httpx.AsyncClient(base_url=live.base_url, timeout=60) as other, \
            httpx.AsyncClient(base_url=live.base_url, timeout=60) as browser:  # fmt: skip
        started = time.monotonic()
        upload = asyncio.create_task(uploader.post(
            f"/api/v1/tasks/{heavy[1]}/records/upload", data=data, files=files, headers=bearer(heavy[0])))  # fmt: skip
        await asyncio.sleep(0.5)  # the upload is in: its photos are being decoded

        async def timed(call: Any) -> tuple[httpx.Response, float]:
            begun = time.monotonic()
            answer = await call
            return answer, time.monotonic() - begun

        (record, record_s), (signed_in, sign_in_s) = await asyncio.gather(
            timed(file_record(other, light[0], light[1], "light-record-1")),
            timed(sign_in_live(browser, "outsider", PASSWORD)),
        )
        upload_busy = not upload.done()
        heavy_answer = await upload
        return {"record": record, "record_s": record_s, "sign_in": signed_in, "sign_in_s": sign_in_s,
                "upload_busy": upload_busy, "heavy": heavy_answer, "heavy_s": time.monotonic() - started}  # fmt: skip


def test_it_answers_other_people_promptly_while_a_heavy_upload_is_decoded(
    live_server: LiveServer, db: Any
) -> None:
    assert HEAVY_EDGE * HEAVY_EDGE <= MAX_PIXELS
    world = db(build_world)
    secret = tokens(db, world, "cadre", "official")
    heavy_task = _cadres_task(db, world, 1, "九张大图")
    make = open_task(lambda w: w.a.official.id, 1, "旁人记录")
    light_task = db(lambda session: make(session, world))
    seen = run(
        _while_heavy_upload(live_server, (secret["cadre"], heavy_task), (secret["official"], light_task))
    )
    assert seen["record"].status_code == 201, seen["record"].text
    assert seen["sign_in"].status_code == 303, seen["sign_in"].text
    assert seen["record_s"] < PROMPT_SECONDS, seen
    assert seen["sign_in_s"] < PROMPT_SECONDS, seen
    assert seen["upload_busy"], (
        f"the upload was over before the others were answered ({seen['heavy_s']:.1f} s)"
    )
    assert seen["heavy"].status_code == 201, seen["heavy"].text
    assert len(seen["heavy"].json()["record"]["photo_ids"]) == MAX_PHOTOS
