"""`tracker synth`: three synthetic towns made once per engine, then checked: every town the template's
shape, no row of a town pointing into another (foreign keys and the ids hidden in JSON and slots),
accounts of the third town signing in to its own work, the app inserting after the bulk copy
(PostgreSQL's sequences moved on), and a second run refused."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.databases import run, truncate_all
from tests.support.personas import csrf_token
from tests.support.statements import counted
from tracker.config import Settings
from tracker.db.models.accounts import User
from tracker.db.models.review import FinalisedYear
from tracker.db.models.roster import Person, Place
from tracker.db.models.tasks import Assignment, Record, Task
from tracker.db.session import open_session
from tracker.domain.accounts.sessions import session_policy
from tracker.domain.clock import local_date, utc_now
from tracker.synth import SYNTH_PASSWORD, SYNTH_TOTP_SECRET, SynthRefused, synthesise
from tracker.synth.cloning import copied_tables

TOWNS = 3
ZONE = "Asia/Shanghai"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def synth_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with TOWNS synthetic towns of this year, made once for the module on each engine."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("synth") / "tracker.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        truncate_all(url)
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("synth-data"))
    year = local_date(utc_now(), ZONE).year
    report = run(synthesise(url, TOWNS, year, seed=7, policy=session_policy(settings), timezone=ZONE))
    assert (report.towns, report.first_code, report.last_code) == (TOWNS, "t0001", "t0003")
    yield url
    if request.param == "postgresql":
        truncate_all(url)


def query(url: str, sql: str) -> list[Any]:
    async def go() -> list[Any]:
        async with open_session(url) as session:
            return list((await session.execute(text(sql))).all())

    return run(go())


def in_session(url: str, fn: Any) -> Any:
    async def go() -> Any:
        async with open_session(url) as session:
            return await fn(session)

    return run(go())


def test_every_table_is_copied_or_skipped() -> None:
    assert {t.name for t in copied_tables()} >= {"town", "person", "task", "record", "app_user"}


def test_every_town_has_the_template_shape(synth_url: str) -> None:
    """Every copied table has as many rows in each town (through the parent's town for the tables with
    none of their own, e.g. follow_up_resolution), and the demo's main tables have rows."""
    towns = query(synth_url, "SELECT id, code, name FROM town ORDER BY id")
    assert [(code, name) for _id, code, name in towns] == [(f"t000{n}", f"合成镇000{n}") for n in (1, 2, 3)]
    filled = set()
    for table in copied_tables():
        if table.name == "town":
            continue
        if "town_id" in table.c:
            sql = f'SELECT town_id, count(*) FROM "{table.name}" GROUP BY town_id'
        else:
            column, parent = next(
                (c.name, k.column.table.name)
                for c in table.columns
                for k in c.foreign_keys
                if "town_id" in k.column.table.c
            )
            sql = (f'SELECT p.town_id, count(*) FROM "{table.name}" a JOIN "{parent}" p ON p.id = a.{column} '
                   "GROUP BY p.town_id")  # fmt: skip
        per_town = dict(query(synth_url, sql))
        if per_town:
            filled.add(table.name)
            assert len(per_town) == TOWNS and len(set(per_town.values())) == 1, (table.name, per_town)
    expected = {"person", "place", "unit", "contact_assignment", "assignment", "task", "record", "app_user",
                "totp_secret", "follow_up_resolution", "finalised_year", "study_app_count"}  # fmt: skip
    assert expected <= filled, expected - filled


FILLED = [  # foreign keys the demo's data uses, so that the checks below check something
    ("task", "person_id"), ("task", "place_id"), ("task", "assignment_id"), ("record", "task_id"),
    ("record", "person_id"), ("record", "place_id"), ("person", "supervisor_id"), ("person", "unit_id"),
    ("place", "parent_id"), ("contact_assignment", "person_id"), ("contact_assignment", "place_id"),
    ("app_user", "person_id"), ("notify_channel", "person_id"), ("totp_secret", "user_id"),
    ("follow_up_resolution", "record_id"),
]  # fmt: skip


def copied_foreign_keys() -> list[tuple[str, str, str]]:
    """(table, column, referenced table) for every foreign key between copied tables."""
    names = {t.name for t in copied_tables()}
    return [
        (table.name, column.name, key.column.table.name)
        for table in copied_tables()
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name in names
    ]


