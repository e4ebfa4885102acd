"""The installable app's shell: the service worker at the site root, the web app manifest, the
offline page. Public (they hold nothing of anyone's), the same for every visitor.

`/sw.js` is `static/sw.js` with three things filled in when the app is made: the hashed URLs of the
app shell to keep (web/static_assets.py), a version that changes whenever any of them does (so the
phone installs the new worker), and the record queue's script (static/js/record-queue-core.js) when
it is there. Served from the root, its scope is the whole site without a `Service-Worker-Allowed`.
"""

from __future__ import annotations

import json
from functools import cache

from litestar import get
from litestar.datastructures import State
from litestar.response import Response, Template

from tracker.i18n import _, current_locale
from tracker.paths import static_dir
from tracker.web.auth import ANONYMOUS_SECURITY
from tracker.web.guards import PUBLIC
from tracker.web.static_assets import StaticVersions

STATE_KEY = "static_versions"
OFFLINE_PATH = "/offline"
START_URL = "/my"  # 我的任务: where the installed app opens
THEME_COLOUR = "#b3261e"  # app.css --accent: the top bar's red rule, the brand
BACKGROUND_COLOUR = "#f5f6f8"  # app.css --bg
QUEUE_SCRIPT = "js/record-queue-core.js"
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def static_versions(state: State) -> StaticVersions:
    return state[STATE_KEY]  # type: ignore[no-any-return]


@cache
def _worker_source() -> str:
    return (static_dir() / "sw.js").read_text(encoding="utf-8")


def service_worker_script(versions: StaticVersions) -> str:
    source = _worker_source()
    queue = versions.url(QUEUE_SCRIPT) if versions.present(QUEUE_SCRIPT) else None
    keep = [*versions.shell(), OFFLINE_PATH]
    return (
        source.replace('"__VERSION__"', json.dumps(versions.fingerprint([source])))
        .replace('["__SHELL__"]', json.dumps(keep))
        .replace('"__QUEUE_SCRIPT__"', json.dumps(queue))
    )


@get("/sw.js", name="service_worker", opt=PUBLIC, include_in_schema=False, security=ANONYMOUS_SECURITY)
async def service_worker(state: State) -> Response[str]:
    return Response(
        service_worker_script(static_versions(state)), media_type="text/javascript; charset=utf-8"
    )


def manifest_of(versions: StaticVersions, lang: str) -> dict[str, object]:
    name = _("Responsibility tracker")
    return {
        "name": name,
        "short_name": name,
        "lang": lang,
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": versions.url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }


@get(
    "/manifest.webmanifest", name="web_manifest", opt=PUBLIC, include_in_schema=False,
    security=ANONYMOUS_SECURITY,
)  # fmt: skip
async def web_manifest(state: State) -> Response[bytes]:
    body = json.dumps(
        manifest_of(static_versions(state), current_locale().replace("_", "-")), ensure_ascii=False
    )
    return Response(body.encode(), media_type="application/manifest+json")


@get(OFFLINE_PATH, name="offline", opt=PUBLIC, include_in_schema=False, security=ANONYMOUS_SECURITY)
async def offline_page() -> Template:
    """What the phone shows for a page it never kept, when there is no network (kept by the worker)."""
    return Template("offline/offline.html")


APP_SHELL_HANDLERS = [service_worker, web_manifest, offline_page]
