"""The real app served by uvicorn on a loopback port, in a background thread: for the browser tests
and for tests that send real parallel requests (two phones, two tabs) against a live server.

`serve(settings)` is a context manager giving a `LiveServer`; it waits for /healthz before it
yields and stops the server on exit. The `live_server` fixtures (tests/conftest.py for both
databases, tests/browser/conftest.py for the browser) wrap it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from tracker.config import Settings

STARTUP_SECONDS = 20


@dataclass
class LiveServer:
    base_url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_socket() -> socket.socket:
    """A listening socket on 127.0.0.1 and a port the OS chose: no race between finding and binding."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last_error = "no answer"
    while time.monotonic() < deadline:
        if not server.thread.is_alive():
            pytest.fail(f"the live server stopped during start-up: {last_error}")
        try:
            with urllib.request.urlopen(server.url("/healthz"), timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.05)
    pytest.fail(f"the live server did not answer /healthz within {STARTUP_SECONDS} s: {last_error}")


@contextlib.contextmanager
def serve(settings: Settings) -> Iterator[LiveServer]:
    """tracker.app.create_app(settings) served by uvicorn in a background thread until the block ends."""
    from tracker.app import create_app

    app = create_app(settings)
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning", access_log=False, ws="none", timeout_graceful_shutdown=3,
        server_header=False,  # as `tracker run` and `tracker demo` serve it
    )
    server = uvicorn.Server(config)
    sock = _free_socket()
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"live-server-{port}", daemon=True)
    live = LiveServer(f"http://127.0.0.1:{port}", settings, server, thread)
    thread.start()
    try:
        _wait_until_healthy(live)
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the live server did not stop within 10 s"
