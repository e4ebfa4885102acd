"""Account errors, each with a message meant for the person at the login form."""

from __future__ import annotations

from tracker.domain.errors import DomainError


class SignInRefused(DomainError):
    """Wrong login or password (which of the two is never said), or a disabled account."""

    status_code = 400


class LockedOut(DomainError):
    status_code = 429
