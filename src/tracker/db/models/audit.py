"""The append-only audit log: who did what, when, from where, to which object."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Index, Integer, String
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
