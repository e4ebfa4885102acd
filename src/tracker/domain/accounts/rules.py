"""Pure account rules: session lifetimes, the sign-in throttle. `now` is passed in."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from tracker.db.models.accounts import Role

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


# -- the sign-in throttle ----------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    """Growing delays after failed sign-ins: `free_failures` cost nothing; after that each further
    attempt waits `first_delay` doubled for every failure past the free ones, at most `max_delay`,
    counted from the last failure. A run of failures is forgotten `forget_after` its first one."""

    free_failures: int
    first_delay: dt.timedelta
    max_delay: dt.timedelta
    forget_after: dt.timedelta


# Per account (however it is named): 5 free, then 1 s, 2 s, 4 s ... at most 15 minutes; a correct
# password clears it. Per address, a much wider ceiling: a village behind one NAT shares it.
ACCOUNT_THROTTLE = ThrottlePolicy(
    free_failures=5, first_delay=dt.timedelta(seconds=1), max_delay=dt.timedelta(minutes=15),
    forget_after=dt.timedelta(hours=24),
)  # fmt: skip
ADDRESS_THROTTLE = ThrottlePolicy(
    free_failures=100, first_delay=dt.timedelta(seconds=1), max_delay=dt.timedelta(minutes=15),
    forget_after=dt.timedelta(hours=1),
)  # fmt: skip


@dataclass(frozen=True)
class FailureCount:
    """Failed sign-ins of one account or address since `first_failure_at`."""

    failures: int
    first_failure_at: dt.datetime
    last_failure_at: dt.datetime


def throttle_delay(failures: int, policy: ThrottlePolicy) -> dt.timedelta:
    """How long after the last of `failures` failures the next attempt must wait."""
    past_free = failures - policy.free_failures
    if past_free < 0:
        return dt.timedelta(0)
    if past_free >= 40:  # 2**40 seconds is far past any sensible ceiling (and keeps timedelta finite)
        return policy.max_delay
    return min(policy.first_delay * 2**past_free, policy.max_delay)


def live_failures(count: FailureCount | None, now: dt.datetime, policy: ThrottlePolicy) -> FailureCount | None:
    """`count`, or None when there is none or its run has been forgotten."""
    if count is None or count.failures <= 0 or now - count.first_failure_at >= policy.forget_after:
        return None
    return count


def throttle_wait(count: FailureCount | None, now: dt.datetime, policy: ThrottlePolicy) -> dt.timedelta:
    """How long an attempt at `now` must still wait; zero when it may go ahead."""
    live = live_failures(count, now, policy)
    delay = throttle_delay(live.failures, policy) if live is not None else dt.timedelta(0)
    if live is None or not delay:
        return dt.timedelta(0)  # (even when a parallel attempt, whose `now` came later, failed "after" now)
    return max(dt.timedelta(0), live.last_failure_at + delay - now)


def count_failure(count: FailureCount | None, now: dt.datetime, policy: ThrottlePolicy) -> FailureCount:
    """The count after one more failure at `now` (a forgotten run starts again at one)."""
    live = live_failures(count, now, policy)
    if live is None:
        return FailureCount(failures=1, first_failure_at=now, last_failure_at=now)
    last = max(now, live.last_failure_at)  # parallel attempts may be counted out of the order of their `now`
    return FailureCount(failures=live.failures + 1, first_failure_at=live.first_failure_at, last_failure_at=last)


def retry_after_seconds(wait: dt.timedelta) -> int:
    """Whole seconds for a Retry-After header: rounded up, at least 1."""
    return max(1, math.ceil(wait.total_seconds()))


def normalise_login(login: str) -> str:
    return login.strip().lower()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bulk_login_candidates(town_code: str, person_code: str, person_id: int) -> list[str]:
    """The logins to try for a person given an account in bulk, in order: the roster code, the town's
    code and the roster code, then the town's code and the person's number (always a usable login)."""
    pattern = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
    code, town = person_code.strip().lower(), town_code.strip().lower()
    candidates = [code, f"{town}.{code}", f"{town}.p{person_id}", f"p{person_id}"]
    return [c for c in dict.fromkeys(candidates) if pattern.match(c)]
