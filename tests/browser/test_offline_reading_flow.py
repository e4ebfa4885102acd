"""The phone in the field, reading: the service worker installs, 我的任务 and an open task's page read
with no network (saying when they were fetched), a reload offline survives, signing out leaves
nothing to read; static files are kept for good by their hashed names; each role lands on its work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, eventually, seed, sign_in
from tests.support.personas import World
from tracker import i18n
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Task
from tracker.domain.clock import utc_now
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

TITLE = "每月走访包村"
# Read from the page (no `await navigator.serviceWorker.ready`: a promise that never settles when no
# worker comes would hang page.evaluate, which has no timeout).
KEPT_PAGES = """async () => {
  const cache = await caches.open("tracker-pages");
  return (await cache.keys()).map((request) => new URL(request.url).pathname);
}"""


def zh(message: str) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message)


@pytest.fixture
def open_task(browser_db_url: str, world: World) -> int:
    """A monthly visit for the cadre (made by the system); returns this month's task."""

    async def assign(session: AsyncSession) -> int:
        town = await session.get(Town, world.a.town.id)
        assert town is not None
        body = {"title": TITLE, "kind": "visit", "who": {"kind": "people", "person_ids": [world.a.cadre.id]},
                "when": {"cadence": "monthly"}}  # fmt: skip
        await AssignmentService(session, None).create(town, AssignmentIn.model_validate(body), utc_now())
        tasks = (await session.scalars(select(Task).where(Task.title == TITLE).order_by(Task.due_at))).all()
        return tasks[0].id

    return seed(browser_db_url, assign)


def kept_pages(page: Page, *paths: str) -> list[str]:
    """Wait until the worker keeps `paths` (it fetches them after /my), then list what it keeps."""
    every = "paths.every((p) => kept.includes(p))"
    script = f"async (paths) => {{ const kept = await ({KEPT_PAGES})(); return {every}; }}"
    eventually(page, script, list(paths), seconds=15)
    return page.evaluate(KEPT_PAGES)


def test_it_reads_my_work_and_a_task_offline_and_forgets_them_at_sign_out(
    page: Page,
    phone: BrowserContext,
    base_url: str,
    open_task: int,
    browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
) -> None:
    sign_in(page, base_url, "cadre")
    expect(page).to_have_url(f"{base_url}/my")
    banner = page.locator("#offline-banner")
    expect(banner).to_be_hidden()  # online, from the network

    # Static files by their hashed names, kept by the phone for good.
    stylesheet = page.locator('link[rel="stylesheet"]').first.get_attribute("href")
    assert stylesheet and "?v=" in stylesheet
    answer = page.request.get(stylesheet)
    assert answer.ok and answer.headers["cache-control"] == "public, max-age=31536000, immutable"

    # The worker installs and keeps 我的任务, the open task it links and the page of records waiting here.
    kept = kept_pages(page, "/my", f"/tasks/{open_task}", "/my/queue")
    assert set(kept) <= {"/my", "/my/queue"} | {p for p in kept if p.startswith("/tasks/")}

    phone.set_offline(True)
    page.goto("/my")
    expect(page.locator("h1")).to_have_text(zh("My work"))
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("离线：以下内容获取于")
    screenshot("my-work-offline")

    page.locator(f'a[href="/tasks/{open_task}"]').first.click()
    expect(page).to_have_url(f"{base_url}/tasks/{open_task}")
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(banner).to_be_visible()
    page.reload()
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(banner).to_be_visible()

    page.goto("/my/queue")  # the records waiting on this phone: kept with /my, readable offline
    expect(page).to_have_url(f"{base_url}/my/queue")
    expect(page.locator("h1")).to_have_text(zh("Records waiting on this phone"))
    expect(banner).to_be_visible()
    page.goto("/account")  # never kept: the offline page
    expect(page.locator("h1")).to_have_text(zh("No network"))

    # Signing out leaves nothing of the cadre's on the phone.
    phone.set_offline(False)
    page.goto("/my")
    expect(banner).to_be_hidden()
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Sign out")).click()
    expect(page).to_have_url(f"{base_url}/login")
    # the login page's new worker (sign-out's Clear-Site-Data removed the old one), within a deadline
    eventually(page, "async () => !!(await navigator.serviceWorker.getRegistration())?.active", seconds=15)
    assert "/my" not in page.evaluate(KEPT_PAGES)
    phone.set_offline(True)
    page.goto("/my")
    expect(page.locator("h1")).to_have_text(zh("No network"))
    assert TITLE not in page.content()
    page.goto(f"/tasks/{open_task}")
    expect(page.locator("h1")).to_have_text(zh("No network"))
    phone.set_offline(False)
    assert browser_errors.page == []


# Where each role lands, with no service worker: the worker would go on keeping the last person's
# pages in the background while the next one signs in, and a CSRF cookie its answers set could replace
# the one the sign-in form was given (the next sign-in refused as an expired form).
@pytest.mark.browser_context_args(service_workers="block")
def test_it_lands_each_role_on_its_work(
    page: Page, phone: BrowserContext, base_url: str, world: World
) -> None:
    for login, path, heading in (
        ("cadre", "/my", zh("My work")),
        ("official", "/my", zh("My work")),
        ("secretary", "/towns/alpha/desk", None),
        ("viewer", "/towns/alpha", "阿尔法镇"),
        ("admin", "/", None),  # two towns: the list of towns
    ):
        phone.clear_cookies()
        sign_in(page, base_url, login)
        expect(page).to_have_url(f"{base_url}{path}")
        if heading:
            expect(page.locator("h1")).to_have_text(heading)
