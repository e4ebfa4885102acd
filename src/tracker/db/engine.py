"""Engine set-up: SQLite pragmas on every connection; the database URL check at start."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def enable_sqlite_pragmas(sync_engine: Engine) -> None:
    """Foreign keys on and WAL for every SQLite connection of `sync_engine`."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
