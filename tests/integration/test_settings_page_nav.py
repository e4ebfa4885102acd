"""My settings, on SQLite and PostgreSQL: the page keeps the town's top bar and work tabs, and lists
the devices signed in by readable names."""

from __future__ import annotations

from tests.support.accounts import Browsers
from tests.support.personas import World, sign_in

PHONE = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"


def test_it_keeps_the_towns_navigation_and_names_the_devices(browsers: Browsers, world: World) -> None:
    secretary = browsers.open()
    secretary.headers["user-agent"] = PHONE
    sign_in(secretary, "secretary")
    page = secretary.get("/account").text
    assert 'class="topbar-town" href="/towns/alpha"' in page
    assert 'href="/towns/alpha/board"' in page and 'href="/towns/alpha/users"' in page
    assert f'<span class="device" title="{PHONE}">Chrome 120 · Android</span>' in page
    # someone without a town (the county's administrator) still gets the page
    admin = browsers.open("admin").get("/account")
    assert admin.status_code == 200 and 'class="topbar-town"' not in admin.text
