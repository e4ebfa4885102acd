"""The board made complete, on SQLite and PostgreSQL: the overdue list latest due first and paged to
its end, each person's totals and completion rate (page and JSON), the mark of records far from their
place, today's column, and the board as filtered exported as XLSX (opened with openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import build_world, sign_in
from tests.support.work_pages import ENGLISH, HTMX
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import due_instant, local_date, utc_now

ZONE = "Asia/Shanghai"
LAST_YEAR = local_date(utc_now(), ZONE).year - 1  # every open task of last year is overdue, whatever today is
OPEN_TASKS = 35  # last year's overdue tasks of the cadre: more than a page of 30
ROW = re.compile(r'id="task-row-(\d+)"')


async def build_last_year(session: AsyncSession) -> dict[str, Any]:
    """The personas; the cadre's 35 open, 5 done, 1 excused and 1 cancelled visits of last year (one
    record far from its place on the latest), the official's one done; the official's visit due at the
    end of this year."""
    world = await build_world(session)
    a = world.a
    visits = Assignment(town_id=a.town.id, title="走访", kind=WorkKind.VISIT, description="", who_kind=WhoKind.PEOPLE,
                        who_person_ids=[], cadence=Cadence.ONCE, active=True)  # fmt: skip
    session.add(visits)
    await session.flush()
    first = dt.date(LAST_YEAR, 1, 3)
    plan = [(a.cadre, TaskStatus.OPEN)] * OPEN_TASKS + [(a.cadre, TaskStatus.DONE)] * 5
    plan += [(a.cadre, TaskStatus.EXCUSED), (a.cadre, TaskStatus.CANCELLED), (a.official, TaskStatus.DONE)]
    tasks: list[Task] = []
    for number, (person, status) in enumerate(plan):
        day = first + dt.timedelta(days=(number * 8) % 355)
        tasks.append(Task(
            town_id=a.town.id, assignment_id=visits.id, person_id=person.id, slot=f"{person.id}:-:{number}",
            period_key=str(number), period_start=day - dt.timedelta(days=7), period_end=day,
            due_at=due_instant(day, ZONE), title=f"走访第{number + 1}次", kind=WorkKind.VISIT, status=status,
            closed_at=due_instant(day, ZONE) - dt.timedelta(days=1) if status is not TaskStatus.OPEN else None,
        ))  # fmt: skip
    end = dt.date(LAST_YEAR + 1, 12, 31)  # and one of this year's, for this year's board
    tasks.append(Task(town_id=a.town.id, assignment_id=visits.id, person_id=a.official.id, slot="this-year",
                      period_key="this-year", period_start=end - dt.timedelta(days=7), period_end=end,
                      due_at=due_instant(end, ZONE), title="年底走访", kind=WorkKind.VISIT))  # fmt: skip
    session.add_all(tasks)
    await session.flush()
    open_tasks = sorted(
        (t for t in tasks[:-1] if t.status is TaskStatus.OPEN), key=lambda t: t.due_at, reverse=True
    )
    latest = open_tasks[0]
    session.add(Record(town_id=a.town.id, task_id=latest.id, person_id=a.cadre.id, kind=WorkKind.VISIT,
                       occurred_on=latest.period_end, place_id=a.villages[1].id, fields={}, distance_m=5234.0,
                       flagged_far=True, client_key="far-1"))  # fmt: skip
    await session.flush()
    return {"world": world, "newest_first": [t.id for t in open_tasks], "latest": latest}


def test_it_pages_the_overdue_list_totals_each_person_marks_far_records_and_exports(client, db) -> None:
    fx = db(build_last_year)
    sign_in(client, "secretary")
    first = client.get(f"/towns/alpha/board?year={LAST_YEAR}", headers=ENGLISH).text
    listed = [int(i) for i in ROW.findall(first[first.index('id="overdue"') :])]
    assert listed == fx["newest_first"][:30]
    assert "Page 1 of 2 · 1–30 of 35" in first and 'rel="prev"' not in first
    older = f'href="/towns/alpha/board?year={LAST_YEAR}&amp;cadence=month&amp;overdue_page=2#overdue"'
    assert older in first
    second = client.get(f"/towns/alpha/board?year={LAST_YEAR}&overdue_page=2", headers=HTMX)
    assert second.text.lstrip().startswith('<div id="board"')  # htmx: the board alone, scrolled to the list
    # the oldest, January's, at the end
    assert [int(i) for i in ROW.findall(second.text)] == fx["newest_first"][30:]
    assert "Page 2 of 2 · 31–35 of 35" in second.text and 'rel="next"' not in second.text
    # the cadre's totals: 35 overdue + 5 done + 1 excused due (the cancelled one counts against nobody): 5 of 40
    row = first[first.index("<bdi>干部丁</bdi>") :]
    row = row[: row.index("</tr>")]
    totals = re.findall(r'<td class="board-total[^"]*">(.*?)</td>', row, re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in totals] == ["41", "5", "35", "12%"]
    assert '<th scope="row" class="board-person">All people</th>' in first
    assert 'class="board-now"' not in first  # last year's board has no "now"
    this_year = client.get("/towns/alpha/board", headers=ENGLISH).text
    month = local_date(utc_now(), ZONE).month
    headers = re.findall(r"<th scope=\"col\"[^>]*>", this_year[this_year.index("<thead>") :])
    assert 'class="board-now" aria-current="date"' in headers[month]  # after the names' column
    api = client.get(f"/api/v1/towns/alpha/board?year={LAST_YEAR}").json()
    cadre = next(r for g in api["groups"] for r in g["rows"] if r["person_name"] == "干部丁")
    assert cadre["totals"] == {"due": 41, "done": 5, "excused": 1, "overdue": 35, "completion": 0.125}
    assert [t["id"] for t in api["overdue"]] == fx["newest_first"]

    _it_marks_far_records_apart_and_exports_the_board_as_filtered(client, fx)


def _it_marks_far_records_apart_and_exports_the_board_as_filtered(client: Any, fx: dict[str, Any]) -> None:
    """(Part of the test above, to build the town and the app once per engine.)"""
    html = client.get(f"/towns/alpha/board?year={LAST_YEAR}", headers=ENGLISH).text
    far = html[html.index('id="far-records"') :]
    assert 'class="far-mark far-mark-row"' in far and "Far from its place" in far and "5.2 km away" in far
    assert "light-yellow" not in far  # not the yellow "due soon" square
    # and its cell's mark
    assert 'class="far-mark far-mark-cell"' in html and "Recorded far from its place: 1" in html
    assert f'href="/towns/alpha/board/export.xlsx?year={LAST_YEAR}&amp;cadence=month"' in html  # as filtered
    response = client.get(f"/towns/alpha/board/export.xlsx?year={LAST_YEAR}&kind=visit", headers=ENGLISH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert f'filename="board-alpha-{LAST_YEAR}.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Supervision board", "Overdue tasks", "Records far from their place"]
    board = [list(row) for row in book["Supervision board"].iter_rows(values_only=True)]
    assert board[0][:2] == ["Tier and unit", "Person"] and board[0][-4:] == [
        "Due to date",
        "Done",
        "Overdue",
        "Completion",
    ]
    cadre = next(row for row in board if row[1] == "干部丁")
    assert cadre[-4:] == [41, 5, 35, 0.125]
    assert board[-1][0] == "All people" and board[-1][-4:-1] == [42, 6, 35]  # the official's done visit too
    assert abs(board[-1][-1] - 6 / 41) < 1e-9
    assert any(isinstance(cell, str) and "Far from the place: 1" in cell for cell in cadre)
    overdue = list(book["Overdue tasks"].iter_rows(values_only=True))
    assert len(overdue) == 1 + OPEN_TASKS  # all of them, not a page
    latest = fx["latest"]
    no_unit = no_place = None
    assert overdue[1][:5] == ("干部丁", no_unit, latest.title, no_place, latest.period_end.isoformat())
    far_rows = list(book["Records far from their place"].iter_rows(values_only=True))
    assert far_rows[1][:5] == ("干部丁", "Visit", latest.period_end.isoformat(), "东村2组", 5.2)
    # as filtered: lectures only leave the sheets empty
    lectures_only = client.get(
        f"/towns/alpha/board/export.xlsx?year={LAST_YEAR}&kind=lecture", headers=ENGLISH
    )
    lectures = load_workbook(io.BytesIO(lectures_only.content))
    assert lectures["Overdue tasks"].max_row == 1 and lectures["Supervision board"].max_row == 1
