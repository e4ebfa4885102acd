"""The demo town 魅力镇 loads through the roster importer, has the report's structure, and loads twice
without duplicates; `tracker demo` migrates, loads, creates the demo accounts (only there) and serves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.support.databases import run
from tests.support.demo_command import without_serving
from tracker.db.base import metadata
from tracker.db.models.accounts import Role, User, ViewerTown
from tracker.db.models.roster import ContactAssignment, LeadingGroupRole, Person, PlaceKind, Tier, Town, Unit
from tracker.db.session import open_session
from tracker.demo.town import DEMO_PASSWORD, DEMO_TOWN_CODE, load_demo
from tracker.domain.accounts.passwords import hash_password, verify_password
from tracker.domain.roster.service import RosterService

TODAY = dt.date(2026, 3, 2)


def snapshot(db_url: str) -> dict[str, list[dict[str, Any]]]:
    async def go() -> dict[str, list[dict[str, Any]]]:
        async with open_session(db_url) as session:
            return {
                table.name: [
                    dict(row._mapping) for row in await session.execute(select(table).order_by(table.c.id))
                ]
                for table in metadata.sorted_tables
                if "id" in table.c
            }

    return run(go())


def test_it_loads_the_demo_town_with_the_reports_structure(db_url: str, db: Any) -> None:
    report = db(lambda session: load_demo(session, TODAY))
    assert report.counts("town").created == 1

    async def check() -> None:
        async with open_session(db_url) as session:
            service = RosterService(session)
            town = await service.get_town(DEMO_TOWN_CODE)
            assert town.name == "魅力镇"
            assert 20_000 <= town.population <= 26_000
            people = list(await service.list_people(town))
            tiers = Counter(p.tier for p in people)
            assert 8 <= tiers[Tier.SECTION_OFFICIAL] <= 12
            assert 8 <= tiers[Tier.UNIT_HEAD] <= 12
            assert 12 <= tiers[Tier.VILLAGE_CADRE] <= 18
            kinds = Counter(p.kind for p in await service.list_places(town))
            assert 6 <= kinds[PlaceKind.ADMINISTRATIVE_VILLAGE] <= 10
            assert 20 <= kinds[PlaceKind.NATURAL_VILLAGE] <= 30
            assert 5 <= kinds[PlaceKind.ENTERPRISE] <= 8
            assert 8 <= len(await service.list_units(town)) <= 12

            overview = await service.town_overview(town, TODAY)
            for official in overview.tiers[Tier.SECTION_OFFICIAL]:
                points = overview.contacts_by_person.get(official.id, [])
                assert 2 <= len(points) <= 4, official.name
                assert all(p.kind is not PlaceKind.ADMINISTRATIVE_VILLAGE for p in points)
            for cadre in overview.tiers[Tier.VILLAGE_CADRE]:
                assert 1 <= len(overview.contacts_by_person.get(cadre.id, [])) <= 3, cadre.name

            roles = Counter(p.leading_group_role for p in overview.leading_group)
            assert roles[LeadingGroupRole.LEADER] == 1 and roles[LeadingGroupRole.DEPUTY] == 2
            leader = next(p for p in people if p.leading_group_role is LeadingGroupRole.LEADER)
            assert leader.post == "党委书记" and leader.supervisor_id is None
            # everyone else answers, through the chain, to the secretary
            for person in people:
                if person.id != leader.id:
                    assert (await service.supervisor_chain(person))[-1].id == leader.id, person.name
            # the demo official (宣传委员) has village cadres below them
            publicity = next(p for p in people if "宣传委员" in p.post)
            assert any(p.supervisor_id == publicity.id and p.tier is Tier.VILLAGE_CADRE for p in people)

    run(check())


def test_it_loads_twice_without_duplicates(db_url: str, db: Any) -> None:
    db(lambda session: load_demo(session, TODAY))
    before = snapshot(db_url)
    again = db(lambda session: load_demo(session, TODAY + dt.timedelta(days=1)))
    assert not again.changed_anything
    assert snapshot(db_url) == before


def test_the_demo_command_migrates_loads_and_serves(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.cli.demo import demo_command

    served = without_serving(monkeypatch)
    env = {
        "TRACKER_DATA_DIR": str(tmp_path / "data"),
        "TRACKER_DEFAULT_LOCALE": "en",
        "TRACKER_DATABASE_URL": db_url,
    }
    result = CliRunner().invoke(demo_command, [], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert served["asked"] == ("127.0.0.1", 8000) and served["server_header"] is False
    assert f"http://127.0.0.1:{served['port']}/" in result.stdout

    async def counts() -> list[int]:
        async with open_session(db_url) as session:
            return [
                await session.scalar(select(func.count()).select_from(model))
                for model in (Town, Unit, Person, ContactAssignment)
            ]

    first = run(counts())
    assert first[0] == 1 and first[2] >= 30
    again = CliRunner().invoke(demo_command, ["--port", "8123"], env=env, catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert served["asked"] == ("127.0.0.1", 8123) and f"http://127.0.0.1:{served['port']}/" in again.stdout
    assert run(counts()) == first


def test_the_demo_command_migrates_an_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.cli.demo import demo_command

    served = without_serving(monkeypatch)
    env = {
        "TRACKER_DATA_DIR": str(tmp_path / "fresh"),
        "TRACKER_DEFAULT_LOCALE": "en",
        "TRACKER_DATABASE_URL": "",
    }
    result = CliRunner().invoke(demo_command, ["--host", "0.0.0.0"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert served["asked"] == ("0.0.0.0", 8000) and f"http://0.0.0.0:{served['port']}/" in result.stdout
    assert (tmp_path / "fresh" / "tracker.sqlite3").exists()


# -- the demo accounts -------------------------------------------------------------------------


def run_demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, Any]]:
    from tracker.cli.demo import demo_command

    served = without_serving(monkeypatch)
    env = {
        "TRACKER_DATA_DIR": str(tmp_path / "data"),
        "TRACKER_DEFAULT_LOCALE": "en",
        "TRACKER_DATABASE_URL": db_url,
    }
    result = CliRunner().invoke(demo_command, [], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result, served


def accounts(db_url: str) -> dict[str, tuple[User, Person | None, list[int]]]:
    async def go() -> dict[str, tuple[User, Person | None, list[int]]]:
        async with open_session(db_url) as session:
            found = {}
            for user in (await session.scalars(select(User).order_by(User.id))).all():
                person = await session.get(Person, user.person_id) if user.person_id else None
                towns = (
                    await session.scalars(select(ViewerTown.town_id).where(ViewerTown.user_id == user.id))
                ).all()
                found[user.login] = (user, person, list(towns))
            return found

    return run(go())


def test_it_creates_and_prints_the_demo_accounts(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _served = run_demo(db_url, tmp_path, monkeypatch)
    assert "DEMO ONLY" in result.stdout and f"password {DEMO_PASSWORD}" in result.stdout
    for login in ("admin", "secretary", "official", "cadre", "viewer"):
        assert f"  {login} " in result.stdout
    assert "李雅琴" in result.stdout and "陈立新" in result.stdout

    found = accounts(db_url)
    assert set(found) == {"admin", "secretary", "official", "cadre", "viewer"}
    meili = run(_town_id(db_url))
    for user, _person, _towns in found.values():
        assert user.active and not user.must_change_password
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    admin, _, _ = found["admin"]
    assert (admin.role, admin.town_id, admin.person_id) == (Role.ADMIN, None, None)
    secretary, secretary_person, _ = found["secretary"]
    assert (secretary.role, secretary.town_id) == (Role.SECRETARY, meili)
    assert secretary_person is not None and (secretary_person.code, secretary_person.post) == (
        "S01",
        "党委书记",
    )
    official, official_person, _ = found["official"]
    assert official.role is Role.OFFICIAL and official_person is not None
    assert (official_person.code, official_person.name, official_person.tier) == (
        "S05",
        "李雅琴",
        Tier.SECTION_OFFICIAL,
    )
    cadre, cadre_person, _ = found["cadre"]
    assert (cadre.role, cadre.town_id) == (Role.MEMBER, meili)
    assert cadre_person is not None and cadre_person.tier is Tier.VILLAGE_CADRE
    assert cadre_person.supervisor_id == official_person.id  # below the official in the chain
    viewer, _, viewer_towns = found["viewer"]
    assert viewer.role is Role.VIEWER and viewer_towns == [meili]


async def _town_id(db_url: str) -> int:
    async with open_session(db_url) as session:
        return int(await session.scalar(select(Town.id).where(Town.code == DEMO_TOWN_CODE)) or 0)


def test_it_signs_in_with_the_demo_accounts(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litestar.testing import TestClient

    from tests.support.personas import sign_in

    _result, served = run_demo(db_url, tmp_path, monkeypatch)
    with TestClient(app=served["app"]) as client:
        sign_in(client, "cadre", DEMO_PASSWORD)
        me = client.get("/api/v1/me").json()
        assert (me["login"], me["role"]) == ("cadre", "member")
        assert client.get("/towns/meili", follow_redirects=False).status_code == 200  # no forced change
    with TestClient(app=served["app"]) as client:
        sign_in(client, "secretary", DEMO_PASSWORD)
        assert client.get("/towns/meili/users").status_code == 200


def test_it_leaves_existing_demo_accounts_alone(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_demo(db_url, tmp_path, monkeypatch)

    async def change_password(session: Any) -> None:
        cadre = await session.scalar(select(User).where(User.login == "cadre"))
        cadre.password_hash = hash_password("the-cadres-own-password")

    async def go() -> None:
        async with open_session(db_url) as session:
            await change_password(session)

    run(go())
    before = {login: (u.id, u.password_hash) for login, (u, _p, _t) in accounts(db_url).items()}
    again, _served = run_demo(db_url, tmp_path, monkeypatch)
    assert again.stdout.count("already there") == 5
    assert {login: (u.id, u.password_hash) for login, (u, _p, _t) in accounts(db_url).items()} == before
    assert verify_password(before["cadre"][1], "the-cadres-own-password")


def test_it_makes_demo_accounts_only_in_the_demo_command(db_url: str, db: Any, settings: Any) -> None:
    from litestar.testing import TestClient

    from tracker.app import create_app

    db(lambda session: load_demo(session, TODAY))  # the demo town alone brings no accounts
    with TestClient(app=create_app(settings)) as client:  # nor does starting the app (`tracker run`)
        assert client.get("/healthz").status_code == 200
    assert accounts(settings.database_url) == {}
