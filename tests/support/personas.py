"""The access personas: two towns, one account for each kind of user, and signing in through the form.

Town A (code "alpha"): `secretary` (the party secretary), `official` (a tier-1 official with the
cadre and a unit head below them), `cadre` (a village cadre below `official`, role member),
`outsider` (a member of town A outside that chain). Town B (code "beta"): `secretary_b`.
Plus `admin`, `viewer` (county, reads town A only) and the anonymous visitor (no login).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import SmallTown, build_small_town
from tests.support.mfa import enrol, next_recovery_code
from tracker.db.models.accounts import Role, User, ViewerTown
from tracker.db.models.roster import Person, Tier
from tracker.domain.accounts.mfa import mfa_required
from tracker.domain.accounts.passwords import hash_password

PASSWORD = "correct-horse-battery"
_HASH: list[str] = []


def _password_hash() -> str:
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class World:
    a: SmallTown
    b: SmallTown
    outsider: Person
    users: dict[str, int]


async def build_world(session: AsyncSession) -> World:
    a = await build_small_town(session, "alpha", "阿尔法镇")
    b = await build_small_town(session, "beta", "贝塔镇")
    outsider = Person(town_id=a.town.id, code="P5", name="干部戊", tier=Tier.VILLAGE_CADRE, post="包村干部",
                      supervisor_id=a.secretary.id)
    session.add(outsider)
    await session.flush()
    specs = [
        ("admin", Role.ADMIN, None, None),
        ("secretary", Role.SECRETARY, a.town.id, a.secretary.id),
        ("official", Role.OFFICIAL, a.town.id, a.official.id),
        ("cadre", Role.MEMBER, a.town.id, a.cadre.id),
        ("outsider", Role.MEMBER, a.town.id, outsider.id),
        ("secretary_b", Role.SECRETARY, b.town.id, b.secretary.id),
        ("viewer", Role.VIEWER, None, None),
    ]
    users: dict[str, int] = {}
    for login, role, town_id, person_id in specs:
        user = User(login=login, role=role, town_id=town_id, person_id=person_id, password_hash=_password_hash(),
                    must_change_password=False, active=True)
        session.add(user)
        await session.flush()
        users[login] = user.id
        if mfa_required(role):  # enrolled, as their role requires (tests/support/mfa.py)
            await enrol(session, user.id, login)
    session.add(ViewerTown(user_id=users["viewer"], town_id=a.town.id))
    await session.flush()
    return World(a=a, b=b, outsider=outsider, users=users)


def csrf_token(client: TestClient) -> str:
    token = client.cookies.get("tracker_csrf") or client.cookies.get("__Host-tracker_csrf")  # behind HTTPS
    if not token:
        client.get("/login")
        token = client.cookies.get("tracker_csrf") or client.cookies.get("__Host-tracker_csrf")
    assert token, "no CSRF cookie was set by a GET"
    return token


def sign_in(client: TestClient, login: str, password: str = PASSWORD, *, keep: bool = False) -> None:
    form = {"login": login, "password": password, "_csrf_token": csrf_token(client), "next": "/"}
    if keep:
        form["keep_signed_in"] = "1"
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    if response.headers["location"].startswith("/login/code"):  # a second factor: the next recovery code
        code = {"code": next_recovery_code(login), "_csrf_token": csrf_token(client), "next": "/"}
        response = client.post("/login/code", data=code, follow_redirects=False)
        assert response.status_code == 303, response.text
    assert client.cookies.get("tracker_session") or client.cookies.get("__Host-tracker_session")


def form_post(client: TestClient, path: str, data: dict[str, str] | None = None, **kwargs):  # noqa: ANN201
    """A form POST carrying the CSRF token, as a browser would send it."""
    return client.post(path, data={**(data or {}), "_csrf_token": csrf_token(client)}, follow_redirects=False, **kwargs)


def json_headers(client: TestClient) -> dict[str, str]:
    """Headers for a cookie-authenticated JSON call from a page (the CSRF header)."""
    return {"x-csrftoken": csrf_token(client)}


TODAY = dt.date(2026, 11, 28)
