"""Accounts: users, their server-side sessions, API tokens, viewers' towns, the sign-in throttle."""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base
from tracker.db.models.roster import portable_enum


class Role(str, enum.Enum):
    ADMIN = "admin"  # every town
    SECRETARY = "secretary"  # their town: roster, assignments, reviews, settings
    OFFICIAL = "official"  # own work + read below them in the supervisor chain
    MEMBER = "member"  # own work
    VIEWER = "viewer"  # read-only over one or more towns (the county)


class User(Base):
    __tablename__ = "app_user"

    login: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(portable_enum(Role, "role"))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), unique=True, index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ViewerTown(Base):
    """A town a county viewer may read."""

    __tablename__ = "viewer_town"
    __table_args__ = (UniqueConstraint("user_id", "town_id", name="uq_viewer_town_user_town"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)


class LoginSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "login_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    keep_signed_in: Mapped[bool] = mapped_column(default=False)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ApiToken(Base):
    """A personal API token (Authorization: Bearer, under /api/ only); stored hashed, shown once.

    It ends at `expires_at` (chosen at creation), when revoked, and with its owner's password or
    account (a reset, a change, a disable revoke it for good); a `read_only` token may only GET."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    read_only: Mapped[bool] = mapped_column(default=False)


class SignInThrottle(Base):
    """Failed sign-ins counted per account (kind "account", key its login name, or the name as typed
    when unknown) and per client address (kind "address"): domain/accounts/rules.py turns the count
    into the wait before the next attempt. One row per key, changed only while locked."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_sign_in_throttle_kind_key"),)

    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128))
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
