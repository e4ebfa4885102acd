"""Filing one record costs a small, fixed number of SQL statements, from the page and from the API,
whatever the size of the town's roster: the task is loaded once, the reach worked out once (one
recursive query for an official, not the whole roster), and the answer built from what was loaded.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import csrf_token, sign_in
from tests.support.statements import counted
from tests.support.work_pages import ENGLISH, HTMX, build_work, client_key
from tracker.db.models.roster import Person, Tier
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import local_date, utc_now

# What one submission may cost, all told: the session and the actor, the task (with its person,
# place and assignment), the town, the reach, the lock, the client key, the finalised years (read
# under the town's lock: work/locks.py), the insert, the count, and the answer (the task's records
# for the page, with the history of records corrected or sent back; people and places for its form).
PAGE_LIMIT = 25
API_LIMIT = 17
BIG_ROSTER = 300


def _grow_roster(official_id: int, town_id: int):  # noqa: ANN202
    """BIG_ROSTER more people, half of them below the official (a chain, so the reach must recurse)."""

    async def grow(session: AsyncSession) -> None:
        supervisor = official_id
        for number in range(BIG_ROSTER):
            person = Person(town_id=town_id, code=f"X{number:04d}", name=f"干部{number}", tier=Tier.VILLAGE_CADRE,
                            post="包村干部", supervisor_id=supervisor if number % 2 else official_id)  # fmt: skip
            session.add(person)
            await session.flush()
            supervisor = person.id

    return grow


def _form(key: str) -> dict[str, str]:
    today = local_date(utc_now(), "Asia/Shanghai").isoformat()
    return {"client_key": key, "occurred_on": today, "place_id": "", "f_people_met": "村支书王某",
            "f_issues_raised": "群众反映路灯不亮", "latitude": "", "longitude": "", "accuracy_m": "", "located_at": ""}  # fmt: skip


def _page_submission(client, task_id: int) -> int:  # noqa: ANN001
    key = client_key(client.get(f"/tasks/{task_id}", headers=ENGLISH).text)
    data = {**_form(key), "_csrf_token": csrf_token(client)}
    with counted() as statements:
        answer = client.post(f"/tasks/{task_id}/records", data=data, headers=HTMX, follow_redirects=False)
    assert answer.status_code == 200, answer.text
    return len(statements)


def _api_submission(client, db, user_id: int, task_id: int) -> int:  # noqa: ANN001
    async def token(session: AsyncSession) -> str:
        return (await UserService(session, None).create_token(user_id, "count")).secret  # type: ignore[arg-type]

    secret = db(token)
    body = {"client_key": "api-count-1", "occurred_on": local_date(utc_now(), "Asia/Shanghai").isoformat(),
            "fields": {"people_met": "村支书王某", "issues_raised": "群众反映路灯不亮"}}  # fmt: skip
    with counted() as statements:
        answer = client.post(f"/api/v1/tasks/{task_id}/records", json=body,
                             headers={"Authorization": f"Bearer {secret}", **ENGLISH})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return len(statements)


@pytest.mark.parametrize("roster", ["small", "big"])
def test_it_files_a_record_from_the_page_in_a_fixed_number_of_queries(client, db, roster: str) -> None:
    work = db(build_work)
    if roster == "big":
        db(_grow_roster(work.world.a.official.id, work.world.a.town.id))
    sign_in(client, "official")
    assert _page_submission(client, work.officials) <= PAGE_LIMIT


@pytest.mark.parametrize("roster", ["small", "big"])
def test_it_files_a_record_from_the_api_in_a_fixed_number_of_queries(client, db, roster: str) -> None:
    work = db(build_work)
    if roster == "big":
        db(_grow_roster(work.world.a.official.id, work.world.a.town.id))
    assert _api_submission(client, db, work.world.users["official"], work.officials) <= API_LIMIT


def test_it_counts_the_same_queries_for_a_town_of_ten_and_of_three_hundred(client, db) -> None:
    work = db(build_work)
    sign_in(client, "official")
    small = _page_submission(client, work.officials)
    db(_grow_roster(work.world.a.official.id, work.world.a.town.id))
    # a second open task of the official's, like the first
    async def another(session: AsyncSession) -> int:
        from tests.support.work_pages import add_work

        return (await add_work(session, work.world))["officials"]

    big = _page_submission(client, db(another))
    assert big == small
