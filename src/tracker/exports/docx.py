"""`write_report(report) -> bytes`: a DOCX in the look of Chinese official documents (GB/T 9704).

- A4 (21 × 29.7 cm), margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm.
- Title: 方正小标宋简体 22 pt (二号), centred; subtitle lines under it in 楷体_GB2312 16 pt, centred.
- Body: 仿宋_GB2312 16 pt (三号), first line indented two characters, lines exactly 28.95 pt apart
  (22 lines to the page, as the standard's grid has it).
- Part headings (the numbers "一、" … are in the text): 黑体 16 pt, indented like the body.
- Page numbers in the footer as a PAGE field, "— 1 —" in 宋体 14 pt (四号): odd pages at the right,
  even pages at the left, one character in from the margin.
- The annex (optional) on landscape A4 pages of its own: "附件" in 黑体, its title, and the table
  with a bold header row that repeats on every page, in 仿宋_GB2312 10.5 pt (五号).

Fonts: a DOCX names one font per script and cannot name a fallback. So each run names the official
font for East Asian text (`w:eastAsia`, which python-docx's `font.name` alone does not set) and
Times New Roman for Latin text and digits (`w:ascii`/`w:hAnsi`). On a machine without the official
fonts Word and WPS substitute their own (usually 宋体/SimSun, 黑体/SimHei, 仿宋/FangSong); the
official look comes back as soon as the file is opened where the fonts are installed. The same
fonts are set on the document's styles (Normal, "Report Title", "Report Body", "Report Heading"),
so text the secretary adds in Word takes the official look too.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from tracker.exports import Report, Table, cell_text, display_width

TITLE_FONT = "方正小标宋简体"
SUBTITLE_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)
BODY_SIZE = Pt(16)
PAGE_NUMBER_SIZE = Pt(14)
TABLE_SIZE = Pt(10.5)
LINE_PITCH = Pt(28.95)

PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGINS = {"top_margin": Cm(3.7), "bottom_margin": Cm(3.5), "left_margin": Cm(2.8), "right_margin": Cm(2.6)}


def write_report(report: Report) -> bytes:
    document = Document()
    _page_setup(document.sections[0], landscape=False)
    _styles(document)
    document.settings.odd_and_even_pages_header_footer = True
    _page_numbers(document.sections[0])
    core = document.core_properties
    core.title, core.author, core.comments = report.title, report.author, ""

    _paragraph(document, report.title, "Report Title", TITLE_FONT, TITLE_SIZE)
    for line in report.subtitle:
        _paragraph(document, line, "Report Subtitle", SUBTITLE_FONT, BODY_SIZE)
    for part in report.parts:
        if part.heading:
            _paragraph(document, part.heading, "Report Heading", HEADING_FONT, BODY_SIZE)
        for text in part.paragraphs:
            _paragraph(document, text, "Report Body", BODY_FONT, BODY_SIZE)
    if report.annex is not None:
        _annex(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- page, styles, fonts ---------------------------------------------------------------------------

def _page_setup(section: Section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.footer_distance = Cm(2.8)  # the page number 7 mm below the text
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:  # the standard's grid: lines 28.95 pt apart
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def set_fonts(element: object, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts on a run's or a style's properties, theme fonts removed (they would win)."""
    _name_fonts(element.get_or_add_rPr().get_or_add_rFonts(), east_asian, latin)  # type: ignore[attr-defined]


def _name_fonts(fonts: object, east_asian: str, latin: str) -> None:
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # type: ignore[attr-defined]
    for attribute, font in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asian)):
        fonts.set(qn(attribute), font)  # type: ignore[attr-defined]


