"""The audit log as a person reads it, on SQLite and PostgreSQL: who by name, what by name with a link,
the fields that changed (before -> after, in the reader's language, Chinese as Chinese); one entry per
sign-in; filters by person, object and dates with field messages; paging; the CSV export (BOM,
formula-safe cells); names found in a fixed number of queries whatever the page holds."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.accounts import Browsers, audit, rows
from tests.support.personas import World
from tests.support.statements import counted
from tracker.db.models.audit import AuditEntry
from tracker.db.models.roster import Person, Town
from tracker.db.session import open_session
from tracker.domain.audit.context import AuditActor, acting_as
from tracker.domain.audit.reading import readable_entries

AUDIT = "/towns/alpha/audit"
EXPORT = "/towns/alpha/audit/export.csv"


def change_official(db: Any, world: World, **values: Any) -> None:
    """The secretary changes the official's roster row (the listener writes the entry)."""

    async def go(session: Any) -> None:
        with acting_as(AuditActor(world.users["secretary"], "secretary", "203.0.113.9")):
            person = await session.get(Person, world.a.official.id)
            for key, value in values.items():
                setattr(person, key, value)
            await session.flush()

    db(go)


@pytest.fixture
def changed(world: World, db: Any) -> None:
    change_official(db, world, phone="13900000009", post="党委副书记", supervisor_id=world.a.unit_head.id)


def entries_html(page: str) -> str:
    return page.split('<ul class="list card">')[1].split("</ul>")[0]


