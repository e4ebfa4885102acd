"""Who is acting right now, for the audit log: set per request (or per CLI command)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditActor:
    user_id: int | None
    name: str  # the login, or "cli", "system", "anonymous"
    ip: str = ""


SYSTEM = AuditActor(None, "system")
_current: ContextVar[AuditActor] = ContextVar("tracker_audit_actor", default=SYSTEM)


def current_actor() -> AuditActor:
    return _current.get()


def set_actor(actor: AuditActor) -> None:
    _current.set(actor)


@contextlib.contextmanager
def acting_as(actor: AuditActor) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)
