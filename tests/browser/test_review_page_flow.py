"""The secretary of the hand-worked review town (tests/support/review_fixture.py) opens the yearly
review on a phone from the work tabs, picks last year, sees the figures and the charts, filters the
scorecards to the village cadres (htmx swaps the table alone, the address follows), and prints the
page to PDF (kept in test-artifacts/browser/ as the printed review)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, seed, sign_in
from tests.support.mfa import enrol
from tests.support.personas import PASSWORD, World
from tests.support.review_fixture import YEAR, ReviewTown, build_review_town
from tracker import i18n
from tracker.domain.accounts.passwords import hash_password

LOGIN = "rv-secretary"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


@pytest.fixture
def review_town(browser_db_url: str, world: World) -> ReviewTown:
    """The review town of 2025, its secretary able to sign in (a password and a second factor)."""

    async def build(session: AsyncSession) -> ReviewTown:
        fixture = await build_review_town(session)
        fixture.secretary_user.password_hash = hash_password(PASSWORD)
        await session.flush()
        await enrol(session, fixture.secretary_user.id, LOGIN)
        return fixture

    return seed(browser_db_url, build)


def test_it_shows_the_review_filters_the_scorecards_and_prints_it_to_pdf(
    page: Page,
    base_url: str,
    review_town: ReviewTown,
    browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
    request: pytest.FixtureRequest,
) -> None:
    sign_in(page, base_url, LOGIN)
    page.goto(f"{base_url}/towns/rv")
    page.get_by_role("link", name=zh("Yearly review")).click()
    expect(page).to_have_url(f"{base_url}/towns/rv/review")
    page.get_by_label(zh("Year")).first.select_option(str(YEAR))
    with page.expect_navigation():
        page.locator("form.review-year button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/towns/rv/review?year={YEAR}")

    # the figures of section 一 and the charts, drawn on the server and named for screen readers
    expect(page.get_by_role("heading", name=zh("Yearly review %(year)s", year=YEAR))).to_be_visible()
    visits = page.locator(".figure", has_text=zh("Visits")).first.locator(".figure-number")
    expect(visits).to_have_text("46")
    chart = page.get_by_role("img", name=zh("Visits per month by tier"))
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= 393  # type: ignore[index]  # fits the phone's width
    expect(page.get_by_role("img", name=zh("Visit coverage by person"))).to_be_visible()
    rows = page.locator("#scorecards tbody tr")
    expect(rows).to_have_count(len(review_town.people))

    # filter the scorecards to the village cadres: htmx swaps the table, the address follows
    page.locator("#f-tier").select_option("village_cadre")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"tier=village_cadre"))
    expect(page.locator("#scorecards")).to_contain_text(review_town.people["C1"].name)
    expect(page.locator("#scorecards")).not_to_contain_text(review_town.people["S2"].name)
    screenshot("filtered")

    # print it: A4, navigation and buttons hidden by the print stylesheet
    page.emulate_media(media="print")
    expect(page.locator(".work-nav")).to_be_hidden()
    expect(page.locator(".review-actions")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 1
    folder = request.config.rootpath / "test-artifacts" / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "review-page.pdf").write_bytes(pdf)
    assert not browser_errors.console and not browser_errors.page
