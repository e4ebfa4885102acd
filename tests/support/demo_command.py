"""Running `tracker demo` in-process without serving (the command itself, in a subprocess, is tested in
tests/integration/test_start_up_commands.py)."""

from __future__ import annotations

from typing import Any

import pytest


def without_serving(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`tracker demo` that serves nothing: the address it asks for is noted and a free loopback port
    taken instead (the default 8000 may be in use), and uvicorn's Server.run returns at once, noting
    the app, the port and whether the Server header is off (the command itself, in a subprocess:
    test_start_up_commands.py)."""
    import uvicorn

    from tracker.cli import demo

    served: dict[str, Any] = {}
    listen = demo.listening_socket

    def listening_socket(host: str, port: int) -> Any:
        served["asked"] = (host, port)
        return listen("127.0.0.1", 0)

    def run(server: uvicorn.Server, sockets: list[Any] | None = None) -> None:
        assert sockets, "the demo serves on the socket it bound"
        served.update(app=server.config.app, port=sockets[0].getsockname()[1])
        served["server_header"] = server.config.server_header
        for sock in sockets:
            sock.close()

    monkeypatch.setattr(demo, "listening_socket", listening_socket)
    monkeypatch.setattr(uvicorn.Server, "run", run)
    return served
