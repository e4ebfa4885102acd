"""Records on SQLite and PostgreSQL: a record closes its task (a target of 2 needs two), a repeated
client key returns the first record, refused records and photos change nothing, a far record is
flagged, photos are real images stored without their metadata."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.databases import run
from tests.support.personas import World, build_world
from tests.support.work_services import (
    NOW,
    TODAY,
    actor,
    assignment_in,
    dump,
    picture,
    record_in,
)
from tracker.db.models.accounts import Role
from tracker.db.models.tasks import Record, RecordPhoto, Task, TaskStatus
from tracker.db.session import open_session
from tracker.domain.access import Actor
from tracker.domain.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from tracker.domain.planning.service import AssignmentService
from tracker.domain.work.photos import photo_path
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import RecordIn, UploadedPhoto
from tracker.domain.work.service import TaskService
from tracker.i18n import use_locale

MB = 1024 * 1024
LECTURE = {"topic": "党的二十届四中全会精神", "audience": 40}


@dataclass
class Setup:
    world: World
    lecture: int  # the cadre's March lecture, target 1
    quota: int  # the cadre's first-quarter lectures, target 2
    visit: int  # the official's March visit to village 2 (34.02 N, 108.0 E)
    study: int  # the official's March study (attendance)

    def actor(self, login: str) -> Actor:
        a, people = self.world.a, {"cadre": self.world.a.cadre, "official": self.world.a.official,
                                   "secretary": self.world.a.secretary, "outsider": self.world.outsider}  # fmt: skip
        roles = {"cadre": Role.MEMBER, "outsider": Role.MEMBER, "official": Role.OFFICIAL, "secretary": Role.SECRETARY}
        return actor(roles[login], a.town.id, people[login], self.world.users[login])


async def _setup(session: AsyncSession) -> Setup:
    world = await build_world(session)
    a = world.a
    service = AssignmentService(session, None)
    cadre = {"kind": "people", "person_ids": [a.cadre.id]}
    made = [
        await service.create(a.town, assignment_in(cadre, kind="lecture"), NOW),
        await service.create(a.town, assignment_in(cadre, {"cadence": "quarterly"}, kind="lecture", target_count=2), NOW),
        await service.create(a.town, assignment_in({"kind": "contact_points", "place_ids": [a.villages[1].id]}, kind="visit"), NOW),
        await service.create(a.town, assignment_in({"kind": "people", "person_ids": [a.official.id]}, kind="study"), NOW),
    ]  # fmt: skip
    firsts = []
    for assignment, _count in made:
        firsts.append(await session.scalar(select(Task.id).where(Task.assignment_id == assignment.id).order_by(Task.due_at)))
    return Setup(world, *firsts)


@pytest.fixture
def setup(db: Any) -> Setup:
    return db(_setup)


@pytest.fixture
def photo_dir(tmp_path: Path) -> Path:
    return tmp_path / "photos"


def _service(session: AsyncSession, who: Actor | None, photo_dir: Path, max_bytes: int = 10 * MB) -> RecordService:
    return RecordService(session, who, str(photo_dir), max_bytes)


async def _task(session: AsyncSession, task_id: int) -> Task:
    return await session.get(Task, task_id, populate_existing=True)


def test_it_closes_a_task_with_one_record(db: Any, setup: Setup, photo_dir: Path) -> None:
    async def go(session: AsyncSession) -> None:
        result = await _service(session, setup.actor("cadre"), photo_dir).create(
            setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture)
        assert result.created and result.task is not None
        assert result.record.fields == {"topic": LECTURE["topic"], "audience": 40}
        assert result.record.person_id == setup.world.a.cadre.id and result.record.task_id == setup.lecture
        task = await _task(session, setup.lecture)
        assert (task.status, task.done_count, task.closed_at) == (TaskStatus.DONE, 1, NOW)

    db(go)


def test_it_needs_two_records_for_a_target_of_two(db: Any, setup: Setup, photo_dir: Path) -> None:
    async def go(session: AsyncSession) -> None:
        service = _service(session, setup.actor("cadre"), photo_dir)
        town = setup.world.a.town
        await service.create(town, record_in("first-key", fields=LECTURE), NOW, task_id=setup.quota)
        task = await _task(session, setup.quota)
        assert (task.status, task.done_count, task.closed_at) == (TaskStatus.OPEN, 1, None)
        await service.create(town, record_in("second-key", fields=LECTURE), NOW, task_id=setup.quota)
        task = await _task(session, setup.quota)
        assert (task.status, task.done_count) == (TaskStatus.DONE, 2)

    db(go)


def test_it_returns_the_first_record_for_a_repeated_client_key(db: Any, setup: Setup, photo_dir: Path) -> None:
    async def go(session: AsyncSession) -> None:
        service = _service(session, setup.actor("cadre"), photo_dir)
        town = setup.world.a.town
        first = await service.create(town, record_in("same-key-1", fields=LECTURE), NOW, task_id=setup.quota)
        before = await dump(session)
        again = await service.create(town, record_in("same-key-1", fields={"topic": "other", "audience": 1}), NOW,
                                     task_id=setup.quota)  # fmt: skip
        assert not again.created and again.record.id == first.record.id
        assert again.record.fields["topic"] == LECTURE["topic"]
        assert again.task is not None and again.task.done_count == 1
        assert await dump(session) == before
        with pytest.raises(Conflict):  # the same key for other work is a client's bug, not a repeat
            await service.create(town, record_in("same-key-1", fields=LECTURE), NOW, task_id=setup.lecture)

    db(go)


def test_it_returns_the_first_record_after_the_task_closed(db: Any, setup: Setup, photo_dir: Path) -> None:
    async def go(session: AsyncSession) -> None:
        service = _service(session, setup.actor("cadre"), photo_dir)
        first = await service.create(setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture)
        again = await service.create(setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture)
        assert (again.created, again.record.id) == (False, first.record.id)

    db(go)


def test_it_makes_one_record_of_two_concurrent_sends(db_url: str, setup: Setup, photo_dir: Path) -> None:
    async def send() -> tuple[int, bool]:
        async with open_session(db_url) as session:
            result = await _service(session, setup.actor("cadre"), photo_dir).create(
                setup.world.a.town, record_in("racing-key", fields=LECTURE), NOW, task_id=setup.quota)
            return result.record.id, result.created

    async def both() -> list[tuple[int, bool]]:
        return list(await asyncio.gather(send(), send()))

    results = run(both())
    assert len({record_id for record_id, _created in results}) == 1
    assert sorted(created for _id, created in results) == [False, True]

    async def check() -> None:
        async with open_session(db_url) as session:
            assert await session.scalar(select(func.count()).select_from(Record)) == 1
            assert (await session.get(Task, setup.quota)).done_count == 1

    run(check())


BAD_RECORDS = [
    ("someone else's task, for a member", lambda s: ("outsider", s.lecture, record_in(fields=LECTURE)), NotFound, "task_id"),
    ("someone else's task, for their official", lambda s: ("official", s.lecture, record_in(fields=LECTURE)), NotAllowed, "task_id"),
    ("a day in the future", lambda s: ("cadre", s.lecture, record_in(day=TODAY + dt.timedelta(days=1), fields=LECTURE)), InvalidInput, "occurred_on"),
    ("a day before the period", lambda s: ("cadre", s.lecture, record_in(day=dt.date(2026, 2, 28), fields=LECTURE)), InvalidInput, "occurred_on"),
    ("a negative audience", lambda s: ("cadre", s.lecture, record_in(fields={**LECTURE, "audience": -5})), InvalidInput, "fields.audience"),
    ("no topic", lambda s: ("cadre", s.lecture, record_in(fields={"audience": 5})), InvalidInput, "fields.topic"),
    ("a field the kind has not", lambda s: ("cadre", s.lecture, record_in(fields={**LECTURE, "mood": "good"})), InvalidInput, "fields.mood"),
    ("a latitude out of range", lambda s: ("official", s.visit, RecordIn.model_construct(**{**record_in().model_dump(), "latitude": 91.0, "longitude": 108.0})), InvalidInput, "latitude"),
    ("a longitude out of range", lambda s: ("official", s.visit, RecordIn.model_construct(**{**record_in().model_dump(), "latitude": 34.0, "longitude": -181.0})), InvalidInput, "longitude"),
    ("a latitude alone", lambda s: ("official", s.visit, record_in(latitude=34.0)), InvalidInput, "longitude"),
    ("an attendee of another town", lambda s: ("official", s.study, record_in(fields={"attendee_ids": [s.world.b.cadre.id]})), InvalidInput, "fields.attendee_ids"),
    ("a place of another town", lambda s: ("official", s.visit, record_in(place_id=s.world.b.villages[1].id)), InvalidInput, "place_id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "error", "field"), BAD_RECORDS, ids=[c[0] for c in BAD_RECORDS])
def test_it_refuses_a_bad_record_with_a_field_message_and_saves_nothing(
    db: Any, setup: Setup, photo_dir: Path, name: str, make: Any, error: type[DomainError], field: str
) -> None:
    login, task_id, data = make(setup)

    async def go(session: AsyncSession) -> None:
        before = await dump(session)
        with pytest.raises(error) as refused:
            await _service(session, setup.actor(login), photo_dir).create(
                setup.world.a.town, data, NOW, task_id=task_id, photos=[UploadedPhoto("a.jpg", picture())])
        assert refused.value.fields.get(field), refused.value.fields
        assert await dump(session) == before

    db(go)
    assert not photo_dir.exists() or not any(p.is_file() for p in photo_dir.rglob("*"))


@pytest.mark.parametrize("closing", ["done", "cancelled", "excused"])
def test_it_refuses_a_record_for_a_closed_task(db: Any, setup: Setup, photo_dir: Path, closing: str) -> None:
    async def go(session: AsyncSession) -> None:
        town = setup.world.a.town
        if closing == "done":
            await _service(session, setup.actor("cadre"), photo_dir).create(town, record_in(fields=LECTURE), NOW,
                                                                             task_id=setup.lecture)  # fmt: skip
        else:
            tasks = TaskService(session, setup.actor("secretary"))
            await (tasks.cancel if closing == "cancelled" else tasks.excuse)(setup.lecture, "flooded roads", NOW)
        before = await dump(session)
        with use_locale("en"), pytest.raises(InvalidInput) as refused:
            await _service(session, setup.actor("cadre"), photo_dir).create(
                town, record_in("another-key", fields=LECTURE), NOW, task_id=setup.lecture)
        assert refused.value.fields["task_id"] == f"This task is already {closing}"
        assert await dump(session) == before

    db(go)


def test_it_lets_the_secretary_file_for_someone(db: Any, setup: Setup, photo_dir: Path) -> None:
    async def go(session: AsyncSession) -> None:
        result = await _service(session, setup.actor("secretary"), photo_dir).create(
            setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture)
        assert result.record.person_id == setup.world.a.cadre.id
        assert result.record.created_by_user_id == setup.world.users["secretary"]

    db(go)


@pytest.mark.parametrize(("latitude", "far", "metres"), [(34.05, True, 3336), (34.021, False, 111)])
def test_it_keeps_the_distance_and_flags_a_far_record(
    db: Any, setup: Setup, photo_dir: Path, latitude: float, far: bool, metres: int
) -> None:
    async def go(session: AsyncSession) -> None:
        data = record_in(latitude=latitude, longitude=108.0, accuracy_m=12,
                         fields={"people_met": "村民代表", "issues_raised": "群众反映路灯不亮"})
        result = await _service(session, setup.actor("official"), photo_dir).create(
            setup.world.a.town, data, NOW, task_id=setup.visit)
        assert result.record.place_id == setup.world.a.villages[1].id  # the task's place
        assert result.record.distance_m == pytest.approx(metres, abs=2)
        assert result.record.flagged_far is far
        assert (await _task(session, setup.visit)).status is TaskStatus.DONE  # flagged, not refused

    db(go)


def test_it_files_an_unplanned_record(db: Any, setup: Setup, photo_dir: Path) -> None:
    async def go(session: AsyncSession) -> None:
        service = _service(session, setup.actor("cadre"), photo_dir)
        result = await service.create(setup.world.a.town, record_in(fields=LECTURE), NOW, kind="lecture")
        assert result.created and result.task is None and result.record.task_id is None
        assert result.record.person_id == setup.world.a.cadre.id
        with pytest.raises(NotAllowed):
            await service.create(setup.world.a.town, record_in("k-other-1", fields=LECTURE), NOW, kind="lecture",
                                 person_id=setup.world.a.official.id)  # fmt: skip

    db(go)


# -- photos -----------------------------------------------------------------------------------


def _stored(photo_dir: Path, digest: str) -> Image.Image:
    return Image.open(io.BytesIO(photo_path(photo_dir, digest).read_bytes()))


def test_it_keeps_real_pictures_as_jpeg_with_thumbnails(db: Any, setup: Setup, photo_dir: Path) -> None:
    photos = [UploadedPhoto("a.png", picture("PNG")), UploadedPhoto("b.jpg", picture("JPEG", (4000, 3000), colour="blue")),
              UploadedPhoto("c.webp", picture("WEBP"))]  # fmt: skip

    async def go(session: AsyncSession) -> None:
        result = await _service(session, setup.actor("cadre"), photo_dir).create(
            setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture, photos=photos)
        stored = list((await session.scalars(select(RecordPhoto).where(RecordPhoto.record_id == result.record.id)
                                             .order_by(RecordPhoto.id))).all())  # fmt: skip
        assert [p.id for p in result.record.photos] == [p.id for p in stored] and len(stored) == 3
        for row in stored:
            image = _stored(photo_dir, row.sha256)
            assert image.format == "JPEG" and (image.width, image.height) == (row.width, row.height)
            assert max(_stored(photo_dir, row.thumb_sha256).size) <= 320
            assert row.content_type == "image/jpeg"
        assert (stored[1].width, stored[1].height) == (2560, 1920)  # shrunk to 2560 on the long side

    db(go)


def test_it_strips_metadata_and_turns_the_picture_upright(db: Any, setup: Setup, photo_dir: Path) -> None:
    original = picture("JPEG", (640, 480), exif=True)
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == "PhoneMaker"

    async def go(session: AsyncSession) -> None:
        result = await _service(session, setup.actor("cadre"), photo_dir).create(
            setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture,
            photos=[UploadedPhoto("camera.jpg", original)])
        row = result.record.photos[0]
        for digest in (row.sha256, row.thumb_sha256):
            content = photo_path(photo_dir, digest).read_bytes()
            image = Image.open(io.BytesIO(content))
            assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
            assert b"Exif" not in content and b"PhoneMaker" not in content
        assert (row.width, row.height) == (480, 640)  # orientation 6 applied, then dropped

    db(go)


def _bomb() -> bytes:
    """64 million black pixels in a few kilobytes of PNG."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, format="PNG")
    return buffer.getvalue()