def test_it_shows_who_what_and_the_fields_changed_by_name(
    browsers: Browsers, world: World, db: Any, changed: None
) -> None:
    secretary = browsers.open("secretary")
    page = secretary.get(f"{AUDIT}?object_type=person")
    assert page.status_code == 200
    html = entries_html(page.text)
    assert '<bdi class="audit-who">书记甲</bdi> (secretary)' in html  # the person, not "app_user #2"
    assert f'<a href="/towns/alpha/people/{world.a.official.id}"><bdi>镇长乙</bdi></a>' in html
    assert "<dt>Phone</dt><dd><bdi>13800000002</bdi> → <bdi>13900000009</bdi></dd>" in html
    assert "<bdi>副镇长</bdi> → <bdi>党委副书记</bdi>" in html  # Chinese as Chinese
    assert (
        f"<bdi>书记甲 (#{world.a.secretary.id})</bdi> → <bdi>主任丙 (#{world.a.unit_head.id})</bdi>" in html
    )
    assert "\\u" not in page.text and "app_user #" not in page.text
    # in the reader's language
    page = browsers.open("secretary", english=False).get(f"{AUDIT}?object_type=person").text
    html = entries_html(page)
    assert "<dt>上级责任人</dt>" in html and "<dt>Supervisor</dt>" not in html
    # the CSV export of the filtered log: Excel reads it (BOM) and runs nothing in it
    change_official(db, world, name='=HYPERLINK("http://x")')
    answer = secretary.get(f"{EXPORT}?object_type=person&object_id={world.a.official.id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="audit-alpha-')
    assert answer.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["Time", "Done by", "Login name", "Event"]
    assert len(table) == 4  # the header, the two changes of the official (newest first), its creation
    renamed, first = table[1], table[2]
    assert table[3][1:5] == ["system", "system", "Created", "Person"]
    assert renamed[1:4] == ["书记甲", "secretary", "Changed"]
    assert renamed[6] == '\'=HYPERLINK("http://x")'  # the object's name, made harmless
    assert "Name: 镇长乙 → =HYPERLINK" in renamed[7]
    assert "Phone: 13800000002 → 13900000009" in first[7]


REFUSED_FILTERS = [
    ("since=2026-02-01&until=2026-01-01", "until", "The end date is before the start date"),
    ("object_type=person&object_id=abc", "object_id", "A number, such as 12"),
    ("object_id=12", "object_id", "Choose the kind of object too"),
    ("object_type=no_such_thing", "object_type", "Choose a kind of object from the list"),
    ("person=x", "person", "Choose a person from the list"),
    ("person=999999", "person", "No one of this town with an account has this number"),
]


def test_it_refuses_a_filter_with_a_message_beside_its_field_and_pages_the_log(
    browsers: Browsers, world: World, db: Any
) -> None:
    secretary = browsers.open("secretary")
    for query, field, message in REFUSED_FILTERS:
        for path in (AUDIT, EXPORT):
            page = secretary.get(f"{path}?{query}")
            assert page.status_code == 400, (path, query)
            assert f'<span class="field-error" id="{field}-error">{message}</span>' in page.text, (
                path,
                query,
            )
    # paging
    add_entries(db, world, 55)
    first = secretary.get(f"{AUDIT}?who=clerk").text
    assert "Page 1 of 2" in first and entries_html(first).count('class="list-row audit-row"') == 50
    second = secretary.get(f"{AUDIT}?who=clerk&page=2").text
    assert entries_html(second).count('class="list-row audit-row"') == 5


def test_it_writes_one_entry_per_sign_in_and_filters_by_person_and_by_object(
    browsers: Browsers, world: World, db: Any, changed: None
) -> None:
    secretary = browsers.open("secretary")
    browsers.open("cadre")
    cadre = str(world.users["cadre"])
    about_cadre = [e.action for e in audit(db) if e.object_type == "app_user" and e.object_id == cadre]
    assert about_cadre.count("login") == 1
    assert "update" not in about_cadre  # the account's last sign-in time is no entry of its own
    by_secretary = entries_html(secretary.get(f"{AUDIT}?person={world.a.secretary.id}").text)
    assert "镇长乙" in by_secretary and "干部丁" not in by_secretary
    by_cadre = entries_html(secretary.get(f"{AUDIT}?person={world.a.cadre.id}").text)
    assert "干部丁" in by_cadre and "13900000009" not in by_cadre
    about_official = secretary.get(f"{AUDIT}?object_type=person&object_id={world.a.official.id}").text
    assert "13900000009" in entries_html(about_official)
    about_other = secretary.get(f"{AUDIT}?object_type=person&object_id={world.a.cadre.id}").text
    assert "13900000009" not in entries_html(about_other)


def add_entries(db: Any, world: World, n: int) -> None:
    """`n` entries by a clerk about the town's people, places, units and the accounts, a minute apart."""
    kinds = [("person", p.id) for p in (world.a.official, world.a.cadre, world.a.unit_head)]
    kinds += [("place", v.id) for v in world.a.villages] + [
        ("unit", world.a.unit.id),
        ("town", world.a.town.id),
    ]
    kinds += [("app_user", world.users["cadre"])]
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

    async def go(session: Any) -> None:
        for i in range(n):
            kind, object_id = kinds[i % len(kinds)]
            session.add(AuditEntry(
                at=start + dt.timedelta(minutes=i), town_id=world.a.town.id, actor="clerk",
                actor_user_id=world.users["official" if i % 2 else "cadre"], action="update", object_type=kind,
                object_id=str(object_id),
                changes={"before": {"supervisor_id": world.a.official.id}, "after": {"unit_id": world.a.unit.id}},
            ))  # fmt: skip

    db(go)




def test_it_finds_every_name_in_a_fixed_number_of_queries(world: World, db: Any, db_url: str) -> None:
    add_entries(db, world, 60)

    async def statements_for(n: int) -> tuple[int, list[str]]:
        async with open_session(db_url) as session:
            town = await session.get(Town, world.a.town.id)
            entries = (
                await session.scalars(select(AuditEntry).where(AuditEntry.actor == "clerk").limit(n))
            ).all()
            with counted() as statements:
                shown = await readable_entries(session, town, entries)
            return len(statements), [r.who for r in shown]

    from tests.support.databases import run

    few, few_who = run(statements_for(11))  # one entry of each kind
    many, many_who = run(statements_for(60))
    assert few == many <= 6, (few, many)  # accounts, people, places, units, the town needs none
    assert set(many_who) == {"镇长乙", "干部丁"}
    assert rows(db, select(AuditEntry.id).where(AuditEntry.actor == "clerk"))
