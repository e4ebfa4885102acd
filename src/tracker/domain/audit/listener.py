"""Every create, update and delete of an audited model becomes an audit entry in the same transaction.

One SQLAlchemy `after_flush` listener does it for every session (requests, CLI, background work),
so no service can forget. Tables of bookkeeping (sessions, attempts, the log itself) are skipped.
It is installed at run time, not on import: create_app, the `tracker` command line and the tests'
shared setup call `install_audit_listener()` (through tracker/listeners.py); once is enough.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from tracker.db.models.audit import AuditEntry
from tracker.domain.audit.changes import diff, snapshot
from tracker.domain.audit.context import current_actor

NOT_AUDITED = frozenset({"audit_entry", "login_session", "sign_in_throttle"})


def _columns(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}


def _before_values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = get_history(obj, attr.key)
        if history.deleted:
            before[attr.key] = history.deleted[0]
        elif history.unchanged:
            before[attr.key] = history.unchanged[0]
        else:
            before[attr.key] = None
    return before


def _town_id(obj: Any, table: str) -> int | None:
    if table == "town":
        return getattr(obj, "id", None)
    return getattr(obj, "town_id", None)


def audit_rows(session: Session) -> list[dict[str, Any]]:
    actor = current_actor()
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []

    def add(action: str, obj: Any, changes: dict[str, Any]) -> None:
        table = obj.__table__.name
        rows.append(
            {
                "at": now,
                "town_id": _town_id(obj, table),
                "actor_user_id": actor.user_id,
                "actor": actor.name,
                "ip": actor.ip,
                "action": action,
                "object_type": table,
                "object_id": str(getattr(obj, "id", "") or ""),
                "changes": changes,
                "created_at": now,
                "updated_at": now,
            }
        )

    for obj in session.new:
        if getattr(obj, "__tablename__", None) and obj.__tablename__ not in NOT_AUDITED:
            add("create", obj, {"after": snapshot(_columns(obj))})
    for obj in session.dirty:
        if not getattr(obj, "__tablename__", None) or obj.__tablename__ in NOT_AUDITED:
            continue
        if not session.is_modified(obj, include_collections=False):
            continue
        changes = diff(_before_values(obj), _columns(obj))
        if changes["after"]:
            add("update", obj, changes)
    for obj in session.deleted:
        if getattr(obj, "__tablename__", None) and obj.__tablename__ not in NOT_AUDITED:
            add("delete", obj, {"before": snapshot(_columns(obj))})
    return rows


def _after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    rows = audit_rows(session)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def install_audit_listener() -> None:
    """Attach the listener to every Session; idempotent (installing again changes nothing)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
