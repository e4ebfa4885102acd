"""`write_tables(tables) -> bytes`: an XLSX workbook with one sheet per table.

Each sheet: the headers in bold on a frozen first row (freeze_panes "A2") with an auto filter,
the rows below with their column's number format (`tracker.exports.INTEGER`, `PERCENT`, `SCORE`,
`TEXT`), and column widths fitted to the widest text as shown (a CJK character counting two),
unless the table gives widths. Sheet names are made legal for Excel: at most 31 characters, none
of []:*?/\\, no apostrophe at either end, never empty, unique without regard to case.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.exports import TEXT, Table, cell_text, display_width

MAX_SHEET_NAME = 31
MAX_WIDTH = 60  # characters: longer texts wrap rather than widen the column without end
_ILLEGAL = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def write_tables(tables: list[Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for number, table in enumerate(tables, start=1):
        name = sheet_name(table.name, taken, fallback=f"Sheet{number}")
        taken.add(name.casefold())
        _fill(workbook.create_sheet(name), table)
    if not tables:  # a workbook needs a sheet
        workbook.create_sheet("Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_name(wanted: str, taken: set[str], *, fallback: str = "Sheet") -> str:
    """A legal sheet name close to `wanted`, not in `taken` (casefolded names)."""
    base = _ILLEGAL.sub(" ", wanted).strip().strip("'").strip() or fallback
    base = base[:MAX_SHEET_NAME].rstrip("'").strip() or fallback
    name, count = base, 1
    while name.casefold() in taken:
        count += 1
        suffix = f" ({count})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix
    return name


def _fill(sheet: Worksheet, table: Table) -> None:
    bold = Font(bold=True)
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in table.rows:
        sheet.append(list(row))
    columns = max(len(table.headers), *(len(row) for row in table.rows)) if table.rows else len(table.headers)
    for column in range(columns):
        number_format = table.number_format(column)
        if number_format != TEXT:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.number_format = number_format
        letter = get_column_letter(column + 1)
        width = sheet.column_dimensions[letter].width = _width(table, column)
        if width >= MAX_WIDTH:  # the longest texts wrap within the column
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if columns and table.headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{len(table.rows) + 1}"


def _width(table: Table, column: int) -> float:
    """The column's width in Excel's characters: its widest text as shown, a little room for the filter
    button, within 6 and MAX_WIDTH."""
    if table.widths and column < len(table.widths) and table.widths[column]:
        return float(table.widths[column])
    number_format = table.number_format(column)
    texts = [table.headers[column] if column < len(table.headers) else ""]
    texts += [cell_text(row[column], number_format) for row in table.rows if column < len(row)]
    widest = max(display_width(text) for text in texts)
    return float(min(MAX_WIDTH, max(6, widest + 3)))
