"""The yearly review's pages: the town's review (figures, charts, scorecards with filters and links,
"to date" / finalised / no data), its downloads, the score weights form and the county comparison;
on SQLite and PostgreSQL.

The town "rv" of tests/support/review_fixture.py (2025, worked out by hand there) beside the
personas' towns "alpha" (the secretary, official, cadre, viewer) and "beta".
"""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
from docx import Document
from sqlalchemy import select

from tests.support.personas import build_world, form_post, sign_in
from tests.support.review_fixture import AFTER_YEAR, YEAR, build_review_town
from tests.support.work_pages import ENGLISH, HTMX
from tracker.db.models.review import FinalisedYear, ScoreWeights
from tracker.db.models.roster import Town
from tracker.domain.review.service import ReviewService

SVG = re.compile(r'<svg [^>]*role="img"[^>]*aria-label="([^"]+)"')


async def _towns(session):
    world = await build_world(session)
    fixture = await build_review_town(session)
    return world, fixture


def _cells(html: str, person_id: int) -> list[str]:
    row = re.search(rf'<tr data-person="{person_id}"[^>]*>(.*?)</tr>', html, re.DOTALL)
    assert row, f"no scorecard row for person {person_id}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.DOTALL)
    ]


def test_it_shows_the_figures_charts_and_scorecards_of_a_year_that_is_over(client, db) -> None:
    _world, fx = db(_towns)
    sign_in(client, "admin")
    page = client.get(f"/towns/rv/review?year={YEAR}", headers=ENGLISH)
    assert page.status_code == 200, page.text
    html = page.text
    assert "Yearly review 2025" in html and 'data-state="over"' in html and "The whole year, up to" in html
    # figures (review_fixture's hand-worked numbers), each linking to the board filtered to its kind and year
    assert '<a class="figure-number" href="/towns/rv/board?kind=visit&amp;year=2025">46</a>' in html
    assert '<a class="figure-number" href="/towns/rv/board?kind=lecture&amp;year=2025">6</a>' in html
    assert '<a class="figure-number" href="/towns/rv/board?kind=study&amp;year=2025">12</a>' in html
    assert '<a class="figure-number" href="/towns/rv/board?kind=meeting&amp;year=2025">2</a>' in html
    assert "Jun 25, 2025" in html and "Nov 29, 2025" in html
    assert "coverage 93.75%" in html or "coverage 94%" in html  # 45 of 48 cells
    # the three charts, drawn on the server, named for screen readers
    assert SVG.findall(html) == [
        "Visits per month by tier",
        "Tasks by month and light",
        "Visit coverage by person",
    ]
    assert "<script" not in html.split("</head>")[1]
    # scorecards: every person, each count linking to the tasks behind it
    s2 = fx.people["S2"].id
    cells = _cells(html, s2)
    assert cells[1] == "镇长乙"
    assert f'href="/towns/rv/people/{s2}/year?year=2025"' in html
    for measure in ("due", "done", "on_time", "late", "overdue", "excused", "visit_cells", "study", "meetings"):
        assert f'href="/towns/rv/people/{s2}/work?year=2025&amp;measure={measure}"' in html, measure
    assert "/api/v1/" not in html.split("</head>")[1]
    assert all(f'data-person="{p.id}"' in html for p in fx.people.values())
    # the summaries by tier link to the board of that tier
    assert 'href="/towns/rv/board?tier=village_cadre&amp;year=2025"' in html


def test_it_follows_a_scorecard_link_to_exactly_the_tasks_it_counts(client, db) -> None:
    _world, fx = db(_towns)
    sign_in(client, "admin")
    html = client.get(f"/towns/rv/review?year={YEAR}", headers=ENGLISH).text
    s1 = fx.people["S1"].id
    row = re.search(rf'<tr data-person="{s1}"[^>]*>(.*?)</tr>', html, re.DOTALL).group(1)
    links = re.findall(r'<a href="(/towns/rv/people/\d+/work\?[^"]+)">([^<]+)</a>', row)
    assert len(links) == 9
    for href, shown in links:
        page = client.get(href.replace("&amp;", "&"), headers=ENGLISH)
        assert page.status_code == 200, (href, page.text)
        number = re.search(r'<span class="figure-number">(\d+)</span>', page.text).group(1)
        # "22/24" for coverage (the list is the cells), "12/12" for attendance (the number is those attended)
        expected = shown.split("/")[1] if "visit_cells" in href else shown.split("/")[0]
        assert number == expected, (href, shown, number)
        if "study" not in href and "meetings" not in href:
            assert page.text.count('<a class="task-row"') == int(number), href


