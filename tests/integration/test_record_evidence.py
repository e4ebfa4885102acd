"""A record counts only with its kind's evidence (kinds.EVIDENCE), through the page and the API: an empty
visit form is refused with field messages and nothing is saved; a photo alone proves a visit. And the
town's photo stamp setting: the secretary turns it on, the record form then carries data-photo-stamp.
On SQLite and PostgreSQL."""

from __future__ import annotations

from tests.support.personas import csrf_token, form_post, json_headers, sign_in
from tests.support.work_pages import ENGLISH, HTMX, build_work, client_key, png, task_and_records
from tracker.db.models.roster import Town
from tracker.db.models.tasks import TaskStatus
from tracker.domain.clock import local_date, utc_now

EMPTY_VISIT = {"place_id": "", "f_people_met": "", "f_issues_raised": "", "f_issues_found": "", "latitude": "",
               "longitude": "", "accuracy_m": "", "located_at": ""}  # fmt: skip


def _today() -> str:
    return local_date(utc_now(), "Asia/Shanghai").isoformat()


def _post(client, task_id: int, form: dict[str, str], photos=(), headers=None):  # noqa: ANN001, ANN202
    key = client_key(client.get(f"/tasks/{task_id}", headers=ENGLISH).text)
    files = [("photos", (name, content, "image/png")) for name, content in photos]
    data = {"client_key": key, "occurred_on": _today(), **form, "_csrf_token": csrf_token(client)}
    return client.post(f"/tasks/{task_id}/records", data=data, files=files or None,
                       headers=ENGLISH if headers is None else headers,
                       follow_redirects=False)  # fmt: skip


def _nothing_saved(db, task_id: int) -> None:  # noqa: ANN001
    task, records = db(lambda session: task_and_records(session, task_id))
    assert records == [] and task.status is TaskStatus.OPEN and task.done_count == 0


def test_an_empty_visit_form_is_refused_with_field_messages(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    page = _post(client, work.overdue, EMPTY_VISIT)
    assert page.status_code == 400
    html = page.text
    assert 'id="field-people_met-error">Say whom you met, or add a photo<' in html
    assert 'id="field-issues_raised-error">Say what was raised or found, or add a photo<' in html
    assert 'id="photos-error">Or add a photo<' in html
    assert 'aria-invalid="true" aria-describedby="field-people_met-error"' in html
    _nothing_saved(db, work.overdue)
    # htmx: the form swapped with the same messages; Chinese by default
    fragment = _post(client, work.overdue, EMPTY_VISIT, headers=HTMX)
    assert fragment.status_code in (200, 400) and "Say whom you met, or add a photo" in fragment.text
    chinese = _post(client, work.overdue, EMPTY_VISIT, headers={}).text
    assert "请填写见到了谁，或添加照片" in chinese
    _nothing_saved(db, work.overdue)
    # what counts is said above the fields; what was typed stays, only the missing part is marked
    assert "A visit counts with whom you met and what was raised or found, or with a photo." in html
    half = _post(client, work.overdue, {**EMPTY_VISIT, "f_people_met": "村支书王某"}).text
    assert ">村支书王某</textarea>" in half
    assert "field-people_met-error" not in half and "field-issues_raised-error" in half
    _nothing_saved(db, work.overdue)
    # a photo alone proves the visit
    answer = _post(client, work.overdue, EMPTY_VISIT, photos=[("village.png", png())])
    assert answer.status_code == 303, answer.text
    task, records = db(lambda session: task_and_records(session, work.overdue))
    assert len(records) == 1 and task.status is TaskStatus.DONE


def test_the_api_refuses_records_without_evidence_with_field_messages(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    body = {"client_key": "evidence-api-1", "occurred_on": _today(), "fields": {}}
    answer = client.post(
        f"/api/v1/tasks/{work.overdue}/records", json=body, headers={**json_headers(client), **ENGLISH}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["fields"] == {
        "fields.people_met": "Say whom you met, or add a photo",
        "fields.issues_raised": "Say what was raised or found, or add a photo",
        "photos": "Or add a photo",
    }
    _nothing_saved(db, work.overdue)
    body["fields"] = {"people_met": "村民代表", "issues_found": "路灯不亮"}
    answer = client.post(
        f"/api/v1/tasks/{work.overdue}/records", json=body, headers={**json_headers(client), **ENGLISH}
    )
    assert answer.status_code == 201, answer.text
    # an unplanned record needs its kind's evidence too
    body = {
        "client_key": "evidence-api-2",
        "occurred_on": _today(),
        "kind": "culture",
        "fields": {"form": "film"},
    }
    answer = client.post(
        "/api/v1/towns/alpha/records", json=body, headers={**json_headers(client), **ENGLISH}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["fields"] == {
        "fields.audience": "Say how many people came, or add a photo",
        "photos": "Or add a photo",
    }


def test_the_secretary_turns_the_photo_stamp_on_and_the_record_form_carries_it(client, db) -> None:
    work = db(build_work)
    sign_in(client, "secretary")
    page = client.get("/towns/alpha/settings/photos", headers=ENGLISH)
    assert page.status_code == 200 and 'name="stamp_photos"' in page.text and " checked" not in page.text
    saved = form_post(client, "/towns/alpha/settings/photos", {"stamp_photos": "1"}, headers=ENGLISH)
    assert saved.status_code == 303 and saved.headers["location"] == "/towns/alpha/settings/photos?saved=1"
    again = client.get(saved.headers["location"], headers=ENGLISH).text
    assert "The photo settings are saved." in again and " checked" in again

    async def stamp(session) -> bool:  # noqa: ANN001
        return (await session.get(Town, work.world.a.town.id)).stamp_photos

    assert db(stamp) is True
    client.cookies.clear()
    sign_in(client, "cadre")
    form = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert 'data-photo-stamp="' in form and 'data-photo-stamp-zone="Asia/Shanghai"' in form
    client.cookies.clear()
    sign_in(client, "secretary")
    off = form_post(client, "/towns/alpha/settings/photos", {}, headers=HTMX)
    assert off.status_code == 200 and 'id="photo-settings"' in off.text and " checked" not in off.text
    assert db(stamp) is False
