"""A cadre records work on a phone with no signal: kept on the phone, sent once when the network is
back; a photo shrunk on the phone before it is sent, with upload progress; a queued record the server
refuses (its task closed meanwhile) stays with the server's message until it is filed as work
without a task. The queue: static/js/record-queue-core.js; the page side: static/js/record-queue.js."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, eventually, seed, sign_in
from tests.support.personas import World
from tracker import i18n
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record, RecordPhoto, Task, TaskStatus
from tracker.domain.clock import utc_now
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

TITLE = "离线走访"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


def camera_photo() -> bytes:
    """A noisy 4800×3600 JPEG of about 12 MB, as a phone camera makes (noise does not compress)."""
    tile = Image.merge("RGB", [Image.effect_noise((1200, 900), 28) for _ in range(3)])
    image = Image.new("RGB", (4800, 3600))
    for x in range(0, 4800, 1200):
        for y in range(0, 3600, 900):
            image.paste(tile, (x, y))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture
def visit_task(browser_db_url: str, world: World) -> int:
    """This month's visit for the cadre, made by the system (actor None)."""

    async def assign(session: AsyncSession) -> int:
        town = await session.get(Town, world.a.town.id)
        assert town is not None
        body = {"title": TITLE, "kind": "visit", "who": {"kind": "people", "person_ids": [world.a.cadre.id]},
                "when": {"cadence": "monthly"}}  # fmt: skip
        await AssignmentService(session, None).create(town, AssignmentIn.model_validate(body), utc_now())
        tasks = (await session.scalars(select(Task).where(Task.title == TITLE).order_by(Task.due_at))).all()
        return tasks[0].id

    return seed(browser_db_url, assign)


def records_of(browser_db_url: str, task_id: int | None) -> list[tuple[Record, list[int]]]:
    """The task's records (or those without a task), each with its stored photos' sizes."""

    async def read(session: AsyncSession) -> list[tuple[Record, list[int]]]:
        where = Record.task_id.is_(None) if task_id is None else Record.task_id == task_id
        found = []
        for record in (await session.scalars(select(Record).where(where))).all():
            sizes = (
                await session.scalars(
                    select(RecordPhoto.size_bytes).where(RecordPhoto.record_id == record.id)
                )
            ).all()
            found.append((record, list(sizes)))
        return found

    return seed(browser_db_url, read)


def fill_visit(page: Page, people: str = "村支书王某") -> None:
    page.get_by_label(zh("People met")).fill(people)
    page.get_by_label(zh("What was raised")).fill("宣传栏需要更新")


def queue_count(page: Page):  # noqa: ANN201
    return page.locator("[data-queue-count]")


