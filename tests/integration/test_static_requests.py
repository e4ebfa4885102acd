"""How many static files a page has the phone fetch. On Slow 3G a round trip is 2 s and Chromium fetches at
most six files from a host at a time: a page whose styles and scripts don't fit one wave pays another
2 s (measured: scripts/measure_phone.py, README "The phone on a weak network"). A new script tag for
every signed-in page goes into the bundle (web/static_assets.py BUNDLES), not beside it."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from tests.support.live_work import open_task
from tests.support.personas import build_world, sign_in
from tracker.web.static_assets import BUNDLES, IMMUTABLE, SIGNED_IN_BUNDLE

TAG = re.compile(r"<(script|link)\b([^>]*)>")
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
ONE_WAVE = 6  # Chromium's connections to one host
# what the `load` event waits for: the stylesheet, htmx, our bundle (+ a task page's own two scripts)
LOADED = {"/my": 3, "task": 5, "/login": 3}


def static_files(html: str) -> dict[str, list[str]]:
    """The page's /static/ files by how they are asked for: loaded (stylesheets, scripts) or fetched
    while idle (prefetch, icon)."""
    files: dict[str, list[str]] = {"loaded": [], "idle": []}
    for tag, attributes in TAG.findall(html):
        attrs = dict(ATTRIBUTE.findall(attributes))
        url = attrs.get("src" if tag == "script" else "href", "")
        if not url.startswith("/static/"):
            continue
        loaded = tag == "script" or attrs.get("rel") in ("stylesheet", "preload", "modulepreload")
        files["loaded" if loaded else "idle"].append(url)
    return files


def test_a_page_fetches_its_static_files_in_one_wave_and_the_bundle_is_kept_for_good(
    app: Litestar,
    db,  # noqa: ANN001
) -> None:
    world = db(build_world)
    task_id = db(lambda session: open_task(lambda w: w.a.cadre.id, 1)(session, world))
    with TestClient(app=app) as client:
        login = static_files(client.get("/login").text)
        assert len(login["loaded"]) <= LOADED["/login"], login
        assert not any(SIGNED_IN_BUNDLE in url for url in login["loaded"])  # no queue before signing in

        sign_in(client, "cadre")
        my_work = client.get("/my")
        assert my_work.status_code == 200 and f"/tasks/{task_id}" in my_work.text
        mine = static_files(my_work.text)
        assert len(mine["loaded"]) <= LOADED["/my"], mine
        assert len(mine["loaded"]) + len(mine["idle"]) <= ONE_WAVE, mine
        bundle = [url for url in mine["loaded"] if url.startswith(f"/static/{SIGNED_IN_BUNDLE}?v=")]
        assert len(bundle) == 1, mine
        for source in BUNDLES[SIGNED_IN_BUNDLE]:  # each source once, in the bundle, not beside it
            assert not any(url.startswith(f"/static/{source}") for url in mine["loaded"]), source

        task = static_files(client.get(f"/tasks/{task_id}").text)
        assert len(task["loaded"]) <= LOADED["task"], task
        assert len(task["loaded"]) + len(task["idle"]) <= ONE_WAVE, task
        assert bundle[0] in task["loaded"]  # the same URL: already on the phone after /my
        answer = client.get(bundle[0])
        assert answer.status_code == 200 and answer.headers["cache-control"] == IMMUTABLE
        assert answer.headers["content-type"].startswith("text/javascript")
        named = [line[3:-3] for line in answer.text.splitlines() if line.startswith("/* js/")]
        assert named == list(BUNDLES[SIGNED_IN_BUNDLE])  # in the order base.html loaded them
        assert "self.TrackerQueue" in answer.text or "scope.TrackerQueue" in answer.text
        assert client.get("/static/bundle/nothing.js").status_code == 404
