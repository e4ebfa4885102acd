"""The text and number checks where records' fields and roster files are read (pure, table-driven):
control and invisible formatting characters refused per field, line breaks only in multi-line
fields, numbers read strictly (digits 0-9) and bounded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker.db.models.tasks import WorkKind
from tracker.domain.roster.importing.checks import ExistingRoster, validate_roster
from tracker.domain.roster.importing.columns import REQUIRED_COLUMNS
from tracker.domain.roster.importing.read import RawRow, RawTable
from tracker.domain.work.kinds import clean_record_fields
from tracker.i18n import use_locale

MAX_ID = 2**63 - 1


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_locale("en"):
        yield


@pytest.mark.parametrize(
    ("kind", "values", "field", "message"),
    [
        (WorkKind.CUSTOM, {"note": "a\x00b"}, "note", "Remove the control or invisible formatting character U+0000 at character 2"),
        (WorkKind.CUSTOM, {"note": "\u202eabc"}, "note", "Remove the control or invisible formatting character U+202E at character 1"),
        (WorkKind.VISIT, {"people_met": "王某\u200b"}, "people_met", "Remove the control or invisible formatting character U+200B at character 3"),
        (WorkKind.LECTURE, {"topic": "百姓\n宣讲", "audience": 3}, "topic", "Keep this on one line (a tab or line break is at character 3)"),
        (WorkKind.PUBLICITY, {"outlet_level": "county", "title": "t\u2067", "link": ""}, "title", "Remove the control or invisible formatting character U+2067 at character 2"),
        (WorkKind.PUBLICITY, {"outlet_level": "county", "title": "t", "link": "https://a.cn/\u202e"}, "link", "Remove the control or invisible formatting character U+202E at character 14"),
        (WorkKind.LECTURE, {"topic": "t", "audience": "²"}, "audience", "Enter a whole number"),
        (WorkKind.LECTURE, {"topic": "t", "audience": "١٢"}, "audience", "Enter a whole number"),
        (WorkKind.LECTURE, {"topic": "t", "audience": "9" * 5000}, "audience", "Enter a whole number"),
        (WorkKind.STUDY, {"attendee_ids": [MAX_ID + 1]}, "attendee_ids", "Choose people from the roster"),
        (WorkKind.STUDY, {"attendee_ids": [str(MAX_ID + 1)]}, "attendee_ids", "Choose people from the roster"),
        (WorkKind.STUDY, {"attendee_ids": ["²"]}, "attendee_ids", "Choose people from the roster"),
    ],
)  # fmt: skip
def test_it_refuses_bad_characters_and_numbers_in_record_fields(
    kind: WorkKind, values: dict[str, object], field: str, message: str
) -> None:
    assert clean_record_fields(kind, values).errors == {field: message}


def test_it_keeps_clean_values_and_line_breaks_only_in_multi_line_fields() -> None:
    note = clean_record_fields(WorkKind.CUSTOM, {"note": " 第一行\n\t第二行\r\n "})
    assert (note.errors, note.values) == ({}, {"note": "第一行\n\t第二行"})
    lecture = clean_record_fields(WorkKind.LECTURE, {"topic": "宣讲", "audience": "+12"})
    assert (lecture.errors, lecture.values) == ({}, {"topic": "宣讲", "audience": 12})
    study = clean_record_fields(WorkKind.STUDY, {"attendee_ids": [str(MAX_ID), "3", 3]})
    assert (study.errors, study.values["attendee_ids"]) == ({}, [MAX_ID, 3])
    assert set(clean_record_fields(WorkKind.LECTURE, {"topic": "宣\n讲", "audience": 1}).errors) == {"topic"}


HEADER = (*REQUIRED_COLUMNS, "population")
TOWN = [{"record": "town", "code": "t1", "name": "一镇", "population": "12000"}]


def _problems(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> list[str]:
    table = RawTable(
        header=header,
        rows=tuple(RawRow(n, tuple(row.get(c, "") for c in header)) for n, row in enumerate(rows, start=2)),
    )
    _, problems = validate_roster(table, "t1", ExistingRoster())
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"record": "unit", "code": "U1", "name": "宣传\u202e办", "kind": "department"},
         "row 3, column name: Remove the control or invisible formatting character U+202E at character 3"),
        ({"record": "unit", "code": "U1", "name": "宣传\n办", "kind": "department"},
         "row 3, column name: Keep this on one line (a tab or line break is at character 3)"),
        ({"record": "person", "code": "P1", "name": "甲", "tier": "village_cadre", "post": "\x00"},
         "row 3, column post: Remove the control or invisible formatting character U+0000 at character 1"),
        ({"record": "place", "code": "AV1", "name": "\ufeff东村", "kind": "administrative_village"},
         "row 3, column name: Remove the control or invisible formatting character U+FEFF at character 1"),
    ],
)  # fmt: skip
def test_it_refuses_bad_characters_in_roster_cells(row: dict[str, str], expected: str) -> None:
    assert expected in _problems([*TOWN, row])


def test_it_reports_a_bad_cell_once_and_never_echoes_its_characters() -> None:
    trailing = {"record": "unit", "code": "U1", "name": "宣传办\n", "kind": "department"}
    assert _problems([*TOWN, trailing]) == []  # a line break at the end is trimmed away: fine
    row = {"record": "person", "code": "P1", "name": "甲", "tier": "boss\u202e\x1b[31m"}
    problems = _problems([*TOWN, row])
    assert [p for p in problems if "column tier: Remove" in p] == [
        "row 3, column tier: Remove the control or invisible formatting character U+202E at character 5"
    ]
    assert "row 3, column tier: unknown tier 'boss\ufffd\ufffd[31m'" in problems
    assert not any("\u202e" in p or "\x1b" in p for p in problems)
    header = (*HEADER[:-1], "popu\u202elation")
    assert any("unknown column 'popu\ufffdlation'" in p for p in _problems(TOWN, header))


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        ("100,000,001", "row 2, column population: Too large a number: at most 100000000"),
        (str(MAX_ID + 1), "row 2, column population: '9223372036854775808' is not a whole number"),
        ("1_000", "row 2, column population: '1_000' is not a whole number"),
    ],
)
def test_it_reads_a_towns_population_strictly_and_bounds_it(population: str, expected: str) -> None:
    assert _problems([{**TOWN[0], "population": population}]) == [expected]
    assert _problems([{**TOWN[0], "population": "100,000,000"}]) == []
    assert _problems([{**TOWN[0], "population": "²"}]) == ["row 2, column population: '²' is not a whole number"]