def test_it_keeps_a_record_on_the_phone_offline_and_sends_it_once_when_the_network_is_back(
    page: Page, phone: BrowserContext, base_url: str, visit_task: int, browser_db_url: str,
    browser_errors: BrowserErrors, screenshot: Callable[[str], Path],
) -> None:  # fmt: skip
    sign_in(page, base_url, "cadre")
    page.goto(f"/tasks/{visit_task}")
    page.get_by_label(zh("People met")).fill("村支书王某")
    eventually(page, f"async () => !!(await TrackerQueue.getDraft('/tasks/{visit_task}/records'))")
    page.reload()  # the draft note survives a reload
    expect(page.get_by_label(zh("People met"))).to_have_value("村支书王某")
    expect(page.locator("[data-queue-status]")).to_have_text(zh("What you typed before was restored."))
    page.get_by_label(zh("What was raised")).fill("宣传栏需要更新")
    controlled = page.evaluate(
        "async () => { if (!navigator.serviceWorker) return false;"  # ready, or not within 10 s (never hangs)
        " const ready = new Promise(r => { navigator.serviceWorker.ready.then(() => r(true));"
        " setTimeout(r, 10000, false); });"
        " if (!(await ready)) return false;"
        " for (let i = 0; i < 40 && !navigator.serviceWorker.controller; i++) await new Promise(r => setTimeout(r, 50));"
        " return !!navigator.serviceWorker.controller; }"
    )

    phone.set_offline(True)
    page.get_by_role("button", name=zh("Save the record")).click()
    status = page.locator("[data-queue-status]")
    expect(status).to_contain_text(zh("Saved on this phone; it will be sent when the network is back."))
    expect(queue_count(page)).to_have_text(zh("%(count)s waiting", count="1"))
    expect(page.get_by_label(zh("People met"))).to_have_value("")  # the form is ready for the next record
    screenshot("kept-offline")
    assert records_of(browser_db_url, visit_task) == []

    if controlled:  # the page survives a reload with no network (the service worker's copy)
        page.reload()
        expect(page.locator("h1")).to_have_text(TITLE)
        expect(queue_count(page)).to_have_text(zh("%(count)s waiting", count="1"))
    # Signing out would delete what waits on the phone: asked first (and dismissed here).
    # (the question comes once the queue has been counted: wait for it, don't race it)
    # Dismissed by a handler set before the click: a dialog still open blocks the click that opened it
    # (Chromium's input dispatch waits for confirm()), and that click then never returns.
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as asking:
        page.get_by_role("button", name=zh("Sign out")).click()
    asked = [asking.value.message]
    expect(queue_count(page)).to_have_text(zh("%(count)s waiting", count="1"))
    assert asked == [zh("%(count)s records on this phone have not been sent yet. Signing out deletes them from this phone. "
                        "Sign out anyway?", count="1")]  # fmt: skip
    # Keep a copy of the queued record (its photos are Blobs: it stays in the page) to queue it again later.
    key = page.evaluate(
        "async () => { window.keptCopy = (await TrackerQueue.list())[0]; return window.keptCopy.client_key; }"
    )

    phone.set_offline(
        False
    )  # `online`: the page sends the queue (and Background Sync may too: one at a time)
    expect(queue_count(page)).to_be_hidden()
    ((record, _),) = records_of(browser_db_url, visit_task)
    assert record.client_key == key and record.fields["people_met"] == "村支书王某"

    # The same record queued twice and sent twice makes one record: the server answers its first result.
    summary = page.evaluate(
        "async () => { await TrackerQueue.put(window.keptCopy); return TrackerQueue.sendAll(); }"
    )
    assert summary == {"sent": 1, "refused": 0, "waiting": 0}
    assert len(records_of(browser_db_url, visit_task)) == 1
    assert page.evaluate("() => TrackerQueue.count()") == 0
    if not controlled:
        pytest.xfail("reload offline not checked: no service worker controls the page (issue 11 part A)")
    assert browser_errors.page == []


def test_it_shrinks_a_camera_photo_on_the_phone_and_shows_the_upload_progress(
    page: Page, phone: BrowserContext, base_url: str, visit_task: int, browser_db_url: str,
    browser_errors: BrowserErrors, tmp_path: Path,
) -> None:  # fmt: skip
    photo = camera_photo()
    assert len(photo) > 11_000_000
    sign_in(page, base_url, "cadre")
    page.goto(f"/tasks/{visit_task}")
    fill_visit(page)
    camera = tmp_path / "IMG_0001.jpg"  # from a file: a 12 MB buffer would take Playwright seconds to pass
    camera.write_bytes(photo)
    broken = tmp_path / "broken.jpg"  # a photo this phone can't decode: named, left out, the rest kept
    broken.write_bytes(b"not a picture")
    page.get_by_label(zh("Take photos")).set_input_files([camera, broken])
    page.get_by_role("button", name=zh("Save the record")).click()
    expect(page.locator("[data-queue-status]")).to_have_text(
        zh("This phone cannot read the photo %(names)s, so it was left out; the rest of the record is kept. "
           "Save again to send it.", names="broken.jpg")
    )  # fmt: skip
    expect(page.get_by_label(zh("People met"))).to_have_value("村支书王某")
    bodies: list[int] = []  # what the phone sends: the record's multipart body

    def measure(route: Route) -> None:
        bodies.append(len(route.request.post_data_buffer or b""))
        route.continue_()

    page.route(f"**/tasks/{visit_task}/records", measure)
    cdp = phone.new_cdp_session(page)  # a slow upload (256 KB/s), so that the progress is seen
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024}
    cdp.send("Network.emulateNetworkConditions", conditions)
    page.get_by_role("button", name=zh("Save the record")).click()
    progress = page.locator("[data-upload-progress-text]")
    expect(progress).to_have_text(
        re.compile(re.escape(zh("Uploading %(percent)s%%", percent="N")).replace("N", r"\d+"))
    )
    expect(page.get_by_role("status").filter(has_text=zh("Recorded. This task is done."))).to_be_visible(
        timeout=20_000
    )
    cdp.send("Network.emulateNetworkConditions", {**conditions, "uploadThroughput": -1})

    assert len(bodies) == 1 and bodies[0] < 600_000, bodies  # what was sent: the shrunk photo
    ((record, sizes),) = records_of(browser_db_url, visit_task)
    assert len(sizes) == 1 and sizes[0] < 600_000  # what arrived and is kept
    assert browser_errors.page == []


