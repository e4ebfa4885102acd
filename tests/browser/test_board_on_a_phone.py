"""The secretary on a phone: signing in lands on the desk (工作台); from there the board shows
today's month in view beside the names, which stay put however far the table is scrolled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import BrowserErrors, seed, sign_in
from tests.support.personas import World
from tests.support.work_pages import add_work
from tracker import i18n


def zh(message: str) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message)


def _box(page: Page, selector: str, has_text: str | None = None) -> dict[str, float]:
    box = page.locator(selector, has_text=has_text).first.bounding_box()
    assert box is not None, selector
    return box


def test_it_lands_on_the_desk_and_shows_todays_month_beside_the_names(
    page: Page, base_url: str, world: World, browser_db_url: str, browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
) -> None:  # fmt: skip
    seed(browser_db_url, lambda session: add_work(session, world))
    sign_in(page, base_url, "secretary")
    expect(page).to_have_url(f"{base_url}/towns/alpha/desk")
    expect(page.locator("h1")).to_have_text(zh("Desk"))
    expect(page.locator("#desk-overdue")).to_contain_text(
        zh("Village-contact cadres")
    )  # the cadre's late visit
    screenshot("desk")

    page.get_by_role("link", name=zh("Supervision board")).click()  # the work navigation's tab
    expect(page).to_have_url(f"{base_url}/towns/alpha/board")
    scroller = page.locator("#board .board-scroll")
    expect(scroller).to_have_attribute("data-now-shown", "1")  # board-scroll.js ran
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")  # a year of months does not fit a phone
    view, names, now = (
        _box(page, "#board .board-scroll"),
        _box(page, "thead .board-person"),
        _box(page, "th.board-now"),
    )
    assert names["x"] <= view["x"] + 1  # the names at the left edge
    assert (
        names["x"] + names["width"] <= now["x"] + 1
        and now["x"] + now["width"] <= view["x"] + view["width"] + 1
    )
    screenshot("board")

    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth }")  # to the totals at the far right
    page.wait_for_function("document.querySelector('#board .board-scroll').scrollLeft > 0")
    assert abs(_box(page, "thead .board-person")["x"] - names["x"]) <= 1  # the names stay put (sticky)
    assert abs(_box(page, "tbody th.board-person", world.a.cadre.name)["x"] - names["x"]) <= 1
    expect(page.locator("thead th.board-total").last).to_be_in_viewport()
    assert browser_errors.csp_violations == [] and browser_errors.page == []
