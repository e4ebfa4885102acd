"""Every route of the application, listed in one place."""

from __future__ import annotations

from litestar import Router
from litestar.types import ControllerRouterHandler

from tracker.domain.roster.api import RosterApi
from tracker.domain.roster.pages import RosterPages, choose_language
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
                RosterPages,
                RosterApi,
            ],
        )
    ]
