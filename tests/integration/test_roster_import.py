"""`tracker import roster` against SQLite and PostgreSQL: counts, nothing written on a bad file or a
dry run, a second run changes nothing, .xlsx like .csv, reassignment keeps history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook
from sqlalchemy import func, select, text

from tests.support.databases import run
from tracker.cli.roster_import import import_group
from tracker.db.base import metadata
from tracker.db.models.roster import ContactAssignment, ContactLink, Person, Place, Town, Unit
from tracker.db.session import open_session
from tracker.domain.roster.importing.run import RosterImporter
from tracker.paths import seeds_dir

SAMPLE = seeds_dir() / "roster-sample.csv"
DAY_ONE, DAY_TWO = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def invoke(db_url: str, data_dir: Path, *args: str) -> Result:
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(data_dir), "TRACKER_DEFAULT_LOCALE": "en"}
    return CliRunner().invoke(import_group, ["roster", *args], env=env, catch_exceptions=False)


def snapshot(db_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, ordered by id: compare two snapshots to prove nothing changed."""

    async def go() -> dict[str, list[dict[str, Any]]]:
        async with open_session(db_url) as session:
            result = {}
            for table in metadata.sorted_tables:
                if "id" in table.c:
                    rows = await session.execute(select(table).order_by(table.c.id))
                    result[table.name] = [dict(row._mapping) for row in rows]
            return result

    return run(go())


def counts(db_url: str) -> dict[str, int]:
    async def go() -> dict[str, int]:
        async with open_session(db_url) as session:
            return {
                model.__tablename__: await session.scalar(select(func.count()).select_from(model))
                for model in (Town, Unit, Place, Person, ContactAssignment)
            }

    return run(go())


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding=encoding)
    return path


