"""The access matrix: every route of the application, every persona, the answer each one gets.

It walks the application's own route table and fails for any route without an expectation here,
so a new route can't land without an access decision. For each route it also checks the guards
it carries (so removing one fails even where a service would refuse too), and for every
state-changing route it re-reads the database after each refused request: nothing changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.databases import run
from tests.support.outbox import add_message
from tests.support.personas import World, build_world, sign_in
from tests.support.work_pages import add_work, png
from tracker.db.base import metadata
from tracker.db.models.accounts import Role, User
from tracker.db.models.reminders import ChannelKind, NotifyChannel, ReminderReason
from tracker.db.models.tasks import Task
from tracker.db.session import open_session
from tracker.domain.accounts.passwords import hash_password
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import local_date, utc_now
from tracker.domain.work.display import due_on
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import RecordIn, UploadedPhoto

ANON, ADMIN, SEC, OFFICIAL, CADRE, OUTSIDER, SEC_B, VIEWER = (
    "anonymous", "admin", "secretary", "official", "cadre", "outsider", "secretary_b", "viewer",
)
PERSONAS = (ANON, ADMIN, SEC, OFFICIAL, CADRE, OUTSIDER, SEC_B, VIEWER)
SIGNED_IN = PERSONAS[1:]
# Tables a refused request may still write to: the log of the refusal itself (and its count), sign-in bookkeeping.
BOOKKEEPING = {"audit_entry", "access_refusal", "login_session", "sign_in_throttle"}

LOGIN = "require_login"
SECRETARY_ONLY = "require_role(admin, secretary)"
NOT_VIEWER = "require_not_viewer"
BOARD_READERS = "require_role(admin, official, secretary, viewer)"
ASSIGNERS = "require_role(admin, official, secretary)"
COUNTY_READERS = "require_role(admin, viewer)"


def everyone(status: int, anonymous: int) -> dict[str, int]:
    return {ANON: anonymous, **{p: status for p in SIGNED_IN}}


def town_a(status: int, anonymous: int) -> dict[str, int]:
    """Anyone who may read town A; the secretary of town B is answered as if it did not exist."""
    return {**everyone(status, anonymous), SEC_B: 404}


def managers_of_a(status: int, anonymous: int) -> dict[str, int]:
    return {**everyone(403, anonymous), ADMIN: status, SEC: status, SEC_B: 404}


def cadres_work(status: int, anonymous: int, official: int | None = None) -> dict[str, int]:
    """The cadre's work: the cadre, the official above them, the town's managers and the viewer read it;
    a member outside that chain and the other town's secretary are told it does not exist."""
    return {**town_a(status, anonymous), OUTSIDER: 404, OFFICIAL: status if official is None else official}


def board_readers(status: int, anonymous: int) -> dict[str, int]:
    return {**town_a(status, anonymous), CADRE: 403, OUTSIDER: 403}


def assigners(status: int, anonymous: int) -> dict[str, int]:
    """The town's secretary, its officials (for the people below them) and admins assign work."""
    return {**managers_of_a(status, anonymous), OFFICIAL: status}


def filers(status: int, anonymous: int) -> dict[str, int]:
    """Anyone of town A but the viewer files records (an admin without a person is asked whose work)."""
    return {**town_a(status, anonymous), VIEWER: 403}


# Bodies that pass the JSON schema but not the service's checks: whoever gets past the access checks
# is answered 400 and nothing is written, so every persona can be tried on the same object.
def _bad_assignment(persona: str) -> dict[str, Any]:
    who, when = {"kind": "tier", "tier": "village_cadre"}, {"cadence": "monthly"}
    return {"title": " ", "kind": "custom", "who": who, "when": when}


def _bad_record(persona: str) -> dict[str, Any]:
    return {"client_key": f"matrix-api-{persona}", "occurred_on": "2026-01-01", "fields": {"no_such_field": 1}}


def _bad_unplanned(persona: str) -> dict[str, Any]:
    return {**_bad_record(persona), "kind": "lecture"}


@dataclass
class Case:
    method: str
    route: str
    url: Callable[[World, dict[str, int]], str]
    expect: dict[str, int]
    guards: set[str]
    body: Callable[[str], dict[str, Any]] | None = None
    json: bool = False
    fresh_session: bool = False  # the request ends the session it comes with
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def changes_state(self) -> bool:
        return self.method not in ("GET", "HEAD")


def fixed(path: str) -> Callable[[World, dict[str, int]], str]:
    return lambda world, ids: path


