"""The roster pages in Chinese (default) and English, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from tests.support.factories import START, build_small_town
from tests.support.personas import csrf_token
from tracker.db.models.roster import ContactAssignment

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def client(admin_client):
    """These tests are about what the pages show, not access: signed in as an administrator."""
    return admin_client


def end_link(db, person_id: int, place_id: int, on: dt.date) -> None:
    """End a contact assignment the way a roster change does: set its valid_to."""

    async def end(session) -> None:
        await session.execute(
            update(ContactAssignment)
            .where(ContactAssignment.person_id == person_id, ContactAssignment.place_id == place_id)
            .values(valid_to=on)
        )

    db(end)


def test_it_shows_the_town_with_its_three_tiers_and_leading_group_in_chinese(client, db) -> None:
    built = db(build_small_town)
    page = client.get(f"/towns/{built.town.code}")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="zh-CN">' in html
    assert "责任制台账" in html and "阿尔法镇" in html
    for heading in ("意识形态工作领导小组", "科级干部", "部门、站所、社区负责人", "包村干部"):
        assert heading in html
    assert "组长" in html and "成员" in html
    assert "Leader" not in html and "Member" not in html
    assert "书记甲" in html and "宣传办主任" in html and "宣传办" in html
    assert f'href="/towns/alpha/places/{built.villages[1].id}"' in html
    assert f'href="/towns/alpha/people/{built.cadre.id}"' in html
    assert "12,000" in html
    assert "<details" in html and "东村" in html and "红星砖厂" in html


@pytest.mark.parametrize("headers", [ENGLISH, {"Accept-Language": "zh-CN"}])
def test_it_shows_the_town_in_english_when_asked(client, db, headers) -> None:
    built = db(build_small_town)
    if headers.get("Accept-Language") == "zh-CN":
        client.cookies.set("tracker_lang", "en")  # the chosen language beats Accept-Language
    html = client.get(f"/towns/{built.town.code}", headers=headers).text
    assert '<html lang="en">' in html
    for heading in (
        "Ideology work leading group",
        "Section-level officials",
        "Heads of departments, stations and communities",
        "Village-contact cadres",
        "Group leader",
        "Group member",
    ):
        assert heading in html
    assert "科级干部" not in html


def test_it_shows_a_persons_contact_points_chain_reports_and_history(client, db) -> None:
    built = db(build_small_town)
    end_link(db, built.official.id, built.villages[2].id, dt.date(2026, 2, 1))
    html = client.get(f"/towns/alpha/people/{built.official.id}").text
    current, _sep, after = html.partition("上级（直接上级在前）")
    assert "东村2组" in current and "自2026年1月1日起" in current
    assert "东村3组" not in current
    chain, _sep, rest = after.partition("的下级")
    assert "书记甲" in chain and "党委书记" in chain
    reports, _sep, history = rest.partition("历史记录")
    assert "主任丙" in reports and "干部丁" in reports
    assert "东村3组" in history and "2026年1月1日 至 2026年2月1日" in history
    assert 'href="tel:13800000002"' in html and "成员" in html and "副镇长" in html

    english = client.get(f"/towns/alpha/people/{built.official.id}", headers=ENGLISH).text
    assert "since Jan 1, 2026" in english and "Jan 1, 2026 – Feb 1, 2026" in english


def test_it_shows_a_chain_nearest_first(client, db) -> None:
    built = db(build_small_town)
    html = client.get(f"/towns/alpha/people/{built.cadre.id}").text
    chain = html.partition("上级（直接上级在前）")[2].partition("历史记录")[0]
    assert 0 <= chain.index("镇长乙") < chain.index("书记甲")


def test_it_shows_who_holds_a_place(client, db) -> None:
    built = db(build_small_town)
    html = client.get(f"/towns/alpha/places/{built.villages[1].id}").text
    held = html.partition("当前联系人")[2].partition("历史记录")[0]
    assert "镇长乙" in held and "干部丁" in held
    assert "联系点" in held and "包村" in held and "自2026年1月1日起" in held
    assert "自然村" in html and "东村" in html  # kind and parent administrative village
    assert "34.02000, 108.00000" in html


def test_it_lists_the_natural_villages_of_an_administrative_village(client, db) -> None:
    built = db(build_small_town)
    html = client.get(f"/towns/alpha/places/{built.admin_village.id}").text
    assert "行政村" in html
    for village in built.villages:
        assert f'href="/towns/alpha/places/{village.id}"' in html
    assert "目前无人联系此处。" in html


def test_it_answers_404_for_a_person_of_another_town(client, db) -> None:
    db(build_small_town)
    other = db(lambda s: build_small_town(s, code="beta", name="贝塔镇"))
    assert client.get(f"/towns/beta/people/{other.official.id}").status_code == 200
    page = client.get(f"/towns/alpha/people/{other.official.id}")
    assert page.status_code == 404
    assert "镇长乙" not in page.text
    assert client.get(f"/towns/alpha/places/{other.enterprise.id}").status_code == 404


@pytest.mark.parametrize(
    ("headers", "lang", "message"),
    [({}, "zh-CN", "没有代码为 nowhere 的乡镇"), (ENGLISH, "en", "No town with code nowhere")],
)
def test_it_answers_an_unknown_town_with_a_404_page_in_the_users_language(client, db, headers, lang, message) -> None:
    page = client.get("/towns/nowhere", headers=headers)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page.text
    assert message in page.text
    assert "Accept-Language" in page.headers["vary"]


def test_it_answers_htmx_with_the_error_fragment_alone(client, db) -> None:
    page = client.get("/towns/nowhere", headers={"HX-Request": "true"})
    assert page.status_code == 404
    assert "<html" not in page.text and "没有代码为 nowhere 的乡镇" in page.text


def test_it_lists_the_towns_of_a_county_and_redirects_when_there_is_one(client, db) -> None:
    db(build_small_town)
    single = client.get("/", follow_redirects=False)
    assert single.status_code in (302, 303) and single.headers["location"] == "/towns/alpha"
    db(lambda s: build_small_town(s, code="beta", name="贝塔镇"))
    html = client.get("/").text
    assert "阿尔法镇" in html and "贝塔镇" in html and 'href="/towns/beta"' in html


def test_it_remembers_the_chosen_language_and_goes_back(client, db) -> None:
    built = db(build_small_town)
    answer = client.post("/language", data={"_csrf_token": csrf_token(client), "locale": "en", "next": f"/towns/alpha/people/{built.cadre.id}"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/towns/alpha/people/{built.cadre.id}"
    cookie = answer.headers["set-cookie"]
    assert "tracker_lang=en" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert '<html lang="en">' in client.get("/towns/alpha").text  # the client keeps the cookie
    client.post("/language", data={"_csrf_token": csrf_token(client), "locale": "zh_CN", "next": "/"}, follow_redirects=False)
    assert '<html lang="zh-CN">' in client.get("/towns/alpha").text


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", "", "javascript:alert(1)"]
)
def test_it_redirects_only_to_local_paths(client, target) -> None:
    answer = client.post("/language", data={"_csrf_token": csrf_token(client), "locale": "en", "next": target}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


def test_it_ignores_an_unknown_language(client) -> None:
    answer = client.post("/language", data={"_csrf_token": csrf_token(client), "locale": "fr", "next": "/towns/x"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/towns/x"
    assert "tracker_lang" not in answer.headers.get("set-cookie", "")


def test_it_uses_the_local_calendar_for_dates_in_english_too(client, db) -> None:
    built = db(build_small_town)
    html = client.get(f"/towns/alpha/places/{built.enterprise.id}", headers=ENGLISH).text
    assert "Enterprise" in html and "Contact point" in html
    assert f"since {START:%b} {START.day}, {START.year}" in html


def test_it_flags_an_official_with_too_few_contact_points(client, db) -> None:
    built = db(build_small_town)
    assert "contact point, expected" not in client.get("/towns/alpha", headers=ENGLISH).text
    end_link(db, built.official.id, built.villages[2].id, dt.date(2026, 2, 1))
    assert "1 contact point, expected 2–4" in client.get("/towns/alpha", headers=ENGLISH).text
    assert "联系点 1 个，应为 2–4 个" in client.get("/towns/alpha").text
