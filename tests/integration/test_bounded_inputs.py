"""Every identifier, number and date from outside is bounded and parsed strictly, on SQLite and
PostgreSQL: a 400 naming the field, never a 500, and nothing saved. Paths, query strings, JSON and
form bodies; superscript digits; dates at the edges; JSON nested 100,000 deep; a NUL in a note and
in a login name (PostgreSQL can't keep a NUL: unchecked, it was a 500 there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support.personas import World, build_world, form_post, sign_in
from tests.support.work_services import dump_db
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import local_date, utc_now

BIG = 2**63  # 9223372036854775808: one past the largest id a database column holds
ENGLISH = {"Accept-Language": "en"}
TOO_LARGE = "Too large a number: at most 9223372036854775807"
ID_RANGE = "Must be a whole number from 1 to 9223372036854775807"
DIGITS = "Write the number with the digits 0 to 9"
YEARS = "Choose a date from 2000 to 2100"


class Api:
    def __init__(self, client: TestClient, db: Any) -> None:
        self.client, self.db = client, db
        self.world: World = db(build_world)
        users = self.world.users

        async def tokens(session: Any) -> dict[str, str]:
            service = UserService(session, None)  # type: ignore[arg-type]
            return {who: (await service.create_token(users[who], "bounds")).secret for who in ("secretary", "cadre")}

        self.tokens = db(tokens)

    def call(self, method: str, url: str, who: str = "secretary", headers: dict[str, str] | None = None,
             **kwargs: Any) -> Any:  # fmt: skip
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **ENGLISH, **(headers or {})}
        return self.client.request(method, url, headers=headers, **kwargs)


@pytest.fixture
def api(client: TestClient, db: Any) -> Api:
    return Api(client, db)


def _refused(response: Any, field: str, message: str | None = None) -> None:
    assert response.status_code == 400, (response.status_code, response.text[:500])
    fields = response.json()["fields"]
    assert field in fields, fields
    if message is not None:
        assert fields[field] == message, fields


def _today() -> str:
    return local_date(utc_now(), "Asia/Shanghai").isoformat()


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", f"/api/v1/tasks/{BIG}", "task_id"),
        ("GET", f"/api/v1/records/{BIG}", "record_id"),
        ("GET", f"/api/v1/photos/{BIG}", "photo_id"),
        ("GET", f"/api/v1/towns/alpha/people/{BIG}", "person_id"),
        ("GET", f"/api/v1/towns/alpha/people/{BIG}/contact-points", "person_id"),
        ("GET", f"/api/v1/towns/alpha/assignments/{BIG}", "assignment_id"),
        ("POST", f"/api/v1/tasks/{BIG}/excuse", "task_id"),
        ("GET", f"/api/v1/tasks/-{BIG}", "task_id"),
    ],
)
def test_it_refuses_ids_past_the_column_in_api_paths(api: Api, method: str, path: str, field: str) -> None:
    body = {"json": {"reason": "x"}} if method == "POST" else {}
    _refused(api.call(method, path, **body), field, TOO_LARGE)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (f"board?unit_id={BIG}", "unit_id", TOO_LARGE),
        (f"board?assignment_id={BIG}", "assignment_id", TOO_LARGE),
        ("board?unit_id=²", "unit_id", DIGITS),
        (f"tasks?person_id={BIG}", "person_id", TOO_LARGE),
        (f"tasks?assignment_id={BIG}", "assignment_id", TOO_LARGE),
        ("tasks?person_id=%C2%B2", "person_id", DIGITS),  # "²", percent-encoded
    ],
)
def test_it_refuses_numbers_past_the_column_and_odd_digits_in_api_queries(
    api: Api, query: str, field: str, message: str | None
) -> None:
    _refused(api.call("GET", f"/api/v1/towns/alpha/{query}"), field, message)


def _record(**change: Any) -> dict[str, Any]:
    return {"client_key": "bounds-0001", "occurred_on": _today(), "kind": "lecture",
            "fields": {"topic": "宣讲", "audience": 3}, **change}  # fmt: skip


def _assignment(**change: Any) -> dict[str, Any]:
    return {"title": "宣讲", "kind": "custom", "who": {"kind": "tier", "tier": "village_cadre"},
            "when": {"cadence": "once", "due_date": _today()}, **change}  # fmt: skip


RECORDS, ASSIGNMENTS = "/api/v1/towns/alpha/records", "/api/v1/towns/alpha/assignments"


@pytest.mark.parametrize(
    ("url", "body", "field", "message"),
    [
        (RECORDS, _record(place_id=BIG), "place_id", ID_RANGE),
        (RECORDS, _record(person_id=BIG), "person_id", ID_RANGE),
        (RECORDS, _record(kind="study", fields={"attendee_ids": [BIG]}), "fields.attendee_ids", None),
        (RECORDS, _record(kind="study", fields={"attendee_ids": [str(BIG)]}), "fields.attendee_ids", None),
        (RECORDS, _record(kind="study", fields={"attendee_ids": ["²"]}), "fields.attendee_ids", None),
        (RECORDS, _record(fields={"topic": "x", "audience": "²"}), "fields.audience", "Enter a whole number"),
        (RECORDS, _record(fields={"topic": "x", "audience": "9" * 5000}), "fields.audience", "Enter a whole number"),
        (RECORDS, _record(occurred_on="0001-01-01"), "occurred_on", YEARS),
        (RECORDS, _record(located_at="0001-01-01T00:00+14:00", latitude=34, longitude=108), "located_at", None),
        (RECORDS, _record(located_at="9999-12-31T23:59-14:00", latitude=34, longitude=108), "located_at", None),
        (ASSIGNMENTS, _assignment(who={"kind": "unit", "unit_id": BIG}), "who.unit_id", ID_RANGE),
        (ASSIGNMENTS, _assignment(who={"kind": "people", "person_ids": [BIG]}), "who.person_ids.0", ID_RANGE),
        (ASSIGNMENTS, _assignment(who={"kind": "below", "official_id": BIG}), "who.official_id", ID_RANGE),
        (ASSIGNMENTS, _assignment(when={"cadence": "once", "due_date": "9999-12-31"}), "when.due_date", YEARS),
        (f"{ASSIGNMENTS}/preview", _assignment(when={"cadence": "once", "due_date": "0001-01-01"}), "when.due_date",
         YEARS),
    ],
)
def test_it_refuses_numbers_and_dates_out_of_bounds_in_json_bodies(
    api: Api, url: str, body: dict[str, Any], field: str, message: str | None
) -> None:
    before = dump_db(api.db)
    _refused(api.call("POST", url, json=body), field, message)
    assert dump_db(api.db) == before


def test_it_bounds_ids_at_the_column_and_not_below_it(api: Api) -> None:
    person = api.world.a.cadre.id
    before = dump_db(api.db)
    response = api.call("PUT", f"/api/v1/towns/alpha/people/{person}/contact-points", json={"place_ids": [BIG]})
    _refused(response, "place_ids.0", ID_RANGE)
    assert dump_db(api.db) == before
    # the largest id and the last year are still answered as before
    assert api.call("GET", "/api/v1/tasks/9223372036854775807").status_code == 404
    assert api.call("GET", "/api/v1/towns/alpha/board?unit_id=9223372036854775807").status_code == 200
    assert api.call("GET", f"/api/v1/towns/alpha/people/{person}").status_code == 200
    last_day = dt.date(2100, 12, 31).isoformat()
    made = api.call("POST", ASSIGNMENTS, json=_assignment(when={"cadence": "once", "due_date": last_day}))
    assert made.status_code == 201, made.text


def test_it_refuses_json_nested_too_deep_before_decoding_it(api: Api) -> None:
    depth = 100_000
    deep = "[" * depth + "]" * depth
    for url, body in ((ASSIGNMENTS, deep), (RECORDS, '{"client_key": "k", "fields": {"note": ' + deep + "}}")):
        response = api.call("POST", url, content=body, headers={"content-type": "application/json"})
        _refused(response, "body", "Nested too deeply: at most 32 levels of arrays and objects")
    shallow = _assignment()  # four levels: well within the limit
    assert api.call("POST", f"{ASSIGNMENTS}/preview", json=shallow).status_code == 200


def test_it_refuses_a_nul_in_a_note_on_both_engines(api: Api) -> None:
    before = dump_db(api.db)
    response = api.call("POST", RECORDS, json=_record(kind="custom", fields={"note": "走访\x00记录"}))
    _refused(response, "fields.note", "Remove the control or invisible formatting character U+0000 at character 3")
    assert dump_db(api.db) == before


def test_it_refuses_a_nul_in_a_login_name_without_signing_in(client: TestClient, db: Any) -> None:
    db(build_world)
    response = form_post(client, "/login", {"login": "secre\x00tary", "password": "whatever"}, headers=ENGLISH)
    assert response.status_code == 400, response.text[:300]
    assert "U+0000" in response.text and "login" in response.text
    assert not client.cookies.get("tracker_session")


@pytest.fixture
def secretary(client: TestClient, db: Any) -> TestClient:
    db(build_world)
    sign_in(client, "secretary")
    return client


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/tasks/{BIG}", TOO_LARGE),
        (f"/towns/alpha/people/{BIG}", TOO_LARGE),
        (f"/towns/alpha/places/{BIG}", TOO_LARGE),
        (f"/towns/alpha/board?unit={BIG}", TOO_LARGE),
        ("/towns/alpha/board?unit=²", DIGITS),  # str.isdigit() says yes; int() raised
        ("/towns/alpha/board?assignment=%C2%B3", DIGITS),
        (f"/towns/alpha/board/cell?person={BIG}&column=1", TOO_LARGE),
        (f"/towns/alpha/audit?page={BIG}", TOO_LARGE),
        ("/towns/alpha/audit?since=0001-01-01", YEARS),  # before year 1 in UTC
        ("/towns/alpha/audit?until=9999-12-31", YEARS),
        ("/towns/alpha/audit?who=a%00b", "U+0000"),  # a NUL in a query value
    ],
)
def test_it_refuses_out_of_bounds_numbers_and_dates_on_pages(secretary: TestClient, path: str, shown: str) -> None:
    response = secretary.get(path, headers=ENGLISH)
    assert response.status_code == 400, response.text[:300]
    assert shown in response.text


def test_it_shows_the_audit_logs_date_problem_beside_its_field(secretary: TestClient) -> None:
    page = secretary.get("/towns/alpha/audit?since=0001-01-01&until=2026-01-01", headers=ENGLISH).text
    assert f'id="since-error">{YEARS}</span>' in page
    assert 'id="until-error"' not in page and 'value="2026-01-01"' in page


@pytest.mark.parametrize(
    ("path", "form", "field", "shown"),
    [
        ("/towns/alpha/users/", {"login": "newbie", "role": "member", "person_id": "²"}, "person_id", DIGITS),
        ("/towns/alpha/users/", {"login": "newbie", "role": "member", "person_id": str(BIG)}, "person_id", TOO_LARGE),
        ("/towns/alpha/assignments/", {"title": "t", "kind": "custom", "who.kind": "unit", "who.unit_id": str(BIG),
                                       "when.cadence": "monthly"}, "who.unit_id", TOO_LARGE),
        ("/towns/alpha/assignments/", {"title": "t", "kind": "custom", "who.kind": "people",
                                       "who.person_ids": "²", "when.cadence": "monthly"}, "who.person_ids", DIGITS),
    ],
)
def test_it_refuses_odd_or_too_large_ids_in_forms(
    secretary: TestClient, db: Any, path: str, form: dict[str, str], field: str, shown: str
) -> None:
    before = dump_db(db)
    response = form_post(secretary, path, form, headers=ENGLISH)
    assert response.status_code == 400, response.text[:300]
    assert field in response.text and shown in response.text
    assert dump_db(db) == before
