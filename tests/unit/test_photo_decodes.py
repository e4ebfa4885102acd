"""Photos are decoded off the event loop, at most MAX_CONCURRENT_DECODES records at once: a burst of
heavy uploads waits its turn instead of taking every core and a gigabyte each."""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio
import pytest

from tracker.domain.work import photos
from tracker.domain.work.schemas import UploadedPhoto

BURST = 6


async def test_it_decodes_at_most_a_few_records_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    running, peak, lock = [0], [0], threading.Lock()
    loop_thread = threading.get_ident()

    def slow_prepare(uploads: Any, max_bytes: int) -> list[Any]:
        assert threading.get_ident() != loop_thread  # in a worker thread, not on the event loop
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return []

    monkeypatch.setattr(photos, "prepare_photos", slow_prepare)
    upload = [UploadedPhoto("a.png", b"png")]
    async with anyio.create_task_group() as group:
        for _ in range(BURST):
            group.start_soon(photos.prepare_photos_off_loop, upload, 1024)
    assert peak[0] == photos.MAX_CONCURRENT_DECODES


async def test_it_skips_the_worker_when_there_is_no_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "prepare_photos", lambda *args: pytest.fail("decoded nothing"))
    assert await photos.prepare_photos_off_loop([], 1024) == []