def test_it_filters_the_scorecards_by_tier_and_unit_and_htmx_gets_the_table_alone(client, db) -> None:
    _world, fx = db(_towns)
    sign_in(client, "admin")
    cadres = client.get(f"/towns/rv/review?year={YEAR}&tier=village_cadre", headers=HTMX)
    assert cadres.status_code == 200
    assert cadres.text.lstrip().startswith('<div id="scorecards"') and "<html" not in cadres.text
    shown = set(re.findall(r'data-person="(\d+)"', cadres.text))
    assert shown == {str(fx.people["C1"].id), str(fx.people["C2"].id)}
    unit = fx.units[next(iter(fx.units))]
    by_unit = client.get(f"/towns/rv/review?year={YEAR}&unit={unit.code}", headers=ENGLISH).text
    members = [p for p in fx.people.values() if p.unit_id == unit.id]
    assert set(re.findall(r'<tr data-person="(\d+)"', by_unit)) == {str(p.id) for p in members}
    assert f'<option value="{unit.code}" selected>' in by_unit
    nobody = client.get(f"/towns/rv/review?year={YEAR}&tier=unit_head&unit=no-such-unit", headers=HTMX)
    assert nobody.status_code == 200  # an unknown unit filters nothing


def test_it_says_to_date_and_no_data_for_the_secretarys_empty_current_year(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary")
    page = client.get("/towns/alpha/review", headers=ENGLISH)
    assert page.status_code == 200
    assert 'data-state="to-date"' in page.text and "To date (as of" in page.text
    assert "No data for this year" in page.text and "data-chart=" not in page.text
    assert 'href="/towns/alpha/review/weights"' in page.text
    past = client.get("/towns/alpha/review?year=2020", headers=ENGLISH)
    assert (
        past.status_code == 200 and "No data for this year" in past.text and 'data-state="over"' in past.text
    )


def test_it_refuses_a_year_that_is_not_one_with_a_message(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary")
    for year in ("abc", "1999", "2101", "-1", "20 26", "²", "99999999999999999999"):
        for path in (
            "/towns/alpha/review",
            "/towns/alpha/review/export.docx",
            "/towns/alpha/review/export.xlsx",
        ):
            response = client.get(path, params={"year": year}, headers=ENGLISH)
            assert response.status_code == 400, (path, year, response.status_code)
            message = re.search(r'<h1 class="error-message">([^<]+)</h1>', response.text)
            assert message, (path, year)
            if year not in ("²", "99999999999999999999"):  # the app's number check at the door answers those
                assert message.group(1) == "Choose a year from 2000 to 2100"
    sign_in(client, "admin")
    assert client.get("/county/review", params={"year": "1999"}, headers=ENGLISH).status_code == 400


def test_it_downloads_the_draft_and_the_tables_with_chinese_file_names(client, db) -> None:
    db(_towns)
    sign_in(client, "admin")
    draft = client.get(f"/towns/rv/review/export.docx?year={YEAR}", headers={"Accept-Language": "zh-CN"})
    assert draft.status_code == 200
    assert draft.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    disposition = draft.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"review-rv-2025.docx\"; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == "2025年评议镇意识形态工作报告.docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(draft.content)).paragraphs)
    assert "一、" in text and "四、" in text
    tables = client.get(f"/towns/rv/review/export.xlsx?year={YEAR}", headers={"Accept-Language": "zh-CN"})
    assert tables.status_code == 200
    assert (
        unquote(tables.headers["content-disposition"].split("''", 1)[1])
        == "2025年评议镇意识形态工作统计表.xlsx"
    )
    book = openpyxl.load_workbook(io.BytesIO(tables.content))
    assert len(book.sheetnames) >= 4
    empty = client.get("/towns/alpha/review/export.xlsx?year=2020")  # a year with no data: still a valid file
    assert empty.status_code == 200 and openpyxl.load_workbook(io.BytesIO(empty.content)).sheetnames


