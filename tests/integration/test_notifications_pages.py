"""The bell and my notifications, on SQLite and PostgreSQL: the unread count, the list, opening one
(marked read once, with links to its tasks), marking all read, and nobody else's message reachable.

IN_APP messages are made directly in the database (queueing them is the queue's job)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.accounts import Browsers, rows
from tests.support.personas import World, form_post
from tests.support.work_pages import add_work
from tracker.db.models.accounts import Role
from tracker.db.models.reminders import ChannelKind, OutboxItem, OutboxMessage, OutboxStatus, ReminderReason
from tracker.domain.access import Actor
from tracker.domain.reminders.notifications import PAGE_SIZE, NotificationService

HTMX = {"HX-Request": "true"}
T0 = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)


def message(town_id: int, person_id: int, n: int, *, kind: ChannelKind = ChannelKind.IN_APP,
            read: bool = False, subject: str = "") -> OutboxMessage:  # fmt: skip
    return OutboxMessage(
        town_id=town_id, key=f"p{person_id}:{kind.value}:{n}", slot=f"2026-11-{n % 28 + 1:02d}", person_id=person_id,
        channel_kind=kind, subject=subject or f"提醒 {n}", text=f"您有任务即将到期 {n}\n第二行",
        status=OutboxStatus.SENT, next_attempt_at=T0, read_at=T0 if read else None,
    )  # fmt: skip


def add_messages(db: Callable[..., Any], world: World, person: str, count: int, **kwargs: Any) -> list[int]:
    async def go(session: AsyncSession) -> list[int]:
        who = getattr(world.a, person) if person != "outsider" else world.outsider
        made = [message(world.a.town.id, who.id, 1000 * len(kwargs) + n, **kwargs) for n in range(count)]
        session.add_all(made)
        await session.flush()
        return [m.id for m in made]

    return db(go)


def read_at(db: Callable[..., Any], message_id: int) -> dt.datetime | None:
    [row] = rows(db, select(OutboxMessage).where(OutboxMessage.id == message_id))
    return row.read_at


def test_it_counts_my_unread_in_app_messages_on_the_bell(browsers: Browsers, world: World, db: Any) -> None:
    add_messages(db, world, "cadre", 3)
    add_messages(db, world, "cadre", 2, read=True)
    add_messages(db, world, "cadre", 4, kind=ChannelKind.EMAIL)  # not the bell's
    add_messages(db, world, "official", 5)  # not mine
    bell = browsers.open("cadre").get("/notifications/bell", headers=HTMX)
    assert bell.status_code == 200
    assert "bell-icon" in bell.text and ">3</span>" in bell.text
    assert 'aria-label="Notifications: 3 unread"' in bell.text
    assert "no-store" in bell.headers["cache-control"]


def test_it_shows_no_badge_when_nothing_is_unread_or_nobody_is_signed_in(
    browsers: Browsers, world: World, db: Any
) -> None:
    add_messages(db, world, "cadre", 1, read=True)
    for client in (browsers.open("cadre"), browsers.open("admin"), browsers.open()):
        bell = client.get("/notifications/bell", headers=HTMX, follow_redirects=False)
        assert bell.status_code == 200  # never a redirect: the poll must not move the page
        assert "bell-icon" in bell.text and "badge" not in bell.text


def test_it_shows_the_bell_in_the_top_bar_for_a_person(browsers: Browsers, world: World) -> None:
    page = browsers.open("cadre").get("/my")
    assert 'href="/notifications"' in page.text and 'hx-get="/notifications/bell"' in page.text
    assert 'hx-get="/notifications/bell"' not in browsers.open("viewer").get("/towns/alpha").text


def test_it_lists_my_notifications_newest_first_a_page_at_a_time(
    browsers: Browsers, world: World, db: Any
) -> None:
    ids = add_messages(db, world, "cadre", PAGE_SIZE + 3)
    add_messages(db, world, "official", 1, subject="别人的提醒")
    client = browsers.open("cadre")
    first = client.get("/notifications")
    assert first.status_code == 200
    assert f'id="n-{ids[-1]}"' in first.text and f'id="n-{ids[2]}"' not in first.text
    assert "别人的提醒" not in first.text
    assert "Page 1 of 2" in first.text and "Mark all as read" in first.text
    second = client.get("/notifications?page=2")
    assert f'id="n-{ids[0]}"' in second.text and f'id="n-{ids[-1]}"' not in second.text
    assert "Page 2 of 2" in client.get("/notifications?page=99").text  # past the end: the last page


def test_it_opens_a_notification_marks_it_read_and_links_its_tasks(
    browsers: Browsers, world: World, db: Any
) -> None:
    async def with_items(session: AsyncSession) -> tuple[int, dict[str, int]]:
        work = await add_work(session, world)
        made = message(world.a.town.id, world.a.cadre.id, 7)
        session.add(made)
        await session.flush()
        session.add_all([
            OutboxItem(message_id=made.id, task_id=work["overdue"], reason=ReminderReason.OVERDUE, days=2),
            OutboxItem(message_id=made.id, task_id=work["this_week"], reason=ReminderReason.BEFORE_DUE, days=3),
        ])  # fmt: skip
        return made.id, work

    message_id, work = db(with_items)
    client = browsers.open("cadre")
    answer = form_post(client, f"/notifications/{message_id}/read")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/notifications?page=1&show={message_id}#n-{message_id}"
    first_read = read_at(db, message_id)
    assert first_read is not None
    page = client.get(answer.headers["location"])
    assert "您有任务即将到期 7" in page.text and "第二行" in page.text
    assert (
        f'href="/tasks/{work["overdue"]}"' in page.text and f'href="/tasks/{work["this_week"]}"' in page.text
    )
    assert "Overdue" in page.text and "走访东村" in page.text
    again = form_post(client, f"/notifications/{message_id}/read", headers=HTMX)  # htmx: the opened one alone
    assert again.status_code == 200 and again.headers["hx-trigger"] == "notifications-read"
    assert again.text.lstrip().startswith("<li") and "<html" not in again.text
    assert read_at(db, message_id) == first_read  # kept at the first reading


def test_it_finds_no_message_that_is_not_my_own_in_app_message(
    browsers: Browsers, world: World, db: Any
) -> None:
    [officials] = add_messages(db, world, "official", 1)
    [email] = add_messages(db, world, "cadre", 1, kind=ChannelKind.EMAIL)
    client = browsers.open("cadre")
    for message_id in (officials, email, 2**62):
        assert form_post(client, f"/notifications/{message_id}/read").status_code == 404
    assert read_at(db, officials) is None and read_at(db, email) is None
    assert f'id="n-{officials}"' not in client.get(f"/notifications?show={officials}").text
    assert form_post(browsers.open("admin"), f"/notifications/{officials}/read").status_code == 404


def test_it_marks_all_my_notifications_read_and_no_one_elses(
    browsers: Browsers, world: World, db: Any
) -> None:
    mine = add_messages(db, world, "cadre", 4)
    theirs = add_messages(db, world, "official", 2)
    client = browsers.open("cadre")
    answer = form_post(client, "/notifications/read-all")
    assert answer.status_code == 303 and answer.headers["location"] == "/notifications"
    assert all(read_at(db, i) is not None for i in mine)
    assert all(read_at(db, i) is None for i in theirs)
    assert "badge" not in client.get("/notifications/bell").text
    assert "Mark all as read" not in client.get("/notifications").text


def test_it_tells_an_account_without_a_person_it_gets_no_reminders(browsers: Browsers, world: World) -> None:
    page = browsers.open("viewer").get("/notifications")
    assert page.status_code == 200 and "not linked to a person" in page.text


def test_it_counts_and_marks_read_in_the_service(world: World, db: Any) -> None:
    async def go(session: AsyncSession) -> list[int]:
        session.add_all([message(world.a.town.id, world.a.cadre.id, n) for n in range(3)])
        await session.flush()
        cadre = Actor(user_id=world.users["cadre"], login="cadre", role=Role.MEMBER, town_id=world.a.town.id,
                      person_id=world.a.cadre.id)  # fmt: skip
        service = NotificationService(session, cadre)
        nobody = Actor(
            user_id=world.users["viewer"], login="viewer", role=Role.VIEWER, town_id=None, person_id=None
        )
        return [
            await service.unread_count(),
            await service.mark_all_read(T0),
            await service.mark_all_read(T0),
            await service.unread_count(),
            await NotificationService(session, nobody).unread_count(),
        ]

    assert db(go) == [3, 3, 0, 0, 0]
