"""A cadre with late work, on a phone: the reminders pass queues their digest, the bell in the top
bar shows it (filled in after the page loads), the list opens it with links to the task, and the bell's
count goes away once it is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, seed, sign_in
from tests.support.personas import World
from tracker import i18n
from tracker.db.models.tasks import Assignment, Cadence, Task, WhoKind, WorkKind
from tracker.domain.clock import due_instant, local_date, utc_now
from tracker.domain.reminders.queue import queue_owed

TITLE = "走访东村"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


def test_it_rings_the_bell_for_late_work_and_opens_the_reminder(
    page: Page, base_url: str, world: World, browser_db_url: str, browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
) -> None:  # fmt: skip
    now = utc_now()
    if not 8 <= now.astimezone(dt.timezone(dt.timedelta(hours=8))).hour < 21:  # in quiet hours: a morning
        now = now.replace(hour=2, minute=0) + dt.timedelta(days=1)  # 10:00 in Shanghai

    async def late_work(session: AsyncSession) -> int:
        late_on = local_date(now, "Asia/Shanghai") - dt.timedelta(days=1)
        assignment = Assignment(town_id=world.a.town.id, title=TITLE, kind=WorkKind.VISIT, who_kind=WhoKind.PEOPLE,
                                who_person_ids=[world.a.cadre.id], cadence=Cadence.ONCE, due_date=late_on)  # fmt: skip
        session.add(assignment)
        await session.flush()
        task = Task(town_id=world.a.town.id, assignment_id=assignment.id, person_id=world.a.cadre.id,
                    slot=f"{world.a.cadre.id}:-:{late_on}", period_key=str(late_on), period_start=late_on,
                    period_end=late_on, due_at=due_instant(late_on, "Asia/Shanghai"), title=TITLE,
                    kind=WorkKind.VISIT)  # fmt: skip
        session.add(task)
        await session.flush()
        assert await queue_owed(session, now, base_url=base_url)
        return task.id

    task_id = seed(browser_db_url, late_work)
    sign_in(page, base_url, "cadre")
    bell = page.locator(".topbar-bell")
    expect(bell.locator(".badge")).to_have_text("1")  # filled in after the page (sw-register.js on 我的任务)
    screenshot("bell")

    bell.click()
    expect(page).to_have_url(f"{base_url}/notifications")
    subject = zh("%(num)d task needs you: overdue work", num=1)
    page.get_by_role("button", name=subject).click()
    opened = page.locator(".notifications")
    expect(opened).to_contain_text(TITLE)
    expect(opened.locator(f"a[href$='/tasks/{task_id}']").first).to_be_visible()
    expect(bell.locator(".badge")).to_have_count(0)  # read: the bell counted again
    screenshot("opened")
    assert browser_errors.console == [] and browser_errors.page == []
