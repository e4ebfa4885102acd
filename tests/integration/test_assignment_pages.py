"""One assignment's page (issue 12, item 6) on SQLite and PostgreSQL: what, who, counts by status and its
tasks; the edit's preview (htmx fragment and plain page) that saves nothing; saving; stopping from a
day: the count first, a past day refused with a field message, then the stop: future open tasks
cancelled, the assignment inactive, audited. The new-assignment preview swaps in place with htmx."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from tests.support.personas import build_world, form_post, sign_in
from tracker.db.models.audit import AuditEntry
from tracker.db.models.tasks import Assignment, Cadence, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import local_date, utc_now
from tracker.domain.planning import pages as planning_pages
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

HTMX = {"HX-Request": "true", "Accept-Language": "en"}
ENGLISH = {"Accept-Language": "en"}


def setup(db: Any) -> tuple[Any, int]:
    async def make(session: Any) -> tuple[Any, int]:
        world = await build_world(session)
        body = {"title": "月度走访", "kind": "visit", "who": {"kind": "people", "person_ids": [world.a.cadre.id]},
                "when": {"cadence": "monthly"}}  # fmt: skip
        assignment, _made = await AssignmentService(session, None).create(
            world.a.town, AssignmentIn.model_validate(body), utc_now()
        )
        return world, assignment.id

    return db(make)


def tasks(db: Any, assignment_id: int) -> list[Task]:
    async def read(session: Any) -> list[Task]:
        return list(
            (
                await session.scalars(
                    select(Task).where(Task.assignment_id == assignment_id).order_by(Task.id)
                )
            ).all()
        )

    return db(read)


def edit_form(world: Any, *people: int) -> dict[str, Any]:
    return {"title": "月度走访（调整）", "kind": "visit", "target_count": "1", "who.kind": "people",
            "who.person_ids": [str(p) for p in people], "when.cadence": "monthly"}  # fmt: skip


def test_it_shows_edits_and_stops_an_assignment_on_its_page(client, db) -> None:
    world, assignment_id = setup(db)
    url = f"/towns/alpha/assignments/{assignment_id}"
    made = tasks(db, assignment_id)
    assert made and all(t.status is TaskStatus.OPEN for t in made)
    sign_in(client, "secretary")
    assert f'href="{url}"' in client.get("/towns/alpha/assignments", headers=ENGLISH).text
    page = client.get(url, headers=ENGLISH)
    assert page.status_code == 200 and "月度走访" in page.text and world.a.cadre.name in page.text
    assert 'id="assignment-body"' in page.text and f"/tasks/{made[0].id}" in page.text

    both = edit_form(world, world.a.cadre.id, world.a.unit_head.id)
    fragment = form_post(client, f"{url}/preview", both, headers=HTMX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<section id="edit-preview"')
    assert f"New tasks: {len(made)}" in fragment.text
    plain = form_post(client, f"{url}/preview", both, headers=ENGLISH)
    assert plain.status_code == 200 and "<html" in plain.text and f"New tasks: {len(made)}" in plain.text
    assert len(tasks(db, assignment_id)) == len(made)  # a preview saves nothing
    refused = form_post(client, url, {**both, "title": ""}, headers=HTMX)
    assert refused.status_code == 400 and 'id="title-error"' in refused.text

    saved = form_post(client, url, both, headers=HTMX)
    assert saved.status_code == 200 and "The assignment was changed" in saved.text
    after = tasks(db, assignment_id)
    assert len(after) == 2 * len(made) and {t.title for t in after} == {"月度走访（调整）"}

    today = local_date(utc_now(), world.a.town.timezone)
    past = form_post(client, f"{url}/stop", {"stop_from": "2000-01-01"}, headers=HTMX)
    assert past.status_code == 400 and "Choose a day from today on" in past.text
    ask = form_post(client, f"{url}/stop", {"stop_from": today.isoformat()}, headers=HTMX)
    owed = sum(1 for t in after if t.status is TaskStatus.OPEN and t.due_at > utc_now())
    assert ask.status_code == 200 and f"cancels {owed} task" in ask.text and 'name="confirm"' in ask.text
    assert all(t.status is TaskStatus.OPEN for t in tasks(db, assignment_id))  # asking changes nothing
    stopped = form_post(
        client, f"{url}/stop", {"stop_from": today.isoformat(), "confirm": "yes"}, headers=ENGLISH
    )
    assert stopped.status_code == 303 and stopped.headers["location"] == f"{url}?changed=stopped"
    final = tasks(db, assignment_id)
    assert sum(t.status is TaskStatus.CANCELLED for t in final) == owed
    assert all(
        t.status_reason.startswith("The assignment was stopped from")
        for t in final
        if t.status is TaskStatus.CANCELLED
    )

    async def read(session: Any) -> tuple[bool, list[str]]:
        assignment = await session.get(Assignment, assignment_id)
        actions = (await session.scalars(select(AuditEntry.action))).all()
        return assignment.active, list(actions)

    active, actions = db(read)
    assert active is False and "assignment_stopped" in actions
    shown = client.get(url, headers=ENGLISH).text
    assert "stopped" in shown and "Stop the assignment" not in shown and "Change the assignment" not in shown
    again = form_post(
        client, f"{url}/stop", {"stop_from": today.isoformat(), "confirm": "yes"}, headers=ENGLISH
    )
    assert again.status_code == 400 and "already stopped" in again.text

    # the new-assignment form's preview swaps in place too (the plain POST stays as the fallback)
    new = client.get("/towns/alpha/assignments/new", headers=ENGLISH).text
    assert 'hx-post="/towns/alpha/assignments/preview" hx-target="#preview"' in new
    body = {
        "title": "学习",
        "kind": "study",
        "who.kind": "tier",
        "who.tier": "section_official",
        "when.cadence": "monthly",
    }
    answer = form_post(client, "/towns/alpha/assignments/preview", body, headers=HTMX)
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<section id="preview"')


def test_it_lists_assignments_a_page_at_a_time(client, db, monkeypatch) -> None:
    """Newest first, LIST_PAGE_SIZE a page (2 here), next and previous links, each assignment once;
    the counts of tasks only for the page's assignments; a page past the end links back to the first."""
    world, first_id = setup(db)

    async def more(session: Any) -> list[int]:
        rows = [Assignment(town_id=world.a.town.id, title=f"宣讲{n}", kind=WorkKind.LECTURE, who_kind=WhoKind.PEOPLE,
                           who_person_ids=[world.a.cadre.id], cadence=Cadence.ONCE) for n in range(4)]  # fmt: skip
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows]

    newest_first = sorted([first_id, *db(more)], reverse=True)
    monkeypatch.setattr(planning_pages, "LIST_PAGE_SIZE", 2)
    sign_in(client, "secretary")
    seen: list[int] = []
    for page in (1, 2, 3):
        text = client.get(f"/towns/alpha/assignments?page={page}", headers=ENGLISH).text
        seen += [int(n) for n in re.findall(r'href="/towns/alpha/assignments/(\d+)"', text)]
        assert ('href="?page=%d">Previous' % (page - 1) in text) == (page > 1)
        assert ('href="?page=%d">Next' % (page + 1) in text) == (page < 3)
    assert seen == newest_first
    assert "tasks:" in client.get("/towns/alpha/assignments?page=3", headers=ENGLISH).text  # the oldest has tasks
    chinese = client.get("/towns/alpha/assignments", headers={"Accept-Language": "zh-CN"}).text
    assert "下一页" in chinese
    beyond = client.get("/towns/alpha/assignments?page=9", headers=ENGLISH)
    assert beyond.status_code == 200 and 'href="?page=1">First page' in beyond.text
    assert "第一页" in client.get("/towns/alpha/assignments?page=9", headers={"Accept-Language": "zh-CN"}).text
