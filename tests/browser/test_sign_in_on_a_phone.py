"""A village cadre signs in on a phone: the town in Chinese, their own page, a wrong password, the CSP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import CSP_VIOLATION, BrowserErrors, sign_in
from tests.support.personas import World
from tracker import i18n


def zh(message: str) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message)


def test_it_shows_a_cadre_their_town_in_chinese_and_opens_their_own_page(
    page: Page, base_url: str, world: World, browser_errors: BrowserErrors, screenshot: Callable[[str], Path]
) -> None:
    sign_in(page, base_url, "cadre")
    expect(page).to_have_url(f"{base_url}/my")  # a cadre lands on their own work
    page.locator(".topbar-town").click()

    expect(page).to_have_url(f"{base_url}/towns/alpha")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("阿尔法镇")
    tier_3 = page.locator("#tier-village_cadre")
    expect(tier_3.locator("h2")).to_contain_text("第三级")
    expect(tier_3.locator("h2")).to_contain_text("包村干部")
    assert page.viewport_size == {"width": 393, "height": 727}  # the Pixel 5, not a desktop window
    screenshot("town")

    tier_3.get_by_role("link", name=world.a.cadre.name).click()

    expect(page).to_have_url(f"{base_url}/towns/alpha/people/{world.a.cadre.id}")
    expect(page.locator("h1")).to_have_text("干部丁")
    expect(page.get_by_role("link", name="东村2组")).to_be_visible()  # the village in their charge
    screenshot("person")
    assert browser_errors.console == []
    assert browser_errors.page == []


def test_it_refuses_a_wrong_password_with_a_message(page: Page, base_url: str, world: World) -> None:
    sign_in(page, base_url, "cadre", "not-the-password")

    expect(page).to_have_url(f"{base_url}/login")
    message = zh("Wrong login name or password")
    assert message != "Wrong login name or password", "no Chinese for the sign-in error in the catalog"
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.locator("#login")).to_have_value("cadre")
    assert not [c for c in page.context.cookies() if c["name"] == "tracker_session"]


def test_it_loads_every_page_it_visits_without_a_csp_violation(
    page: Page, base_url: str, world: World, browser_errors: BrowserErrors
) -> None:
    sign_in(page, base_url, "secretary")
    for path in (
        "/towns/alpha",
        f"/towns/alpha/people/{world.a.official.id}",
        f"/towns/alpha/places/{world.a.villages[1].id}",
        "/towns/alpha/users",
        "/towns/alpha/audit",
        "/account",
    ):
        answer = page.goto(path)
        assert answer is not None and answer.ok, f"{path}: {answer and answer.status}"
        expect(page.locator("h1")).to_be_visible()
        # htmx came from /static (no inline script): it ran and read its config from the meta tag
        assert page.evaluate("() => typeof htmx !== 'undefined' && htmx.config.allowEval === false"), path
    assert browser_errors.console == []
    assert browser_errors.page == []

    # The check can see a violation: an inline script added to the page is refused and reported.
    with page.expect_console_message(lambda message: CSP_VIOLATION.search(message.text) is not None):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; "
            "document.body.append(s); }"
        )
    assert page.evaluate("() => window.ran") is None
    assert browser_errors.csp_violations, browser_errors.console
    browser_errors.console.clear()  # the canary was expected; the fixture fails a test on any other
