"""exports/xlsx.py: the review's tables read back with openpyxl: sheet names, headers, numbers, frozen
header rows, number formats, widths; legal sheet names from any table name."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from tests.unit.test_review_documents import seed_like
from tracker.domain.review.documents import tables_of
from tracker.exports import Table
from tracker.exports.xlsx import sheet_name, write_tables
from tracker.i18n import use_locale


def read(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def seed_workbook(locale: str = "zh_CN") -> Workbook:
    with use_locale(locale):
        return read(write_tables(tables_of(seed_like())))


def test_it_has_one_sheet_per_table() -> None:
    assert seed_workbook().sheetnames == ["主要数据", "个人考核", "分层级汇总", "分单位汇总", "遍访覆盖情况"]
    assert seed_workbook("en").sheetnames == ["Figures", "Scorecards", "By tier", "By unit", "Coverage of visits"]


def test_it_writes_headers_in_bold_on_a_frozen_row() -> None:
    workbook = seed_workbook()
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    people = workbook["个人考核"]
    assert [c.value for c in people[1]][:5] == ["名次", "姓名", "责任层级", "所在单位", "应完成任务"]
    assert people.auto_filter.ref == "A1:P3"


def test_it_writes_the_numbers_with_their_formats() -> None:
    workbook = seed_workbook()
    figures = {row[0].value: row for row in workbook["主要数据"].iter_rows(min_row=2)}
    meetings = figures["党委会专题研究意识形态工作"]
    assert [c.value for c in meetings] == ["党委会专题研究意识形态工作", 2, None, None, 17, "6月25日、11月29日"]
    assert figures["宣讲：十九届五中全会精神宣讲"][1].value == 65
    assert figures["文化活动：文艺演出"][1].value == 7
    assert figures["宣传上稿：学习强国"][1].value == 32
    coverage = figures["遍访覆盖（已访/应访）"]
    assert [c.value for c in coverage[1:4]] == [180, 240, 0.75]
    assert [c.number_format for c in coverage[1:4]] == ["0", "0", "0.0%"]
    person = [c for c in workbook["个人考核"][2]]
    assert person[1].value == "镇长乙" and person[4].value == 30 and person[4].number_format == "0"
    assert person[10].value == pytest.approx(20 / 24) and person[10].number_format == "0.0%"
    assert person[15].value == 91.25 and person[15].number_format == "0.0"
    town = [c.value for c in workbook["遍访覆盖情况"][3]]
    assert town == ["全镇", None, None, 240, 180, 0.75]


def test_it_fits_the_columns_to_their_content() -> None:
    sheet = seed_workbook()["主要数据"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABF"}
    # "宣讲：十九届五中全会精神宣讲", the widest: 14 CJK characters, 28 columns, plus room for the filter button
    assert widths["A"] == 31
    assert widths["B"] == 7  # "数量" (4) and the numbers, plus 3
    assert widths["F"] == len("6月25日、11月29日") + 5 + 3  # five wide characters count twice


def test_it_writes_a_sheet_with_headers_only() -> None:
    workbook = read(write_tables([Table("空表", ["姓名", "得分"], [], ["General", "0.0"])]))
    sheet = workbook["空表"]
    assert [c.value for c in sheet[1]] == ["姓名", "得分"] and sheet.max_row == 1
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("wanted", "taken", "expected"),
    [
        ("Figures", set(), "Figures"),
        ("a[b]:c*d?e/f\\g", set(), "a b  c d e f g"),
        ("'quoted'", set(), "quoted"),
        ("x" * 40, set(), "x" * 31),
        ("", set(), "Sheet"),
        ("Figures", {"figures"}, "Figures (2)"),
        ("y" * 31, {"y" * 31}, "y" * 27 + " (2)"),
    ],
)
def test_it_makes_legal_sheet_names(wanted: str, taken: set[str], expected: str) -> None:
    name = sheet_name(wanted, taken)
    assert name == expected
    assert len(name) <= 31


def test_it_keeps_sheet_names_unique() -> None:
    workbook = read(write_tables([Table("同名", ["a"]), Table("同名", ["b"]), Table("", ["c"])]))
    assert workbook.sheetnames == ["同名", "同名 (2)", "Sheet3"]


def test_it_wraps_texts_wider_than_sixty_columns() -> None:
    table = Table("长文本", ["问题"], [["村" * 50], ["短"]])
    sheet = read(write_tables([table]))["长文本"]
    assert sheet.column_dimensions["A"].width == 60
    assert sheet["A2"].alignment.wrap_text
