"""Reading a roster file (.xlsx or .csv) into a plain table of text cells. No database here.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tracker.i18n import _

CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
UTF8_BOM = b"\xef\xbb\xbf"


class RosterFileError(ValueError):
    """The file can't be read as a table at all; `message` is translated and meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RawRow:
    number: int  # the spreadsheet row number (header = 1)
    cells: tuple[str, ...]

    def is_blank(self) -> bool:
        return not any(self.cells)


@dataclass(frozen=True)
class RawTable:
    header: tuple[str, ...]
    rows: tuple[RawRow, ...]


def read_roster_file(path: Path) -> RawTable:
    """Read `path` by its suffix; raise RosterFileError with a user-facing message if it can't be read."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv_bytes(path.read_bytes())
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path)
    if suffix == ".xls":
        raise RosterFileError(_("Old .xls workbooks are not supported; save the roster as .xlsx or .csv"))
    raise RosterFileError(
        _("Unsupported file type '%(suffix)s'; save the roster as .xlsx or .csv", suffix=suffix)
    )


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 with or without a BOM; GB18030 (what Excel in China saves as "CSV") when UTF-8 fails."""
    data = data.removeprefix(UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterFileError(_("The file is neither UTF-8 nor GB18030 text")) from None


def read_csv_bytes(data: bytes) -> RawTable:
    text = decode_csv_bytes(data)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RosterFileError(_("Could not read the CSV file: %(error)s", error=str(exc))) from None
    return _table([[cell.strip() for cell in record] for record in records])


def read_xlsx(path: Path) -> RawTable:
    """The first sheet of the workbook; values as shown (formulas' cached results)."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported": harmless here
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterFileError(_("Could not read the workbook: %(error)s", error=str(exc))) from None
    try:
        sheet = workbook.worksheets[0]
        records = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(records)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would read: 13800000001, not 13800000001.0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _table(records: list[list[str]]) -> RawTable:
    if not records or not any(records[0]):
        raise RosterFileError(_("The first row must be the header row; this file has none"))
    width = max(len(record) for record in records)
    padded = [tuple(record + [""] * (width - len(record))) for record in records]
    header = padded[0]
    rows = tuple(RawRow(number=index, cells=cells) for index, cells in enumerate(padded[1:], start=2))
    return RawTable(header=header, rows=tuple(row for row in rows if not row.is_blank()))
