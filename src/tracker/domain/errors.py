"""Domain errors: raised by services, mapped once (web/errors.py) to pages, fragments and JSON."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error a service raises on purpose; `message` is already translated."""

    status_code = 400

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class NotFound(DomainError):
    """The object does not exist, or exists in a town the caller may not see."""

    status_code = 404


class OutOfReach(NotFound):
    """The object exists but belongs where the caller may not look (another town): answered as 404,
    and logged as a refused access."""


class NotAllowed(DomainError):
    status_code = 403


class InvalidInput(DomainError):
    """Input that breaks a rule; `fields` maps each field to its message."""

    status_code = 400


class Conflict(DomainError):
    """Input that is well-formed but clashes with what is stored."""

    status_code = 409


# -- raised by pure rules ---------------------------------------------------------------------------


class TaskRuleError(ValueError):
    """Raised by the computing rules (periods, recurrences) on input that validation would refuse;
    `message` is translated, `fields` maps a field to its message. Services turn it into InvalidInput."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> TaskRuleError:
        """The first field message as the overall message, all of them as fields."""
        return cls(next(iter(fields.values())), fields)


# -- raised by the login guard (web/guards.py) ------------------------------------------------------


class PasswordChangeRequired(NotAllowed):
    """The signed-in user must change their first password before going on: pages are sent to that
    form (`page`), the API answers 403."""

    page = "/account/password"


class MfaEnrolmentRequired(NotAllowed):
    """An admin or secretary must set up a second factor before going on: pages are sent to the
    enrolment page (`page`), the API answers 403."""

    page = "/account/mfa"