BAD_PHOTOS = [
    ("a text file named .jpg", lambda: [UploadedPhoto("notes.jpg", "这不是照片".encode() * 100)], 10 * MB, "notes.jpg"),
    ("a truncated JPEG", lambda: [UploadedPhoto("cut.jpg", picture()[:400])], 10 * MB, "cut.jpg"),
    ("an empty file", lambda: [UploadedPhoto("empty.jpg", b"")], 10 * MB, "empty.jpg"),
    ("a picture over the limit", lambda: [UploadedPhoto("big.png", picture("PNG", (800, 800)))], 1000, "big.png"),
    ("a small file of too many pixels", lambda: [UploadedPhoto("bomb.png", _bomb())], 10 * MB, "bomb.png"),
    ("ten pictures", lambda: [UploadedPhoto(f"{i}.jpg", picture()) for i in range(10)], 10 * MB, "9"),
    ("one bad among good", lambda: [UploadedPhoto("ok.jpg", picture()), UploadedPhoto("x.gif", b"GIF89a...")], 10 * MB, "x.gif"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "photos", "limit", "named"), BAD_PHOTOS, ids=[c[0] for c in BAD_PHOTOS])
def test_it_refuses_bad_photos_and_saves_nothing_not_even_the_record(
    db: Any, setup: Setup, photo_dir: Path, name: str, photos: Any, limit: int, named: str
) -> None:
    async def go(session: AsyncSession) -> None:
        before = await dump(session)
        with pytest.raises(InvalidInput) as refused:
            await _service(session, setup.actor("cadre"), photo_dir, limit).create(
                setup.world.a.town, record_in(fields=LECTURE), NOW, task_id=setup.lecture, photos=photos())
        assert named in refused.value.fields["photos"]
        assert await dump(session) == before

    db(go)
    assert not photo_dir.exists() or not any(p.is_file() for p in photo_dir.rglob("*"))
