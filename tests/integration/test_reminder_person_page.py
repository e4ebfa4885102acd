"""The reminders a person got, on their page: loaded with htmx into the person page (a page of its
own without JS), one entry per day with every channel it went out on; read by the person, the
officials above them and the town's managers only; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tests.support.outbox import add_message
from tests.support.personas import sign_in
from tests.support.work_pages import ENGLISH, HTMX, Work, build_work
from tracker.db.models.reminders import ChannelKind, OutboxStatus, ReminderReason
from tracker.domain.clock import utc_now


@dataclass
class Received:
    work: Work
    url: str  # the cadre's reminders


async def _received(session) -> Received:
    work = await build_work(session)
    a = work.world.a
    yesterday = utc_now() - dt.timedelta(days=1)
    soon = [(work.this_week, ReminderReason.BEFORE_DUE, 3)]
    await add_message(session, a.town.id, a.cadre.id, slot="2026-11-27", subject="三天后到期：宣讲两场",
                      items=soon, created_at=yesterday)  # fmt: skip
    late = [(work.overdue, ReminderReason.OVERDUE, 2), (work.this_week, ReminderReason.BEFORE_DUE, 2)]
    in_app = await add_message(
        session, a.town.id, a.cadre.id, slot="2026-11-28", subject="逾期提醒：走访东村", items=late
    )
    in_app.read_at = utc_now()
    await add_message(session, a.town.id, a.cadre.id, slot="2026-11-28", subject="逾期提醒：走访东村", items=late,
                      kind=ChannelKind.EMAIL, status=OutboxStatus.FAILED, address="cadre@example.org")  # fmt: skip
    # the official's own escalation about the cadre: not the cadre's reminder
    await add_message(session, a.town.id, a.official.id, slot="2026-11-28", subject="督办：干部丁逾期",
                      items=[(work.overdue, ReminderReason.ESCALATED_SUPERVISOR, 3)])  # fmt: skip
    await session.flush()
    return Received(work, f"/towns/alpha/people/{a.cadre.id}/reminders")


def test_it_shows_a_person_their_reminders_newest_first_one_per_day(client, db) -> None:
    got = db(_received)
    sign_in(client, "cadre")
    partial = client.get(got.url, headers=HTMX)
    assert partial.status_code == 200
    html = partial.text
    assert html.lstrip().startswith('<div id="person-reminders"') and "<html" not in html
    assert html.index("逾期提醒：走访东村") < html.index("三天后到期：宣讲两场")
    assert html.count("逾期提醒：走访东村") == 1  # in the app and by e-mail: one entry
    assert "In the app: read" in html and "E-mail: Failed" in html
    assert f'href="/tasks/{got.work.overdue}"' in html and "Overdue" in html and "Due soon" in html
    assert "督办：干部丁逾期" not in html
    page = client.get(got.url, headers=ENGLISH)
    assert (
        page.status_code == 200
        and page.text.count("<html") == 1
        and "Reminders to <bdi>干部丁</bdi>" in page.text
    )


def test_it_loads_the_list_into_the_person_page_with_a_link_without_js(client, db) -> None:
    got = db(_received)
    sign_in(client, "official")
    person = client.get(f"/towns/alpha/people/{got.work.world.a.cadre.id}", headers=ENGLISH).text
    assert f'hx-get="{got.url}"' in person and f'href="{got.url}"' in person
    assert "逾期提醒：走访东村" in client.get(got.url, headers=HTMX).text  # the official above the cadre
    own = client.get(f"/towns/alpha/people/{got.work.world.a.official.id}/reminders", headers=HTMX).text
    assert "督办：干部丁逾期" in own and "逾期提醒：走访东村" not in own


def test_it_keeps_a_persons_reminders_to_them_their_superiors_and_the_secretary(client, db) -> None:
    got = db(_received)
    cadre_page = f"/towns/alpha/people/{got.work.world.a.cadre.id}"
    for login, status in (
        ("secretary", 200),
        ("admin", 200),
        ("outsider", 403),
        ("viewer", 403),
        ("secretary_b", 404),
    ):
        client.cookies.clear()
        sign_in(client, login)
        assert client.get(got.url, headers=HTMX).status_code == status, login
        if status == 403:
            assert got.url not in client.get(cadre_page).text, login  # no link to what they may not open
    client.cookies.clear()
    sign_in(client, "cadre")
    assert client.get(f"/towns/alpha/people/{got.work.world.a.official.id}/reminders").status_code == 403
    assert client.get("/towns/alpha/people/999999/reminders").status_code == 404


def test_it_says_so_when_a_person_got_no_reminders(client, db) -> None:
    got = db(_received)
    sign_in(client, "secretary")
    html = client.get(f"/towns/alpha/people/{got.work.world.a.unit_head.id}/reminders", headers=HTMX).text
    assert "No reminders yet." in html