def test_it_lets_the_secretary_set_the_weights_with_field_messages(client, db, db_url) -> None:
    db(build_world)
    sign_in(client, "secretary")
    form = client.get("/towns/alpha/review/weights", headers=ENGLISH)
    assert form.status_code == 200
    assert 'name="on_time" value="40"' in form.text and "Default: 25" in form.text
    bad = form_post(client, "/towns/alpha/review/weights",
                    {"on_time": "50", "done": "x", "coverage": "25", "study": "10", "meetings": "5"}, headers=ENGLISH)  # fmt: skip
    assert bad.status_code == 400
    assert 'id="w-done-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'name="done" value="x"' in bad.text  # what was typed is kept
    off = form_post(client, "/towns/alpha/review/weights",
                    {"on_time": "50", "done": "20", "coverage": "25", "study": "10", "meetings": "5"}, headers=ENGLISH)  # fmt: skip
    assert off.status_code == 400 and 'class="field-error"' in off.text

    async def stored(session):
        return (await session.scalars(select(ScoreWeights))).all()

    assert db(stored) == []  # nothing saved
    good = form_post(client, "/towns/alpha/review/weights",
                     {"on_time": "30", "done": "30", "coverage": "20", "study": "10", "meetings": "10"})  # fmt: skip
    assert good.status_code == 303 and good.headers["location"] == "/towns/alpha/review/weights?saved=1"
    assert [row.weights for row in db(stored)] == [
        {"on_time": 30, "done": 30, "coverage": 20, "study": 10, "meetings": 10}
    ]
    again = client.get("/towns/alpha/review/weights?saved=1", headers=ENGLISH).text
    assert "The score weights are saved." in again and 'name="on_time" value="30"' in again
    assert "Done on time 30%, Tasks done 30%" in client.get("/towns/alpha/review", headers=ENGLISH).text


def test_it_keeps_the_weights_to_the_secretary_and_the_review_from_members(client, db) -> None:
    db(build_world)
    sign_in(client, "official")
    assert client.get("/towns/alpha/review").status_code == 200
    assert client.get("/towns/alpha/review/weights").status_code == 403
    sign_in(client, "cadre")
    assert client.get("/towns/alpha/review").status_code == 403
    assert client.get("/towns/alpha/review/export.docx").status_code == 403
    sign_in(client, "secretary_b")
    assert client.get("/towns/alpha/review").status_code == 404
    assert client.get("/towns/alpha/review/weights").status_code == 404


def test_it_says_finalised_and_shows_the_snapshot_of_a_finalised_year(client, db) -> None:
    db(_towns)

    async def finalise(session):
        # the snapshot as finalising stores it (review/finalise.py), written here directly
        town = (await session.scalars(select(Town).where(Town.code == "rv"))).one()
        data = await ReviewService(session, None).review(town, YEAR, AFTER_YEAR)
        session.add(FinalisedYear(town_id=town.id, year=YEAR, finalised_at=AFTER_YEAR, snapshot=data.to_json(),
                                  created_at=AFTER_YEAR, updated_at=AFTER_YEAR))  # fmt: skip

    db(finalise)
    sign_in(client, "admin")
    html = client.get(f"/towns/rv/review?year={YEAR}", headers=ENGLISH).text
    assert 'data-state="final"' in html and "Finalised on Mar 1, 2026" in html
    assert '<a class="figure-number" href="/towns/rv/board?kind=visit&amp;year=2025">46</a>' in html
    assert "Finalise this year" not in html


def test_it_compares_the_towns_a_county_viewer_reads_sortable_by_column(client, db) -> None:
    db(_towns)
    sign_in(client, "viewer")
    page = client.get(f"/county/review?year={YEAR}", headers=ENGLISH)
    assert page.status_code == 200
    assert re.findall(r'<tr data-town="(\w+)"', page.text) == ["alpha"]  # the viewer reads town A only
    sign_in(client, "admin")
    page = client.get(f"/county/review?year={YEAR}&sort=visits&dir=desc", headers=ENGLISH)
    order = re.findall(r'<tr data-town="(\w+)"', page.text)
    assert order[0] == "rv" and set(order) == {"alpha", "beta", "rv", "ot"}
    assert f'<a href="/towns/rv/review?year={YEAR}">评议镇</a>' in page.text
    assert 'aria-sort="descending"' in page.text
    assert (
        f'href="/county/review?year={YEAR}&amp;sort=visits&amp;dir=asc"' in page.text
    )  # the same column flips
    assert f'href="/county/review?year={YEAR}&amp;sort=lectures&amp;dir=desc"' in page.text
    by_name = re.findall(
        r'<tr data-town="(\w+)"', client.get(f"/county/review?year={YEAR}&sort=nonsense").text
    )
    assert by_name == sorted(
        by_name,
        key=lambda code: {"alpha": "阿尔法镇", "beta": "贝塔镇", "rv": "评议镇", "ot": "另一镇"}[code],
    )
    sheet = client.get(f"/county/review/export.xlsx?year={YEAR}", headers=ENGLISH)
    assert sheet.status_code == 200 and "filename*=UTF-8''" in sheet.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Town", "Lectures", "Visits")
    rv = next(row for row in rows if row[0] == "评议镇")
    assert rv[2] == 46 and rv[3] == 45 / 48


def test_it_keeps_the_county_page_to_viewers_and_admins(client, db) -> None:
    db(build_world)
    for login in ("secretary", "official", "cadre"):
        sign_in(client, login)
        assert client.get("/county/review").status_code == 403
        assert client.get("/county/review/export.xlsx").status_code == 403