def _styles(document: DocumentObject) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            _name_fonts(fonts, BODY_FONT, LATIN_FONT)
        language = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        if language is not None:  # Chinese text, so that Word's proofing does not mark every line
            language.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    title = _style(document, "Report Title", TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = LINE_PITCH
    _style(document, "Report Subtitle", SUBTITLE_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    body = _style(document, "Report Body", BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY)
    _indent_two_characters(body.paragraph_format, body.element)
    heading = _style(document, "Report Heading", HEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY)
    _indent_two_characters(heading.paragraph_format, heading.element)
    heading.paragraph_format.keep_with_next = True
    outline = OxmlElement("w:outlineLvl")  # shown in Word's navigation pane as a first-level heading
    outline.set(qn("w:val"), "0")
    heading.element.get_or_add_pPr().insert_element_before(
        outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )
    table = _style(document, "Report Table", BODY_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _style(document: DocumentObject, name: str, font: str, size: Pt, align: WD_ALIGN_PARAGRAPH) -> ParagraphStyle:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = size
    set_fonts(style.element, font)
    layout = style.paragraph_format
    layout.alignment = align
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing = LINE_PITCH
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    return style


def _indent_two_characters(layout: object, element: object) -> None:
    """First line in by two characters: 32 pt at 16 pt, and `firstLineChars` so that Word keeps two
    characters if the size changes."""
    layout.first_line_indent = Emu(BODY_SIZE * 2)  # type: ignore[attr-defined]
    indent = element.get_or_add_pPr().get_or_add_ind()  # type: ignore[attr-defined]
    indent.set(qn("w:firstLineChars"), "200")


def _paragraph(document: DocumentObject, text: str, style: str, font: str, size: Pt) -> Paragraph:
    paragraph = document.add_paragraph(style=style)
    _run(paragraph, text, font, size)
    return paragraph


def _run(paragraph: Paragraph, text: str, font: str, size: Pt, *, bold: bool = False) -> Run:
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = bold or None
    set_fonts(run._element, font)
    return run


# -- page numbers ----------------------------------------------------------------------------------

def _page_numbers(section: Section) -> None:
    """"— 1 —" with a PAGE field: odd pages at the right, even pages at the left (GB/T 9704)."""
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = align
        layout = paragraph.paragraph_format
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            layout.right_indent = PAGE_NUMBER_SIZE
        else:
            layout.left_indent = PAGE_NUMBER_SIZE
        _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        _page_field(paragraph)
        _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _page_field(paragraph: Paragraph) -> None:
    """A complex PAGE field (begin, instruction, separate, the shown number, end): what Word writes and
    what WPS reads."""
    def field_char(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)._element.append(char)

    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)._element.append(instruction)
    field_char("separate")
    _run(paragraph, "1", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    field_char("end")


# -- the annex -------------------------------------------------------------------------------------

def _annex(document: DocumentObject, report: Report) -> None:
    table = report.annex
    assert table is not None
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section, landscape=True)
    if report.annex_label:
        label = _paragraph(document, report.annex_label, "Normal", HEADING_FONT, BODY_SIZE)
        label.paragraph_format.space_after = Pt(6)
    title = report.annex_title or table.name
    if title:
        _paragraph(document, title, "Report Title", TITLE_FONT, Pt(18))
    _table(document, table, section)


def _table(document: DocumentObject, table: Table, section: Section) -> DocxTable:
    columns = max(len(table.headers), 1)
    grid = document.add_table(rows=1, cols=columns)
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    header = grid.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, table.headers, strict=False):
        _cell(cell.paragraphs[0], text, HEADING_FONT, bold=True)
    for row in table.rows:
        cells = grid.add_row().cells
        for column, value in enumerate(row[:columns]):
            _cell(cells[column].paragraphs[0], cell_text(value, table.number_format(column)), BODY_FONT)
    usable = section.page_width - section.left_margin - section.right_margin
    for column, width in enumerate(_column_widths(table, columns, usable)):
        grid.columns[column].width = width  # the grid (what Word's fixed layout uses) and each cell
        for cell in grid.columns[column].cells:
            cell.width = width
    return grid


def _cell(paragraph: Paragraph, text: str, font: str, *, bold: bool = False) -> None:
    paragraph.style = paragraph.part.document.styles["Report Table"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, font, TABLE_SIZE, bold=bold)


def _repeat_as_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def _column_widths(table: Table, columns: int, usable: int) -> list[Emu]:
    """Each column's share of the page width, by its widest text (at least four half-width characters)."""
    wanted = []
    for column in range(columns):
        texts = [table.headers[column] if column < len(table.headers) else ""]
        texts += [cell_text(row[column], table.number_format(column)) for row in table.rows if column < len(row)]
        given = table.widths[column] if table.widths and column < len(table.widths) else None
        wanted.append(given or max(4, *(display_width(t) for t in texts)))
    total = sum(wanted)
    return [Emu(int(usable * w / total)) for w in wanted]
