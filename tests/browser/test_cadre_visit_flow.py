"""A village cadre, standing in their village, records this month's visit on a phone: photo, location."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import NEAR_CADRE_VILLAGE, BrowserErrors, seed, sign_in
from tests.support.personas import World
from tracker import i18n
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record, RecordPhoto, Task
from tracker.domain.clock import utc_now
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

TITLE = "每月走访包村"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "seagreen").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def visit_task(browser_db_url: str, world: World) -> int:
    """A monthly visit for the cadre, made by the system (actor None); returns this month's task."""

    async def assign(session: AsyncSession) -> int:
        town = await session.get(Town, world.a.town.id)
        assert town is not None
        body = {"title": TITLE, "kind": "visit", "who": {"kind": "people", "person_ids": [world.a.cadre.id]},
                "when": {"cadence": "monthly"}}  # fmt: skip
        await AssignmentService(session, None).create(town, AssignmentIn.model_validate(body), utc_now())
        tasks = (await session.scalars(select(Task).where(Task.title == TITLE).order_by(Task.due_at))).all()
        return tasks[0].id

    return seed(browser_db_url, assign)


def test_it_lets_a_cadre_record_a_visit_with_a_photo_and_location_and_shows_it_done(
    page: Page,
    base_url: str,
    world: World,
    visit_task: int,
    browser_db_url: str,
    browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
) -> None:
    sign_in(page, base_url, "cadre")
    page.get_by_role("link", name=zh("My work")).click()
    expect(page).to_have_url(f"{base_url}/my")
    # its scripts (the queue) arrive after `load` (one request before it on a weak network), then what the
    # task page needs is prefetched, htmx with it: 我的任务 itself runs without htmx
    expect(page.locator("html")).to_have_attribute("data-scripts", "ready")
    assert page.evaluate("() => typeof TrackerQueue") == "object"
    assert page.evaluate("() => typeof htmx") == "undefined"
    expect(page.locator("link[rel=prefetch]")).to_have_count(5)
    row = page.locator(f"#task-row-{visit_task}")
    expect(row).to_contain_text(TITLE)
    row.get_by_role("link").click()

    expect(page).to_have_url(f"{base_url}/tasks/{visit_task}")
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_label(zh("People met")).fill("村支书王某、村民代表三人")
    page.get_by_label(zh("What was raised")).fill("村里宣传栏需要更新")
    page.get_by_label(zh("Where")).select_option(label="东村2组")
    page.get_by_label(zh("Take photos")).set_input_files(
        files=[{"name": "visit.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.get_by_role("button", name=zh("Use my location")).click()
    status = page.locator("[data-location-status]")
    expect(status).to_have_text(zh("Location added, accurate to about %(metres)s m", metres="15"))
    expect(page.locator("input[name=latitude]")).to_have_value(f"{NEAR_CADRE_VILLAGE['latitude']:.6f}")
    screenshot("form")

    page.get_by_role("button", name=zh("Save the record")).click()

    expect(page.get_by_role("status")).to_contain_text(zh("Recorded. This task is done."))
    expect(page).to_have_url(f"{base_url}/tasks/{visit_task}")  # swapped in place by htmx
    expect(page.locator(".records .record")).to_have_count(1)
    expect(page.locator(".records img")).to_have_count(1)
    expect(page.locator(".record-head")).to_contain_text("东村2组")
    expect(page.locator(".record-location")).to_be_visible()  # "logged N m from the place"
    screenshot("done")

    page.get_by_role("link", name=zh("Back to my work")).click()
    expect(page.locator("#done").locator(f"#task-row-{visit_task}")).to_be_visible()

    async def saved(session: AsyncSession) -> tuple[Record, int]:
        record = (await session.scalars(select(Record).where(Record.task_id == visit_task))).one()
        photos = (await session.scalars(select(RecordPhoto).where(RecordPhoto.record_id == record.id))).all()
        return record, len(photos)

    record, photo_count = seed(browser_db_url, saved)
    assert (record.latitude, record.longitude) == pytest.approx((34.0203, 108.0002))
    assert record.distance_m is not None and record.distance_m < 100
    assert not record.flagged_far
    assert photo_count == 1
    assert browser_errors.console == [] and browser_errors.page == []
