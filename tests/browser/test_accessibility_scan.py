"""Readable for every cadre: axe-core finds no serious or critical violation on sign-in, 我的任务 and a
task page with its record form (also after an empty visit was refused, messages shown); the controls a
finger must hit are at least 44 px; and with the phone's font size doubled the pages still fit the
screen (screenshots kept)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.browser.accessibility import (
    blocking_findings,
    overflows_sideways,
    set_default_font_size,
    small_targets,
)
from tests.support.browser import seed, sign_in
from tests.support.personas import World
from tracker import i18n
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Task, TaskStatus
from tracker.domain.clock import utc_now
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

TITLE = "每月走访包村"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


@pytest.fixture
def visit_task(browser_db_url: str, world: World) -> int:
    async def assign(session: AsyncSession) -> int:
        town = await session.get(Town, world.a.town.id)
        body = {"title": TITLE, "kind": "visit", "who": {"kind": "people", "person_ids": [world.a.cadre.id]},
                "when": {"cadence": "monthly"}}  # fmt: skip
        await AssignmentService(session, None).create(town, AssignmentIn.model_validate(body), utc_now())  # type: ignore[arg-type]
        return (
            (await session.scalars(select(Task).where(Task.title == TITLE).order_by(Task.due_at))).first().id
        )  # type: ignore[union-attr]

    return seed(browser_db_url, assign)


def _clean(page: Page, where: str) -> None:
    page.locator("html[data-scripts=ready]").wait_for(state="attached")  # the page as its scripts leave it
    findings = blocking_findings(page)
    assert findings == [], f"{where}: {findings}"
    small = small_targets(page)
    assert small == [], f"{where}: touch targets under 44 px: {small}"


def test_sign_in_my_work_and_the_record_form_pass_the_scan(
    page: Page, base_url: str, world: World, visit_task: int, screenshot: Callable[[str], Path]
) -> None:
    page.goto("/login")
    _clean(page, "sign-in")
    sign_in(page, base_url, "cadre")
    page.goto("/my")
    expect(page.locator(f"#task-row-{visit_task}")).to_be_visible()
    _clean(page, "my work")
    page.goto(f"/tasks/{visit_task}")
    _clean(page, "task page")
    # the record form in reading order: what counts, the kind's fields, when, where, photos, location, save
    order = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
        .filter(e => e.offsetParent !== null).map(e => e.textContent.trim())""",
        ".record-form label, .record-form legend, .record-form .field-label, .record-form button[type=submit]",
    )
    expected = [zh("People met"), zh("What was raised"), zh("Issues found"), zh("When it happened"), zh("Where"),
                zh("Take photos"), zh("Location"), zh("Save the record")]  # fmt: skip
    assert [label for label in order if any(label.startswith(e) for e in expected)] == [
        next(label for label in order if label.startswith(e)) for e in expected
    ]
    # an empty visit: refused, each message beside its field and announced with it
    page.get_by_role("button", name=zh("Save the record")).click()
    expect(page.locator("#field-people_met-error")).to_have_text(zh("Say whom you met, or add a photo"))
    expect(page.get_by_label(zh("People met"))).to_have_attribute(
        "aria-describedby", "field-people_met-error"
    )
    _clean(page, "refused record form")
    screenshot("refused-form")


def test_pages_fit_the_phone_with_its_font_size_doubled(
    page: Page, base_url: str, world: World, visit_task: int, screenshot: Callable[[str], Path]
) -> None:
    set_default_font_size(page, 32)
    page.goto("/login")
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('main') || document.body).fontSize)"
    )
    assert size >= 30, f"the page's text ignores the phone's font size ({size}px)"
    assert not overflows_sideways(page), "sign-in is wider than the screen at 200% text"
    sign_in(page, base_url, "cadre")
    for path, label in (("/my", "my-work-200"), (f"/tasks/{visit_task}", "task-200")):
        page.goto(path)
        assert not overflows_sideways(page), f"{path} is wider than the screen at 200% text"
        screenshot(label)


def test_the_offline_states_pass_the_scan(
    page: Page, phone: BrowserContext, base_url: str, world: World, visit_task: int, browser_db_url: str,
    screenshot: Callable[[str], Path],
) -> None:  # fmt: skip
    """Part B's queue (record-queue.js): "saved on this phone" with the count in the top bar, then the
    record the server refused, kept on the queue page with the server's message."""
    sign_in(page, base_url, "cadre")
    page.goto(f"/tasks/{visit_task}")
    page.get_by_label(zh("People met")).fill("村支书王某")
    page.get_by_label(zh("What was raised")).fill("宣传栏需要更新")
    phone.set_offline(True)
    page.get_by_role("button", name=zh("Save the record")).click()
    expect(page.locator("[data-queue-status]")).to_contain_text(
        zh("Saved on this phone; it will be sent when the network is back.")
    )
    expect(page.locator("[data-queue-count]")).to_have_text(zh("%(count)s waiting", count="1"))
    _clean(page, "saved on this phone")
    screenshot("saved-on-this-phone")

    async def excuse(session: AsyncSession) -> None:  # the task was excused meanwhile: the server refuses
        await session.execute(update(Task).where(Task.id == visit_task).values(status=TaskStatus.EXCUSED))

    seed(browser_db_url, excuse)
    phone.set_offline(False)
    page.locator("[data-queue-count]").click()
    expect(page).to_have_url(f"{base_url}/my/queue")
    expect(page.locator(".queue-item").get_by_role("alert")).to_be_visible()
    _clean(page, "refused record on the queue page")
    screenshot("refused-queued-record")
