"""Counting the SQL a block of code sends, for the tests that hold a page or a service to a bounded
number of queries whatever the size of the data."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextlib.contextmanager
def counted() -> Iterator[list[str]]:
    """Every SQL statement any engine of this process sends while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)
