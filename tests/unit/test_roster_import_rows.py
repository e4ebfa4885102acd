"""Roster import without a database: reading cells, each kind of bad row and its message, good rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.roster.importing.checks import ExistingPerson, ExistingRoster, validate_roster
from tracker.domain.roster.importing.columns import REQUIRED_COLUMNS, Problem, column_letter
from tracker.domain.roster.importing.read import RawRow, RawTable, RosterFileError, cell_text, read_csv_bytes
from tracker.i18n import CATALOGS_DIR, use_locale

HEADER = (*REQUIRED_COLUMNS, "population")
TOWN = "t1"

BASE = [
    {"record": "town", "code": TOWN, "name": "一镇", "population": "12000"},
    {"record": "unit", "code": "U1", "name": "宣传办", "kind": "department"},
    {"record": "place", "code": "AV1", "name": "东村", "kind": "administrative_village"},
    {"record": "place", "code": "NV1", "name": "东村一组", "kind": "natural_village", "parent": "AV1"},
    {"record": "place", "code": "NV2", "name": "东村二组", "kind": "natural_village", "parent": "AV1"},
    {"record": "place", "code": "EN1", "name": "砖厂", "kind": "enterprise"},
    {"record": "person", "code": "P1", "name": "甲", "tier": "section_official", "places": "NV1;EN1"},
]
BAD_ROW = len(BASE) + 2  # the row number of a row appended to BASE (header is row 1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_locale("en"):
        yield


def table(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> RawTable:
    return RawTable(
        header=header,
        rows=tuple(RawRow(n, tuple(row.get(c, "") for c in header)) for n, row in enumerate(rows, start=2)),
    )


def problems_of(
    rows: list[dict[str, str]], existing: ExistingRoster | None = None, **kw: object
) -> list[str]:
    _, problems = validate_roster(table(rows, **kw), TOWN, existing or ExistingRoster())  # type: ignore[arg-type]
    return [str(p) for p in problems]


def person(code: str = "P9", **cells: str) -> dict[str, str]:
    return {"record": "person", "code": code, "name": "乙", "tier": "village_cadre", **cells}


BAD_ROWS = [
    ({"record": "boss", "code": "X"}, "column record: unknown record type 'boss'"),
    ({"record": "", "code": "X", "name": "x"}, "column record: this cell must not be empty"),
    (person(tier="boss"), "column tier: unknown tier 'boss'"),
    (person(tier=""), "column tier: this cell must not be empty"),
    (person(name=""), "column name: this cell must not be empty"),
    (person(name="长" * 51), "column name: too long (at most 50 characters)"),
    (person(code="P 9"), "column code: a code cannot contain spaces, commas or the separators ; ； 、"),
    (person(phone="call me"), "column phone: 'call me' is not a phone number"),
    (person(phone="1234"), "column phone: '1234' is not a phone number"),
    (person(leading_group="king"), "column leading_group: unknown leading-group role 'king'"),
    (person(unit="U9"), "column unit: unknown unit 'U9'"),
    (person(supervisor="P8"), "column supervisor: unknown person 'P8'"),
    (person(supervisor="P9"), "column supervisor: a person cannot be their own supervisor"),
    (person(places="NV9"), "column places: unknown place 'NV9'"),
    (person(places="NV1;NV1"), "column places: 乙 lists NV1 more than once"),
    (person(places="NV1、NV1"), "column places: 乙 lists NV1 more than once"),
    (person(tier="section_official", places="NV1"), "column places: 乙 would hold 1 contact points"),
    (person(tier="section_official", places=""), "column places: 乙 would hold 0 contact points"),
    (person(tier="section_official", places="NV1;AV1"), "column places: AV1 is an administrative village"),
    ({"record": "unit", "code": "U2", "name": "站", "kind": "bureau"}, "column kind: unknown kind 'bureau'"),
    ({"record": "unit", "code": "U2", "name": "站"}, "column kind: this cell must not be empty"),
    ({"record": "unit", "code": "U1", "name": "宣传办", "kind": "department"}, "column code: duplicate code U1: already on row 3"),
    ({"record": "place", "code": "P1", "name": "x", "kind": "farm"}, "column kind: unknown kind 'farm'"),
    ({"record": "place", "code": "NV3", "name": "x", "kind": "natural_village"},
     "column parent: a natural village needs the code of its administrative village here"),
    ({"record": "place", "code": "AV2", "name": "x", "kind": "administrative_village", "parent": "AV1"},
     "column parent: an administrative village belongs to no other place; leave this empty"),
    ({"record": "place", "code": "NV3", "name": "x", "kind": "natural_village", "parent": "AV9"},
     "column parent: unknown place 'AV9'"),
    ({"record": "place", "code": "NV3", "name": "x", "kind": "natural_village", "parent": "NV1"},
     "column parent: NV1 is not an administrative village"),
    ({"record": "place", "code": "EN2", "name": "x", "kind": "enterprise", "latitude": "95", "longitude": "108"},
     "column latitude: latitude must be between -90 and 90"),
    ({"record": "place", "code": "EN2", "name": "x", "kind": "enterprise", "latitude": "34", "longitude": "181"},
     "column longitude: longitude must be between -180 and 180"),
    ({"record": "place", "code": "EN2", "name": "x", "kind": "enterprise", "latitude": "north", "longitude": "1"},
     "column latitude: 'north' is not a number"),
    ({"record": "place", "code": "EN2", "name": "x", "kind": "enterprise", "latitude": "34.2"},
     "column longitude: give both latitude and longitude, or neither"),
    ({"record": "town", "code": "t2", "name": "二镇"}, "column code: this town row is for 't2' but --town is 't1'"),
    ({"record": "town", "code": TOWN, "name": "一镇"}, "column code: duplicate code t1: already on row 2"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "expected"), BAD_ROWS, ids=[e.split(":")[1].strip()[:40] for _, e in BAD_ROWS]
)
def test_it_reports_each_kind_of_bad_row(row: dict[str, str], expected: str) -> None:
    problems = problems_of([*BASE, row])
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"row {BAD_ROW}, {expected}")


def test_it_reports_a_bad_population() -> None:
    rows = [{**BASE[0], "population": "many"}, *BASE[1:]]
    assert problems_of(rows) == ["row 2, column population: 'many' is not a whole number"]


def test_it_reports_every_bad_row_not_just_the_first() -> None:
    rows = [*BASE, person("P7", tier="boss"), person("P8", phone="x"), person("P9", unit="U9", phone="x")]
    assert problems_of(rows) == [
        f"row {BAD_ROW}, column tier: unknown tier 'boss'",
        f"row {BAD_ROW + 1}, column phone: 'x' is not a phone number (digits, +, - and spaces; 5 to 20 characters)",
        f"row {BAD_ROW + 2}, column phone: 'x' is not a phone number (digits, +, - and spaces; 5 to 20 characters)",
        f"row {BAD_ROW + 2}, column unit: unknown unit 'U9'",
    ]


def test_it_reports_a_supervisor_loop_on_each_person_in_it() -> None:
    rows = [
        *BASE,
        person("P7", supervisor="P8"),
        person("P8", supervisor="P7"),
        person("P6", supervisor="P7"),
    ]
    assert problems_of(rows) == [
        f"row {BAD_ROW}, column supervisor: the chain of supervisors from P8 leads back to this person",
        f"row {BAD_ROW + 1}, column supervisor: the chain of supervisors from P7 leads back to this person",
    ]


def test_it_finds_a_loop_through_people_already_in_the_database() -> None:
    existing = ExistingRoster(
        town_exists=True,
        people={
            "D1": ExistingPerson("P7", Tier.UNIT_HEAD, True),
            "D2": ExistingPerson(None, Tier.UNIT_HEAD, True),
        },
    )
    problems = problems_of([person("P7", supervisor="D1")], existing)
    assert problems == [
        "row 2, column supervisor: the chain of supervisors from D1 leads back to this person"
    ]
    assert problems_of([person("P7", supervisor="D2")], existing) == []


# Already in the database: P1 is the secretary; P2 reports to P1; P3 and P4 report to P2; P5
# reports to P4. The file gives one person (P9: a newcomer) a supervisor.
CHAIN: dict[str, str | None] = {"P1": None, "P2": "P1", "P3": "P2", "P4": "P2", "P5": "P4"}
LOOP = "row 2, column supervisor: the chain of supervisors from {} leads back to this person"


@pytest.mark.parametrize(
    ("code", "supervisor", "people", "problem"),
    [
        ("P3", "P2", CHAIN, None),  # the present state
        ("P5", "P1", CHAIN, None),  # moved up the chain
        ("P3", "P4", CHAIN, None),  # moved sideways
        ("P3", "", CHAIN, None),  # no supervisor
        ("P9", "P5", CHAIN, None),  # a new person under anyone
        ("P9", "", CHAIN, None),
        ("P2", "P2", CHAIN, "row 2, column supervisor: a person cannot be their own supervisor"),
        ("P1", "P2", CHAIN, LOOP.format("P2")),  # the secretary under a report: P2 -> P1
        ("P1", "P5", CHAIN, LOOP.format("P5")),  # a long loop: P5 -> P4 -> P2 -> P1
        ("P2", "P5", CHAIN, LOOP.format("P5")),
        ("P4", "P3", CHAIN, None),  # a sibling
        ("P1", "P99", CHAIN, "row 2, column supervisor: unknown person 'P99'"),  # the walk ends there
        ("P7", "P6", {"P6": "P8", "P8": "P6"}, None),  # a loop already in the data, above P7, is not P7's
        ("P1", "P2", {"P2": None}, None),
    ],
)
def test_it_finds_loops_in_the_supervisor_chain(
    code: str, supervisor: str, people: dict[str, str | None], problem: str | None
) -> None:
    existing = ExistingRoster(
        town_exists=True, people={c: ExistingPerson(s, Tier.UNIT_HEAD, True) for c, s in people.items()}
    )
    problems = problems_of([person(code, supervisor=supervisor)], existing)
    assert [p for p in problems if "column supervisor" in p] == ([problem] if problem else [])


def test_it_accepts_references_to_rows_already_in_the_database() -> None:
    existing = ExistingRoster(
        town_exists=True,
        contact_points_min=1,
        contact_points_max=1,
        unit_codes=frozenset({"U5"}),
        place_kinds={"AV5": PlaceKind.ADMINISTRATIVE_VILLAGE, "NV5": PlaceKind.NATURAL_VILLAGE},
        people={"B1": ExistingPerson(None, Tier.SECTION_OFFICIAL, True)},
    )
    rows = [
        {"record": "place", "code": "NV6", "name": "x", "kind": "natural_village", "parent": "AV5"},
        person("P1", tier="section_official", unit="U5", supervisor="B1", places="NV5"),
    ]
    assert problems_of(rows, existing) == []
    # the town's own range applies: 2 points are too many here
    assert problems_of([person("P1", tier="section_official", places="NV5;AV5")], existing) == [
        "row 2, column places: 乙 would hold 2 contact points; a section-level official holds 1 to 1",
        "row 2, column places: AV5 is an administrative village; 乙 must link its natural villages instead",
    ]


def test_it_skips_the_contact_point_count_for_an_inactive_official() -> None:
    existing = ExistingRoster(
        town_exists=True, people={"P1": ExistingPerson(None, Tier.SECTION_OFFICIAL, False)}
    )
    assert problems_of([*BASE[1:6], person("P1", tier="section_official", places="NV1")], existing) == []


def test_it_refuses_to_turn_an_administrative_village_with_villages_into_something_else() -> None:
    existing = ExistingRoster(
        town_exists=True,
        place_kinds={"AV1": PlaceKind.ADMINISTRATIVE_VILLAGE, "NV1": PlaceKind.NATURAL_VILLAGE},
        place_parents={"NV1": "AV1"},
    )
    rows = [{"record": "place", "code": "AV1", "name": "x", "kind": "enterprise"}]
    assert problems_of(rows, existing) == [
        "row 2, column kind: AV1 still has villages under it; it must stay an administrative village"
    ]


def test_it_reports_values_in_a_column_without_header() -> None:
    header = (*HEADER, "", "")
    rows = [*BASE, {**person(), "": ""}]
    raw = table(rows, header=header)
    stray = RawRow(BAD_ROW + 1, (*raw.rows[-1].cells[:-1], "oops"))
    problems = validate_roster(RawTable(header, (*raw.rows, stray)), TOWN, ExistingRoster())[1]
    assert [str(p) for p in problems] == [
        f"row {BAD_ROW + 1}, column Q: this cell has a value but its column has no header",
        f"row {BAD_ROW + 1}, column code: duplicate code P9: already on row {BAD_ROW}",
    ]


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")])
def test_it_names_columns_as_a_spreadsheet_does(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_it_needs_a_town_row_for_a_new_town() -> None:
    assert problems_of(BASE[1:]) == ["Town 't1' does not exist; add a town row to create it"]
    assert problems_of(BASE[1:], ExistingRoster(town_exists=True)) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ((*HEADER, "wechat"), "row 1, column wechat: unknown column 'wechat'"),
        (tuple(c for c in HEADER if c != "phone"), "row 1, column phone: column 'phone' is missing"),
        ((*HEADER, "编码"), "row 1, column 编码: column 'code' appears twice"),
    ],
)
def test_it_reports_a_bad_header(header: tuple[str, ...], expected: str) -> None:
    assert problems_of(BASE, header=header) == [expected]


def test_it_parses_good_rows_with_english_or_chinese_values() -> None:
    header = ("记录类型", "编码", "名称", "类别", "所属行政村", "层级", "职务", "单位", "上级", "电话",
              "领导小组", "纬度", "经度", "联系点", "人口")  # fmt: skip
    rows = [
        ["镇", TOWN, "一镇", "", "", "", "", "", "", "", "", "", "", "", "12,000"],
        ["单位", "U1", "宣传办", "部门", "", "", "", "", "", "", "", "", "", "", ""],
        ["地点", "AV1", "东村", "行政村", "", "", "", "", "", "", "", "34.2", "108.9", "", ""],
        ["地点", "NV1", "东村一组", "自然村", "AV1", "", "", "", "", "", "", "", "", "", ""],
        ["place", "EN1", "砖厂", "ENTERPRISE", "", "", "", "", "", "", "", "", "", "", ""],
        ["人员", "P1", "甲", "", "", "科级干部", "党委书记", "", "", "138 0000 0001", "组长", "", "", "NV1；EN1", ""],
        ["person", "P2", "乙", "", "", "包村干部", "", "U1", "P1", "+86-138", "成员", "", "", " NV1 、 EN1 ", ""],
        ["人员", "P3", "丙", "", "", "负责人", "", "U1", "P1", "", "", "", "", "", ""],
    ]  # fmt: skip
    raw = RawTable(header=header, rows=tuple(RawRow(n, tuple(r)) for n, r in enumerate(rows, start=2)))
    parsed, problems = validate_roster(raw, TOWN, ExistingRoster())
    assert problems == []
    assert parsed.towns[0].population == 12000
    assert parsed.units[0].kind is UnitKind.DEPARTMENT
    assert [(p.code, p.kind, p.parent) for p in parsed.places] == [
        ("AV1", PlaceKind.ADMINISTRATIVE_VILLAGE, None),
        ("NV1", PlaceKind.NATURAL_VILLAGE, "AV1"),
        ("EN1", PlaceKind.ENTERPRISE, None),
    ]
    assert (parsed.places[0].latitude, parsed.places[0].longitude) == (34.2, 108.9)
    first, second, third = parsed.people
    assert (first.tier, first.leading_group, first.places, first.phone) == (
        Tier.SECTION_OFFICIAL, LeadingGroupRole.LEADER, ("NV1", "EN1"), "138 0000 0001"
    )  # fmt: skip
    assert (second.tier, second.unit, second.supervisor, second.places) == (
        Tier.VILLAGE_CADRE,
        "U1",
        "P1",
        ("NV1", "EN1"),
    )
    assert (third.tier, third.post, third.phone, third.leading_group, third.places) == (
        Tier.UNIT_HEAD,
        "",
        None,
        None,
        (),
    )


def test_it_says_where_a_problem_is_in_chinese() -> None:
    with use_locale("zh_CN"):
        assert str(Problem(7, "tier", "x")) == "第 7 行，tier 列：x"
        assert problems_of([*BASE, person(tier="boss")]) == [f"第 {BAD_ROW} 行，tier 列：未知层级“boss”"]


# -- reading cells and text -------------------------------------------------------------------


def test_it_reads_utf8_with_or_without_bom_and_gb18030() -> None:
    text = "record,code,name\nunit,U1,宣传办\n"
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("gb18030")):
        read = read_csv_bytes(data)
        assert read.header == ("record", "code", "name")
        assert read.rows == (RawRow(2, ("unit", "U1", "宣传办")),)


def test_it_skips_blank_rows_and_keeps_spreadsheet_row_numbers() -> None:
    read = read_csv_bytes(b"record,code,name\n\n,\nunit,U1,x\n")
    assert read.rows == (RawRow(4, ("unit", "U1", "x")),)


NO_HEADER = (
    "No header row in the first 10 rows: one row must name the columns (record, code, name …); "
    "download the template to see them"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\n,\n", "The file is empty"),
        (b"\n\nrecord\n", NO_HEADER),
        (b"record,code\nunit,U1\n", NO_HEADER),  # two known columns are not yet a header
        (b"\x00\x01record,code,name", "This is not a CSV text file; save the roster as .xlsx or .csv"),
        (b"\x81\x30\xff\xff\xff", "The file is neither UTF-8 nor GB18030 text"),
    ],
)
def test_it_refuses_a_file_it_cannot_read(data: bytes, message: str) -> None:
    with pytest.raises(RosterFileError) as caught:
        read_csv_bytes(data)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (13800000001, "13800000001"),
        (13800000001.0, "13800000001"),
        (34.25, "34.25"),
        (" a ", "a"),
    ],
)
def test_it_reads_spreadsheet_cells_as_people_read_them(value: object, text: str) -> None:
    assert cell_text(value) == text


# -- every message has its Chinese translation ------------------------------------------------


def test_it_has_a_chinese_translation_for_every_message() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "tracker"
    # the accounts that --create-accounts and `tracker demo` make speak through accounts.po
    importer = sorted((source / "domain" / "roster" / "importing").glob("*.py"))
    importer = [path for path in importer if path.name != "accounts.py"]
    files = [*importer, source / "cli" / "roster_import.py"]
    msgids = {message for path in files for _, message, _, _ in extract_from_file("python", str(path))}
    with (CATALOGS_DIR / "zh_CN" / "roster_import.po").open("rb") as po:
        catalog = read_po(po, locale="zh_CN")
    untranslated = sorted(m for m in msgids if not (catalog.get(m) and catalog.get(m).string))  # type: ignore[union-attr]
    assert msgids and untranslated == []
