"""Engine set-up: SQLite pragmas on every connection; the database URL check at start."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


BUSY_TIMEOUT_MS = 15_000


def enable_sqlite_pragmas(sync_engine: Engine) -> None:
    """Foreign keys on and WAL for every SQLite connection of `sync_engine`."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A writer waits for the one before it up to 15 s: 16 phones filing at once on one process kept
        # some waiting near 5 s, and the last ones were refused "database is locked" (bench/RESULTS.md)
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()
