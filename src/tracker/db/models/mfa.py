"""The second factor: a user's TOTP secret, their recovery codes, and sign-ins waiting for a code."""

from __future__ import annotations

import datetime as dt

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base


class TotpSecret(Base):
    """A user's TOTP (RFC 6238) secret. `enabled_at` is None while the enrolment page waits for the first
    right code; `last_used_step` is the time step of the last code accepted (a code is never taken twice)."""

    __tablename__ = "totp_secret"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32, as an authenticator app takes it
    enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(Base):
    """A single-use recovery code, shown once at enrolment; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_recovery_code_user_hash"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class SignInChallenge(Base):
    """A sign-in whose password was right, waiting for the second factor: the browser holds a random
    token in a cookie, the table its SHA-256. Short-lived, a few attempts, used once."""

    __tablename__ = "sign_in_challenge"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    keep_signed_in: Mapped[bool] = mapped_column(default=False)
