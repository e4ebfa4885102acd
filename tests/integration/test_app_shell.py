"""The installable app's shell over HTTP: hashed static URLs and their caching, the service worker,
the manifest, the offline page, sign-out's Clear-Site-Data, and where each role lands."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.support.mfa import next_recovery_code
from tests.support.personas import PASSWORD, build_world, csrf_token, form_post
from tracker.config import Settings
from tracker.db.models.accounts import ViewerTown
from tracker.web.static_assets import IMMUTABLE

STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/css/app\.css\?v=[0-9a-f]{10})">')


@pytest.fixture(scope="module")
def shell(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    """One app for the tests that read no one's data (the shell is the same for everyone): SQLite only."""
    from tracker.app import create_app

    folder = tmp_path_factory.mktemp("app-shell")
    shutil.copy(sqlite_template, folder / "db.sqlite3")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'db.sqlite3'}", data_dir=folder / "data",
                        secret_key="test-secret-key-0123456789", scheduler=False)  # fmt: skip
    with TestClient(app=create_app(settings)) as client:
        yield client


def test_it_links_static_files_by_hash_and_lets_the_phone_keep_them_for_good(
    shell: TestClient[Litestar],
) -> None:
    client = shell
    page = client.get("/login")
    match = STYLESHEET.search(page.text)
    assert match, "the stylesheet is linked without its hash"
    assert re.search(r'src="/static/vendor/htmx\.min\.js\?v=[0-9a-f]{10}" defer', page.text)

    hashed = client.get(match.group(1))
    assert hashed.status_code == 200 and hashed.headers["cache-control"] == IMMUTABLE
    for url in ("/static/css/app.css", "/static/css/app.css?v=0000000000"):  # plain, or an old version
        answer = client.get(url)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache", url
    assert client.get("/login").headers["cache-control"] == "no-store"  # pages stay as they were


def test_it_serves_the_worker_from_the_root_with_the_shell_filled_in(shell: TestClient[Litestar]) -> None:
    client = shell
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["cache-control"] == "no-cache"
    assert '"__' not in answer.text, "a placeholder of static/sw.js was left unfilled"
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", answer.text).group(1))
    assert "/offline" in shell
    assert any(re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{10}", url) for url in shell)
    assert any(url.startswith("/static/js/sw-register.js?v=") for url in shell)
    assert not any(url.startswith("/static/sw.js") for url in shell)
    for url in shell:  # every one of them is there: an install fails on a single missing file
        assert client.get(url).status_code == 200, url
    assert re.search(r'var VERSION = "[0-9a-f]{10}";', answer.text)


def test_it_describes_the_installable_app_in_chinese(shell: TestClient[Litestar]) -> None:
    client = shell
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/manifest+json"
    )
    manifest = answer.json()
    assert manifest["name"] == "责任制台账" and manifest["start_url"] == "/my"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#b3261e"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG"), icon["src"]
    page = client.get("/login").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#b3261e">' in page
    assert re.search(r'<meta name="fetched-at" content="\d{4}-\d\d-\d\dT[^"]+\+00:00">', page)


def test_it_has_an_offline_page_with_nothing_of_anyones(shell: TestClient[Litestar]) -> None:
    page = shell.get("/offline")
    assert page.status_code == 200 and "无网络连接" in page.text
    assert "/logout" not in page.text and "csrf" not in page.text and 'href="/my"' in page.text


def _landing(client: TestClient[Litestar], login: str) -> str:
    """Where the sign-in form sends `login` when no page was asked for."""
    form = {"login": login, "password": PASSWORD, "_csrf_token": csrf_token(client), "next": "/"}
    answer = client.post("/login", data=form, follow_redirects=False)
    if answer.headers["location"].startswith("/login/code"):
        code = {"code": next_recovery_code(login), "_csrf_token": csrf_token(client), "next": "/"}
        answer = client.post("/login/code", data=code, follow_redirects=False)
    assert answer.status_code == 303
    return answer.headers["location"]


def test_it_lands_each_role_on_its_work_and_forgets_the_phone_at_sign_out(
    app: Litestar,
    db,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    world = db(build_world)
    expected = {
        "cadre": "/my",
        "official": "/my",
        "secretary": "/towns/alpha/desk",
        "viewer": "/towns/alpha",
        "admin": "/",  # two towns: the list of towns at /
    }
    for login, path in expected.items():
        with TestClient(app=app) as client:
            assert _landing(client, login) == path, login
            root = client.get("/", follow_redirects=False)
            if path == "/":
                assert root.status_code == 200 and 'href="/towns/beta"' in root.text
            else:
                assert root.status_code in (302, 303) and root.headers["location"] == path, login
            if login == "cadre":
                answer = form_post(client, "/logout")
                assert answer.status_code == 303 and answer.headers["location"] == "/login"
                assert answer.headers["clear-site-data"] == '"cache", "storage"'

    async def second_town(session) -> None:  # noqa: ANN001
        session.add(ViewerTown(user_id=world.users["viewer"], town_id=world.b.town.id))

    db(second_town)
    with TestClient(app=app) as client:
        assert _landing(client, "viewer") == "/county/review"
        # a page asked for is where the sign-in goes, whoever signs in
        form = {"login": "cadre", "password": PASSWORD, "_csrf_token": csrf_token(client), "next": "/account"}
        answer = client.post("/login", data=form, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/account"
