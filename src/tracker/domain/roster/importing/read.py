"""Reading a roster file (.xlsx or .csv) into a plain table of text cells. No database here.

Row numbers are the ones a spreadsheet shows. The header is the first of the first `HEADER_SEARCH_ROWS`
rows that names at least `HEADER_MIN_KNOWN` of the file's columns (columns.canonical_column): title
and note rows above it (a Chinese office spreadsheet's merged title, "……名册（2026年）") are skipped,
and `RawTable.header_row` says where it was found.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tracker.domain.roster.importing.columns import canonical_column
from tracker.i18n import _

CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"
HEADER_SEARCH_ROWS = 10  # the header is looked for among this many rows at the top
HEADER_MIN_KNOWN = 3  # cells naming a known column that make a row the header (a title row has none)
MAX_UNPACKED_XLSX = 64 * 1024 * 1024  # a small upload that unpacks into gigabytes is refused unread


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
    header_row: int = 1  # the spreadsheet row number of the header; the rows above it were skipped

    @property
    def skipped_rows(self) -> int:
        """How many rows above the header were skipped (titles, notes, blank rows)."""
        return self.header_row - 1


def read_roster_file(path: Path) -> RawTable:
    """Read `path` by its suffix; raise RosterFileError with a user-facing message if it can't be read."""
    return read_roster_bytes(path.read_bytes(), path.name)


def read_roster_bytes(data: bytes, filename: str) -> RawTable:
    """An uploaded or read file's bytes, by the suffix of its name; RosterFileError when it can't be
    read (empty, not a spreadsheet, an old .xls, damaged) with a message for the user."""
    suffix = Path(filename).suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES and suffix != ".xls":
        raise RosterFileError(
            _("Unsupported file type '%(suffix)s'; save the roster as .xlsx or .csv", suffix=suffix)
        )
    if not data.strip():
        raise RosterFileError(_("The file is empty"))
    if suffix in CSV_SUFFIXES:
        return read_csv_bytes(data)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(data)
    raise RosterFileError(_("Old .xls workbooks are not supported; save the roster as .xlsx or .csv"))


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


# What a workbook, picture or document renamed .csv starts with; many NUL bytes say the same
BINARY_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF")


def looks_binary(data: bytes) -> bool:
    """Not a text file: a known binary start, or NUL bytes over 1% of it. A stray NUL in one cell of a
    text file is that cell's problem (refused by row and column like any control character)."""
    return data.startswith(BINARY_STARTS) or data.count(b"\x00") * 100 > len(data)


def read_csv_bytes(data: bytes) -> RawTable:
    if looks_binary(data):
        raise RosterFileError(_("This is not a CSV text file; save the roster as .xlsx or .csv"))
    text = decode_csv_bytes(data)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RosterFileError(_("Could not read the CSV file: %(error)s", error=str(exc))) from None
    return _table([[cell.strip() for cell in record] for record in records])


def read_xlsx(data: bytes) -> RawTable:
    """The first sheet of the workbook; values as shown (formulas' cached results)."""
    from openpyxl import load_workbook

    if not data.startswith(ZIP_MAGIC):
        raise RosterFileError(_("This is not an .xlsx workbook; save the roster as .xlsx or .csv"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise RosterFileError(_("This is not an .xlsx workbook; save the roster as .xlsx or .csv")) from None
    if unpacked > MAX_UNPACKED_XLSX:
        raise RosterFileError(_("The workbook is too large once unpacked; save the roster as .csv"))
    try:
        with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported": harmless here
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
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


def find_header(records: list[list[str]]) -> int | None:
    """The 0-based index of the header among the first HEADER_SEARCH_ROWS records, or None."""
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        if sum(1 for text in record if text and canonical_column(text)) >= HEADER_MIN_KNOWN:
            return index
    return None


def _table(records: list[list[str]]) -> RawTable:
    if not any(any(record) for record in records):
        raise RosterFileError(_("The file is empty"))
    start = find_header(records)
    if start is None:
        raise RosterFileError(
            _(
                "No header row in the first %(rows)d rows: one row must name the columns "
                "(record, code, name …); download the template to see them",
                rows=HEADER_SEARCH_ROWS,
            )
        )
    width = max(len(record) for record in records)
    padded = [tuple(record + [""] * (width - len(record))) for record in records]
    header = padded[start]
    rows = (RawRow(number=index, cells=cells) for index, cells in enumerate(padded[start + 1 :], start=start + 2))
    return RawTable(
        header=header, rows=tuple(row for row in rows if not row.is_blank()), header_row=start + 1
    )
