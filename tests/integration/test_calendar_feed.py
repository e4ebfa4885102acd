"""The calendar feed end to end, on SQLite and PostgreSQL: a user makes their secret address on the
settings page (shown once), a calendar fetches it without signing in and gets exactly the person's
open tasks; replacing or revoking the address makes the old one 404; nobody else's tasks appear; a
user with no person is told so and gets no address."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.accounts import rows
from tests.support.personas import World, build_world, form_post, sign_in
from tests.support.work_pages import ENGLISH, add_work
from tracker.db.models.accounts import User
from tracker.db.models.reminders import CalendarFeed
from tracker.db.models.tasks import Task, TaskStatus
from tracker.domain.access import Actor
from tracker.domain.clock import due_instant, local_date, utc_now
from tracker.domain.errors import Conflict
from tracker.domain.reminders.calendar_feed import CalendarFeedService

TOKEN = re.compile(r"cal_[A-Za-z0-9_-]{43}")
ZONE = "Asia/Shanghai"
BASE = "http://localhost:8000"


@pytest.fixture
def work(db: Callable[..., Any]) -> tuple[World, dict[str, int]]:
    """The personas, the cadre's overdue / this-week / later tasks and the official's task
    (tests/support/work_pages.py), plus the cadre's done task, the cadre's open task due 40 days ago
    and the outsider's task."""

    async def build(session: AsyncSession) -> tuple[World, dict[str, int]]:
        world = await build_world(session)
        ids = await add_work(session, world)
        template = await session.get(Task, ids["this_week"])
        assert template is not None
        today = local_date(utc_now(), ZONE)

        def copy(person_id: int, days: int, key: str, **extra: Any) -> Task:
            day = today + dt.timedelta(days=days)
            return Task(
                town_id=template.town_id, assignment_id=template.assignment_id, person_id=person_id,
                slot=f"{person_id}:-:{key}", period_key=key, period_start=day - dt.timedelta(days=20),
                period_end=day, due_at=due_instant(day, ZONE), title=f"任务{key}", kind=template.kind, **extra,
            )  # fmt: skip

        more = {
            "done": copy(
                world.a.cadre.id, 5, "done", status=TaskStatus.DONE, done_count=1, closed_at=utc_now()
            ),
            "old": copy(world.a.cadre.id, -40, "old"),
            "outsiders": copy(world.outsider.id, 4, "outsider"),
        }
        session.add_all(more.values())
        await session.flush()
        return world, {**ids, **{name: task.id for name, task in more.items()}}

    return db(build)  # type: ignore[no-any-return]


@pytest.fixture
def anonymous(browsers: Any) -> TestClient[Litestar]:
    """A calendar app: no cookies, no sign-in, no language asked for (its own app instance, as
    another process behind the proxy would be)."""
    return browsers.open(english=False)  # type: ignore[no-any-return]


def make_address(client: TestClient[Litestar], **headers: str) -> tuple[str, str]:
    """Press "make my calendar address"; (the token shown, the page that showed it)."""
    response = form_post(client, "/settings/calendar", headers=headers)
    assert response.status_code == 303 and response.headers["location"] == "/settings/calendar?changed=made"
    page = client.get(response.headers["location"], headers=headers)
    assert page.status_code == 200
    found = TOKEN.findall(page.text)
    assert found, "the new address is not on the page"
    return found[0], page.text


def fetch(calendar_app: TestClient[Litestar], token: str) -> Any:
    return calendar_app.get(f"/calendar/{token}.ics")


def task_ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    return {int(str(event["uid"]).split("@")[0].removeprefix("task-")) for event in calendar.walk("VEVENT")}


def test_it_serves_exactly_the_persons_open_tasks_to_a_calendar_that_never_signed_in(
    client: TestClient[Litestar], anonymous: TestClient[Litestar], work: tuple[World, dict[str, int]]
) -> None:
    _world, ids = work
    sign_in(client, "cadre")
    token, page = make_address(client)
    assert f"{BASE}/calendar/{token}.ics" in page and f"webcal://localhost:8000/calendar/{token}.ics" in page
    response = fetch(anonymous, token)
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, max-age=300"  # never kept by a shared cache
    # open, due from 30 days ago on: not the done one, not the one 40 days old, nobody else's
    assert task_ids(response) == {ids["overdue"], ids["this_week"], ids["later"]}
    event = next(
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if str(e["uid"]).startswith(f"task-{ids['later']}@")
    )
    assert str(event["url"]) == f"{BASE}/tasks/{ids['later']}"
    assert "东村2组" in str(event["summary"])  # the place, in the cadre's language (Chinese by default)


