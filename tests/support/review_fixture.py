"""A small town and year (2025) whose review a reader can work out by hand, built straight in the
database (no planning run, so every task and its state is exactly what is written here).

Town "rv" (评议镇, population 10 000, Asia/Shanghai):
- tier 1: S1 书记甲 (the secretary, user "rv-secretary"), S2 镇长乙; contact points S1: V1, E1;
  S2: V2, V3 (a village cadre's 包村 link is not a contact point: C1 V4, C2 V1);
- tier 2: H1 主任丙 (unit 宣传办), H2 站长丁 (unit 文化站); tier 3: C1 干部戊, C2 干部己 (no unit).

Work of 2025 (a task is due at the start of the local day after its period ends):
- 联系点遍访 (visit, contact points, monthly): 4 cells x 12 months = 48 tasks, 45 visited: S1-V1 missed
  March and July, S2-V3 missed November (all three open, overdue); S2-V2's May visit was made late, on
  3 June. Visits on the 15th of their month. Plus C1's unplanned visit to V4 on 10 April: 46 visits.
  Issues: S2-V2 February (needs follow-up, resolved by rv-secretary on 10 March, "已协调维修"), S2-V2
  June (needs follow-up, open), S1-V1 April (no follow-up).
  The same assignment has 12 tasks in January-March 2026 (next year).
- 党委理论学习中心组集体学习 (study, S1, monthly): sessions on the 20th of months 1-7 and 9-12 (done on
  time), August excused; plus an unplanned session on 28 March: 12 sessions in 11 months. Attendees:
  S1, S2, H1, H2 (4) each, all six in January and December.
- 党委会专题研究意识形态工作 (meeting, S1, due 30 June and 31 December): held 25 June (5 attendees:
  all but C2) and 29 November (all six).
- 十九届五中全会精神宣讲 (lecture, C1, 3 by 30 June): 5 March (40), 9 April (50), 20 May (60): done.
  百姓宣讲 (lecture, C2, 3 by 30 September): 8 July (30), 12 August (20): open, overdue.
  H1's unplanned lecture "防疫知识宣讲", 15 October (25).
- Culture (H2, unplanned): films 1 May (100), 1 August (120), 1 October (80); a performance 15 September (200).
- Publicity (H1, unplanned): central 1 March; county 1 April, 1 September; online 1 February, 1 June, 1 November.
- Opinion (S2, unplanned): 10 June (handled), 2 September (how it was handled left blank).
- Next year: 2026年党委会专题研究 (meeting, S1) with 2 tasks in 2026.
- Outside the year: C1's visit of 31 December 2024, H1's lecture of 2 January 2026.

Town "ot" (另一镇) has one record of every kind and one visit cell in 2025: none of it may count for "rv".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role, User
from tracker.db.models.review import FollowUpResolution
from tracker.db.models.roster import (
    ContactAssignment,
    ContactLink,
    LeadingGroupRole,
    Person,
    Place,
    PlaceKind,
    Tier,
    Town,
    Unit,
    UnitKind,
)
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import due_instant

YEAR = 2025
ZONE = "Asia/Shanghai"
AFTER_YEAR = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC)  # noon, 1 March 2026 in Shanghai: 2025 is over
MID_YEAR = dt.datetime(2025, 7, 15, 4, 0, tzinfo=dt.UTC)  # noon, 15 July 2025: 2025 "to date"
MISSED_VISITS = {("S1", "V1", 3), ("S1", "V1", 7), ("S2", "V3", 11)}
LATE_VISIT = ("S2", "V2", 5)


@dataclass
class ReviewTown:
    town: Town
    other: Town
    people: dict[str, Person]
    places: dict[str, Place]
    units: dict[str, Unit]
    secretary_user: User
    assignments: dict[str, Assignment] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)  # the ones tests name


def month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


class _Builder:
    def __init__(self, session: AsyncSession, town: Town) -> None:
        self.session = session
        self.town = town
        self.keys = 0

    def task(
        self, assignment: Assignment, person: Person, start: dt.date, end: dt.date, *, place: Place | None = None,
        target: int = 1, done: int = 0, status: TaskStatus = TaskStatus.OPEN, closed: dt.date | None = None,
    ) -> Task:  # fmt: skip
        key = f"{start:%Y-%m}" if start.day == 1 and end == month_end(start.year, start.month) else f"{end}"
        task = Task(
            town_id=self.town.id, assignment_id=assignment.id, person_id=person.id,
            place_id=place.id if place else None, slot=f"{person.id}:{place.id if place else '-'}:{key}",
            period_key=key, period_start=start, period_end=end, due_at=due_instant(end, ZONE),
            title=assignment.title, kind=assignment.kind, target_count=target, done_count=done, status=status,
            closed_at=due_instant(closed, ZONE) - dt.timedelta(hours=6) if closed else None,
        )  # fmt: skip
        self.session.add(task)
        return task

    def record(
        self, kind: WorkKind, person: Person, day: dt.date, fields: dict[str, Any], *,
        task: Task | None = None, place: Place | None = None,
    ) -> Record:  # fmt: skip
        self.keys += 1
        record = Record(town_id=self.town.id, task_id=task.id if task else None, person_id=person.id, kind=kind,
                        occurred_on=day, place_id=place.id if place else None, fields=fields,
                        client_key=f"fixture-{self.town.code}-{self.keys:05d}")  # fmt: skip
        self.session.add(record)
        return record

    async def assignment(self, title: str, kind: WorkKind, who: WhoKind, cadence: Cadence, **extra: Any) -> Assignment:
        assignment = Assignment(town_id=self.town.id, title=title, kind=kind, who_kind=who, cadence=cadence, **extra)
        self.session.add(assignment)
        await self.session.flush()
        return assignment


def _visit_fields(issue: str = "", follow_up: bool = False) -> dict[str, Any]:
    return {"people_met": "村支书", "issues_raised": "", "issues_found": issue or None, "needs_follow_up": follow_up}


async def _roster(session: AsyncSession, code: str, name: str) -> tuple[Town, dict[str, Unit], dict[str, Place]]:
    town = Town(code=code, name=name, timezone=ZONE, population=10000)
    session.add(town)
    await session.flush()
    units = {"U1": Unit(town_id=town.id, code="U1", name="宣传办", kind=UnitKind.DEPARTMENT),
             "U2": Unit(town_id=town.id, code="U2", name="文化站", kind=UnitKind.STATION)}  # fmt: skip
    parent = Place(town_id=town.id, code="AV", name="东村", kind=PlaceKind.ADMINISTRATIVE_VILLAGE)
    session.add_all([*units.values(), parent])
    await session.flush()
    places = {f"V{i}": Place(town_id=town.id, code=f"V{i}", name=f"东村{i}组", kind=PlaceKind.NATURAL_VILLAGE,
                             parent_id=parent.id) for i in range(1, 5)}  # fmt: skip
    places["E1"] = Place(town_id=town.id, code="E1", name="红星砖厂", kind=PlaceKind.ENTERPRISE)
    session.add_all(places.values())
    await session.flush()
    return town, units, places


async def _people(session: AsyncSession, town: Town, units: dict[str, Unit]) -> dict[str, Person]:
    def person(code: str, name: str, tier: Tier, **extra: Any) -> Person:
        return Person(town_id=town.id, code=code, name=name, tier=tier, **extra)

    s1 = person("S1", "书记甲", Tier.SECTION_OFFICIAL, post="党委书记", leading_group_role=LeadingGroupRole.LEADER)
    session.add(s1)
    await session.flush()
    s2 = person("S2", "镇长乙", Tier.SECTION_OFFICIAL, post="镇长", supervisor_id=s1.id)
    session.add(s2)
    await session.flush()
    people = {
        "S1": s1, "S2": s2,
        "H1": person("H1", "主任丙", Tier.UNIT_HEAD, unit_id=units["U1"].id, supervisor_id=s2.id),
        "H2": person("H2", "站长丁", Tier.UNIT_HEAD, unit_id=units["U2"].id, supervisor_id=s2.id),
        "C1": person("C1", "干部戊", Tier.VILLAGE_CADRE, supervisor_id=s2.id),
        "C2": person("C2", "干部己", Tier.VILLAGE_CADRE, supervisor_id=s1.id),
    }  # fmt: skip
    session.add_all(people.values())
    await session.flush()
    return people


async def build_review_town(session: AsyncSession) -> ReviewTown:
    town, units, places = await _roster(session, "rv", "评议镇")
    people = await _people(session, town, units)
    links = [("S1", "V1", ContactLink.CONTACT_POINT), ("S1", "E1", ContactLink.CONTACT_POINT),
             ("S2", "V2", ContactLink.CONTACT_POINT), ("S2", "V3", ContactLink.CONTACT_POINT),
             ("C1", "V4", ContactLink.VILLAGE), ("C2", "V1", ContactLink.VILLAGE)]  # fmt: skip
    session.add_all(ContactAssignment(town_id=town.id, person_id=people[p].id, place_id=places[pl].id, link=link,
                                      valid_from=dt.date(2024, 1, 1)) for p, pl, link in links)  # fmt: skip
    user = User(login="rv-secretary", role=Role.SECRETARY, town_id=town.id, person_id=people["S1"].id,
                password_hash="-", must_change_password=False)  # fmt: skip
    session.add(user)
    await session.flush()
    other = await _other_town(session)
    fixture = ReviewTown(town, other, people, places, units, user)
    build = _Builder(session, town)
    await _visits(build, fixture)
    await _study_and_meetings(build, fixture)
    await _activities(build, fixture)
    await session.flush()
    resolved = fixture.records["follow_up_resolved"]
    session.add(FollowUpResolution(record_id=resolved.id, resolved_at=dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC),
                                   resolved_by_user_id=user.id, note="已协调维修"))  # fmt: skip
    await session.flush()
    return fixture


async def _visits(build: _Builder, fx: ReviewTown) -> None:
    p, pl = fx.people, fx.places
    visits = await build.assignment("联系点遍访", WorkKind.VISIT, WhoKind.CONTACT_POINTS, Cadence.MONTHLY)
    fx.assignments["visits"] = visits
    issues = {("S2", "V2", 2): ("follow_up_resolved", "村道路灯损坏，群众有意见", True),
              ("S2", "V2", 6): ("follow_up_open", "有人传播不实信息", True),
              ("S1", "V1", 4): ("issue_only", "宣传栏内容陈旧", False)}  # fmt: skip
    for who, where in (("S1", "V1"), ("S1", "E1"), ("S2", "V2"), ("S2", "V3")):
        for month in range(1, 13):
            start, end = dt.date(YEAR, month, 1), month_end(YEAR, month)
            if (who, where, month) in MISSED_VISITS:
                build.task(visits, p[who], start, end, place=pl[where])
                continue
            day = dt.date(YEAR, 6, 3) if (who, where, month) == LATE_VISIT else dt.date(YEAR, month, 15)
            task = build.task(visits, p[who], start, end, place=pl[where], done=1, status=TaskStatus.DONE, closed=day)
            await build.session.flush()
            name, issue, follow_up = issues.get((who, where, month), ("", "", False))
            record = build.record(WorkKind.VISIT, p[who], day, _visit_fields(issue, follow_up), task=task,
                                  place=pl[where])  # fmt: skip
            if name:
                fx.records[name] = record
        for month in (1, 2, 3):  # next year's
            build.task(visits, p[who], dt.date(YEAR + 1, month, 1), month_end(YEAR + 1, month), place=pl[where])
    build.record(WorkKind.VISIT, p["C1"], dt.date(YEAR, 4, 10), _visit_fields(), place=pl["V4"])
    build.record(WorkKind.VISIT, p["C1"], dt.date(YEAR - 1, 12, 31), _visit_fields("旧年问题", True), place=pl["V4"])


async def _study_and_meetings(build: _Builder, fx: ReviewTown) -> None:
    p = fx.people
    four = [p[c].id for c in ("S1", "S2", "H1", "H2")]
    six = [p[c].id for c in ("S1", "S2", "H1", "H2", "C1", "C2")]
    study = await build.assignment("党委理论学习中心组集体学习", WorkKind.STUDY, WhoKind.PEOPLE, Cadence.MONTHLY,
                                   who_person_ids=[p["S1"].id])  # fmt: skip
    fx.assignments["study"] = study
    for month in range(1, 13):
        start, end = dt.date(YEAR, month, 1), month_end(YEAR, month)
        if month == 8:
            build.task(study, p["S1"], start, end, status=TaskStatus.EXCUSED)
            continue
        day = dt.date(YEAR, month, 20)
        task = build.task(study, p["S1"], start, end, done=1, status=TaskStatus.DONE, closed=day)
        await build.session.flush()
        attendees = six if month in (1, 12) else four
        build.record(WorkKind.STUDY, p["S1"], day, {"attendee_ids": attendees, "minutes": "学习全会精神"}, task=task)
    build.record(WorkKind.STUDY, p["S1"], dt.date(YEAR, 3, 28), {"attendee_ids": four, "minutes": "专题研讨"})
    meeting = await build.assignment("党委会专题研究意识形态工作", WorkKind.MEETING, WhoKind.PEOPLE, Cadence.RRULE,
                                     who_person_ids=[p["S1"].id])  # fmt: skip
    fx.assignments["meetings"] = meeting
    for month, day, attendees in ((6, 25, six[:5]), (12, 29, six)):
        held = dt.date(YEAR, month if month == 6 else 11, day)
        task = build.task(meeting, p["S1"], dt.date(YEAR, month, 1), month_end(YEAR, month), done=1,
                          status=TaskStatus.DONE, closed=held)  # fmt: skip
        await build.session.flush()
        build.record(WorkKind.MEETING, p["S1"], held, {"attendee_ids": attendees, "minutes": "研究意识形态工作"},
                     task=task)  # fmt: skip
    planned = await build.assignment("2026年党委会专题研究", WorkKind.MEETING, WhoKind.PEOPLE, Cadence.RRULE,
                                     who_person_ids=[p["S1"].id])  # fmt: skip
    fx.assignments["next_year"] = planned
    for month in (6, 12):
        build.task(planned, p["S1"], dt.date(YEAR + 1, month, 1), month_end(YEAR + 1, month))


async def _activities(build: _Builder, fx: ReviewTown) -> None:
    p = fx.people
    plenum = await build.assignment("十九届五中全会精神宣讲", WorkKind.LECTURE, WhoKind.PEOPLE, Cadence.ONCE,
                                    who_person_ids=[p["C1"].id], target_count=3)  # fmt: skip
    folk = await build.assignment("百姓宣讲", WorkKind.LECTURE, WhoKind.PEOPLE, Cadence.ONCE,
                                  who_person_ids=[p["C2"].id], target_count=3)  # fmt: skip
    fx.assignments.update(plenum=plenum, folk=folk)
    done = build.task(plenum, p["C1"], dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 30), target=3, done=3,
                      status=TaskStatus.DONE, closed=dt.date(YEAR, 5, 20))  # fmt: skip
    open_ = build.task(folk, p["C2"], dt.date(YEAR, 1, 1), dt.date(YEAR, 9, 30), target=3, done=2)
    await build.session.flush()
    for day, audience in ((dt.date(YEAR, 3, 5), 40), (dt.date(YEAR, 4, 9), 50), (dt.date(YEAR, 5, 20), 60)):
        build.record(WorkKind.LECTURE, p["C1"], day, {"topic": "全会精神", "audience": audience}, task=done)
    for day, audience in ((dt.date(YEAR, 7, 8), 30), (dt.date(YEAR, 8, 12), 20)):
        build.record(WorkKind.LECTURE, p["C2"], day, {"topic": "小康生活", "audience": audience}, task=open_)
    build.record(WorkKind.LECTURE, p["H1"], dt.date(YEAR, 10, 15), {"topic": "防疫知识宣讲", "audience": 25})
    build.record(WorkKind.LECTURE, p["H1"], dt.date(YEAR + 1, 1, 2), {"topic": "新年宣讲", "audience": 99})
    for day, form, audience in (((5, 1), "film", 100), ((8, 1), "film", 120), ((10, 1), "film", 80),
                                ((9, 15), "performance", 200)):  # fmt: skip
        build.record(WorkKind.CULTURE, p["H2"], dt.date(YEAR, *day), {"form": form, "audience": audience})
    for day, level in (((3, 1), "central"), ((4, 1), "county"), ((9, 1), "county"),
                       ((2, 1), "online"), ((6, 1), "online"), ((11, 1), "online")):  # fmt: skip
        build.record(WorkKind.PUBLICITY, p["H1"], dt.date(YEAR, *day), {"outlet_level": level, "title": "稿件"})
    build.record(WorkKind.OPINION, p["S2"], dt.date(YEAR, 6, 10),
                 {"what_happened": "个别群众在网站发文质疑美丽乡村建设", "how_handled": "约谈并解释政策"})
    build.record(WorkKind.OPINION, p["S2"], dt.date(YEAR, 9, 2), {"what_happened": "微信群转发不实消息",
                                                                  "how_handled": ""})  # fmt: skip


async def _other_town(session: AsyncSession) -> Town:
    """Town "ot": one of everything in 2025 (a visit cell with its visit and follow-up, every kind)."""
    town, _units, places = await _roster(session, "ot", "另一镇")
    person = Person(town_id=town.id, code="S1", name="外镇书记", tier=Tier.SECTION_OFFICIAL)
    session.add(person)
    await session.flush()
    build = _Builder(session, town)
    visits = await build.assignment("联系点遍访", WorkKind.VISIT, WhoKind.CONTACT_POINTS, Cadence.MONTHLY)
    task = build.task(visits, person, dt.date(YEAR, 5, 1), month_end(YEAR, 5), place=places["V1"], done=1,
                      status=TaskStatus.DONE, closed=dt.date(YEAR, 5, 2))  # fmt: skip
    build.task(visits, person, dt.date(YEAR + 1, 1, 1), month_end(YEAR + 1, 1), place=places["V1"])
    await session.flush()
    day = dt.date(YEAR, 5, 2)
    build.record(WorkKind.VISIT, person, day, _visit_fields("外镇问题", True), task=task, place=places["V1"])
    build.record(WorkKind.VISIT, person, day, _visit_fields("外镇问题二", True), place=places["V1"])
    build.record(WorkKind.STUDY, person, day, {"attendee_ids": [person.id], "minutes": "外镇学习"})
    build.record(WorkKind.MEETING, person, day, {"attendee_ids": [person.id], "minutes": "外镇党委会"})
    build.record(WorkKind.LECTURE, person, day, {"topic": "全会精神", "audience": 500})
    build.record(WorkKind.CULTURE, person, day, {"form": "film", "audience": 500})
    build.record(WorkKind.CULTURE, person, day, {"form": "performance", "audience": 500})
    build.record(WorkKind.PUBLICITY, person, day, {"outlet_level": "provincial", "title": "外镇稿件"})
    build.record(WorkKind.OPINION, person, day, {"what_happened": "外镇舆情", "how_handled": "已处理"})
    await session.flush()
    return town