CASES = [
    Case("GET", "/healthz", fixed("/healthz"), everyone(200, 200), set()),
    # the installable app's shell (web/app_shell.py): the same for everyone, nothing of anyone's
    Case("GET", "/sw.js", fixed("/sw.js"), everyone(200, 200), set()),
    Case("GET", "/manifest.webmanifest", fixed("/manifest.webmanifest"), everyone(200, 200), set()),
    Case("GET", "/offline", fixed("/offline"), everyone(200, 200), set()),
    Case("POST", "/language", fixed("/language"), everyone(303, 303), set(), body=lambda p: {"locale": "en", "next": "/"}),
    Case("GET", "/login", fixed("/login"), everyone(303, 200), set()),
    Case("POST", "/login", fixed("/login"), everyone(400, 400), set(),
         body=lambda p: {"login": "admin", "password": "not-the-password", "next": "/"}),
    Case("POST", "/logout", fixed("/logout"), everyone(303, 303), {LOGIN}, body=lambda p: {}, fresh_session=True),
    Case("GET", "/account/password", fixed("/account/password"), everyone(200, 303), {LOGIN}),
    Case("POST", "/account/password", fixed("/account/password"), everyone(400, 303), {LOGIN},
         body=lambda p: {"current_password": "wrong-wrong", "new_password": "x", "confirm_password": "y"}),
    Case("GET", "/account", fixed("/account"), everyone(200, 303), {LOGIN}),
    Case("POST", "/account/language", fixed("/account/language"), everyone(303, 303), {LOGIN},
         body=lambda p: {"locale": "zh_CN"}),
    Case("POST", "/account/tokens", fixed("/account/tokens"), everyone(200, 303), {LOGIN},
         body=lambda p: {"name": f"matrix-{p}"}),
    Case("POST", "/account/tokens/{token_id:int}/revoke",
         lambda w, ids: f"/account/tokens/{ids['admin_token']}/revoke",
         {**everyone(404, 303), ADMIN: 303}, {LOGIN}, body=lambda p: {}),
    Case("POST", "/account/sessions/end-others", fixed("/account/sessions/end-others"), everyone(303, 303), {LOGIN},
         body=lambda p: {}),
    # the second factor: without a sign-in waiting for its code, the code page sends back to the password
    Case("GET", "/login/code", fixed("/login/code"), everyone(303, 303), set()),
    Case("POST", "/login/code", fixed("/login/code"), everyone(400, 400), set(), body=lambda p: {"code": "123456"}),
    # enrolling: the admins and secretaries are enrolled already (409); the others send a wrong code (400)
    Case("GET", "/account/mfa", fixed("/account/mfa"), everyone(200, 303), {LOGIN}),
    Case("POST", "/account/mfa", fixed("/account/mfa"), {**everyone(400, 303), ADMIN: 409, SEC: 409, SEC_B: 409},
         {LOGIN}, body=lambda p: {"code": "not-a-code"}),
    # turning it off: not for the roles that must keep it (403); the others have none to turn off (409)
    Case("POST", "/account/mfa/disable", fixed("/account/mfa/disable"),
         {**everyone(409, 303), ADMIN: 403, SEC: 403, SEC_B: 403}, {LOGIN}, body=lambda p: {"code": "not-a-code"}),
    # the calendar feed: made by anyone linked to a person (admin and viewer have none: 409); the feed
    # itself is public, and an address not in force is 404 for everyone
    Case("GET", "/settings/calendar", fixed("/settings/calendar"), everyone(200, 303), {LOGIN}),
    Case("POST", "/settings/calendar", fixed("/settings/calendar"), {**everyone(303, 303), ADMIN: 409, VIEWER: 409},
         {LOGIN}, body=lambda p: {}),
    Case("POST", "/settings/calendar/revoke", fixed("/settings/calendar/revoke"), everyone(303, 303), {LOGIN},
         body=lambda p: {}),
    Case("GET", "/calendar/{file_name:str}", fixed("/calendar/cal_" + "A" * 43 + ".ics"), everyone(404, 404), set()),
    Case("GET", "/", fixed("/"), {**everyone(302, 303), ADMIN: 200}, {LOGIN}),
    Case("GET", "/towns/{code:str}", fixed("/towns/alpha"), town_a(200, 303), {LOGIN}),
    Case("GET", "/towns/{code:str}/people/{person_id:int}",
         lambda w, ids: f"/towns/alpha/people/{w.a.official.id}", town_a(200, 303), {LOGIN}),
    Case("GET", "/towns/{code:str}/places/{place_id:int}",
         lambda w, ids: f"/towns/alpha/places/{w.a.villages[1].id}", town_a(200, 303), {LOGIN}),
    # the roster file in the pages: no file sent (400); a preview that does not exist (409)
    Case("GET", "/towns/{code:str}/roster/import", fixed("/towns/alpha/roster/import"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/roster/import", fixed("/towns/alpha/roster/import"), managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("POST", "/towns/{code:str}/roster/import/{upload_id:int}/confirm", fixed("/towns/alpha/roster/import/0/confirm"),
         managers_of_a(409, 303), {LOGIN, SECRETARY_ONLY}, body=lambda p: {"sha256": "0" * 64}),
    Case("GET", "/towns/{code:str}/roster/template.xlsx", fixed("/towns/alpha/roster/template.xlsx"),
         managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    Case("GET", "/towns/{code:str}/roster/export.xlsx", fixed("/towns/alpha/roster/export.xlsx"),
         managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    # the roster kept in the pages (roster/edit_pages.py): forms that fail their checks (400), nothing written
    *[Case(method, "/towns/{code:str}" + route, (lambda w, ids, u=url: "/towns/alpha" + u(w)), managers_of_a(status, 303),
           {LOGIN, SECRETARY_ONLY}, body=None if method == "GET" else (lambda p, b=body: dict(b)))
      for method, route, url, status, body in (
          ("GET", "/people/new", lambda w: "/people/new", 200, {}),
          ("POST", "/people/new", lambda w: "/people/new", 400, {"tier": "boss"}),
          ("GET", "/people/{person_id:int}/edit", lambda w: f"/people/{w.a.official.id}/edit", 200, {}),
          ("POST", "/people/{person_id:int}/edit", lambda w: f"/people/{w.a.official.id}/edit", 400, {"name": ""}),
          ("GET", "/people/{person_id:int}/contact-points", lambda w: f"/people/{w.a.official.id}/contact-points", 200, {}),
          ("POST", "/people/{person_id:int}/contact-points", lambda w: f"/people/{w.a.official.id}/contact-points", 400,
           {"place_ids": "not-a-place"}),
          ("POST", "/roster/contact-check", lambda w: "/roster/contact-check", 200, {"name": "x"}),
          ("GET", "/people/{person_id:int}/active", lambda w: f"/people/{w.a.official.id}/active", 200, {}),
          ("POST", "/people/{person_id:int}/deactivate", lambda w: f"/people/{w.a.official.id}/deactivate", 400,
           {"day": "not-a-day"}),
          ("POST", "/people/{person_id:int}/reactivate", lambda w: f"/people/{w.a.official.id}/reactivate", 400,
           {"day": "2026-01-01"}),
          ("GET", "/units/new", lambda w: "/units/new", 200, {}),
          ("POST", "/units/new", lambda w: "/units/new", 400, {}),
          ("GET", "/units/{unit_id:int}/edit", lambda w: f"/units/{w.a.unit.id}/edit", 200, {}),
          ("POST", "/units/{unit_id:int}/edit", lambda w: f"/units/{w.a.unit.id}/edit", 400, {"code": "U 1"}),
          ("GET", "/places/new", lambda w: "/places/new", 200, {}),
          ("POST", "/places/new", lambda w: "/places/new", 400, {"latitude": "91"}),
          ("GET", "/places/{place_id:int}/edit", lambda w: f"/places/{w.a.villages[1].id}/edit", 200, {}),
          ("POST", "/places/{place_id:int}/edit", lambda w: f"/places/{w.a.villages[1].id}/edit", 400, {"kind": "castle"}),
      )],
    Case("GET", "/towns/{code:str}/users", fixed("/towns/alpha/users"), managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/users", fixed("/towns/alpha/users"), {**managers_of_a(200, 303), SEC: 400},
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"login": f"new-{p}", "role": "secretary", "person_id": ""}),
    Case("POST", "/towns/{code:str}/users/{user_id:int}/reset-password",
         lambda w, ids: f"/towns/alpha/users/{ids['spare']}/reset-password", managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("POST", "/towns/{code:str}/users/{user_id:int}/disable",
         lambda w, ids: f"/towns/alpha/users/{ids['spare']}/disable", managers_of_a(303, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("POST", "/towns/{code:str}/users/{user_id:int}/enable",
         lambda w, ids: f"/towns/alpha/users/{ids['spare']}/enable", managers_of_a(303, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("POST", "/towns/{code:str}/users/{user_id:int}/unlock",
         lambda w, ids: f"/towns/alpha/users/{ids['spare']}/unlock", managers_of_a(303, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("GET", "/towns/{code:str}/audit", fixed("/towns/alpha/audit"), managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    Case("GET", "/towns/{code:str}/audit/export.csv", fixed("/towns/alpha/audit/export.csv"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    # accounts in bulk: a ticked value that is no person of the town is refused (400) with nothing made
    Case("POST", "/towns/{code:str}/users/bulk", fixed("/towns/alpha/users/bulk"), managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"person": "not-a-person"}),
    Case("GET", "/api/v1/me", fixed("/api/v1/me"), everyone(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns", fixed("/api/v1/towns"), everyone(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}", fixed("/api/v1/towns/alpha"), town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/units", fixed("/api/v1/towns/alpha/units"), town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/places", fixed("/api/v1/towns/alpha/places"), town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/people", fixed("/api/v1/towns/alpha/people"), town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/people/{person_id:int}",
         lambda w, ids: f"/api/v1/towns/alpha/people/{w.a.cadre.id}", town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/contact-assignments", fixed("/api/v1/towns/alpha/contact-assignments"),
         town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/people/{person_id:int}/contact-points",
         lambda w, ids: f"/api/v1/towns/alpha/people/{w.a.official.id}/contact-points", town_a(200, 401), {LOGIN}),
    Case("PUT", "/api/v1/towns/{code:str}/people/{person_id:int}/contact-points",
         lambda w, ids: f"/api/v1/towns/alpha/people/{w.a.official.id}/contact-points",
         managers_of_a(200, 401), {LOGIN, SECRETARY_ONLY}, json=True,
         body=lambda p: {"place_ids": "SET BY TEST"}),
    # -- task pages (templates/tasks/) --------------------------------------------------------
    Case("GET", "/my", fixed("/my"), everyone(200, 303), {LOGIN}),
    Case("GET", "/my/queue", fixed("/my/queue"), everyone(200, 303), {LOGIN}),
    Case("GET", "/tasks/{task_id:int}", lambda w, ids: f"/tasks/{ids['overdue']}", cadres_work(200, 303), {LOGIN}),
    Case("POST", "/tasks/{task_id:int}/records", lambda w, ids: f"/tasks/{ids['overdue']}/records",
         {**cadres_work(400, 303, official=403), VIEWER: 403}, {LOGIN, NOT_VIEWER},
         body=lambda p: {"client_key": f"matrix-{p}", "occurred_on": ""}),
    Case("POST", "/tasks/{task_id:int}/excuse", lambda w, ids: f"/tasks/{ids['overdue']}/excuse",
         managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY}, body=lambda p: {"reason": ""}),
    Case("POST", "/tasks/{task_id:int}/cancel", lambda w, ids: f"/tasks/{ids['overdue']}/cancel",
         managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY}, body=lambda p: {"reason": ""}),
    # -- correcting and sending back records (work/correction_pages.py, reminders/send_back_pages.py): the
    # record (the cadre's, filed today) is corrected or withdrawn by its author only (400: the body is bad /
    # unconfirmed, nothing changed); sent back by the cadre's official, the secretary or an admin (400: no reason)
    Case("GET", "/records/{record_id:int}/correct", lambda w, ids: f"/records/{ids['record']}/correct",
         {**cadres_work(403, 303), CADRE: 200, VIEWER: 403}, {LOGIN, NOT_VIEWER}),
    Case("POST", "/records/{record_id:int}/correct", lambda w, ids: f"/records/{ids['record']}/correct",
         {**cadres_work(403, 303), CADRE: 400, VIEWER: 403}, {LOGIN, NOT_VIEWER}, body=lambda p: {"occurred_on": ""}),
    Case("POST", "/records/{record_id:int}/withdraw", lambda w, ids: f"/records/{ids['record']}/withdraw",
         {**cadres_work(403, 303), CADRE: 400, VIEWER: 403}, {LOGIN, NOT_VIEWER}, body=lambda p: {}),
    Case("POST", "/records/{record_id:int}/send-back", lambda w, ids: f"/records/{ids['record']}/send-back",
         {**cadres_work(400, 303), CADRE: 403, OUTSIDER: 403, VIEWER: 403}, {LOGIN, ASSIGNERS},
         body=lambda p: {"reason": ""}),
    Case("GET", "/towns/{code:str}/records/new", fixed("/towns/alpha/records/new?kind=lecture"),
         {**town_a(200, 303), VIEWER: 403}, {LOGIN, NOT_VIEWER}),
    Case("POST", "/towns/{code:str}/records", fixed("/towns/alpha/records"), {**town_a(400, 303), VIEWER: 403},
         {LOGIN, NOT_VIEWER}, body=lambda p: {"kind": ""}),
    Case("GET", "/towns/{code:str}/board", fixed("/towns/alpha/board"), board_readers(200, 303), {LOGIN, BOARD_READERS}),
    Case("GET", "/towns/{code:str}/board/cell",
         lambda w, ids: f"/towns/alpha/board/cell?person={w.a.cadre.id}&column={ids['overdue_column']}",
         board_readers(200, 303), {LOGIN, BOARD_READERS}),
    # the board as filtered, as a workbook; the desk (the secretary's landing page), for the board's readers
    Case("GET", "/towns/{code:str}/board/export.xlsx", fixed("/towns/alpha/board/export.xlsx?kind=visit"),
         board_readers(200, 303), {LOGIN, BOARD_READERS}),
    Case("GET", "/towns/{code:str}/desk", fixed("/towns/alpha/desk"), board_readers(200, 303), {LOGIN, BOARD_READERS}),
    Case("GET", "/towns/{code:str}/assignments", fixed("/towns/alpha/assignments"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("GET", "/towns/{code:str}/assignments/new", fixed("/towns/alpha/assignments/new"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/assignments/preview", fixed("/towns/alpha/assignments/preview"),
         managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY}, body=lambda p: {"title": "x"}),
    Case("POST", "/towns/{code:str}/assignments", fixed("/towns/alpha/assignments"), managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"title": ""}),
    # one assignment's page (planning/assignment_pages.py): edit (bad body: 400), preview, stop (a past day: 400)
    Case("GET", "/towns/{code:str}/assignments/{assignment_id:int}",
         lambda w, ids: f"/towns/alpha/assignments/{ids['assignment']}", managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/assignments/{assignment_id:int}/preview",
         lambda w, ids: f"/towns/alpha/assignments/{ids['assignment']}/preview", managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"title": ""}),
    Case("POST", "/towns/{code:str}/assignments/{assignment_id:int}",
         lambda w, ids: f"/towns/alpha/assignments/{ids['assignment']}", managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"title": ""}),
    Case("POST", "/towns/{code:str}/assignments/{assignment_id:int}/stop",
         lambda w, ids: f"/towns/alpha/assignments/{ids['assignment']}/stop", managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"stop_from": "2000-01-01"}),
    Case("GET", "/photos/{photo_id:int}", lambda w, ids: f"/photos/{ids['photo']}", cadres_work(200, 303), {LOGIN}),
    Case("GET", "/photos/{photo_id:int}/thumb", lambda w, ids: f"/photos/{ids['photo']}/thumb",
         cadres_work(200, 303), {LOGIN}),
    # -- tasks JSON API (src/tracker/domain/tasks/api.py, api_records.py) ----------------------
    Case("GET", "/api/v1/towns/{code:str}/assignments", fixed("/api/v1/towns/alpha/assignments"), town_a(200, 401),
         {LOGIN}),
    Case("POST", "/api/v1/towns/{code:str}/assignments", fixed("/api/v1/towns/alpha/assignments"),
         assigners(400, 401), {LOGIN, ASSIGNERS}, json=True, body=_bad_assignment),
    Case("POST", "/api/v1/towns/{code:str}/assignments/preview", fixed("/api/v1/towns/alpha/assignments/preview"),
         assigners(400, 401), {LOGIN, ASSIGNERS}, json=True, body=_bad_assignment),
    Case("GET", "/api/v1/towns/{code:str}/assignments/{assignment_id:int}",
         lambda w, ids: f"/api/v1/towns/alpha/assignments/{ids['assignment']}", town_a(200, 401), {LOGIN}),
    Case("PUT", "/api/v1/towns/{code:str}/assignments/{assignment_id:int}",
         lambda w, ids: f"/api/v1/towns/alpha/assignments/{ids['assignment']}",
         {**assigners(400, 401), OFFICIAL: 403}, {LOGIN, ASSIGNERS}, json=True, body=_bad_assignment),  # not theirs
    Case("GET", "/api/v1/me/tasks", fixed("/api/v1/me/tasks"), everyone(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/tasks", fixed("/api/v1/towns/alpha/tasks"), town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/tasks/{task_id:int}", lambda w, ids: f"/api/v1/tasks/{ids['overdue']}",
         cadres_work(200, 401), {LOGIN}),
    Case("POST", "/api/v1/tasks/{task_id:int}/excuse", lambda w, ids: f"/api/v1/tasks/{ids['overdue']}/excuse",
         managers_of_a(400, 401), {LOGIN, SECRETARY_ONLY}, json=True, body=lambda p: {"reason": " "}),
    Case("POST", "/api/v1/tasks/{task_id:int}/cancel", lambda w, ids: f"/api/v1/tasks/{ids['overdue']}/cancel",
         managers_of_a(400, 401), {LOGIN, SECRETARY_ONLY}, json=True, body=lambda p: {"reason": " "}),
    Case("POST", "/api/v1/tasks/{task_id:int}/records", lambda w, ids: f"/api/v1/tasks/{ids['overdue']}/records",
         {**cadres_work(400, 401, official=403), VIEWER: 403}, {LOGIN, NOT_VIEWER}, json=True, body=_bad_record),
    Case("POST", "/api/v1/tasks/{task_id:int}/records/upload",
         lambda w, ids: f"/api/v1/tasks/{ids['overdue']}/records/upload",
         {**cadres_work(400, 401, official=403), VIEWER: 403}, {LOGIN, NOT_VIEWER},
         body=lambda p: {"record": json.dumps(_bad_record(p))}),
    Case("POST", "/api/v1/towns/{code:str}/records", fixed("/api/v1/towns/alpha/records"), filers(400, 401),
         {LOGIN, NOT_VIEWER}, json=True, body=_bad_unplanned),
    Case("POST", "/api/v1/towns/{code:str}/records/upload", fixed("/api/v1/towns/alpha/records/upload"),
         filers(400, 401), {LOGIN, NOT_VIEWER}, body=lambda p: {"record": json.dumps(_bad_unplanned(p))}),
    Case("GET", "/api/v1/towns/{code:str}/records", fixed("/api/v1/towns/alpha/records"), town_a(200, 401), {LOGIN}),
    Case("GET", "/api/v1/records/{record_id:int}", lambda w, ids: f"/api/v1/records/{ids['record']}",
         cadres_work(200, 401), {LOGIN}),
    Case("GET", "/api/v1/photos/{photo_id:int}", lambda w, ids: f"/api/v1/photos/{ids['photo']}",
         cadres_work(200, 401), {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/board", fixed("/api/v1/towns/alpha/board"), board_readers(200, 401),
         {LOGIN, BOARD_READERS}),
    # -- reminders: the secretary's side (src/tracker/domain/reminders/pages.py, api.py) ------------
    Case("GET", "/towns/{code:str}/reminders/policy", fixed("/towns/alpha/reminders/policy"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/reminders/policy", fixed("/towns/alpha/reminders/policy"), managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"overdue_every_days": "0"}),
    # -- the town's photo stamp setting (src/tracker/domain/work/photo_stamp_pages.py): saving it off, as it is
    Case("GET", "/towns/{code:str}/settings/photos", fixed("/towns/alpha/settings/photos"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/settings/photos", fixed("/towns/alpha/settings/photos"), managers_of_a(303, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("GET", "/towns/{code:str}/outbox", fixed("/towns/alpha/outbox"), managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/outbox/{message_id:int}/resend",  # a sent message: nothing to resend (409)
         lambda w, ids: f"/towns/alpha/outbox/{ids['sent_message']}/resend", managers_of_a(409, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("GET", "/towns/{code:str}/people/{person_id:int}/reminders",
         lambda w, ids: f"/towns/alpha/people/{w.a.cadre.id}/reminders", {**town_a(200, 303), OUTSIDER: 403, VIEWER: 403},
         {LOGIN}),
    Case("GET", "/api/v1/towns/{code:str}/outbox", fixed("/api/v1/towns/alpha/outbox"), managers_of_a(200, 401),
         {LOGIN, SECRETARY_ONLY}),
    # -- reminders: the person's side (notification_pages.py, channel_pages.py) ----------------------
    # the bell is public (a poll must never move the page to the sign-in form): an empty bell when signed out
    Case("GET", "/notifications/bell", fixed("/notifications/bell"), everyone(200, 200), set()),
    Case("GET", "/notifications", fixed("/notifications"), everyone(200, 303), {LOGIN}),
    Case("POST", "/notifications/{message_id:int}/read", lambda w, ids: f"/notifications/{ids['sent_message']}/read",
         {**everyone(404, 303), CADRE: 303}, {LOGIN}, body=lambda p: {}),  # the cadre's own in-app message
    Case("POST", "/notifications/read-all", fixed("/notifications/read-all"), everyone(303, 303), {LOGIN},
         body=lambda p: {}),
    # my channels: anyone linked to a person (the admin and the viewer have none: 404); bad input is a 400
    Case("GET", "/settings/channels", fixed("/settings/channels"), everyone(200, 303), {LOGIN}),
    Case("POST", "/settings/channels", fixed("/settings/channels"), {**everyone(400, 303), ADMIN: 404, VIEWER: 404},
         {LOGIN}, body=lambda p: {"kind": ""}),
    Case("POST", "/settings/channels/email", fixed("/settings/channels/email"),
         {**everyone(400, 303), ADMIN: 404, VIEWER: 404}, {LOGIN}, body=lambda p: {"email": "no-at-sign", "email_on": "1"}),
    Case("POST", "/settings/channels/{channel_id:int}", lambda w, ids: f"/settings/channels/{ids['cadre_channel']}",
         {**everyone(404, 303), CADRE: 400, SEC: 400}, {LOGIN}, body=lambda p: {"label": "x" * 101}),
    Case("POST", "/settings/channels/{channel_id:int}/delete",
         lambda w, ids: f"/settings/channels/{ids['secretary_channel']}/delete", {**everyone(404, 303), SEC: 303},
         {LOGIN}, body=lambda p: {}),
    Case("POST", "/settings/channels/{channel_id:int}/test",  # refused address: the answer shown, nothing sent
         lambda w, ids: f"/settings/channels/{ids['cadre_channel']}/test", {**everyone(404, 303), CADRE: 303, SEC: 303},
         {LOGIN}, body=lambda p: {}),
    # the secretary's: the town's and units' robots, anyone's channels
    Case("GET", "/towns/{code:str}/channels", fixed("/towns/alpha/channels"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/channels", fixed("/towns/alpha/channels"), managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"kind": ""}),
    Case("POST", "/towns/{code:str}/channels/{channel_id:int}",
         lambda w, ids: f"/towns/alpha/channels/{ids['town_robot']}", managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY},
         body=lambda p: {"label": "x" * 101}),
    Case("POST", "/towns/{code:str}/channels/{channel_id:int}/delete",  # deleting twice is no error for a manager
         lambda w, ids: f"/towns/alpha/channels/{ids['spare_robot']}/delete", managers_of_a(303, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("POST", "/towns/{code:str}/channels/{channel_id:int}/test",
         lambda w, ids: f"/towns/alpha/channels/{ids['town_robot']}/test", managers_of_a(303, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("GET", "/towns/{code:str}/people/{person_id:int}/channels",
         lambda w, ids: f"/towns/alpha/people/{w.a.cadre.id}/channels", managers_of_a(200, 303), {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/people/{person_id:int}/channels",
         lambda w, ids: f"/towns/alpha/people/{w.a.cadre.id}/channels", managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY},
         body=lambda p: {"kind": ""}),
    Case("POST", "/towns/{code:str}/people/{person_id:int}/channels/email",
         lambda w, ids: f"/towns/alpha/people/{w.a.cadre.id}/channels/email", managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"email": "no-at-sign"}),
    # -- the yearly review (src/tracker/domain/review/pages.py, county_pages.py): the town's review and its
    # downloads for the board's readers; the weights for the secretary (bad weights: 400, nothing saved);
    # the county comparison for those who read several towns
    Case("GET", "/towns/{code:str}/review", fixed("/towns/alpha/review"), board_readers(200, 303), {LOGIN, BOARD_READERS}),
    Case("GET", "/towns/{code:str}/review/export.docx", fixed("/towns/alpha/review/export.docx"),
         board_readers(200, 303), {LOGIN, BOARD_READERS}),
    Case("GET", "/towns/{code:str}/review/export.xlsx", fixed("/towns/alpha/review/export.xlsx"),
         board_readers(200, 303), {LOGIN, BOARD_READERS}),
    Case("GET", "/towns/{code:str}/review/weights", fixed("/towns/alpha/review/weights"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/review/weights", fixed("/towns/alpha/review/weights"), managers_of_a(400, 303),
         {LOGIN, SECRETARY_ONLY}, body=lambda p: {"on_time": "50", "done": "50", "coverage": "50", "study": "0",
                                                  "meetings": "0"}),
    Case("GET", "/towns/{code:str}/review/study-app", fixed("/towns/alpha/review/study-app"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/review/study-app", fixed("/towns/alpha/review/study-app?year=2100"),
         managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY}, body=lambda p: {"registrations": "100"}),
    Case("PUT", "/api/v1/towns/{code:str}/review/{year:int}/study-app", fixed("/api/v1/towns/alpha/review/2100/study-app"),
         managers_of_a(400, 401), {LOGIN, SECRETARY_ONLY}, json=True, body=lambda p: {"registrations": 100}),
    Case("GET", "/county/review", fixed("/county/review"), {**everyone(403, 303), ADMIN: 200, VIEWER: 200},
         {LOGIN, COUNTY_READERS}),
    Case("GET", "/county/review/export.xlsx", fixed("/county/review/export.xlsx"),
         {**everyone(403, 303), ADMIN: 200, VIEWER: 200}, {LOGIN, COUNTY_READERS}),
    # -- review evidence (src/tracker/domain/review/evidence_pages.py): a place's visits for anyone of the
    # town; a person's year for those who read their work; resolving a follow-up (the matrix's record
    # has none: 400 for whoever may resolve, the viewer never)
    Case("GET", "/towns/{code:str}/places/{place_id:int}/history",
         lambda w, ids: f"/towns/alpha/places/{w.a.villages[1].id}/history", town_a(200, 303), {LOGIN}),
    Case("GET", "/towns/{code:str}/people/{person_id:int}/year",
         lambda w, ids: f"/towns/alpha/people/{w.a.cadre.id}/year", cadres_work(200, 303), {LOGIN}),
    Case("GET", "/towns/{code:str}/people/{person_id:int}/work",
         lambda w, ids: f"/towns/alpha/people/{w.a.cadre.id}/work?measure=done", cadres_work(200, 303), {LOGIN}),
    Case("POST", "/towns/{code:str}/records/{record_id:int}/follow-up",
         lambda w, ids: f"/towns/alpha/records/{ids['record']}/follow-up", {**cadres_work(400, 303), VIEWER: 403},
         {LOGIN}, body=lambda p: {"note": "已处理"}),
    # -- finalising a year (src/tracker/domain/review/finalise_pages.py, api.py): the town's secretary and
    # admins (a year not over: 400, nothing frozen); amendment notes by whoever files the record's person's
    # work (the matrix's record is of this year, not finalised: 400 for an empty note on the page, 409 by
    # the API); the review's JSON for the board's readers
    Case("GET", "/towns/{code:str}/review/finalise", fixed("/towns/alpha/review/finalise"), managers_of_a(200, 303),
         {LOGIN, SECRETARY_ONLY}),
    Case("POST", "/towns/{code:str}/review/finalise", fixed("/towns/alpha/review/finalise?year=2100"),
         managers_of_a(400, 303), {LOGIN, SECRETARY_ONLY}, body=lambda p: {}),
    Case("POST", "/towns/{code:str}/records/{record_id:int}/amendments",
         lambda w, ids: f"/towns/alpha/records/{ids['record']}/amendments",
         {**cadres_work(400, 303), OFFICIAL: 403, VIEWER: 403}, {LOGIN, NOT_VIEWER}, body=lambda p: {"note": ""}),
    Case("GET", "/api/v1/towns/{code:str}/review/{year:int}", fixed("/api/v1/towns/alpha/review/2025"),
         board_readers(200, 401), {LOGIN, BOARD_READERS}),
    Case("POST", "/api/v1/towns/{code:str}/review/{year:int}/finalise", fixed("/api/v1/towns/alpha/review/2100/finalise"),
         managers_of_a(400, 401), {LOGIN, SECRETARY_ONLY}, json=True),
    Case("POST", "/api/v1/towns/{code:str}/records/{record_id:int}/amendments",
         lambda w, ids: f"/api/v1/towns/alpha/records/{ids['record']}/amendments",
         {**cadres_work(409, 401), OFFICIAL: 403, VIEWER: 403}, {LOGIN, NOT_VIEWER}, json=True,
         body=lambda p: {"note": "补充说明"}),
    Case("GET", "/static/{file_path:path}", fixed("/static/css/app.css"), everyone(200, 200), set()),
    Case("GET", "/schema/openapi.json", fixed("/schema/openapi.json"), everyone(200, 200), set()),
    Case("GET", "/schema", fixed("/schema"), everyone(200, 200), set()),
    Case("GET", "/schema/{path:str}", fixed("/schema/openapi.json"), everyone(200, 200), set()),
]


def _routes(app: Litestar) -> dict[tuple[str, str], set[str]]:
    """(method, path) of every route the application serves, with the names of the guards it runs."""
    found: dict[tuple[str, str], set[str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                names = {getattr(getattr(g, "func", g), "__name__", repr(g)) for g in handler.resolve_guards()}
                if handler.opt.get("public"):
                    names.discard(LOGIN)  # require_login lets public handlers through by design
                found[(method, route.path)] = names
    return found


def test_it_has_an_expectation_for_every_route_and_the_guards_it_expects(app: Litestar) -> None:
    routes = _routes(app)
    declared = {(c.method, c.route): c for c in CASES}
    missing = sorted(set(routes) - set(declared))
    assert not missing, f"routes without an access decision in the matrix: {missing}"
    stale = sorted(set(declared) - set(routes))
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
    wrong = {key: (routes[key], declared[key].guards) for key in routes if routes[key] != declared[key].guards}
    assert not wrong, f"guards differ from the matrix (found, expected): {wrong}"
    for case in CASES:
        refused = [p for p, status in case.expect.items() if p != ANON and status in (403, 404)]
        if case.guards:
            assert case.expect[ANON] in (303, 401), f"{case.method} {case.route} must refuse the anonymous visitor"
        if SECRETARY_ONLY in case.guards:
            assert refused, f"{case.method} {case.route}: a role guard must refuse someone signed in"


# -- walking the matrix -------------------------------------------------------------------------


async def _dump(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    async with open_session(db_url) as session:
        dump = {}
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = (await session.execute(select(table).order_by(*table.primary_key.columns))).all()
            dump[table.name] = [tuple(row) for row in rows]
        return dump


async def _add_photo(session: AsyncSession, world: World, task_id: int, photo_dir: str) -> dict[str, int]:
    """A record with a photo on one of the cadre's tasks; and the board column of the overdue task."""
    records = RecordService(session, None, photo_dir, 10 * 1024 * 1024)
    today = local_date(utc_now(), world.a.town.timezone)
    data = RecordIn(client_key="matrix-photo", occurred_on=today)
    result = await records.create(world.a.town, data, utc_now(), task_id=task_id, photos=[UploadedPhoto("a.png", png())])
    return {"photo": result.record.photos[0].id}


async def _api_ids(session: AsyncSession, ids: dict[str, int]) -> dict[str, int]:
    """For the API routes: the record of the photo, the assignment of the overdue task."""
    from tracker.db.models.tasks import RecordPhoto

    photo = await session.get(RecordPhoto, ids["photo"])
    overdue = await session.get(Task, ids["overdue"])
    return {"record": photo.record_id, "assignment": overdue.assignment_id}  # type: ignore[union-attr]


async def _setup(db_url: str, photo_dir: str) -> tuple[World, dict[str, int]]:
    async with open_session(db_url) as session:
        world = await build_world(session)
        work = await add_work(session, world)
        overdue = await session.get(Task, work["overdue"])
        due_month = due_on(overdue.due_at, world.a.town.timezone).month  # type: ignore[union-attr]
        extra = {**work, **await _add_photo(session, world, work["later"], photo_dir), "overdue_column": due_month - 1}
        extra.update(await _api_ids(session, extra))
        sent = await add_message(session, world.a.town.id, world.a.cadre.id, items=[(work["overdue"], ReminderReason.OVERDUE, 2)])
        extra["sent_message"] = sent.id
        extra.update(await _add_channels(session, world))
        spare = User(login="spare", role=Role.MEMBER, town_id=world.a.town.id, password_hash=hash_password("spare-password-1"),
                     must_change_password=False)
        session.add(spare)
        await session.flush()
        token = await UserService(session, None).create_token(world.users["admin"], "matrix")  # type: ignore[arg-type]
        return world, {"spare": spare.id, "admin_token": token.token.id, **extra}


async def _add_channels(session: AsyncSession, world: World) -> dict[str, int]:
    """A robot of the cadre's and of the secretary's own, the town's robot and a spare one to delete
    (at addresses nothing may be sent to: a test answers with the refusal)."""
    url = "http://127.0.0.1:9/hook"
    made = {
        "cadre_channel": NotifyChannel(town_id=world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK, url=url),
        "secretary_channel": NotifyChannel(town_id=world.a.town.id, person_id=world.a.secretary.id,
                                           kind=ChannelKind.WEBHOOK, url=url),
        "town_robot": NotifyChannel(town_id=world.a.town.id, kind=ChannelKind.WECOM, url=url),
        "spare_robot": NotifyChannel(town_id=world.a.town.id, unit_id=world.a.unit.id, kind=ChannelKind.WECOM, url=url),
    }
    session.add_all(made.values())
    await session.flush()
    return {name: channel.id for name, channel in made.items()}


async def _forget_failed_sign_ins(db_url: str) -> None:
    """The matrix is about access, not the throttle (tests/integration/test_sign_in_throttle.py): every
    persona shares the test client's address, so failures of earlier personas must not slow later ones."""
    async with open_session(db_url) as session:
        await session.execute(text("DELETE FROM sign_in_throttle"))


class Browser:
    """One persona's cookie jar on a shared test client."""

    def __init__(self, client: TestClient[Litestar], persona: str) -> None:
        self.client = client
        self.persona = persona
        self.cookies: dict[str, str] = {}

    def _load(self) -> None:
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)

    def _save(self) -> None:
        self.cookies = {cookie.name: cookie.value for cookie in self.client.cookies.jar}

    def sign_in(self) -> None:
        self._load()
        if self.persona == ANON:
            self.client.get("/login")
        else:
            sign_in(self.client, self.persona)
        self._save()

    def request(self, case: Case, url: str, body: dict[str, Any] | None) -> int:
        self._load()
        csrf = self.client.cookies.get("tracker_csrf", "")
        kwargs: dict[str, Any] = {"follow_redirects": False}
        if case.json:
            kwargs["json"] = body
            kwargs["headers"] = {"x-csrftoken": csrf}
        elif body is not None:
            kwargs["data"] = {**body, "_csrf_token": csrf}
        response = self.client.request(case.method, url, **kwargs)
        self._save()
        return response.status_code


def test_it_answers_every_persona_as_the_matrix_says(app: Litestar, client: TestClient[Litestar], db_url: str) -> None:
    world, ids = run(_setup(db_url, str(app.state.settings.photo_dir)))
    browsers = {p: Browser(client, p) for p in PERSONAS}
    for browser in browsers.values():
        browser.sign_in()
    official_places = [world.a.villages[1].id, world.a.villages[2].id]
    failures: list[str] = []
    for case in CASES:
        url = case.url(world, ids)
        refused_first = sorted(PERSONAS, key=lambda p: case.expect[p] < 400 and not (p == ANON and case.guards))
        for persona in refused_first:
            expected = case.expect[persona]
            body = case.body(persona) if case.body else None
            if body and body.get("place_ids") == "SET BY TEST":
                body = {"place_ids": official_places}
            browser = browsers[persona]
            if case.fresh_session:
                browser = Browser(client, persona)
                browser.sign_in()
            if case.route == "/login":
                run(_forget_failed_sign_ins(db_url))
            refused = expected >= 400 or (persona == ANON and bool(case.guards))
            before = run(_dump(db_url)) if case.changes_state and refused else None
            status = browser.request(case, url, body)
            if status != expected:
                failures.append(f"{case.method} {url} as {persona}: {status}, expected {expected}")
            if before is not None and run(_dump(db_url)) != before:
                failures.append(f"{case.method} {url} as {persona} was refused but changed the database")
    assert not failures, "\n".join(failures)
