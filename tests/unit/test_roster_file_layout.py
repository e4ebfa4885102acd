"""The roster file's layout, pure: where the header is found (title and note rows above it), and the
workbook the template and the export are written as, read back by the importer's own reader."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.roster.importing.columns import (
    ALL_COLUMNS,
    LEADING_GROUP_ROLES,
    PLACE_KINDS,
    TIERS,
    UNIT_KINDS,
)
from tracker.domain.roster.importing.read import find_header, looks_binary, read_roster_bytes
from tracker.domain.roster.importing.report import ImportReport, skipped_line
from tracker.domain.roster.importing.workbook import (
    COLUMN_HEADERS,
    PLACE_KIND_VALUES,
    RECORD_VALUES,
    ROLE_VALUES,
    TIER_VALUES,
    UNIT_KIND_VALUES,
    RosterSheet,
    kind_choices,
    write_roster_workbook,
)
from tracker.i18n import use_locale

HEADER = ["记录类型", "编码", "名称", "类别"]
TITLE = ["样例镇意识形态工作责任制名册（2026年）", "", "", ""]


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([HEADER, ["单位", "U1", "宣传办", "部门"]], 0),
        ([TITLE, HEADER], 1),
        ([TITLE, ["注：编码不得重复", "", "", ""], [], HEADER], 3),
        ([["record", "code", "name"]], 0),  # three known columns make a header
        ([["record", "code", "wechat"]], None),  # two do not
        ([["单位", "U1", "宣传办", "部门"], HEADER], 1),  # a record row names at most one column (单位)
        ([*([TITLE] * 9), HEADER], 9),  # the tenth row is still looked at
        ([*([TITLE] * 10), HEADER], None),  # the eleventh is not
        ([], None),
    ],
)
def test_it_finds_the_header_below_title_and_note_rows(
    records: list[list[str]], expected: int | None
) -> None:
    assert find_header(records) == expected


def test_it_numbers_rows_as_the_spreadsheet_does_below_a_title() -> None:
    data = "\n".join([",".join(TITLE), "", ",".join(HEADER), "单位,U1,宣传办,部门"]).encode("gb18030")
    table = read_roster_bytes(data, "名册.CSV")
    assert (table.header_row, table.skipped_rows, table.header) == (3, 2, tuple(HEADER))
    assert [row.number for row in table.rows] == [4]


@pytest.mark.parametrize(("skipped", "text"), [(1, "Skipped 1 row above the header (row 2)"),
                                               (3, "Skipped 3 rows above the header (row 4)")])  # fmt: skip
def test_it_says_how_many_rows_were_skipped(skipped: int, text: str) -> None:
    with use_locale("en"):
        assert skipped_line(skipped, skipped + 1) == text
        report = ImportReport("t1", "一镇", dt.date(2026, 3, 1), True, [], header_row=skipped + 1)
        assert report.summary_lines()[1] == text
    with use_locale("zh_CN"):
        assert skipped_line(1, 2) == "已跳过表头（第 2 行）上方的 1 行"


def test_every_value_the_workbook_writes_reads_back_to_the_same() -> None:
    for values, accepted, members in [
        (UNIT_KIND_VALUES, UNIT_KINDS, UnitKind),
        (PLACE_KIND_VALUES, PLACE_KINDS, PlaceKind),
        (TIER_VALUES, TIERS, Tier),
        (ROLE_VALUES, LEADING_GROUP_ROLES, LeadingGroupRole),
    ]:
        assert set(values) == set(members)
        assert all(accepted[text] is member for member, text in values.items())
    assert set(COLUMN_HEADERS) == set(ALL_COLUMNS)
    assert kind_choices() == ["部门", "站所", "社区", "行政村", "自然村", "企业"]


def test_the_workbook_reads_back_with_its_title_skipped_and_its_cells_as_written() -> None:
    rows = [
        {"record": RECORD_VALUES["place"], "code": "001", "name": "=HYPERLINK(\"x\")", "kind": "行政村",
         "latitude": 27.5, "longitude": 113.25},
        {"record": RECORD_VALUES["person"], "code": "P1", "name": "甲", "tier": "科级干部", "phone": "13800000001",
         "places": "NV1、NV2"},
    ]  # fmt: skip
    table = read_roster_bytes(write_roster_workbook(RosterSheet("标题", rows)), "roster.xlsx")
    assert table.header_row == 2 and table.header[: len(ALL_COLUMNS)] == tuple(
        COLUMN_HEADERS[c] for c in ALL_COLUMNS
    )
    place, person = (dict(zip(ALL_COLUMNS, row.cells, strict=False)) for row in table.rows)
    assert (place["code"], place["name"], place["latitude"], place["longitude"]) == (
        "001",
        '=HYPERLINK("x")',
        "27.5",
        "113.25",
    )
    assert (person["phone"], person["places"]) == ("13800000001", "NV1、NV2")


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"PK\x03\x04" + b"\x00" * 10, True),  # a workbook renamed .csv
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, True),
        (b"\xff\xd8\xff\xe0" + b"x" * 200, True),
        (b"a\x00b\x00c\x00" * 10, True),  # UTF-16 text or anything else full of NULs
        ("record,code,name\nperson,P1,张\x00红梅\n".encode() + b"x" * 200, False),  # one stray NUL: the cell's problem
        ("record,code,name\n".encode(), False),
    ],
)
def test_it_tells_a_binary_file_from_text_with_a_stray_nul(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary
