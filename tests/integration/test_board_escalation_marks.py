"""The board's escalation marks: a task reminders escalated shows a mark naming to whom, on the
board's cell and in the cell's panel; others show none; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tests.support.outbox import add_message
from tests.support.personas import sign_in
from tests.support.work_pages import ENGLISH, HTMX, Work, build_work
from tracker.db.models.reminders import ChannelKind, NotifyChannel, ReminderReason

CELL = re.compile(r'<a class="board-cell" href="(/towns/alpha/board/cell\?person=(\d+)&amp;column=(\d+)[^"]*)"[^>]*>(.*?)</a>',
                  re.DOTALL)  # fmt: skip


async def _escalated(session) -> Work:
    work = await build_work(session)
    a = work.world.a
    robot = NotifyChannel(
        town_id=a.town.id, kind=ChannelKind.WECOM, label="镇党委群", url="https://example.org/robot"
    )
    session.add(robot)
    await session.flush()
    up = [(work.overdue, ReminderReason.ESCALATED_SUPERVISOR, 3)]
    await add_message(session, a.town.id, a.official.id, items=up)  # the official, in the app
    await add_message(
        session, a.town.id, a.official.id, items=up, kind=ChannelKind.EMAIL
    )  # and by e-mail: once
    await add_message(session, a.town.id, None, items=up, kind=ChannelKind.WECOM, channel_id=robot.id)
    # a plain reminder is no escalation
    await add_message(session, a.town.id, a.cadre.id, items=[(work.this_week, ReminderReason.BEFORE_DUE, 3)])
    return work


def _cells(html: str) -> dict[tuple[int, int], tuple[str, str]]:
    return {(int(p), int(c)): (url.replace("&amp;", "&"), inner) for url, p, c, inner in CELL.findall(html)}


def test_it_marks_an_escalated_task_on_the_board_and_names_who_was_told(client, db) -> None:
    work = db(_escalated)
    sign_in(client, "secretary")
    html = client.get("/towns/alpha/board", headers=ENGLISH).text
    assert "Escalated by reminders" in html  # the legend
    marked = [(key, cell) for key, cell in _cells(html).items() if 'class="escalation-mark"' in cell[1]]
    assert len(marked) == 1
    (person, _column), (url, inner) = marked[0]
    assert person == work.world.a.cadre.id
    assert "Escalated to 镇长乙, 镇党委群" in inner
    panel = client.get(url, headers=HTMX).text
    assert panel.count("Escalated to 镇长乙, 镇党委群") == 1  # under the overdue task only
    assert panel.index("走访东村") < panel.index("Escalated to")


def test_it_shows_no_mark_without_an_escalation(client, db) -> None:
    db(build_work)
    sign_in(client, "official")
    html = client.get("/towns/alpha/board", headers=ENGLISH).text
    assert 'class="board-cell"' in html and 'class="escalation-mark" title' not in html
