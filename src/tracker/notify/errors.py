"""The one error every transport raises, after healthchecks' `TransportError`."""

from __future__ import annotations


class TransportError(Exception):
    """A message was not delivered.

    `permanent`: sending the same message again will fail the same way (the address is refused,
    the robot's key is invalid, the credentials are wrong): record it and stop. Otherwise the
    failure is temporary (timeout, connection refused, a 5xx or 4xx-temporary answer, a rate
    limit): keep the message queued and try again later.

    `message` is one line for the outbox page: our own words are translated, the text a server
    answered is quoted as it came.
    """

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent

    def __repr__(self) -> str:
        return f"TransportError({self.message!r}, permanent={self.permanent})"
