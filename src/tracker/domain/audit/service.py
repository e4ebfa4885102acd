"""Writing explicit events (logins, refusals …) and reading the log with filters.

Refused requests are counted, not logged one by one: the first refusal of a user on a route in a
window (rules.REFUSAL_WINDOW) is an audit entry, the later ones add to its count in access_refusal
(the log itself is append-only), and the log shows the count beside the entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.audit import AccessRefusal, AuditEntry
from tracker.domain.audit import rules
from tracker.domain.audit.changes import snapshot
from tracker.domain.audit.context import current_actor

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000  # the most entries one CSV export holds (newest first)


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
) -> AuditEntry:
    """Append one event; the caller's transaction commits it with the rest of the work."""
    actor = current_actor()
    entry = AuditEntry(
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
    session.add(entry)
    return entry


async def _count_again(
    session: AsyncSession, user_id: int, route: str, window_start: dt.datetime, now: dt.datetime
) -> bool:
    """One more refusal in an open window: one atomic UPDATE; False when there is no such window yet."""
    result = await session.execute(
        update(AccessRefusal)
        .where(
            AccessRefusal.actor_user_id == user_id,
            AccessRefusal.route == route,
            AccessRefusal.window_start == window_start,
        )
        .values(count=AccessRefusal.count + 1, last_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_refusal(
    session: AsyncSession, *, user_id: int, route: str, now: dt.datetime, town_id: int | None, details: dict[str, Any]
) -> bool:
    """Note that `user_id` was refused on `route`; True when this opened a window (an audit entry was
    written), False when it only added to the count. Safe under concurrent refusals on both engines:
    the window's row is claimed by INSERT … ON CONFLICT DO NOTHING, so one of them writes the entry."""
    window_start = rules.refusal_window_start(now)
    route = route[:255]
    if await _count_again(session, user_id, route, window_start, now):
        return False
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    claimed = await session.scalar(
        dialect.insert(AccessRefusal)
        .values(actor_user_id=user_id, route=route, window_start=window_start, count=1, last_at=now)
        .on_conflict_do_nothing(index_elements=["actor_user_id", "route", "window_start"])
        .returning(AccessRefusal.id)
    )
    if claimed is None:  # another request opened this window between the two statements
        await _count_again(session, user_id, route, window_start, now)
        return False
    entry = await record_event(session, "access_refused", now=now, town_id=town_id, details=details)
    await session.flush()
    await session.execute(update(AccessRefusal).where(AccessRefusal.id == claimed).values(audit_entry_id=entry.id))
    return True


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_user_ids: tuple[int, ...] | None = None  # a person's accounts: what they did
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    page: int = 1


@dataclass
class AuditPage:
    entries: Sequence[AuditEntry]
    total: int
    page: int
    pages: int
    repeats: dict[int, int]  # entry id -> how many refusals it stands for, when more than one
    repeat_window_minutes: int = int(rules.REFUSAL_WINDOW.total_seconds() // 60)


def _conditions(town_id: int | None, f: AuditFilter) -> list[Any]:
    conditions: list[Any] = []
    if town_id is not None:
        conditions.append(AuditEntry.town_id == town_id)
    if f.action:
        conditions.append(AuditEntry.action == f.action)
    if f.actor:
        conditions.append(AuditEntry.actor == f.actor)
    if f.object_type:
        conditions.append(AuditEntry.object_type == f.object_type)
    if f.object_id:
        conditions.append(AuditEntry.object_id == f.object_id)
    if f.actor_user_ids is not None:
        conditions.append(AuditEntry.actor_user_id.in_(f.actor_user_ids))
    if f.since:
        conditions.append(AuditEntry.at >= f.since)
    if f.until:
        conditions.append(AuditEntry.at < f.until)
    return conditions


async def entries_in_order(session: AsyncSession, town_id: int | None, f: AuditFilter) -> Sequence[AuditEntry]:
    """Every entry of the filter, newest first (at most EXPORT_LIMIT): for the CSV export."""
    query = select(AuditEntry).where(*_conditions(town_id, f)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return (await session.scalars(query.limit(EXPORT_LIMIT))).all()


async def list_entries(session: AsyncSession, town_id: int | None, f: AuditFilter) -> AuditPage:
    conditions = _conditions(town_id, f)
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
    refused = [e.id for e in entries if e.action == "access_refused"]
    repeats: dict[int, int] = {}
    if refused:
        rows = await session.execute(
            select(AccessRefusal.audit_entry_id, AccessRefusal.count).where(
                AccessRefusal.audit_entry_id.in_(refused), AccessRefusal.count > 1
            )
        )
        repeats = {int(entry_id): count for entry_id, count in rows.all()}
    return AuditPage(entries=entries, total=total, page=page, pages=pages, repeats=repeats)
