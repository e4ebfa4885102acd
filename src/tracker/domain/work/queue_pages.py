"""The records waiting on this phone (GET /my/queue): a shell the page's script fills from IndexedDB.

The queue itself lives on the phone (static/js/record-queue-core.js), never on the server: this page
only carries the headings, the empty state and the translated words the script shows, so that it
reads the same offline (kept by the service worker) as online.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from tracker.domain.scope import Scope
from tracker.domain.work.page_context import page_context


class RecordQueuePages(Controller):
    include_in_schema = False

    @get("/my/queue", name="record_queue")
    async def queue(self, access_scope: NamedDependency[Scope]) -> Template:
        town = await access_scope.home_town()
        return Template("tasks/queue.html", context=page_context(town))
