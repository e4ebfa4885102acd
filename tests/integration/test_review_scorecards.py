"""The scorecards of a town's year, counted in SQL on SQLite and PostgreSQL: every number worked out
by hand below, the scores and ranks with the default and with custom weights, people with no
contact points (coverage left out, the weights rescaled), the year to date and over, nothing from
another town, an actor's reach, and a fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import build_small_town
from tests.support.review_fixture import AFTER_YEAR, build_review_town
from tests.support.review_fixture import YEAR as REVIEW_YEAR
from tests.support.statements import counted
from tests.support.work_services import actor
from tracker.db.models.accounts import Role
from tracker.db.models.roster import Person, Tier, Town
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import due_instant
from tracker.domain.review.rules import DEFAULT_WEIGHTS
from tracker.domain.review.scorecards import compute_scorecards
from tracker.domain.scope import Scope
from tracker.i18n import use_locale

ZONE = "Asia/Shanghai"
YEAR = 2026
NOW = dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC)  # noon on 1 July 2026 in Shanghai: the year to date
YEAR_OVER = dt.datetime(2027, 1, 10, 4, 0, tzinfo=dt.UTC)
CUSTOM = {"on_time": 0, "done": 0, "coverage": 50, "study": 50, "meetings": 0}
COUNTS = ("due", "done", "on_time", "late", "overdue", "excused", "visit_cells", "visit_cells_covered",
          "study_attended", "study_held", "meetings_attended", "meetings_held")  # fmt: skip


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


class _Work:
    """Tasks and records of one town, made row by row (no planning run: each state is as written)."""

    def __init__(self, session: AsyncSession, town: Town) -> None:
        self.session, self.town, self.n = session, town, 0

    async def assignment(self, kind: WorkKind, who: WhoKind) -> Assignment:
        made = Assignment(town_id=self.town.id, title=f"{kind.value} work", kind=kind, who_kind=who,
                          cadence=Cadence.MONTHLY)  # fmt: skip
        self.session.add(made)
        await self.session.flush()
        return made

    def task(self, assignment: Assignment, person: Person, due_on: str, status: TaskStatus = TaskStatus.OPEN,
             closed: str | None = None, place: Any = None, visits: int = 0) -> None:  # fmt: skip
        self.n += 1
        day = dt.date.fromisoformat(due_on)
        self.session.add(Task(
            town_id=self.town.id, assignment_id=assignment.id, person_id=person.id,
            place_id=place.id if place is not None else None, slot=f"{person.id}:{self.n}", period_key=f"k{self.n}",
            period_start=day.replace(day=1), period_end=day, due_at=due_instant(day, ZONE), title=assignment.title,
            kind=assignment.kind, done_count=visits, status=status, closed_at=utc(closed) if closed else None,
        ))  # fmt: skip

    def record(self, kind: WorkKind, person: Person, day: str, attendees: list[Person]) -> None:
        self.n += 1
        self.session.add(Record(
            town_id=self.town.id, person_id=person.id, kind=kind, occurred_on=dt.date.fromisoformat(day),
            fields={"attendee_ids": [p.id for p in attendees], "minutes": "学习"}, client_key=f"rec-{self.n}",
        ))  # fmt: skip


async def build(session: AsyncSession) -> dict[str, int]:
    """Town alpha: 书记甲 (secretary, tier 1, contact points 东村1组 and 红星砖厂), 镇长乙 (tier 1, 东村2组 and
    东村3组), 主任丙 (tier 2, 宣传办), 干部丁 (tier 3, no contact point), 离职戊 (left: inactive, one task),
    离职己 (left, no task: no card). Due days are local; a task falls due at the start of the next day."""
    t = await build_small_town(session)
    sec, off, head, cadre = t.secretary, t.official, t.unit_head, t.cadre
    nv1, nv2, nv3, nv4, en1 = t.villages[0], t.villages[1], t.villages[2], t.villages[3], t.enterprise
    gone = Person(town_id=t.town.id, code="P5", name="离职戊", tier=Tier.VILLAGE_CADRE, active=False)
    idle = Person(town_id=t.town.id, code="P6", name="离职己", tier=Tier.VILLAGE_CADRE, active=False)
    session.add_all([gone, idle])
    w = _Work(session, t.town)
    visits = await w.assignment(WorkKind.VISIT, WhoKind.CONTACT_POINTS)
    chosen_visit = await w.assignment(
        WorkKind.VISIT, WhoKind.PEOPLE
    )  # a visit with a place, not a contact point
    other = await w.assignment(WorkKind.CUSTOM, WhoKind.PEOPLE)
    done, excused, cancelled, reassigned = (
        TaskStatus.DONE,
        TaskStatus.EXCUSED,
        TaskStatus.CANCELLED,
        TaskStatus.REASSIGNED,
    )
    # 书记甲
    w.task(visits, sec, "2026-03-31", done, "2026-03-20T10:00+08:00", nv1, 1)  # on time, covered
    w.task(visits, sec, "2026-03-31", done, "2026-04-02T10:00+08:00", en1, 1)  # late, covered
    w.task(visits, sec, "2026-06-30", place=nv1)  # overdue since 1 July 00:00, a cell not covered
    w.task(visits, sec, "2026-06-30", excused, place=en1)  # excused: due, not a cell
    w.task(visits, sec, "2026-09-30", place=nv1)  # not due yet
    w.task(other, sec, "2026-05-31", done, "2026-05-30T09:00+08:00")  # on time
    w.task(
        other, sec, "2025-12-31", done, "2025-12-30T09:00+08:00"
    )  # last year's: due 1 Jan 00:00, not this year
    w.task(other, sec, "2026-02-28", cancelled)  # cancelled: not counted
    # 镇长乙
    w.task(
        visits, off, "2026-03-31", done, "2026-04-01T00:00+08:00", nv2, 2
    )  # closed at the due instant: late
    w.task(visits, off, "2026-03-31", done, "2026-03-30T12:00+08:00", nv3, 1)  # on time
    w.task(visits, off, "2026-06-30", done, "2026-06-30T23:59:59+08:00", nv2, 1)  # the last second: on time
    w.task(visits, off, "2026-06-30", place=nv3)  # overdue
    w.task(visits, off, "2026-04-30", reassigned, place=nv3)  # closed by a roster change: not counted
    # 主任丙
    w.task(other, head, "2026-01-31", done, "2026-01-31T18:00+08:00")  # on time
    w.task(other, head, "2026-04-30", done, "2026-04-01T09:00+08:00")  # on time
    w.task(other, head, "2026-06-30", done, "2026-07-01T10:00+08:00")  # late
    w.task(other, head, "2026-07-01", place=None)  # today's work: due tomorrow 00:00, not yet
    w.task(chosen_visit, head, "2026-05-31", done, "2026-05-15T09:00+08:00", nv4, 1)  # on time; not a cell
    # 干部丁
    w.task(other, cadre, "2026-02-28")  # overdue
    w.task(other, cadre, "2026-03-31", excused)
    w.task(other, cadre, "2026-05-31", done, "2026-05-31T08:00+08:00")  # on time
    # 离职戊
    w.task(other, gone, "2026-01-31", done, "2026-01-20T08:00+08:00")  # on time
    # study and meetings of the town
    w.record(WorkKind.STUDY, sec, "2026-01-15", [sec, off, head])
    w.record(WorkKind.STUDY, sec, "2026-02-15", [sec, off])
    w.record(WorkKind.STUDY, sec, "2026-03-15", [sec, head, cadre])
    w.record(WorkKind.STUDY, sec, "2026-06-20", [sec, off])
    w.record(WorkKind.STUDY, sec, "2026-07-01", [cadre])  # today (local): counts
    w.record(WorkKind.STUDY, sec, "2025-12-20", [sec, off, head, cadre, gone])  # last year: not counted
    w.record(WorkKind.MEETING, sec, "2026-03-10", [sec])
    w.record(WorkKind.MEETING, sec, "2026-06-25", [sec, off, head])
    # town beta: its people, tasks and sessions never count for alpha, even a list naming alpha's people
    b = await build_small_town(session, "beta", "贝塔镇")
    wb = _Work(session, b.town)
    beta_other = await wb.assignment(WorkKind.CUSTOM, WhoKind.PEOPLE)
    wb.task(beta_other, b.cadre, "2026-03-31")
    wb.task(beta_other, b.secretary, "2026-03-31", done, "2026-03-01T09:00+08:00")
    wb.record(WorkKind.STUDY, b.secretary, "2026-03-01", [b.secretary, sec, off, head, cadre])
    wb.record(WorkKind.MEETING, b.secretary, "2026-03-01", [b.secretary, sec, off])
    await session.flush()
    return {"town": t.town.id, "甲": sec.id, "乙": off.id, "丙": head.id, "丁": cadre.id, "戊": gone.id}


def scorecards(db: Any, town_id: int, now: dt.datetime, weights: dict[str, int], official: int | None = None,
               year: int = YEAR) -> Any:  # fmt: skip
    async def go(session: AsyncSession) -> Any:
        town = await session.get(Town, town_id)
        assert town is not None
        reach = None
        if official is not None:
            person = await session.get(Person, official)
            reach = await Scope(session, actor(Role.OFFICIAL, town_id, person)).reach(town)
        with use_locale("en"):
            return await compute_scorecards(session, town, year, now, weights, reach)

    return db(go)


def numbers(card: Any) -> tuple[int, ...]:
    return tuple(getattr(card, name) for name in COUNTS)


def test_it_counts_every_number_of_every_card_to_date(db) -> None:
    ids = db(build)
    cards, _, _ = scorecards(db, ids["town"], NOW, DEFAULT_WEIGHTS)
    by_name = {c.name: c for c in cards}
    assert set(by_name) == {"书记甲", "镇长乙", "主任丙", "干部丁", "离职戊"}  # not 离职己, nobody from beta
    # (due, done, on_time, late, overdue, excused, cells, covered, study attended/held, meetings attended/held)
    # study held: 15 Jan, 15 Feb, 15 Mar, 20 Jun, 1 Jul = 5 (not 20 Dec 2025, not beta's); meetings: 10 Mar, 25 Jun = 2
    # 甲: visits 3/31 x2, 6/30 x2 (one excused) + May = 5 due; done 3 (one late); cells 3 (excused out), 2 covered
    assert numbers(by_name["书记甲"]) == (5, 3, 2, 1, 1, 1, 3, 2, 4, 5, 2, 2)
    # 乙: 4 visits due (the reassigned one out); done 3, one closed at its due instant (late); 4 cells, 3 covered
    assert numbers(by_name["镇长乙"]) == (4, 3, 2, 1, 1, 0, 4, 3, 3, 5, 1, 2)
    # 丙: 4 due (not 1 July's), all done, one late; the chosen visit has a place but is no contact-point cell
    assert numbers(by_name["主任丙"]) == (4, 4, 3, 1, 0, 0, 0, 0, 2, 5, 1, 2)
    assert numbers(by_name["干部丁"]) == (3, 1, 1, 0, 1, 1, 0, 0, 2, 5, 0, 2)
    assert numbers(by_name["离职戊"]) == (1, 1, 1, 0, 0, 0, 0, 0, 0, 5, 0, 2)
    assert (by_name["主任丙"].tier, by_name["主任丙"].unit, by_name["干部丁"].unit) == (
        "unit_head",
        "宣传办",
        "",
    )


def test_it_scores_and_ranks_with_the_default_weights(db) -> None:
    ids = db(build)
    cards, by_tier, by_unit = scorecards(db, ids["town"], NOW, DEFAULT_WEIGHTS)
    # 40 on time, 20 done, 25 coverage, 10 study, 5 meetings; tasks counted = due - excused
    # 甲: 40*2/4 + 20*3/4 + 25*2/3 + 10*4/5 + 5*2/2 = 20 + 15 + 16.667 + 8 + 5 = 64.667 -> 64.7
    # 乙: 40*2/4 + 20*3/4 + 25*3/4 + 10*3/5 + 5*1/2 = 20 + 15 + 18.75 + 6 + 2.5 = 62.25 -> 62.3 (half up)
    # 丙, no contact points: coverage left out, 75 of weight: (40*3/4 + 20*4/4 + 10*2/5 + 5*1/2) / 75
    #     = (30 + 20 + 4 + 2.5) / 75 = 75.33 -> 75.3
    # 丁: (40*1/2 + 20*1/2 + 10*2/5 + 5*0/2) / 75 = 34 / 75 = 45.33 -> 45.3
    # 戊: (40*1 + 20*1 + 10*0 + 5*0) / 75 = 80.0
    assert [(c.name, c.score, c.rank) for c in cards] == [
        ("离职戊", 80.0, 1), ("主任丙", 75.3, 2), ("书记甲", 64.7, 3), ("镇长乙", 62.3, 4), ("干部丁", 45.3, 5),
    ]  # fmt: skip
    # by tier: 甲+乙: due 5+4, done 3+3, on time 2+2, overdue 1+1, cells 3+4, covered 2+3, (64.7+62.3)/2 = 63.5
    # 丁+戊: due 3+1, done 1+1, on time 1+1, overdue 1+0, (45.3+80.0)/2 = 62.65 -> 62.7
    assert [(g.key, g.label, g.people, g.due, g.done, g.on_time, g.overdue, g.visit_cells, g.visit_cells_covered,
             g.average_score) for g in by_tier] == [
        ("section_official", "Section-level officials", 2, 9, 6, 4, 2, 7, 5, 63.5),
        ("unit_head", "Heads of departments, stations and communities", 1, 4, 4, 3, 0, 0, 0, 75.3),
        ("village_cadre", "Village-contact cadres", 2, 4, 2, 2, 1, 0, 0, 62.7),
    ]  # fmt: skip
    # by unit: 宣传办 (丙); no unit: 甲 乙 丁 戊, due 5+4+3+1 = 13, done 3+3+1+1 = 8, on time 2+2+1+1 = 6,
    # overdue 1+1+1 = 3, (64.7 + 62.3 + 45.3 + 80.0) / 4 = 63.075 -> 63.1
    assert [(g.key, g.label, g.people, g.due, g.done, g.on_time, g.overdue, g.visit_cells, g.visit_cells_covered,
             g.average_score) for g in by_unit] == [
        ("U1", "宣传办", 1, 4, 4, 3, 0, 0, 0, 75.3),
        ("", "No unit", 4, 13, 8, 6, 3, 7, 5, 63.1),
    ]  # fmt: skip


def test_it_scores_and_ranks_with_custom_weights(db) -> None:
    ids = db(build)
    cards, by_tier, _ = scorecards(db, ids["town"], NOW, CUSTOM)
    # coverage 50, study 50:
    # 甲: 50*2/3 + 50*4/5 = 33.333 + 40 = 73.3;  乙: 50*3/4 + 50*3/5 = 37.5 + 30 = 67.5
    # 丙 and 丁 have no cells: study alone, 2/5 = 40.0 each: they share rank 3, by name (主 U+4E3B before 干 U+5E72)
    # 戊: 0 of 5 sessions: 0.0
    assert [(c.name, c.score, c.rank) for c in cards] == [
        ("书记甲", 73.3, 1), ("镇长乙", 67.5, 2), ("主任丙", 40.0, 3), ("干部丁", 40.0, 3), ("离职戊", 0.0, 5),
    ]  # fmt: skip
    assert [g.average_score for g in by_tier] == [70.4, 40.0, 20.0]  # (73.3+67.5)/2 = 70.4; (40+0)/2 = 20


def test_it_counts_the_whole_year_once_it_is_over(db) -> None:
    ids = db(build)
    cards, _, _ = scorecards(db, ids["town"], YEAR_OVER, DEFAULT_WEIGHTS)
    by_name = {c.name: c for c in cards}
    # 甲 now also owes the September visit: 6 due, 2 overdue, 4 cells; 丙 owes 1 July's work
    assert numbers(by_name["书记甲"]) == (6, 3, 2, 1, 2, 1, 4, 2, 4, 5, 2, 2)
    assert numbers(by_name["主任丙"]) == (5, 4, 3, 1, 1, 0, 0, 0, 2, 5, 1, 2)


def test_it_counts_a_cell_covered_by_a_visit_filed_against_it(db) -> None:
    ids = db(build)

    async def visit(session: AsyncSession) -> None:
        task = (await session.scalars(select(Task).where(
            Task.person_id == ids["甲"], Task.kind == WorkKind.VISIT, Task.status == TaskStatus.OPEN,
            Task.due_at == due_instant(dt.date(2026, 6, 30), ZONE),
        ))).one()  # fmt: skip
        session.add(Record(town_id=ids["town"], task_id=task.id, person_id=ids["甲"], kind=WorkKind.VISIT,
                           occurred_on=dt.date(2026, 7, 1), place_id=task.place_id, fields={}, client_key="late"))  # fmt: skip

    db(visit)
    by_name = {c.name: c for c in scorecards(db, ids["town"], NOW, DEFAULT_WEIGHTS)[0]}
    # 甲's June cell to 东村1组 now has a visit (its task still open, done_count 0): 3 cells, 3 covered
    assert (by_name["书记甲"].visit_cells, by_name["书记甲"].visit_cells_covered) == (3, 3)


def test_it_narrows_the_cards_to_the_actors_reach(db) -> None:
    ids = db(build)
    cards, by_tier, _ = scorecards(db, ids["town"], NOW, DEFAULT_WEIGHTS, official=ids["乙"])
    # 镇长乙 reads their own work and that of 主任丙 and 干部丁 below them; scores as for the town
    assert [(c.name, c.score, c.rank) for c in cards] == [
        ("主任丙", 75.3, 1),
        ("镇长乙", 62.3, 2),
        ("干部丁", 45.3, 3),
    ]
    assert [(g.key, g.people) for g in by_tier] == [
        ("section_official", 1),
        ("unit_head", 1),
        ("village_cadre", 1),
    ]




def test_it_makes_three_queries_whatever_the_number_of_people(db) -> None:
    ids = db(build)

    async def compute(session: AsyncSession) -> int:
        town = await session.get(Town, ids["town"])
        with counted() as statements:
            cards, _, _ = await compute_scorecards(session, town, YEAR, NOW, DEFAULT_WEIGHTS)
        assert cards
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    assert db(compute) == 3

    async def grow(session: AsyncSession) -> None:
        town = await session.get(Town, ids["town"])
        w = _Work(session, town)
        work = await w.assignment(WorkKind.CUSTOM, WhoKind.PEOPLE)
        for number in range(40):
            person = Person(
                town_id=ids["town"], code=f"X{number}", name=f"干部{number}", tier=Tier.VILLAGE_CADRE
            )
            session.add(person)
            await session.flush()
            w.task(work, person, "2026-05-31", TaskStatus.DONE, "2026-05-01T09:00+08:00")
            w.record(WorkKind.STUDY, person, "2026-05-02", [person])

    db(grow)
    assert db(compute) == 3


def test_it_agrees_with_the_shared_review_fixture(db) -> None:
    fx = db(build_review_town)
    cards, _, _ = scorecards(db, fx.town.id, AFTER_YEAR, DEFAULT_WEIGHTS, year=REVIEW_YEAR)
    by_name = {c.name: c for c in cards}
    assert "外镇书记" not in by_name
    # 4 contact points x 12 months = 48 cells, 45 visited (S1-V1 March and July, S2-V3 November missed)
    assert (sum(c.visit_cells for c in cards), sum(c.visit_cells_covered for c in cards)) == (48, 45)
    # 书记甲: 24 visits (2 missed) + 12 study (August excused) + 2 meetings = 38 due, 35 done on time, 2 overdue;
    # 12 study sessions (11 on the 20th + 28 March), all attended; 2 meetings, both attended
    # 40*35/37 + 20*35/37 + 25*22/24 + 10 + 5 = 37.838 + 18.919 + 22.917 + 15 = 94.67 -> 94.7
    assert numbers(by_name["书记甲"]) == (38, 35, 35, 0, 2, 1, 24, 22, 12, 12, 2, 2)
    assert by_name["书记甲"].score == 94.7
    # 镇长乙: 24 visits, May's late, November's to V3 missed: 40*22/24 + 20*23/24 + 25*23/24 + 10 + 5
    #   = 36.667 + 19.167 + 23.958 + 15 = 94.79 -> 94.8
    assert numbers(by_name["镇长乙"]) == (24, 23, 22, 1, 1, 0, 24, 23, 12, 12, 2, 2)
    assert by_name["镇长乙"].score == 94.8
    # 主任丙 and 站长丁 have no task and no contact point: study 12/12 and meetings 2/2 alone are no score, so
    # they are not scored and come last with no rank, rather than first with 100
    assert [(c.name, c.score, c.rank) for c in cards[:2]] == [("镇长乙", 94.8, 1), ("书记甲", 94.7, 2)]
    assert [(c.name, c.score, c.rank) for c in cards[-2:]] == [("主任丙", None, None), ("站长丁", None, None)]
    assert numbers(by_name["主任丙"])[-4:] == (12, 12, 2, 2)
