"""The append-only audit log: who did what, when, from where, to which object; refused-access counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base


class AuditEntry(Base):
    """One event. No foreign keys on purpose: an entry outlives the objects and people it names.

    The database refuses UPDATE and DELETE on this table (triggers in the migration).
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_town_at", "town_id", "at"),)

    at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    town_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    actor: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=dict)


class AccessRefusal(Base):
    """Refused requests of one user on one route ("METHOD /path/{template}") in one window: the first
    is written to the audit log (`audit_entry_id`), the later ones only add to `count`, so a probe
    leaves one entry per route and window instead of one per request. The log shows the count.

    Not append-only (the count grows); the entry it points at never changes. No foreign keys, like
    the log: it outlives the people it names.
    """

    __tablename__ = "access_refusal"
    __table_args__ = (
        UniqueConstraint("actor_user_id", "route", "window_start", name="uq_access_refusal_actor_route_window"),
    )

    actor_user_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    route: Mapped[str] = mapped_column(String(255))
    window_start: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    count: Mapped[int] = mapped_column(default=1)
    last_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    audit_entry_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