def test_it_keeps_a_refused_record_with_the_servers_message_until_it_is_filed_without_a_task(
    page: Page, phone: BrowserContext, base_url: str, visit_task: int, browser_db_url: str,
    browser_errors: BrowserErrors, screenshot: Callable[[str], Path],
) -> None:  # fmt: skip
    sign_in(page, base_url, "cadre")
    page.goto(f"/tasks/{visit_task}")
    fill_visit(page, "村民代表三人")
    phone.set_offline(True)
    page.get_by_role("button", name=zh("Save the record")).click()
    expect(queue_count(page)).to_have_text(zh("%(count)s waiting", count="1"))

    async def excuse(session: AsyncSession) -> None:  # the secretary excused the task meanwhile
        await session.execute(update(Task).where(Task.id == visit_task).values(status=TaskStatus.EXCUSED))

    seed(browser_db_url, excuse)
    # The phone's storage is full: a clear message, the form kept, nothing already queued lost.
    page.evaluate(
        "() => { const put = IDBObjectStore.prototype.put; IDBObjectStore.prototype.put = function (value) {"
        " if (this.name === 'records') throw new DOMException('full', 'QuotaExceededError');"
        " return put.apply(this, arguments); }; }"
    )
    fill_visit(page, "第二条记录")
    page.get_by_role("button", name=zh("Save the record")).click()
    expect(page.locator("[data-queue-status]")).to_have_text(
        zh(
            "The phone has no room left to keep this record. Free some space and save again; records already waiting are kept."
        )
    )
    expect(page.get_by_label(zh("People met"))).to_have_value("第二条记录")
    expect(queue_count(page)).to_have_text(zh("%(count)s waiting", count="1"))
    page.reload()  # (an ordinary phone again)
    phone.set_offline(False)
    expect(page.locator("[data-queue-count]")).to_have_text(zh("%(count)s waiting", count="1"))
    eventually(page, "async () => (await TrackerQueue.list())[0].state === 'refused'")
    queue_count(page).click()
    expect(page).to_have_url(f"{base_url}/my/queue")
    item = page.locator(".queue-item")
    expect(item).to_contain_text(TITLE)
    expect(item.get_by_role("alert")).to_contain_text(zh("This task is already excused"))
    screenshot("refused")
    page.reload()  # nothing is dropped: still there after a reload
    expect(item.get_by_role("alert")).to_contain_text(zh("This task is already excused"))
    assert records_of(browser_db_url, None) == []

    item.get_by_role("button", name=zh("Save as work without a task")).click()
    expect(page.locator("[data-queue-empty]")).to_be_visible()
    expect(queue_count(page)).to_be_hidden()
    ((record, _),) = records_of(browser_db_url, None)
    assert record.kind.value == "visit" and record.fields["people_met"] == "村民代表三人"
    assert records_of(browser_db_url, visit_task) == []
    assert browser_errors.page == []
