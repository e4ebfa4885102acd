"""GET /api/v1/me: who the API sees (cookie with CSRF header, or a bearer token)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from pydantic import BaseModel

from tracker.db.models.accounts import Role
from tracker.domain.access import Actor


class MeOut(BaseModel):
    user_id: int
    login: str
    role: Role
    town_id: int | None
    person_id: int | None
    auth: str


class AccountApi(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]

    @get("/", summary="The signed-in user", raises=[])
    async def me(self, actor: NamedDependency[Actor]) -> MeOut:
        return MeOut(
            user_id=actor.user_id,
            login=actor.login,
            role=actor.role,
            town_id=actor.town_id,
            person_id=actor.person_id,
            auth="session" if actor.session_id is not None else "token",
        )
