"""Function-level access decisions.

`require_login` is installed on the whole application, so a route is private unless its handler
says `opt={"public": True}`. Role guards narrow a route further. Object-level checks (which town,
whose work) are the services' job (domain/access.py).

Plumbing: the signed-in actor is whatever the auth middleware put in scope["user"]; these guards
read only its `role` and `must_change_password` (see `SignedIn`), never an area's class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from tracker.db.models.accounts import Role
from tracker.domain.errors import MfaEnrolmentRequired, PasswordChangeRequired
from tracker.i18n import _

PUBLIC = {"public": True}
# Routes a user who must still change their first password may reach.
PASSWORD_CHANGE_PENDING_OK = {"password_change_pending_ok": True}
# Routes an admin or secretary who must still set up a second factor may reach (after any password change).
MFA_ENROLMENT_PENDING_OK = {"mfa_enrolment_pending_ok": True}

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


class SignedIn(Protocol):
    """What the guards need of the actor in scope["user"] (the accounts area's Actor has it)."""

    @property
    def role(self) -> Role: ...

    @property
    def must_change_password(self) -> bool: ...

    @property
    def must_enrol_mfa(self) -> bool: ...


def current_actor(connection: ASGIConnection) -> SignedIn | None:
    user: SignedIn | None = connection.scope.get("user")
    return user


def require_login(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
        return
    actor = current_actor(connection)
    if actor is None:
        raise NotAuthorizedException(_("Please sign in"))
    if actor.must_change_password:
        if not handler.opt.get("password_change_pending_ok"):
            raise PasswordChangeRequired(_("Choose a new password before you go on"))
    elif actor.must_enrol_mfa and not handler.opt.get("mfa_enrolment_pending_ok"):
        raise MfaEnrolmentRequired(
            _("Set up two-step verification (a code from an app on your phone) at /account/mfa before you go on")
        )


def require_role(*roles: Role) -> Guard:
    """Only these roles reach the route (admin always does)."""
    allowed = frozenset((*roles, Role.ADMIN))

    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        actor = current_actor(connection)
        if actor is None:
            raise NotAuthorizedException(_("Please sign in"))
        if actor.role not in allowed:
            raise PermissionDeniedException(_("You may not do this"))

    guard.__name__ = f"require_role({', '.join(sorted(r.value for r in allowed))})"
    return guard


def require_not_viewer(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Viewers read; every state change needs another role."""
    actor = current_actor(connection)
    if actor is not None and actor.role is Role.VIEWER:
        raise PermissionDeniedException(_("Read-only access"))