def sample_rows() -> list[list[str]]:
    return [line.split(",") for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_it_imports_the_sample_file(db_url: str, tmp_path: Path) -> None:
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample")
    assert result.exit_code == 0, result.output
    assert "people: 4 created, 0 updated, 0 unchanged" in result.stdout
    assert "contact links: 6 added, 0 ended" in result.stdout
    assert counts(db_url) == {"town": 1, "unit": 2, "place": 6, "person": 4, "contact_assignment": 6}

    async def check() -> None:
        async with open_session(db_url) as session:
            town = await session.scalar(select(Town))
            assert (town.code, town.name, town.population, town.timezone) == (
                "sample",
                "样例镇",
                15000,
                "Asia/Shanghai",
            )
            people = {p.code: p for p in await session.scalars(select(Person))}
            places = {p.code: p for p in await session.scalars(select(Place))}
            units = {u.code: u for u in await session.scalars(select(Unit))}
            assert people["P02"].supervisor_id == people["P01"].id
            assert people["P03"].unit_id == units["U02"].id
            assert people["P04"].phone == "138-0000-0004"
            assert places["NV03"].parent_id == places["AV01"].id
            assert places["NV01"].latitude == pytest.approx(34.2112)
            links = {
                (a.person_id, a.place_id): a.link for a in await session.scalars(select(ContactAssignment))
            }
            assert links[(people["P02"].id, places["NV03"].id)] is ContactLink.CONTACT_POINT
            assert links[(people["P04"].id, places["NV03"].id)] is ContactLink.VILLAGE

    run(check())


def test_it_changes_nothing_on_a_second_run(db_url: str, tmp_path: Path) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0
    before = snapshot(db_url)
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample")
    assert result.exit_code == 0, result.output
    assert "places: 0 created, 0 updated, 6 unchanged" in result.stdout
    assert "contact links: 0 added, 0 ended" in result.stdout
    assert snapshot(db_url) == before  # every column, updated_at included


def test_it_writes_nothing_when_any_row_is_bad(db_url: str, tmp_path: Path) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0
    before = snapshot(db_url)
    rows = sample_rows()
    rows[1][2] = "新名字镇"  # a good change to the town row...
    rows.append(["unit", "U03", "综治办", "department", *[""] * 11])  # ...a good new unit...
    rows.append(
        ["person", "P05", "钱七", "", "", "boss", "", "", "P09", "", "", "", "", "NV01", ""]
    )  # ...a bad row
    result = invoke(db_url, tmp_path, str(write_csv(tmp_path / "bad.csv", rows)), "--town", "sample")
    assert result.exit_code == 1
    assert "Nothing was written; problems found in the roster: 2" in result.stderr
    assert "row 16, column tier: unknown tier 'boss'" in result.stderr
    assert "row 16, column supervisor: unknown person 'P09'" in result.stderr
    assert snapshot(db_url) == before


def test_it_creates_nothing_for_a_missing_town(db_url: str, tmp_path: Path) -> None:
    rows = [sample_rows()[0], ["unit", "U01", "党政办", "department", *[""] * 11]]
    result = invoke(db_url, tmp_path, str(write_csv(tmp_path / "units.csv", rows)), "--town", "sample")
    assert result.exit_code == 1
    assert "Town 'sample' does not exist; add a town row to create it" in result.stderr
    assert counts(db_url) == dict.fromkeys(("town", "unit", "place", "person", "contact_assignment"), 0)


def test_it_writes_nothing_on_a_dry_run(db_url: str, tmp_path: Path) -> None:
    result = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "create person P01 张红梅" in result.stdout
    assert "Dry run for sample: nothing was written." in result.stdout
    assert "people: 4 created" in result.stdout
    assert counts(db_url) == dict.fromkeys(("town", "unit", "place", "person", "contact_assignment"), 0)

    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0
    before = snapshot(db_url)
    rows = sample_rows()
    rows[11][13] = "NV02;NV04"  # P02 drops NV03, takes NV04
    result = invoke(
        db_url, tmp_path, str(write_csv(tmp_path / "move.csv", rows)), "--town", "sample", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "P02 李国强: end links to NV03" in result.stdout
    assert "P02 李国强: add links to NV04" in result.stdout
    assert snapshot(db_url) == before


def as_spreadsheet_value(cell: str) -> object:
    if cell.isdigit():
        return int(cell)
    if cell.replace(".", "", 1).isdigit():
        return float(cell)
    return cell or None


def test_it_reads_xlsx_like_csv(db_url: str, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in sample_rows():  # numbers as a spreadsheet holds them: numeric phone, coordinates, population
        sheet.append([as_spreadsheet_value(cell) for cell in row])
    workbook.save(tmp_path / "roster.xlsx")
    result = invoke(db_url, tmp_path, str(tmp_path / "roster.xlsx"), "--town", "sample")
    assert result.exit_code == 0, result.output
    assert counts(db_url) == {"town": 1, "unit": 2, "place": 6, "person": 4, "contact_assignment": 6}
    before = snapshot(db_url)
    again = invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample")  # the same roster as csv: no change
    assert "people: 0 created, 0 updated, 4 unchanged" in again.stdout
    assert snapshot(db_url) == before


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", True), ("gb18030", False)])
def test_it_reads_csv_as_excel_saves_it(db_url: str, tmp_path: Path, encoding: str, bom: bool) -> None:
    data = SAMPLE.read_text(encoding="utf-8").encode(encoding)
    path = tmp_path / "excel.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.replace(b"\n", b"\r\n"))
    result = invoke(db_url, tmp_path, str(path), "--town", "sample")
    assert result.exit_code == 0, result.output
    assert counts(db_url)["person"] == 4

    async def names() -> set[str]:
        async with open_session(db_url) as session:
            return set(await session.scalars(select(Person.name)))

    assert run(names()) == {"张红梅", "李国强", "王小燕", "赵建军"}


def test_it_refuses_a_file_of_another_type(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "roster.txt"
    path.write_text("record,code\n", encoding="utf-8")
    result = invoke(db_url, tmp_path, str(path), "--town", "sample")
    assert result.exit_code == 1
    assert "Unsupported file type '.txt'" in result.stderr


def test_it_keeps_history_when_a_second_file_reassigns(db_url: str, tmp_path: Path, db: Any) -> None:
    db(lambda session: RosterImporter(session).import_file(SAMPLE, "sample", today=DAY_ONE))
    rows = sample_rows()
    rows[11][13] = "NV02;NV04"  # P02 (official) keeps NV02, drops NV03, takes NV04
    rows[13][13] = "NV01"  # P04 (cadre) moves from NV03、NV04 to NV01
    rows[12][5:6] = ["section_official"]  # P03 becomes an official...
    rows[12][13] = "NV03;EN01"  # ...with two contact points
    second = write_csv(tmp_path / "second.csv", rows)
    report = db(lambda session: RosterImporter(session).import_file(second, "sample", today=DAY_TWO))
    assert (report.links_added, report.links_ended) == (4, 3)
    assert report.counts("person").updated == 3

    async def links() -> set[tuple[str, str, str, dt.date, dt.date | None]]:
        async with open_session(db_url) as session:
            query = (
                select(Person.code, Place.code, ContactAssignment.link, ContactAssignment.valid_from,
                       ContactAssignment.valid_to)
                .join(Person, Person.id == ContactAssignment.person_id)
                .join(Place, Place.id == ContactAssignment.place_id)
            )  # fmt: skip
            return {
                (p, pl, link.value, start, end) for p, pl, link, start, end in await session.execute(query)
            }

    assert run(links()) == {
        ("P01", "NV01", "contact_point", DAY_ONE, None),
        ("P01", "EN01", "contact_point", DAY_ONE, None),
        ("P02", "NV02", "contact_point", DAY_ONE, None),
        ("P02", "NV03", "contact_point", DAY_ONE, DAY_TWO),
        ("P02", "NV04", "contact_point", DAY_TWO, None),
        ("P03", "NV03", "contact_point", DAY_TWO, None),
        ("P03", "EN01", "contact_point", DAY_TWO, None),
        ("P04", "NV03", "village", DAY_ONE, DAY_TWO),
        ("P04", "NV04", "village", DAY_ONE, DAY_TWO),
        ("P04", "NV01", "village", DAY_TWO, None),
    }
    # the same second file again, later: nothing more changes
    again = db(
        lambda session: RosterImporter(session).import_file(
            second, "sample", today=DAY_TWO + dt.timedelta(days=3)
        )
    )
    assert not again.changed_anything


def test_it_leaves_people_not_in_the_file_alone(db_url: str, tmp_path: Path) -> None:
    assert invoke(db_url, tmp_path, str(SAMPLE), "--town", "sample").exit_code == 0
    header = sample_rows()[0]
    rows = [
        header,
        [
            "person",
            "P05",
            "孙八",
            "",
            "",
            "village_cadre",
            "包村干部",
            "U01",
            "P02",
            "",
            "",
            "",
            "",
            "NV02",
            "",
        ],
    ]
    result = invoke(db_url, tmp_path, str(write_csv(tmp_path / "one.csv", rows)), "--town", "sample")
    assert result.exit_code == 0, result.output
    assert counts(db_url) == {"town": 1, "unit": 2, "place": 6, "person": 5, "contact_assignment": 7}

    async def active() -> int:
        async with open_session(db_url) as session:
            return await session.scalar(text("SELECT count(*) FROM person WHERE active"))

    assert run(active()) == 5


def test_it_skips_a_title_row_above_the_header_and_says_so(db_url: str, tmp_path: Path) -> None:
    title = ["样例镇意识形态工作责任制名册（2026年）"] + [""] * (len(sample_rows()[0]) - 1)
    path = write_csv(tmp_path / "titled.csv", [title, *sample_rows()], encoding="gb18030")
    result = invoke(db_url, tmp_path, str(path), "--town", "sample")
    assert result.exit_code == 0, result.output
    assert "Skipped 1 row above the header (row 2)" in result.stdout
    assert counts(db_url)["person"] == 4
