"""A record sent back: the cadre's official, at the office's 1280-px screen, sends the cadre's visit record
back with a reason from the task page; the cadre, on the phone, finds the task open again at the top of
我的任务 with the reason, and on the task the record form and who sent it back, when and why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, seed, sign_in
from tests.support.personas import World
from tests.support.work_pages import add_work
from tracker import i18n
from tracker.domain.clock import local_date, utc_now
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import RecordIn

REASON = "照片与走访地点不符，请重新走访后补录"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


def test_a_supervisor_sends_a_record_back_and_the_author_sees_it_on_their_work(
    page: Page, base_url: str, world: World, browser_db_url: str, browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
) -> None:  # fmt: skip
    async def visit_done(session: AsyncSession) -> int:
        task_id = (await add_work(session, world))["overdue"]
        data = RecordIn(client_key="browser-send-back", occurred_on=local_date(utc_now(), "Asia/Shanghai"),
                        fields={"people_met": "村支书王某", "issues_raised": "道路维修"})  # fmt: skip
        await RecordService(session, None, "/tmp", 1024).create(None, data, utc_now(), task_id=task_id)
        return task_id

    task_id = seed(browser_db_url, visit_done)
    phone = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 800})  # the official at the office
    sign_in(page, base_url, "official")
    page.goto(f"{base_url}/tasks/{task_id}")
    page.locator(".record-actions summary", has_text=zh("Send back")).click()
    page.locator("textarea[name=reason]").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Send the record back")).click()
    expect(page).to_have_url(f"{base_url}/tasks/{task_id}?changed=sent_back")
    expect(page.locator(".alert-ok")).to_have_text(zh("The record was sent back; its author is told why."))
    expect(page.locator(".record-changes")).to_contain_text(REASON)
    expect(page.locator(".record-changes")).to_contain_text(world.a.official.name)
    screenshot("sent-back-1280")

    page.context.clear_cookies()
    page.set_viewport_size(phone)  # the cadre, on the phone
    sign_in(page, base_url, "cadre")
    page.goto(f"{base_url}/my")
    returned = page.locator("#sent-back")
    expect(returned).to_contain_text(zh("Sent back to you"))
    expect(returned).to_contain_text(REASON)
    expect(returned).to_contain_text("走访东村")
    assert returned.bounding_box()["y"] < page.locator("#overdue").bounding_box()["y"]  # first on the page
    screenshot("my-work-phone")
    returned.locator(f"a[href='/tasks/{task_id}']").click()
    expect(page).to_have_url(f"{base_url}/tasks/{task_id}")
    expect(page.locator(".record-changes")).to_contain_text(REASON)
    expect(page.locator("form.record-form")).to_be_visible()  # open again: record it anew
    assert browser_errors.console == [] and browser_errors.page == []