def test_it_drops_a_task_once_it_is_done(
    client: TestClient[Litestar],
    anonymous: TestClient[Litestar],
    work: tuple[World, dict[str, int]],
    db: Callable[..., Any],
) -> None:
    _world, ids = work
    sign_in(client, "cadre")
    token, _page = make_address(client)

    async def finish(session: AsyncSession) -> None:
        await session.execute(update(Task).where(Task.id == ids["later"]).values(status=TaskStatus.DONE))

    db(finish)
    assert task_ids(fetch(anonymous, token)) == {ids["overdue"], ids["this_week"]}


def test_it_shows_the_address_once_and_afterwards_only_its_start(
    client: TestClient[Litestar], work: tuple[World, dict[str, int]], db: Callable[..., Any]
) -> None:
    sign_in(client, "cadre")
    token, _page = make_address(client)
    again = client.get("/settings/calendar")
    assert token not in again.text
    assert token[:10] in again.text
    stored = rows(db, select(CalendarFeed))
    assert len(stored) == 1 and stored[0].prefix == token[:10] and token not in stored[0].token_hash


def test_it_shows_the_address_only_to_the_user_who_made_it_and_only_while_it_is_in_force(
    work: tuple[World, dict[str, int]], db: Callable[..., Any]
) -> None:
    world, _ids = work

    async def go(session: AsyncSession) -> tuple[Any, Any, Any]:
        cadre = Actor(user_id=world.users["cadre"], login="cadre", role=User.role.type.enum_class.MEMBER,  # type: ignore[attr-defined]
                      town_id=world.a.town.id, person_id=world.a.cadre.id)  # fmt: skip
        official = Actor(user_id=world.users["official"], login="official", role=User.role.type.enum_class.OFFICIAL,  # type: ignore[attr-defined]
                         town_id=world.a.town.id, person_id=world.a.official.id)  # fmt: skip
        first = await CalendarFeedService(session, cadre).create_or_replace(utc_now())
        others = await CalendarFeedService(session, official).status(fresh_token=first)
        second = await CalendarFeedService(session, cadre).create_or_replace(utc_now())
        stale = await CalendarFeedService(session, cadre).status(fresh_token=first)
        current = await CalendarFeedService(session, cadre).status(fresh_token=second)
        return others, stale, (current, second)

    others, stale, (current, second) = db(go)
    assert others.new_token is None and not others.active
    assert stale.new_token is None and stale.active
    assert current.new_token == second


def test_it_answers_404_to_the_old_address_once_replaced_and_to_any_once_revoked(
    client: TestClient[Litestar],
    anonymous: TestClient[Litestar],
    work: tuple[World, dict[str, int]],
    db: Callable[..., Any],
) -> None:
    sign_in(client, "cadre")
    old, _page = make_address(client)
    new, _page = make_address(client)
    assert old != new
    assert fetch(anonymous, old).status_code == 404
    assert fetch(anonymous, new).status_code == 200
    assert len(rows(db, select(CalendarFeed))) == 1
    revoked = form_post(client, "/settings/calendar/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/settings/calendar?changed=revoked"
    assert fetch(anonymous, new).status_code == 404
    assert rows(db, select(CalendarFeed)) == []
    assert form_post(client, "/settings/calendar/revoke").status_code == 303  # again: nothing to do


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/nope.ics",
        "/calendar/cal_" + "A" * 43 + ".ics",  # the right shape, never handed out
        "/calendar/cal_" + "A" * 43,  # no .ics
        "/calendar/cal_" + "A" * 200 + ".ics",
        "/calendar/.ics",
        "/calendar/CAL_" + "A" * 43 + ".ics",
    ],
)
def test_it_answers_404_without_detail_to_an_address_not_in_force(
    anonymous: TestClient[Litestar], work: tuple[World, dict[str, int]], path: str
) -> None:
    response = anonymous.get(path)
    assert response.status_code == 404
    assert "cal_" not in response.text and len(response.text) < 40


