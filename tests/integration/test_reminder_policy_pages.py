"""The town's reminder policy page: the defaults shown and explained, saving one row per town, a
message beside every bad field with nothing saved, htmx swapping the form; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.support.accounts import audit, rows
from tests.support.personas import build_world, form_post, sign_in
from tests.support.work_pages import ENGLISH, HTMX
from tracker.db.models.reminders import ReminderPolicy

URL = "/towns/alpha/reminders/policy"
GOOD = {"enabled": "1", "days_before": "5，2、1", "on_due_day": "1", "overdue_every_days": "3",
        "escalate_supervisor_after_days": "4", "escalate_secretary_after_days": "10",
        "quiet_start": "22:30", "quiet_end": "07:00"}  # fmt: skip


def _policies(db) -> list[ReminderPolicy]:
    return rows(db, select(ReminderPolicy).order_by(ReminderPolicy.id))


def test_it_shows_the_defaults_and_says_what_they_mean(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary")
    html = client.get(URL, headers=ENGLISH).text
    assert "This town uses the default policy." in html
    assert 'name="days_before" value="3, 1"' in html
    assert 'name="overdue_every_days" value="2"' in html
    assert 'name="escalate_supervisor_after_days" value="3"' in html
    assert 'name="escalate_secretary_after_days" value="7"' in html
    assert 'value="21:00"' in html and 'value="08:00"' in html
    assert "3, 1 days before the due day" in html and "And on the due day itself." in html
    assert "then every 2 days" in html and "Nothing is sent from 21:00 to 08:00" in html
    assert "提醒规则" in client.get(URL).text  # Chinese by default


def test_it_saves_one_policy_row_per_town_and_updates_it_after(client, db) -> None:
    world = db(build_world)
    sign_in(client, "secretary")
    saved = form_post(client, URL, GOOD, headers=ENGLISH)
    assert saved.status_code == 303 and saved.headers["location"] == f"{URL}?saved=1"
    [policy] = _policies(db)
    assert policy.town_id == world.a.town.id and policy.days_before == [5, 2, 1]
    assert (
        policy.overdue_every_days,
        policy.escalate_supervisor_after_days,
        policy.escalate_secretary_after_days,
    ) == (3, 4, 10)
    assert (policy.quiet_start, policy.quiet_end, policy.on_due_day, policy.enabled) == (
        dt.time(22, 30), dt.time(7, 0), True, True)  # fmt: skip
    page = client.get(saved.headers["location"], headers=ENGLISH).text
    assert "The reminder policy is saved." in page and "uses the default policy" not in page
    # unchecked boxes are absent from the form: reminders off, nothing on the due day
    again = {k: v for k, v in GOOD.items() if k not in ("enabled", "on_due_day")} | {"days_before": ""}
    assert form_post(client, URL, again, headers=ENGLISH).status_code == 303
    [policy] = _policies(db)
    assert (policy.days_before, policy.on_due_day, policy.enabled) == ([], False, False)
    assert "Reminders are switched off" in client.get(URL, headers=ENGLISH).text
    assert [e.object_type for e in audit(db, "create")].count("reminder_policy") == 1
    assert [e.object_type for e in audit(db, "update")].count("reminder_policy") == 1


def test_it_puts_a_message_beside_each_bad_field_and_saves_nothing(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary")
    bad = {**GOOD, "days_before": "3, x", "overdue_every_days": "0", "escalate_supervisor_after_days": "²",
           "escalate_secretary_after_days": "", "quiet_start": "25:00", "quiet_end": "later"}  # fmt: skip
    response = form_post(client, URL, bad, headers=ENGLISH)
    assert response.status_code == 400
    html = response.text
    for name in bad:
        if name not in ("enabled", "on_due_day"):
            assert f'id="{name}-error"' in html, name
            assert f'name="{name}" ' in html
    assert 'value="3, x"' in html  # what was typed is shown again
    assert "Nothing was saved" in html
    assert _policies(db) == []
    too_early = form_post(client, URL, {**GOOD, "escalate_secretary_after_days": "2"}, headers=ENGLISH)
    assert too_early.status_code == 400
    assert 'id="escalate_secretary_after_days-error"' in too_early.text
    assert 'id="overdue_every_days-error"' not in too_early.text
    five = form_post(client, URL, {**GOOD, "days_before": "5, 4, 3, 2, 1"}, headers=ENGLISH)
    assert five.status_code == 400 and 'id="days_before-error"' in five.text
    assert _policies(db) == []


def test_it_answers_htmx_with_the_form_alone(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary")
    saved = form_post(client, URL, GOOD, headers=HTMX)
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith('<div id="policy-form"') and "<html" not in saved.text
    assert "The reminder policy is saved." in saved.text and 'value="5, 2, 1"' in saved.text
    refused = form_post(client, URL, {**GOOD, "overdue_every_days": "31"}, headers=HTMX)
    assert refused.status_code == 400 and refused.text.lstrip().startswith('<div id="policy-form"')
    assert 'id="overdue_every_days-error"' in refused.text
    assert _policies(db)[0].overdue_every_days == 3


def test_it_keeps_the_policy_to_the_towns_secretary(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary_b")
    assert client.get(URL).status_code == 404
    assert form_post(client, URL, GOOD).status_code == 404
    assert client.get("/towns/beta/reminders/policy").status_code == 200
    client.cookies.clear()
    sign_in(client, "official")
    assert client.get(URL).status_code == 403
    assert form_post(client, URL, GOOD).status_code == 403
    assert _policies(db) == []
    assert (
        'href="/towns/alpha/reminders/policy"' not in client.get("/towns/alpha/board").text
    )  # not in the nav
    client.cookies.clear()
    sign_in(client, "secretary")
    nav = client.get("/towns/alpha/board", headers=ENGLISH).text
    assert 'href="/towns/alpha/reminders/policy"' in nav and 'href="/towns/alpha/outbox"' in nav
