"""exports/docx.py: the draft report read back with python-docx: parts in order, the numbers of part 一,
the official-document fonts and sizes, A4 with the standard margins, page numbers as a PAGE field."""

from __future__ import annotations

import io

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from tests.unit.test_review_documents import seed_like
from tracker.domain.review.documents import report_of
from tracker.exports import Part, Report, Table
from tracker.exports.docx import write_report
from tracker.i18n import use_locale


def read(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def seed_document() -> Document:
    with use_locale("zh_CN"):
        return read(write_report(report_of(seed_like(to_date=True), town_name="阿尔法镇")))


def east_asian_font(run) -> str | None:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_it_has_the_title_then_the_four_parts_in_order() -> None:
    document = seed_document()
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "2026年阿尔法镇意识形态工作报告"
    assert texts[1] == "（截至6月30日）"
    headings = [p.text for p in document.paragraphs if p.style.name == "Report Heading"]
    assert headings == ["一、工作开展情况", "二、存在的问题", "三、意识形态领域形势研判", "四、下一步工作打算"]
    order = [texts.index(h) for h in headings]
    assert order == sorted(order)


def test_it_has_the_right_numbers_in_part_one() -> None:
    texts = [p.text for p in seed_document().paragraphs]
    part_one = "\n".join(texts[texts.index("一、工作开展情况") + 1 : texts.index("二、存在的问题")])
    assert "于6月25日、11月29日召开党委会专题研究全镇意识形态工作" in part_one
    assert "十九届五中全会精神宣讲65场次、百姓宣讲62场次、送学上门70场次" in part_one
    assert "播放电影12场次，文艺演出7场次" in part_one
    assert "占全镇常住人口（12000人）的30.8%" in part_one
    assert "中央媒体上稿5篇、县级媒体上稿26篇、网络媒体上稿98篇、学习强国上稿32篇" in part_one
    assert "覆盖率75.0%" in part_one


def test_it_sets_the_official_fonts_and_sizes() -> None:
    document = seed_document()
    title, subtitle = document.paragraphs[0], document.paragraphs[1]
    body = next(p for p in document.paragraphs if p.style.name == "Report Body")
    heading = next(p for p in document.paragraphs if p.style.name == "Report Heading")
    assert (east_asian_font(title.runs[0]), title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asian_font(subtitle.runs[0]) == "楷体_GB2312"
    assert (east_asian_font(body.runs[0]), body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    assert body.runs[0].font.name == "Times New Roman"  # the Latin font: one every machine has
    assert (east_asian_font(heading.runs[0]), heading.runs[0].font.size) == ("黑体", Pt(16))
    layout = body.style.paragraph_format
    assert layout.first_line_indent == Pt(32)  # two characters at 16 pt
    assert body.style.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert Pt(28) <= layout.line_spacing <= Pt(29)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"  # what the secretary types in Word looks right too


def test_it_is_a4_with_the_official_margins() -> None:
    section = seed_document().sections[0]
    assert (round(section.page_width.cm, 2), round(section.page_height.cm, 2)) == (21.0, 29.7)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.cm, 1) for m in margins] == [3.7, 3.5, 2.8, 2.6]


def test_it_numbers_the_pages_in_the_footer() -> None:
    document = seed_document()
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer in (section.footer, section.even_page_footer):
        paragraph = footer.paragraphs[0]
        instructions = [t.text.strip() for t in paragraph._p.iter(qn("w:instrText"))]
        kinds = [c.get(qn("w:fldCharType")) for c in paragraph._p.iter(qn("w:fldChar"))]
        assert instructions == ["PAGE"]
        assert kinds == ["begin", "separate", "end"]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")


def test_it_puts_the_scorecards_in_a_landscape_annex() -> None:
    document = seed_document()
    annex = document.sections[-1]
    assert len(document.sections) == 2
    assert round(annex.page_width.cm, 1) == 29.7
    texts = [p.text for p in document.paragraphs]
    assert "附件" in texts and "2026年意识形态工作责任制考核情况表" in texts
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells][:4] == ["名次", "姓名", "责任层级", "所在单位"]
    assert [c.text for c in table.rows[1].cells] == [
        "1", "镇长乙", "科级干部", "", "30", "28", "25", "3", "2", "0", "83.3%", "11", "12", "2", "2", "91.2"
    ]  # fmt: skip
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert table.rows[0].cells[0].paragraphs[0].runs[0].font.bold


def test_it_writes_a_valid_file_for_a_year_without_data() -> None:
    report = Report(title="2024年阿尔法镇意识形态工作报告", parts=[Part("", ["2024年暂无工作记录和应办任务。"])])
    document = read(write_report(report))
    assert [p.text for p in document.paragraphs if p.text] == [
        "2024年阿尔法镇意识形态工作报告", "2024年暂无工作记录和应办任务。"
    ]
    assert document.tables == [] and len(document.sections) == 1


def test_it_writes_any_table_it_is_given() -> None:
    table = Table("t", ["a", "b"], [[1, None], ["x", 0.5]], ["0", "0.0%"])
    document = read(write_report(Report(title="T", annex=table)))
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [["a", "b"], ["1", ""], ["x", "50.0%"]]
    widths = [c.width for c in document.tables[0].rows[0].cells]
    assert abs(sum(widths) - (Cm(29.7) - Cm(2.8) - Cm(2.6))) < Cm(0.1)