def test_no_row_points_into_another_town_or_nowhere(synth_url: str) -> None:
    """Every foreign key between copied tables (PostgreSQL's COPY may have skipped its checks): it names a
    row that exists, and, where both rows have a town, a row of the same town."""
    with_town = {t.name for t in copied_tables() if "town_id" in t.c}
    problems, filled = [], set()
    for table, column, target in copied_foreign_keys():
        sql = (f'SELECT count(a.{column}), count(a.{column}) - count(b.id) FROM "{table}" a '
               f'LEFT JOIN "{target}" b ON b.id = a.{column}')  # fmt: skip
        pointing, nowhere = query(synth_url, sql)[0]
        if nowhere:
            problems.append(f"{table}.{column}: {nowhere} of {pointing} name no {target}")
        if pointing:
            filled.add((table, column))
        if table in with_town and target in with_town:
            sql = (f'SELECT count(*) FROM "{table}" a JOIN "{target}" b ON b.id = a.{column} '
                   "WHERE a.town_id <> b.town_id")  # fmt: skip
            if elsewhere := query(synth_url, sql)[0][0]:
                problems.append(f"{table}.{column}: {elsewhere} in another town")
    assert not problems, problems
    assert set(FILLED) <= filled, set(FILLED) - filled


def test_ids_hidden_in_json_and_slots_stay_in_their_town(synth_url: str) -> None:
    async def check(session: AsyncSession) -> None:
        people = dict((await session.execute(select(Person.id, Person.town_id))).all())
        places = dict((await session.execute(select(Place.id, Place.town_id))).all())
        records = dict((await session.execute(select(Record.id, Record.town_id))).all())
        lists = 0
        for assignment in (await session.scalars(select(Assignment))).all():
            assert {people[p] for p in assignment.who_person_ids} <= {assignment.town_id}
            assert {places[p] for p in assignment.who_place_ids or []} <= {assignment.town_id}
            lists += len(assignment.who_person_ids)
        assert lists
        for task in (await session.scalars(select(Task))).all():
            person, place, period = task.slot.split(":", 2)
            assert (int(person), None if place == "-" else int(place), period) == (
                task.person_id, task.place_id, task.period_key)
        attendees = 0
        for record in (await session.scalars(select(Record).where(Record.kind == "study"))).all():
            assert {people[p] for p in record.fields.get("attendee_ids", [])} <= {record.town_id}
            attendees += len(record.fields.get("attendee_ids", []))
        assert attendees
        for year in (await session.scalars(select(FinalisedYear))).all():
            found = _ids_under(year.snapshot)
            assert found["person_id"] and {people[p] for p in found["person_id"]} == {year.town_id}
            assert {places[p] for p in found["place_id"]} <= {year.town_id}
            assert {records[r] for r in found["record_id"]} <= {year.town_id}

    in_session(synth_url, check)


def _ids_under(document: Any, found: dict[str, set[int]] | None = None) -> dict[str, set[int]]:
    found = found if found is not None else {"person_id": set(), "place_id": set(), "record_id": set()}
    if isinstance(document, dict):
        for key, value in document.items():
            if key in found and value is not None:
                found[key].add(value)
            else:
                _ids_under(value, found)
    elif isinstance(document, list):
        for value in document:
            _ids_under(value, found)
    return found


def _app_client(url: str, tmp_path: Path) -> TestClient:
    from tracker.app import create_app

    settings = Settings(database_url=url, data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789",
                        scheduler=False)  # fmt: skip
    return TestClient(app=create_app(settings))


def _sign_in(client: TestClient, login: str) -> str:
    form = {"login": login, "password": SYNTH_PASSWORD, "_csrf_token": csrf_token(client), "next": "/"}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    if answer.headers["location"].startswith("/login/code"):
        code = {"code": pyotp.TOTP(SYNTH_TOTP_SECRET).now(), "_csrf_token": csrf_token(client), "next": "/"}
        answer = client.post("/login/code", data=code, follow_redirects=False)
        assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_the_third_towns_accounts_sign_in_to_their_own_work(synth_url: str, tmp_path: Path) -> None:
    town_id, = query(synth_url, "SELECT id FROM town WHERE code = 't0003'")[0]
    own_tasks = {row[0] for row in query(synth_url, f"SELECT id FROM task WHERE town_id = {town_id}")}
    with _app_client(synth_url, tmp_path) as client:
        assert _sign_in(client, "t0003-cadre") == "/my"
        page = client.get("/my")
        assert page.status_code == 200
        shown = {int(i) for i in re.findall(r'href="/tasks/(\d+)', page.text)}
        assert shown and shown <= own_tasks, shown
    with _app_client(synth_url, tmp_path) as client:
        assert _sign_in(client, "t0003-official") == "/my"
        assert client.get("/my").status_code == 200
    with _app_client(synth_url, tmp_path) as client:
        assert _sign_in(client, "t0003-secretary") == "/towns/t0003/desk"
        desk = client.get("/towns/t0003/desk")
        assert desk.status_code == 200 and "合成镇0003" in desk.text
        assert client.get("/towns/t0002/desk").status_code in (403, 404)


