"""The secretary of town alpha, on a phone, imports a roster file whose header sits below a title row
(as Chinese office spreadsheets have it) from the town's page: the dry run says the title row was
skipped and lists the new person (htmx swaps the result in, the address stays), the confirmation
imports it, and the new person is on the town's page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import BrowserErrors, sign_in
from tests.support.personas import World
from tracker import i18n

ROSTER = (
    "阿尔法镇意识形态工作责任制名册（2026年）,,,,,,,,,,,,,\n"
    "记录类型,编码,名称,类别,所属行政村,层级,职务,单位,直接上级,电话,领导小组,纬度,经度,联系点/包村\n"
    "人员,P9,新干部庚,,,包村干部,包村干部,,P2,13900000009,,,,NV4\n"
)


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


def test_the_secretary_imports_a_roster_with_a_title_row_through_the_page(
    page: Page,
    base_url: str,
    world: World,
    browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    sign_in(page, base_url, "secretary")
    page.goto(f"{base_url}/towns/alpha")
    page.get_by_role("link", name=zh("Import the roster")).click()
    expect(page).to_have_url(f"{base_url}/towns/alpha/roster/import")

    page.get_by_label(zh("Roster file (.xlsx or .csv)")).set_input_files(str(roster))
    page.get_by_role("button", name=zh("Check the file")).click()
    expect(page.locator("[data-skipped]")).to_have_text(
        zh("Skipped 1 row above the header (row %(row)d)", row=2)
    )
    change = page.locator('[data-change="person:P9"]')
    expect(change).to_contain_text("新干部庚")
    expect(change).to_contain_text(zh("new"))
    expect(page).to_have_url(f"{base_url}/towns/alpha/roster/import")  # htmx: the result swapped in
    screenshot("preview")

    page.get_by_role("button", name=zh("Import these changes")).click()
    expect(page.get_by_role("heading", name=zh("The roster was imported"))).to_be_visible()
    page.get_by_role("link", name=zh("Open the roster of %(town)s", town="阿尔法镇")).click()
    expect(page).to_have_url(f"{base_url}/towns/alpha")
    expect(page.get_by_text("新干部庚").first).to_be_visible()

    # At the office's 1280-px screen, the same file again: the dry run says there is nothing to import.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base_url}/towns/alpha/roster/import")
    page.get_by_label(zh("Roster file (.xlsx or .csv)")).set_input_files(str(roster))
    page.get_by_role("button", name=zh("Check the file")).click()
    expect(page.locator('[data-state="no-changes"]')).to_have_text(zh("Nothing to import: the roster already matches the file."))
    screenshot("import-again-1280")
    assert browser_errors.page == [] and browser_errors.csp_violations == []
