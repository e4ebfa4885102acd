"""The secretary of town alpha moves an official's contact village from the person's page, on a phone
and then at 1280 px: each tick asks the server whether the 2-4 rule holds (htmx, nothing saved) and
the rule's message, naming the official and the count, shows as soon as a fifth place is ticked; the
move is saved, and the person's page shows the new village with the old one in the history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import BrowserErrors, sign_in
from tests.support.personas import World
from tracker import i18n


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


def test_the_secretary_moves_a_contact_village_and_sees_the_rule_live(
    page: Page, base_url: str, world: World, browser_errors: BrowserErrors, screenshot: Callable[[str], Path]
) -> None:
    official = world.a.official  # 镇长乙: 东村2组 and 东村3组
    too_many = zh("%(person)s would hold %(count)d contact points; a section-level official holds %(minimum)d to "
                  "%(maximum)d", person=official.name, count=5, minimum=2, maximum=4)  # fmt: skip
    rule = page.locator("#rule-message")
    sign_in(page, base_url, "secretary")
    page.goto(f"{base_url}/towns/alpha/people/{official.id}")
    page.get_by_role("link", name=zh("Change places")).click()
    expect(page).to_have_url(f"{base_url}/towns/alpha/people/{official.id}/contact-points")

    page.get_by_label("东村3组", exact=True).uncheck()
    page.get_by_label("东村4组", exact=True).check()
    expect(rule).to_have_text(zh("%(count)d places ticked: the rule holds", count=2))
    for name in ("东村1组", "东村5组", "红星砖厂"):
        page.get_by_label(name, exact=True).check()
    expect(rule).to_have_text(too_many)  # the fifth: said at once, nothing saved
    screenshot("phone-fifth")
    for name in ("东村1组", "东村5组", "红星砖厂"):
        page.get_by_label(name, exact=True).uncheck()
    expect(rule).to_have_text(zh("%(count)d places ticked: the rule holds", count=2))
    page.get_by_role("button", name=zh("Save the places")).click()
    expect(page).to_have_url(f"{base_url}/towns/alpha/people/{official.id}")
    current = page.locator("section", has=page.get_by_role("heading", name=zh("Contact points")))
    expect(current).to_contain_text("东村4组")
    expect(current).not_to_contain_text("东村3组")

    page.set_viewport_size({"width": 1280, "height": 800})  # the office's desktop
    page.get_by_role("link", name=zh("Change places")).click()
    for name in ("东村1组", "东村3组", "东村5组"):
        page.get_by_label(name, exact=True).check()
    expect(rule).to_have_text(too_many)
    screenshot("desktop-fifth")
    assert browser_errors.page == [] and browser_errors.console == [] and browser_errors.csp_violations == []
