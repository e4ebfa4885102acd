"""Pure account rules: session lifetimes, the brute-force lockout. `now` is passed in."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.db.models.accounts import Role

LOCKOUT_LIMIT = 5
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
# last_seen_at is written at most this often, so that a busy page doesn't write on every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
LOGIN_MAX_LENGTH = 64


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout: dt.timedelta
    lifetime: dt.timedelta
    keep_signed_in_lifetime: dt.timedelta


class SessionState(str, enum.Enum):
    VALID = "valid"
    IDLE = "idle"  # not used for longer than the idle timeout
    EXPIRED = "expired"  # past its absolute lifetime
    ENDED = "ended"  # signed out, or ended by a password reset or a disabled account


def may_keep_signed_in(role: Role) -> bool:
    """The long "keep me signed in on this phone" option is for members' phones."""
    return role in (Role.MEMBER, Role.OFFICIAL)


def session_expiry(now: dt.datetime, keep_signed_in: bool, policy: SessionPolicy) -> dt.datetime:
    return now + (policy.keep_signed_in_lifetime if keep_signed_in else policy.lifetime)


def session_state(
    *,
    last_seen_at: dt.datetime,
    expires_at: dt.datetime,
    ended_at: dt.datetime | None,
    keep_signed_in: bool,
    now: dt.datetime,
    policy: SessionPolicy,
) -> SessionState:
    if ended_at is not None:
        return SessionState.ENDED
    if now >= expires_at:
        return SessionState.EXPIRED
    if not keep_signed_in and now - last_seen_at >= policy.idle_timeout:
        return SessionState.IDLE
    return SessionState.VALID


def should_touch(last_seen_at: dt.datetime, now: dt.datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL


def is_locked_out(failures: Iterable[dt.datetime], now: dt.datetime) -> bool:
    """Locked while LOCKOUT_LIMIT failures or more fall within the last LOCKOUT_WINDOW."""
    recent = [at for at in failures if now - at < LOCKOUT_WINDOW]
    return len(recent) >= LOCKOUT_LIMIT


def lockout_ends(failures: Iterable[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """When the lockout lifts: the moment enough failures have aged out of the window."""
    recent = sorted(at for at in failures if now - at < LOCKOUT_WINDOW)
    if len(recent) < LOCKOUT_LIMIT:
        return None
    return recent[len(recent) - LOCKOUT_LIMIT] + LOCKOUT_WINDOW


def normalise_login(login: str) -> str:
    return login.strip().lower()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
