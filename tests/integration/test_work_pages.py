"""The phone flow in pages: my work, a task's record form (multipart, htmx or not), the client key,
field errors, someone else's task, excusing; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from tests.support.personas import csrf_token, form_post, sign_in
from tests.support.work_pages import (
    ENGLISH,
    HTMX,
    all_records,
    build_work,
    client_key,
    png,
    task_and_records,
)
from tracker.db.models.tasks import RecordPhoto, TaskStatus
from tracker.domain.clock import local_date, utc_now


def _today() -> str:
    return local_date(utc_now(), "Asia/Shanghai").isoformat()


def _visit_form(key: str, **extra: str) -> dict[str, str]:
    return {
        "client_key": key, "occurred_on": _today(), "place_id": "", "f_people_met": "村支书王某",
        "f_issues_raised": "道路维修", "latitude": "34.0101", "longitude": "108.0001", "accuracy_m": "12",
        "located_at": utc_now().isoformat(), **extra,
    }  # fmt: skip


def _post_record(client, task_id: int, form: dict[str, str], photos=(), headers=None):  # noqa: ANN001, ANN202
    files = [("photos", (name, content, "image/png")) for name, content in photos]
    return client.post(
        f"/tasks/{task_id}/records", data={**form, "_csrf_token": csrf_token(client)}, files=files or None,
        headers=headers or ENGLISH, follow_redirects=False,
    )  # fmt: skip


def test_it_shows_my_work_in_four_sections(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    page = client.get("/my", headers=ENGLISH)
    assert page.status_code == 200
    html = page.text
    sections = [html.index(f'id="{key}"') for key in ("overdue", "week", "later", "done")]
    assert sections == sorted(sections)
    overdue, week, later, done = sections
    assert (
        overdue
        < html.index("走访东村")
        < week
        < html.index("宣讲两场")
        < later
        < html.index("年底走访")
        < done
    )
    assert f'href="/tasks/{work.overdue}"' in html and f'href="/tasks/{work.officials}"' not in html
    assert "light-red" in html and "Overdue" in html and "0 of 2" in html
    assert "Nothing done in the last two weeks." in html
    assert 'href="/my"' in html  # the work tab in the top bar
    assert "我的任务" in client.get("/my").text  # Chinese by default


def test_my_work_asks_for_one_script_before_it_loads_and_the_rest_after(client, db) -> None:
    """我的任务 is plain links: on a weak network its `load` waits for the stylesheet and sw-register.js
    only; the scripts it uses (the phone's queue) are named for after `load`, by hash, and the next tap's
    (htmx, the photo scripts, the task page's own) are prefetched; sw-register.js rings the bell."""
    db(build_work)
    sign_in(client, "cadre")
    html = client.get("/my").text
    assert re.findall(r'<script src="([^"?]+)', html) == ["/static/js/sw-register.js"]
    after = re.search(r'data-after-load="([^"]*)"', html).group(1).split()
    assert [url.split("?v=")[0] for url in after] == ["/static/js/record-queue-core.js", "/static/js/record-queue.js"]
    assert all(re.search(r"\?v=[0-9a-f]{10}$", url) for url in after)
    prefetch = re.search(r'data-prefetch="([^"]*)"', html).group(1).split()
    assert [url.split("?v=")[0] for url in prefetch] == [
        "/static/vendor/htmx.min.js", "/static/js/photo-shrink.js", "/static/js/photo-stamp.js",
        "/static/js/location.js", "/static/js/htmx-errors.js",
    ]  # fmt: skip
    assert 'data-bell="/notifications/bell"' in html
    task_id = re.search(r'href="/tasks/(\d+)"', html).group(1)
    task_page = client.get(f"/tasks/{task_id}").text
    assert "data-after-load" not in task_page  # a page of forms gets its scripts before `load`, as before
    before_load = re.findall(r'<script src="([^"?]+)', task_page)
    assert before_load[:2] == ["/static/vendor/htmx.min.js", "/static/js/photo-shrink.js"]


def test_it_tells_an_account_without_a_person_it_has_no_work(client, db) -> None:
    db(build_work)
    sign_in(client, "admin")
    page = client.get("/my", headers=ENGLISH)
    assert page.status_code == 200 and "not linked to a person" in page.text


def test_it_closes_a_task_with_a_record_photo_and_location_then_redirects(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    form_page = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert 'capture="environment"' in form_page and 'name="f_people_met"' in form_page
    assert 'name="f_topic"' not in form_page  # only the visit's fields
    assert f'<option value="{work.world.a.villages[1].id}" selected>' in form_page
    response = _post_record(
        client, work.overdue, _visit_form(client_key(form_page)), photos=[("a.png", png())]
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/tasks/{work.overdue}?saved=1"
    task, records = db(lambda s: task_and_records(s, work.overdue))
    assert task.status is TaskStatus.DONE and task.done_count == 1
    assert (
        len(records) == 1
        and records[0].latitude == 34.0101
        and records[0].fields["people_met"] == "村支书王某"
    )
    photos = db(lambda s: s.scalars(select(RecordPhoto)))
    photo = photos.one()
    shown = client.get(f"/tasks/{work.overdue}?saved=1", headers=ENGLISH).text
    assert "This task is done" in shown and f"/photos/{photo.id}/thumb" in shown and "村支书王某" in shown
    thumb = client.get(f"/photos/{photo.id}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")
    assert thumb.headers["cache-control"] == "no-store"  # not kept on a shared phone
    sign_in(client, "outsider")
    assert client.get(f"/photos/{photo.id}").status_code == 404


def test_it_answers_an_htmx_record_with_the_task_card_alone(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    key = client_key(client.get(f"/tasks/{work.this_week}").text)
    form = {
        "client_key": key,
        "occurred_on": _today(),
        "f_topic": "党的二十届四中全会精神",
        "f_audience": "35",
    }
    response = _post_record(client, work.this_week, form, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="task-body"') and "<html" not in html
    assert "Recorded." in html and "1 of 2" in html
    assert client_key(html) != key  # the next record gets a fresh key
    task, records = db(lambda s: task_and_records(s, work.this_week))
    assert task.status is TaskStatus.OPEN and records[0].fields["audience"] == 35


def test_it_makes_one_record_when_the_same_form_is_sent_twice(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    key = client_key(client.get(f"/tasks/{work.this_week}").text)
    form = {"client_key": key, "occurred_on": _today(), "f_topic": "百姓宣讲", "f_audience": "20"}
    first = _post_record(client, work.this_week, form)
    again = _post_record(client, work.this_week, form)
    assert first.status_code == again.status_code == 303
    task, records = db(lambda s: task_and_records(s, work.this_week))
    assert len(records) == 1 and task.done_count == 1


def test_it_shows_field_errors_beside_the_fields_and_saves_nothing(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    key = client_key(client.get(f"/tasks/{work.this_week}").text)
    tomorrow = (local_date(utc_now(), "Asia/Shanghai") + dt.timedelta(days=1)).isoformat()
    form = {"client_key": key, "occurred_on": tomorrow, "f_topic": "保留的题目", "f_audience": "-3"}
    response = _post_record(client, work.this_week, form, photos=[("b.png", png())])
    assert response.status_code == 400
    html = response.text
    assert 'id="field-audience-error"' in html and "Must be at least 0" in html
    assert 'id="occurred_on-error"' in html and "future" in html
    assert 'value="保留的题目"' in html and f'value="{key}"' in html  # kept, same key for the retry
    assert "Choose the photos again" in html
    assert db(all_records) == []
    htmx = _post_record(client, work.this_week, {**form, "f_audience": "x"}, headers=HTMX)
    assert htmx.status_code == 400 and htmx.text.lstrip().startswith('<div id="task-body"')


def test_it_hides_someone_elses_task_from_a_member(client, db) -> None:
    work = db(build_work)
    sign_in(client, "outsider")
    assert client.get(f"/tasks/{work.overdue}").status_code == 404
    response = _post_record(client, work.overdue, _visit_form("someone-elses-key"))
    assert response.status_code == 404
    assert db(all_records) == []
    sign_in(client, "cadre")
    assert client.get(f"/tasks/{work.officials}").status_code == 404


def test_it_excuses_a_task_only_with_a_reason(client, db) -> None:
    work = db(build_work)
    sign_in(client, "secretary")
    page = client.get(f"/tasks/{work.overdue}", headers=ENGLISH).text
    assert "Excuse this task" in page
    refused = form_post(client, f"/tasks/{work.overdue}/excuse", {"reason": "  "}, headers=ENGLISH)
    assert refused.status_code == 400 and "Give a reason" in refused.text
    assert db(lambda s: task_and_records(s, work.overdue))[0].status is TaskStatus.OPEN
    done = form_post(client, f"/tasks/{work.overdue}/excuse", {"reason": "病假"})
    assert done.status_code == 303 and done.headers["location"] == f"/tasks/{work.overdue}"
    task = db(lambda s: task_and_records(s, work.overdue))[0]
    assert task.status is TaskStatus.EXCUSED and task.status_reason == "病假"
    sign_in(client, "cadre")
    assert form_post(client, f"/tasks/{work.later}/cancel", {"reason": "不需要"}).status_code == 403


def test_it_files_an_unplanned_lecture(client, db) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    chooser = client.get("/towns/alpha/records/new", headers=ENGLISH).text
    assert "?kind=lecture" in chooser
    form_page = client.get("/towns/alpha/records/new?kind=lecture", headers=ENGLISH).text
    assert 'name="f_topic"' in form_page and 'name="f_people_met"' not in form_page
    form = {
        "client_key": client_key(form_page), "kind": "lecture", "occurred_on": _today(),
        "place_id": str(work.world.a.villages[2].id), "f_topic": "送学上门", "f_audience": "12",
    }  # fmt: skip
    response = form_post(client, "/towns/alpha/records", form)
    assert response.status_code == 303 and response.headers["location"] == "/my?recorded=1"
    (record,) = db(all_records)
    assert (
        record.task_id is None
        and record.kind.value == "lecture"
        and record.person_id == work.world.a.cadre.id
    )
