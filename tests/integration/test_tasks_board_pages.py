"""The secretary's pages: the board (cells, filters, a cell's tasks), assignments with their htmx
preview, and who may open them; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tests.support.personas import form_post, sign_in
from tests.support.work_pages import ENGLISH, HTMX, build_work
from tracker.domain.clock import local_date, utc_now
from tracker.domain.planning.periods import Recurrence, planned_periods

CELL_LINK = re.compile(r'href="(/towns/alpha/board/cell\?person=(\d+)&amp;column=(\d+)[^"]*)"')


def _monthly_visits(**extra: str) -> dict[str, str]:
    return {"title": "每月遍访", "kind": "visit", "target_count": "1", "who.kind": "contact_points",
            "when.cadence": "monthly", **extra}  # fmt: skip


def test_it_shows_the_secretary_a_board_of_lit_cells_and_the_overdue_list(client, db) -> None:
    work = db(build_work)
    sign_in(client, "secretary")
    page = client.get("/towns/alpha/board", headers=ENGLISH)
    assert page.status_code == 200
    html = page.text
    assert 'class="board-table"' in html and "light-square light-red" in html
    assert "干部丁" in html and "镇长乙" in html
    assert html.count('class="visually-hidden">Overdue') >= 1  # a text label, not colour alone
    overdue_list = html[html.index("Overdue tasks") :]
    assert (
        f'href="/tasks/{work.overdue}"' in overdue_list and f'href="/tasks/{work.later}"' not in overdue_list
    )
    links = {(int(p), int(c)): url.replace("&amp;", "&") for url, p, c in CELL_LINK.findall(html)}
    cadre_cells = [url for (person, _c), url in links.items() if person == work.world.a.cadre.id]
    assert cadre_cells
    cell = client.get(cadre_cells[0], headers=HTMX)
    assert cell.status_code == 200 and "<html" not in cell.text and "干部丁" in cell.text
    assert client.get(cadre_cells[0], headers=ENGLISH).text.count("<html") == 1  # a page without JS


def test_it_filters_the_board_and_answers_htmx_with_the_board_alone(client, db) -> None:
    work = db(build_work)
    sign_in(client, "secretary")
    response = client.get("/towns/alpha/board?kind=lecture&cadence=quarter", headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="board"') and "<html" not in html
    assert "Q1" in html and "干部丁" in html and "镇长乙" not in html.split("Overdue tasks")[0]
    assert f'href="/tasks/{work.overdue}"' not in html  # the overdue visit is filtered out


def test_it_keeps_members_off_the_board_and_the_assignments(client, db) -> None:
    db(build_work)
    sign_in(client, "cadre")
    assert client.get("/towns/alpha/board").status_code == 403
    assert client.get("/towns/alpha/assignments").status_code == 403
    assert form_post(client, "/towns/alpha/assignments", _monthly_visits()).status_code == 403


def test_it_previews_how_many_tasks_an_assignment_makes(client, db) -> None:
    db(build_work)
    sign_in(client, "secretary")
    periods = planned_periods(Recurrence.monthly(), local_date(utc_now(), "Asia/Shanghai"), "Asia/Shanghai")
    response = form_post(client, "/towns/alpha/assignments/preview", _monthly_visits(), headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<section id="preview"')
    # two tier-1 officials with two contact points each, every month left this year (and next January in December)
    tasks = 4 * len(periods)
    assert f"This will create {tasks} task{'s' if tasks != 1 else ''} for 2 people" in html
    assert "<bdi>书记甲</bdi> · <bdi>红星砖厂</bdi>" in html  # names isolated from the text around them
    nobody = form_post(client, "/towns/alpha/assignments/preview",
                       _monthly_visits(**{"who.kind": "unit", "who.unit_id": ""}), headers=HTMX)  # fmt: skip
    assert nobody.status_code == 400 and 'class="field-error"' in nobody.text


def test_it_creates_an_assignment_from_the_form_and_shows_it_on_the_board(client, db) -> None:
    db(build_work)
    sign_in(client, "secretary")
    form_page = client.get("/towns/alpha/assignments/new?template=contact_point_visits", headers=ENGLISH).text
    assert (
        'value="contact_points" checked' in form_page
        and 'hx-post="/towns/alpha/assignments/preview"' in form_page
    )
    refused = form_post(client, "/towns/alpha/assignments", _monthly_visits(title=""), headers=ENGLISH)
    assert refused.status_code == 400 and "Enter a title" in refused.text
    created = form_post(client, "/towns/alpha/assignments", _monthly_visits())
    assert created.status_code == 303
    location = created.headers["location"]
    assert location.startswith("/towns/alpha/board?assignment=")
    board = client.get(location, headers=ENGLISH).text
    assert "书记甲" in board and "每月遍访" in board
    listing = client.get("/towns/alpha/assignments", headers=ENGLISH).text
    assert "每月遍访" in listing and "tasks:" in listing
