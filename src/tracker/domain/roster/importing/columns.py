"""Roster import: the file's columns, the values each accepts (English and Chinese), and `Problem`.

Pure: the header is checked here (the row read.py found it on); rows are read in rows.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.text import replace_forbidden
from tracker.i18n import _

REQUIRED_COLUMNS = (
    "record", "code", "name", "kind", "parent", "tier", "post", "unit",
    "supervisor", "phone", "leading_group", "latitude", "longitude", "places",
)  # fmt: skip
OPTIONAL_COLUMNS = ("population", "email")
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Chinese headers a spreadsheet may already have; matched after trimming, case-insensitively.
HEADER_ALIASES: dict[str, str] = {
    "记录类型": "record", "类型": "record", "编码": "code", "代码": "code", "名称": "name", "姓名": "name",
    "类别": "kind", "种类": "kind", "所属行政村": "parent", "上级地点": "parent", "层级": "tier",
    "职务": "post", "单位": "unit", "上级": "supervisor", "直接上级": "supervisor", "电话": "phone",
    "手机": "phone", "领导小组": "leading_group", "纬度": "latitude", "经度": "longitude",
    "联系点": "places", "联系点/包村": "places", "包村": "places", "人口": "population",
    "常住人口": "population", "邮箱": "email", "电子邮箱": "email", "电子邮件": "email", "e-mail": "email",
}  # fmt: skip

RECORD_TYPES = {
    "town": "town", "镇": "town", "乡镇": "town", "unit": "unit", "单位": "unit",
    "place": "place", "地点": "place", "person": "person", "人员": "person",
}  # fmt: skip
UNIT_KINDS = {
    "department": UnitKind.DEPARTMENT, "部门": UnitKind.DEPARTMENT,
    "station": UnitKind.STATION, "站所": UnitKind.STATION,
    "community": UnitKind.COMMUNITY, "社区": UnitKind.COMMUNITY,
}  # fmt: skip
PLACE_KINDS = {
    "administrative_village": PlaceKind.ADMINISTRATIVE_VILLAGE, "行政村": PlaceKind.ADMINISTRATIVE_VILLAGE,
    "natural_village": PlaceKind.NATURAL_VILLAGE, "自然村": PlaceKind.NATURAL_VILLAGE,
    "enterprise": PlaceKind.ENTERPRISE, "企业": PlaceKind.ENTERPRISE,
    "community": PlaceKind.COMMUNITY, "社区": PlaceKind.COMMUNITY,
}  # fmt: skip
TIERS = {
    "section_official": Tier.SECTION_OFFICIAL, "科级干部": Tier.SECTION_OFFICIAL,
    "unit_head": Tier.UNIT_HEAD, "部门站所社区负责人": Tier.UNIT_HEAD,
    "部门、站所、社区负责人": Tier.UNIT_HEAD, "负责人": Tier.UNIT_HEAD,
    "village_cadre": Tier.VILLAGE_CADRE, "包村干部": Tier.VILLAGE_CADRE,
}  # fmt: skip
LEADING_GROUP_ROLES = {
    "leader": LeadingGroupRole.LEADER, "组长": LeadingGroupRole.LEADER,
    "deputy": LeadingGroupRole.DEPUTY, "副组长": LeadingGroupRole.DEPUTY,
    "member": LeadingGroupRole.MEMBER, "成员": LeadingGroupRole.MEMBER,
}  # fmt: skip

PLACES_SEPARATOR = re.compile(r"[;；、]")
CODE_FORBIDDEN = re.compile(r"[\s;；、,，]")
PHONE = re.compile(r"[0-9+\- ]{5,20}")
CODE_MAX, NAME_MAX, PERSON_NAME_MAX, POST_MAX = 32, 100, 50, 100
POPULATION_MAX = 100_000_000  # a town's; the column holds 2**31 - 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row, column as written in the header) and why."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column is not None:
            return _(
                "row %(row)d, column %(column)s: %(problem)s",
                row=self.row,
                column=self.column,
                problem=self.message,
            )
        if self.row is not None:
            return _("row %(row)d: %(problem)s", row=self.row, problem=self.message)
        return self.message


def canonical_column(header: str) -> str | None:
    text = header.strip()
    lowered = text.lower().replace(" ", "_") if text.isascii() else text
    if lowered in ALL_COLUMNS:
        return lowered
    return HEADER_ALIASES.get(text) or HEADER_ALIASES.get(text.lower())


def parse_header(
    header: tuple[str, ...], row: int = 1
) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    """Column name -> index, column name -> header as written, and the header's problems (on `row`)."""
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    problems: list[Problem] = []
    for index, text in enumerate(header):
        if not text:
            continue
        column = canonical_column(text)
        if column is None:
            shown = replace_forbidden(text, single_line=True)  # echoed without its control characters
            problems.append(Problem(row, shown, _("unknown column '%(column)s'", column=shown)))
        elif column in positions:
            problems.append(Problem(row, text, _("column '%(column)s' appears twice", column=column)))
        else:
            positions[column] = index
            written[column] = text
    problems.extend(
        Problem(row, column, _("column '%(column)s' is missing", column=column))
        for column in REQUIRED_COLUMNS
        if column not in positions
    )
    return positions, written, problems


def column_letter(index: int) -> str:
    """The spreadsheet name of the column at 0-based `index`: A, B, … Z, AA, AB …"""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
