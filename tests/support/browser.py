"""Helpers of the browser tests (tests/browser/): where the phone stands, what the browser
complained about, seeding the database from a Playwright test, signing in through the form.

The fixtures that use them (the live server, the phone, `page`, `browser_errors` ...) are in
tests/browser/conftest.py.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from playwright.sync_api import Page

from tests.support.mfa import next_recovery_code
from tests.support.personas import PASSWORD
from tracker.db.session import open_session

T = TypeVar("T")
# Near 东村2组 (NV2 of tests/support/factories.py at 34.02, 108.0), the cadre's village: about 40 m away.
NEAR_CADRE_VILLAGE = {"latitude": 34.0203, "longitude": 108.0002, "accuracy": 15}
CSP_VIOLATION = re.compile(
    r"Content Security Policy|Refused to (execute|load|apply|connect|frame)", re.IGNORECASE
)


def seed(db_url: str, build: Callable[[Any], Awaitable[T]]) -> T:
    """Run `build(session)` in its own session, commit, return its result.

    In a thread of its own: Playwright's sync API keeps an event loop running in the main thread."""

    async def go() -> T:
        async with open_session(db_url) as session:
            return await build(session)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed") as pool:
        return pool.submit(asyncio.run, go()).result()


@dataclass
class BrowserErrors:
    """What the browser complained about: console errors and uncaught page errors."""

    console: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console if CSP_VIOLATION.search(m)]


def sign_in(page: Page, base_url: str, login: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form as a person would and submit it; waits for the next page to load."""
    page.goto(f"{base_url}/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    if page.url.split("?")[0].endswith("/login/code"):  # an enrolled admin or secretary (tests/support/mfa.py)
        page.locator("#code").fill(next_recovery_code(login))
        with page.expect_navigation():
            page.locator("form.form button[type=submit]").click()
    if page.url.endswith("/my"):  # 我的任务 fetches its scripts after `load` (base.html): wait for them to run
        page.locator("html[data-scripts=ready]").wait_for(state="attached")


def eventually(page: Page, script: str, arg: Any = None, seconds: float = 5) -> None:
    """Until the page's async `script` (called with `arg`) answers true: `page.evaluate` awaits the
    promise it returns, where `page.wait_for_function` takes the promise itself for a true answer."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"never true: {script}"
        time.sleep(0.05)
