"""The roster file as an .xlsx workbook: the template to fill in and the town's roster exported (pure).

One layout for both, the one the importer reads (docs/roster-format.md): a title row merged across
the top (skipped on import, read.py finds the header below it), the header in Chinese, one row per
record with the values in Chinese, the header frozen; drop-down lists (data validation) on the
record type, kind, tier and leading-group columns; a second sheet explaining every column (the
importer reads the first sheet only). No database here: the caller hands over the rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.roster.importing.columns import ALL_COLUMNS
from tracker.exports import display_width
from tracker.i18n import _

# The header each column gets (all of them accepted by columns.HEADER_ALIASES).
COLUMN_HEADERS = {
    "record": "记录类型", "code": "编码", "name": "名称", "kind": "类别", "parent": "所属行政村",
    "tier": "层级", "post": "职务", "unit": "单位", "supervisor": "直接上级", "phone": "电话",
    "leading_group": "领导小组", "latitude": "纬度", "longitude": "经度", "places": "联系点/包村",
    "population": "人口", "email": "邮箱",
}  # fmt: skip
# The value written for each record type and enum member (the importer reads each back to the same).
RECORD_VALUES = {"town": "镇", "unit": "单位", "place": "地点", "person": "人员"}
UNIT_KIND_VALUES = {UnitKind.DEPARTMENT: "部门", UnitKind.STATION: "站所", UnitKind.COMMUNITY: "社区"}
PLACE_KIND_VALUES = {
    PlaceKind.ADMINISTRATIVE_VILLAGE: "行政村", PlaceKind.NATURAL_VILLAGE: "自然村",
    PlaceKind.ENTERPRISE: "企业", PlaceKind.COMMUNITY: "社区",
}  # fmt: skip
TIER_VALUES = {
    Tier.SECTION_OFFICIAL: "科级干部",
    Tier.UNIT_HEAD: "部门站所社区负责人",
    Tier.VILLAGE_CADRE: "包村干部",
}
ROLE_VALUES = {
    LeadingGroupRole.LEADER: "组长",
    LeadingGroupRole.DEPUTY: "副组长",
    LeadingGroupRole.MEMBER: "成员",
}
PLACES_JOINER = "、"

TITLE_ROW, HEADER_ROW = 1, 2
VALIDATED_ROWS = 2000  # the drop-downs reach this far below the header
TEXT_COLUMNS = frozenset({"code", "parent", "unit", "supervisor", "phone", "places"})  # never numbers
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | None


@dataclass(frozen=True)
class RosterSheet:
    """What the workbook holds: the title over the header, the rows (a dict per record, by column)."""

    title: str
    rows: Sequence[dict[str, Cell]]
    example: bool = False  # the template: rows in grey, a note that they are examples


def kind_choices() -> list[str]:
    """The kind column's drop-down: unit kinds and place kinds (社区 is both), each once."""
    return list(dict.fromkeys([*UNIT_KIND_VALUES.values(), *PLACE_KIND_VALUES.values()]))


def write_roster_workbook(sheet_data: RosterSheet) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    _write_title(sheet, sheet_data.title)
    for index, column in enumerate(ALL_COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, index, COLUMN_HEADERS[column])
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    grey = Font(color="808080", italic=True)
    for number, row in enumerate(sheet_data.rows, start=HEADER_ROW + 1):
        for index, column in enumerate(ALL_COLUMNS, start=1):
            value = row.get(column)
            cell = sheet.cell(number, index)
            if value is None or value == "":
                continue
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with "=" stays text, never a formula
            if column in TEXT_COLUMNS:
                cell.number_format = "@"
            if sheet_data.example:
                cell.font = grey
    _add_drop_downs(sheet)
    _fit_widths(sheet, sheet_data.rows)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1).coordinate
    _write_notes(workbook.create_sheet(_("How to fill in")))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_title(sheet: Worksheet, title: str) -> None:
    sheet.cell(TITLE_ROW, 1, title).font = Font(bold=True, size=14)
    sheet.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(ALL_COLUMNS))
    sheet.row_dimensions[TITLE_ROW].height = 28


def _add_drop_downs(sheet: Worksheet) -> None:
    lists = {
        "record": list(RECORD_VALUES.values()),
        "kind": kind_choices(),
        "tier": list(TIER_VALUES.values()),
        "leading_group": list(ROLE_VALUES.values()),
    }
    first, last = HEADER_ROW + 1, HEADER_ROW + VALIDATED_ROWS
    for column, choices in lists.items():
        letter = get_column_letter(ALL_COLUMNS.index(column) + 1)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not in the list"),
            error=_("Choose a value from the list"),
        )
        validation.add(f"{letter}{first}:{letter}{last}")
        sheet.add_data_validation(validation)


def _fit_widths(sheet: Worksheet, rows: Sequence[dict[str, Cell]]) -> None:
    for index, column in enumerate(ALL_COLUMNS, start=1):
        texts = [COLUMN_HEADERS[column], *(str(row.get(column) or "") for row in rows)]
        widest = max(display_width(text) for text in texts)
        sheet.column_dimensions[get_column_letter(index)].width = min(40, max(8, widest + 2))


def column_notes() -> list[tuple[str, str]]:
    """Each column's header and what goes in it, for the template's second sheet."""
    return [
        (COLUMN_HEADERS["record"], _("Required: town, unit, place or person (choose from the list)")),
        (COLUMN_HEADERS["code"], _("Required: unique per record type, no spaces or separators")),
        (COLUMN_HEADERS["name"], _("Required: the name of the town, unit or place, or the person's name")),
        (COLUMN_HEADERS["kind"], _("Units and places: choose from the list")),
        (COLUMN_HEADERS["parent"], _("Natural villages: the code of their administrative village")),
        (COLUMN_HEADERS["tier"], _("People: choose from the list")),
        (COLUMN_HEADERS["post"], _("People: their post, e.g. party committee member")),
        (COLUMN_HEADERS["unit"], _("People: the code of their unit")),
        (COLUMN_HEADERS["supervisor"], _("People: the code of the person overdue work goes up to")),
        (COLUMN_HEADERS["phone"], _("People: digits, +, - and spaces")),
        (COLUMN_HEADERS["leading_group"], _("People: their role in the leading group, or empty")),
        (COLUMN_HEADERS["latitude"], _("Places: decimal degrees, with the longitude, or empty")),
        (COLUMN_HEADERS["longitude"], _("Places: decimal degrees, with the latitude, or empty")),
        (COLUMN_HEADERS["places"], _("People: codes of their contact points (2 to 4 for a section-level official) or villages, separated by 、")),
        (COLUMN_HEADERS["population"], _("The town row: resident population, a whole number")),
        (COLUMN_HEADERS["email"], _("People: an e-mail address for reminders, or empty")),
    ]  # fmt: skip


def _write_notes(sheet: Worksheet) -> None:
    sheet.append([_("Column"), _("What goes in it")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for header, note in column_notes():
        sheet.append([header, note])
    sheet.append([])
    sheet.append([_("The rows above the header (the title) are skipped on import. Every row is checked "
                    "before anything is written; the page shows what would change before you confirm.")])  # fmt: skip
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90
    sheet.freeze_panes = "A2"
