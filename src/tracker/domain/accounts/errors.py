"""Account errors, each with a message meant for the person at the login form."""

from __future__ import annotations

from tracker.domain.errors import DomainError


class SignInRefused(DomainError):
    """Wrong login or password (which of the two is never said), or a disabled account."""

    status_code = 400


class SignInThrottled(DomainError):
    """Too many failed sign-ins for this account or from this address: the attempt was not checked.
    `retry_after` is the wait in whole seconds (the Retry-After header)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
