"""Writing explicit events (logins, refusals …) and reading the log with filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.audit import AuditEntry
from tracker.domain.audit.changes import snapshot
from tracker.domain.audit.context import current_actor

PAGE_SIZE = 50


async def record_event(
    session: AsyncSession,
    action: str,
    *,
    now: dt.datetime,
    town_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    actor_name: str | None = None,
    actor_user_id: int | None = None,
) -> None:
    """Append one event; the caller's transaction commits it with the rest of the work."""
    actor = current_actor()
    session.add(
        AuditEntry(
            at=now,
            town_id=town_id,
            actor_user_id=actor_user_id if actor_user_id is not None else actor.user_id,
            actor=actor_name if actor_name is not None else actor.name,
            ip=actor.ip,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            changes=snapshot(details or {}),
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    page: int = 1


@dataclass
class AuditPage:
    entries: Sequence[AuditEntry]
    total: int
    page: int
    pages: int


async def list_entries(session: AsyncSession, town_id: int | None, f: AuditFilter) -> AuditPage:
    conditions = []
    if town_id is not None:
        conditions.append(AuditEntry.town_id == town_id)
    if f.action:
        conditions.append(AuditEntry.action == f.action)
    if f.actor:
        conditions.append(AuditEntry.actor == f.actor)
    if f.object_type:
        conditions.append(AuditEntry.object_type == f.object_type)
    if f.since:
        conditions.append(AuditEntry.at >= f.since)
    if f.until:
        conditions.append(AuditEntry.at < f.until)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    return AuditPage(entries=entries, total=total, page=page, pages=pages)