def test_the_app_inserts_after_the_copy(synth_url: str) -> None:
    async def add(session: AsyncSession) -> None:
        task = (await session.scalars(select(Task).order_by(Task.id.desc()).limit(1))).one()
        person = Person(town_id=task.town_id, code="NEW1", name="新人", tier="village_cadre")
        session.add(person)
        await session.flush()
        copy = Task(town_id=task.town_id, assignment_id=task.assignment_id, person_id=person.id,
                    slot=f"{person.id}:-:x", period_key="x", period_start=task.period_start,
                    period_end=task.period_end, due_at=task.due_at, title=task.title,
                    kind=task.kind)  # fmt: skip
        session.add(copy)
        await session.flush()
        record = Record(town_id=task.town_id, task_id=copy.id, person_id=person.id, kind=task.kind,
                        occurred_on=task.period_start, client_key="synth-test")  # fmt: skip
        session.add(record)
        await session.flush()
        assert copy.id > task.id and person.id and record.id
        await session.delete(record)
        await session.delete(copy)
        await session.delete(person)

    in_session(synth_url, add)


def test_a_second_run_is_refused(synth_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=synth_url, data_dir=tmp_path)
    with pytest.raises(SynthRefused):
        run(synthesise(synth_url, 2, 2000, seed=1, policy=session_policy(settings), timezone=ZONE))
    monkeypatch.setenv("TRACKER_DATABASE_URL", synth_url)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    from tracker.cli.synth import synth_command

    result = CliRunner().invoke(synth_command, ["--towns", "2"])
    assert result.exit_code == 1 and "t0001" in result.output, result.output
    future = dt.date.today().year + 2
    result = CliRunner().invoke(synth_command, ["--towns", "2", "--year", str(future)])
    assert result.exit_code == 1, result.output
    assert query(synth_url, "SELECT count(*) FROM app_user")[0][0] == 3 * TOWNS
    assert query(synth_url, "SELECT count(*) FROM totp_secret")[0][0] == TOWNS
    assert in_session(synth_url, lambda s: s.scalar(select(func.count()).select_from(User))) == 3 * TOWNS


def _statements(client: TestClient, path: str) -> int:
    client.get(path)  # the first answer after signing in may refresh the session
    with counted() as statements:
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(statements)


def test_each_page_sends_the_same_few_statements_in_every_town(synth_url: str, tmp_path: Path) -> None:
    """我的任务, the board, a board cell and the review: a fixed number of SQL statements, the same in
    the first town and the second (hundreds of tasks and records each: no statement per row), whatever
    the other towns hold."""
    counts: dict[str, list[int]] = {}
    for code in ("t0001", "t0002"):
        with _app_client(synth_url, tmp_path) as client:
            _sign_in(client, f"{code}-cadre")
            counts.setdefault("my work", []).append(_statements(client, "/my"))
        with _app_client(synth_url, tmp_path) as client:
            _sign_in(client, f"{code}-secretary")
            board = client.get(f"/towns/{code}/board/").text
            cell = re.search(r'hx-get="([^"]*/board/cell\?[^"]*)"', board).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
            for name, path in (("board", f"/towns/{code}/board/"), ("cell", cell), ("review", f"/towns/{code}/review/")):
                counts.setdefault(name, []).append(_statements(client, path))
    assert all(first == second for first, second in counts.values()), counts
    limits = {"my work": 4, "board": 19, "cell": 21, "review": 20}  # as counted on 2026-12-02
    assert all(counts[name][0] <= limit for name, limit in limits.items()), counts
