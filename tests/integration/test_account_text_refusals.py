"""Accounts' names refuse control and invisible formatting characters with a field message, on SQLite
and PostgreSQL: an API token's name (the settings page) and the login name typed to sign in."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select

from tests.support.personas import build_world, form_post, sign_in
from tracker.db.models.accounts import ApiToken

ENGLISH = {"Accept-Language": "en"}


def test_it_refuses_a_token_name_with_a_direction_override(client: TestClient, db: Any) -> None:
    db(build_world)
    sign_in(client, "secretary")
    page = form_post(client, "/account/tokens", {"name": "phone\u202etxt", "days": "30"}, headers=ENGLISH)
    assert page.status_code == 400
    assert 'id="token-name-error">Remove the control or invisible formatting character U+202E at character 6' in page.text
    assert db(lambda s: s.scalar(select(func.count()).select_from(ApiToken))) == 0
    made = form_post(client, "/account/tokens", {"name": "手机 app", "days": "30"}, headers=ENGLISH)
    assert made.status_code == 200 and "trk_" in made.text


def test_it_refuses_a_login_name_with_a_zero_width_space_without_signing_in(client: TestClient, db: Any) -> None:
    db(build_world)
    response = form_post(client, "/login", {"login": "secre\u200btary", "password": "whatever"}, headers=ENGLISH)
    assert response.status_code == 400
    assert "U+200B" in response.text and "login" in response.text
    assert not client.cookies.get("tracker_session")