def test_it_never_shows_anyone_elses_tasks(
    browsers: Any, anonymous: TestClient[Litestar], work: tuple[World, dict[str, int]]
) -> None:
    """The official may read the cadre's work, but their calendar holds their own tasks only."""
    _world, ids = work
    official, _page = make_address(browsers.open("official"))
    cadre, _page = make_address(browsers.open("cadre"))
    outsider, _page = make_address(browsers.open("outsider"))
    assert task_ids(fetch(anonymous, official)) == {ids["officials"]}
    assert task_ids(fetch(anonymous, cadre)) == {ids["overdue"], ids["this_week"], ids["later"]}
    assert task_ids(fetch(anonymous, outsider)) == {ids["outsiders"]}
    assert task_ids(fetch(anonymous, official)) == {ids["officials"]}  # cadre's address changed nothing


@pytest.mark.parametrize("login", ["admin", "viewer"])
def test_it_tells_a_user_with_no_person_that_there_is_nothing_to_subscribe_to(
    browsers: Any, work: tuple[World, dict[str, int]], db: Callable[..., Any], login: str
) -> None:
    browser = browsers.open(login, english=True)
    page = browser.get("/settings/calendar")
    assert page.status_code == 200
    assert "not linked to a person" in page.text
    assert 'action="/settings/calendar"' not in page.text  # no button to make one
    refused = form_post(browser, "/settings/calendar", headers=ENGLISH)
    assert refused.status_code == 409 and "not linked to a person" in refused.text
    assert rows(db, select(CalendarFeed)) == []


def test_it_gives_an_empty_calendar_when_the_person_link_goes_and_404_when_the_user_is_disabled(
    client: TestClient[Litestar],
    anonymous: TestClient[Litestar],
    work: tuple[World, dict[str, int]],
    db: Callable[..., Any],
) -> None:
    world, _ids = work
    sign_in(client, "cadre")
    token, _page = make_address(client)

    async def change(session: AsyncSession, **values: Any) -> None:
        await session.execute(update(User).where(User.id == world.users["cadre"]).values(**values))

    db(lambda session: change(session, person_id=None))
    assert task_ids(fetch(anonymous, token)) == set()
    db(lambda session: change(session, active=False))
    assert fetch(anonymous, token).status_code == 404


def test_it_notes_the_last_fetch_at_most_once_a_minute(
    client: TestClient[Litestar], work: tuple[World, dict[str, int]], db: Callable[..., Any]
) -> None:
    sign_in(client, "cadre")
    token, _page = make_address(client)
    start = utc_now()

    def fetch_at(now: dt.datetime) -> dt.datetime | None:
        async def go(session: AsyncSession) -> dt.datetime | None:
            assert await CalendarFeedService(session, None).feed(token, now, base_url=BASE) is not None
            return None

        db(go)
        return rows(db, select(CalendarFeed))[0].last_used_at  # type: ignore[no-any-return]

    assert fetch_at(start) == start
    assert fetch_at(start + dt.timedelta(seconds=30)) == start
    assert fetch_at(start + dt.timedelta(seconds=61)) == start + dt.timedelta(seconds=61)
    page = client.get("/settings/calendar", headers=ENGLISH)
    assert "last fetched by a calendar" in page.text


def test_it_refuses_to_make_an_address_for_nobody(
    work: tuple[World, dict[str, int]], db: Callable[..., Any]
) -> None:
    """A user without a person is refused at the service (Conflict) too, and nothing is written."""
    world, _ids = work

    async def go(session: AsyncSession) -> None:
        viewer = Actor(user_id=world.users["viewer"], login="viewer", role=User.role.type.enum_class.VIEWER,  # type: ignore[attr-defined]
                       town_id=None, person_id=None)  # fmt: skip
        with pytest.raises(Conflict):
            await CalendarFeedService(session, viewer).create_or_replace(utc_now())

    db(go)
    assert rows(db, select(CalendarFeed)) == []


def test_it_swaps_the_card_alone_for_htmx(
    client: TestClient[Litestar], work: tuple[World, dict[str, int]]
) -> None:
    sign_in(client, "cadre")
    response = form_post(client, "/settings/calendar", headers={"HX-Request": "true"})
    assert response.status_code == 303
    card = client.get(response.headers["location"], headers={"HX-Request": "true"})
    assert card.status_code == 200 and "<html" not in card.text
    assert card.text.lstrip().startswith('<section class="card card-pad" id="calendar-feed"')
    assert TOKEN.search(card.text)
    assert "tracker_calendar_new" not in client.cookies  # shown once: the page dropped the carrier cookie


def test_it_links_the_calendar_page_from_my_settings(
    client: TestClient[Litestar], work: tuple[World, dict[str, int]]
) -> None:
    sign_in(client, "cadre")
    assert 'href="/settings/calendar"' in client.get("/account").text
