"""Browser tests: Playwright driving Debian's Chromium against the real app served by uvicorn.

Each test gets its own live server on 127.0.0.1 (a free port) over a fresh SQLite database copied
from the migrated template and seeded with the access personas (tests/support/personas.py). The
browser tests run on SQLite only: how the database behaves is covered by the integration suite on
both engines; here we check what only a browser sees (forms, htmx, the CSP, Chinese on a phone).
What the tests themselves import (`seed`, `sign_in`, `BrowserErrors` ...) is in tests/support/browser.py.

Chromium is /usr/bin/chromium (Debian's `chromium` package plus `fonts-wqy-microhei`; .ci/run
installs both). Without it these tests are skipped with a reason, except under CI=true, where that
is a failure. On failure the page is kept as test-artifacts/browser/<test name>.png and .html.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from tests.support.browser import NEAR_CADRE_VILLAGE, BrowserErrors, seed
from tests.support.live_server import LiveServer, serve
from tests.support.personas import World, build_world
from tracker.config import Settings

CHROMIUM = Path(
    os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
)  # another path for other systems
IN_CI = os.environ.get("CI", "").lower() == "true"
BROWSER_DIR = Path(__file__).parent
PHONE = "Pixel 5"
# Console errors that say nothing about the page under test. The app serves no /favicon.ico, so
# Chromium's automatic request for it fails with a 404 on every first page of a context.
IGNORED_CONSOLE = re.compile(r"status of 404 .*\(http://127\.0\.0\.1:\d+/favicon\.ico\)$")

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def artifacts_dir(config: pytest.Config) -> Path:
    path = config.rootpath / "test-artifacts" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


def artifact_name(node: pytest.Item) -> str:
    """The test's name as a file name: `test_it_x[chromium]` -> `test_it_x`, `test_it_y[chromium-a b]` ->
    `test_it_y-a-b` (pytest-playwright adds the browser to every name; there is only Chromium here)."""
    name = node.name.replace("[chromium]", "").replace("[chromium-", "[")
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


# -- marking, skipping, reports ----------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser`; run them after the others (the slow ones last)."""
    browser_items = [item for item in items if BROWSER_DIR in item.path.parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if browser_items:
        chosen = set(browser_items)
        items[:] = [item for item in items if item not in chosen] + browser_items


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell at teardown whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> Path:
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium fonts-wqy-microhei"
        )
        if IN_CI:
            pytest.fail(f"CI=true: browser tests must run, but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(chromium_executable: Path) -> dict[str, Any]:
    """pytest-playwright's launch options: Debian's Chromium, headless, no network chatter of its own."""
    return {
        "executable_path": str(chromium_executable),
        "args": [
            "--headless",
            "--no-sandbox",  # we run as root in containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# Playwright for this package only. pytest-playwright starts it per session, but its sync API
# leaves an event loop marked running in the main thread until it stops: every later test that
# calls `asyncio.run` (tests/conftest.py's `run` and `db`, the migrations) would then fail with
# "cannot be called from a running event loop". Package scope stops it when the browser tests are
# done, whatever order pytest runs the tests in (--ff, -k, ...).


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)  # pytest-playwright's --tracing of API requests
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    browser = launch_browser()
    yield browser
    browser.close()


# -- the live server ---------------------------------------------------------------------------


@pytest.fixture
def browser_db_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite database at head (a copy of the session's migrated template). SQLite only."""
    path = tmp_path / "browser.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def world(browser_db_url: str) -> World:
    """The personas of tests/support/personas.py: towns alpha and beta, logins secretary, official, cadre, ..."""
    return seed(browser_db_url, build_world)


@pytest.fixture
def live_server(world: World, browser_db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """tracker.app.create_app served by uvicorn in a background thread; stopped at teardown."""
    settings = Settings(
        database_url=browser_db_url,
        data_dir=tmp_path / "data",
        secret_key="browser-test-secret-key-0123456789",
    )
    with serve(settings) as live:
        yield live


# -- the phone and its page --------------------------------------------------------------------


@pytest.fixture
def base_url(live_server: LiveServer) -> str:
    """The live server's address. Overrides pytest-playwright's session-wide `base_url` (its --base-url
    option is not used here: every test has its own server), so `page.goto("/login")` works."""
    return live_server.base_url


@pytest.fixture
def browser_context_args(playwright: Playwright, base_url: str) -> dict[str, Any]:
    """Every context (pytest-playwright's `context`, `new_context()`) is a Pixel 5 in Chinese, in
    Shanghai time, standing near the cadre's village with location allowed."""
    return {
        **playwright.devices[PHONE],
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "geolocation": NEAR_CADRE_VILLAGE,
        "permissions": ["geolocation"],
        "base_url": base_url,
    }


@pytest.fixture
def phone(context: BrowserContext) -> BrowserContext:
    """The phone: pytest-playwright's `context`, made with `browser_context_args` above."""
    return context


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(
    phone: BrowserContext, browser_errors: BrowserErrors, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A page on the phone. Collects console errors; fails on any CSP violation; on failure keeps a
    full-page screenshot and the HTML under test-artifacts/browser/."""
    page = phone.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            text = f"{message.text} ({message.location.get('url', '')})"
            if not IGNORED_CONSOLE.search(text):
                browser_errors.console.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: browser_errors.page.append(str(error)))
    yield page
    violations = browser_errors.csp_violations
    if violations or _failed(request.node):
        keep_page(page, request.node.config, artifact_name(request.node))
    page.close()
    assert not violations, f"Content Security Policy violations: {violations}"


def full_page_screenshot(page: Page, path: Path) -> None:
    """The whole page from the top: scrolled down, the sticky top bar would be drawn mid-page."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True, scale="css")  # 393 px wide: small files, quick to take


def keep_page(page: Page, config: pytest.Config, name: str) -> Path:
    """Save a full-page screenshot (<name>.png) and the HTML (<name>.html); return the screenshot's path."""
    folder = artifacts_dir(config)
    shot = folder / f"{name}.png"
    try:
        full_page_screenshot(page, shot)
        (folder / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - a closed or crashed page must not hide the real failure
        (folder / f"{name}.txt").write_text(f"could not keep the page: {exc}\n", encoding="utf-8")
    return shot


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`screenshot("town")` keeps test-artifacts/browser/<test name>-town.png (always, as an artefact)."""

    def take(label: str) -> Path:
        path = artifacts_dir(request.config) / f"{artifact_name(request.node)}-{label}.png"
        full_page_screenshot(page, path)
        return path

    return take
