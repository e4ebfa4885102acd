"""A secretary without a second factor signs in on a phone, is sent to set one up, reads the key off the
page into an authenticator app (pyotp here), keeps the recovery codes, signs out, and signs in again
with the password and a fresh code. The QR code is inline SVG: no CSP violation on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, seed, sign_in
from tests.support.personas import PASSWORD, World
from tracker import i18n
from tracker.db.models.accounts import Role, User
from tracker.domain.accounts.passwords import hash_password


def zh(message: str) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message)


@pytest.fixture
def new_secretary(browser_db_url: str, world: World) -> str:
    """A secretary of town alpha who has never set up two-step verification."""

    async def add(session: AsyncSession) -> str:
        session.add(User(login="new-secretary", role=Role.SECRETARY, town_id=world.a.town.id,
                         password_hash=hash_password(PASSWORD), must_change_password=False, active=True))
        return "new-secretary"

    return seed(browser_db_url, add)


def test_it_enrols_a_secretary_in_totp_and_signs_in_with_a_code(
    page: Page, base_url: str, new_secretary: str, browser_errors: BrowserErrors, screenshot: Callable[[str], Path]
) -> None:
    sign_in(page, base_url, new_secretary)

    expect(page).to_have_url(f"{base_url}/account/mfa")  # nothing else until a second factor is set up
    expect(page.locator("h1")).to_have_text(zh("Two-step verification"))
    expect(page.locator("figure.qr-figure svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    screenshot("enrol")
    app = pyotp.TOTP(secret)  # the authenticator app, with the key typed in by hand
    page.get_by_label(zh("Verification code")).fill(app.now())
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Turn on two-step verification")).click()

    expect(page.locator("h1")).to_have_text(zh("Recovery codes"))
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot("recovery-codes")
    page.get_by_role("link", name=zh("I have kept them; continue")).click()
    expect(page).to_have_url(f"{base_url}/towns/alpha/desk")  # a secretary lands on the desk
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Sign out")).click()

    page.locator("#login").fill(new_secretary)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/login/code?next=/")
    assert not [c for c in page.context.cookies() if c["name"] == "tracker_session"]
    fresh = app.at(dt.datetime.now(dt.UTC), counter_offset=1)  # the next step's code: never used yet
    page.get_by_label(zh("Verification code")).fill(fresh)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Sign in")).click()

    expect(page).to_have_url(f"{base_url}/towns/alpha/desk")  # a secretary lands on the desk
    expect(page.locator(".user-menu")).to_contain_text(new_secretary)
    assert browser_errors.console == []
    assert browser_errors.page == []
