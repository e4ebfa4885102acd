"""Every route of the application, listed in one place.

Each route's access decision: the app-wide `require_login` guard (private unless opt=PUBLIC),
role guards on controllers and handlers, object-level checks in the services.
tests/integration/test_access_matrix.py fails for any route listed here without an expectation.
"""

from __future__ import annotations

from litestar import Router
from litestar.types import ControllerRouterHandler

from tracker.domain.accounts.api import AccountApi
from tracker.domain.accounts.pages import AuthPages
from tracker.domain.accounts.settings_pages import SettingsPages
from tracker.domain.accounts.user_pages import UserPages
from tracker.domain.audit.pages import AuditPages
from tracker.domain.roster.api import RosterApi
from tracker.domain.roster.pages import RosterPages, choose_language
from tracker.domain.tasks.api import AssignmentApi, TaskApi
from tracker.domain.tasks.api_records import RecordApi
from tracker.domain.tasks.pages import TASK_PAGES
from tracker.web.dependencies import dependencies
from tracker.web.health import healthz


def route_handlers() -> list[ControllerRouterHandler]:
    return [
        Router(
            path="/",
            dependencies=dependencies,
            route_handlers=[
                healthz,
                choose_language,
                AuthPages,
                SettingsPages,
                UserPages,
                AuditPages,
                RosterPages,
                RosterApi,
                AccountApi,
                AssignmentApi,
                TaskApi,
                RecordApi,
                *TASK_PAGES,
            ],
        )
    ]
