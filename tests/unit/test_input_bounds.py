"""Numbers and dates from outside read strictly and bounded (tracker.domain.inputs), and the JSON
depth check at the door (tracker.web.inputs), table-driven."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import BaseModel, ValidationError

from tracker.domain.errors import InvalidInput
from tracker.domain.inputs import (
    MAX_ID,
    Day,
    Id,
    Instant,
    day_problem,
    looks_numeric,
    number_problem,
    whole_number,
    year_from_query,
)
from tracker.i18n import use_locale
from tracker.web.inputs import MAX_JSON_DEPTH, json_too_deep

WHOLE_NUMBERS = [
    ("0", 0),
    ("42", 42),
    (" 42 ", 42),
    ("+7", 7),
    ("-7", -7),
    ("0042", 42),
    (str(MAX_ID), MAX_ID),
    (str(-MAX_ID), -MAX_ID),
    (str(MAX_ID + 1), None),  # 9223372036854775808: past the column
    ("1" * 20, None),
    ("9" * 5000, None),  # int() would refuse it too (more than 4,300 digits), with a ValueError
    ("²", None),  # str.isdigit() says yes; int() raises
    ("1²", None),
    ("١٢", None),  # Arabic-Indic digits: int() reads them, the tracker does not
    ("1_000", None),
    ("1 000", None),
    ("1.0", None),
    ("1e3", None),
    ("", None),
    ("-", None),
    ("0x10", None),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE_NUMBERS)
def test_it_reads_whole_numbers_strictly(text: str, expected: int | None) -> None:
    assert whole_number(text) == expected


def test_it_bounds_whole_numbers_to_a_maximum() -> None:
    assert whole_number("100", maximum=100) == 100
    assert whole_number("101", maximum=100) is None
    assert whole_number("-101", maximum=100) is None


@pytest.mark.parametrize(
    ("text", "looks", "problem"),
    [
        ("12", True, None),
        ("-12", True, None),
        ("abc", False, None),  # text, not a number: not this check's business
        ("12abc", False, None),
        ("", False, None),
        ("²", True, "Write the number with the digits 0 to 9"),
        ("١٢", True, "Write the number with the digits 0 to 9"),
        (str(MAX_ID + 1), True, f"Too large a number: at most {MAX_ID}"),
        ("-" + str(MAX_ID + 1), True, f"Too large a number: at most {MAX_ID}"),
    ],
)
def test_it_names_what_is_wrong_with_a_number(text: str, looks: bool, problem: str | None) -> None:
    assert looks_numeric(text) is looks
    with use_locale("en"):
        assert number_problem(text) == problem


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (dt.date(2000, 1, 1), True),
        (dt.date(2100, 12, 31), True),
        (dt.date(1999, 12, 31), False),
        (dt.date(2101, 1, 1), False),
        (dt.date(1, 1, 1), False),
        (dt.date(9999, 12, 31), False),
    ],
)
def test_it_keeps_days_within_the_trackers_years(day: dt.date, ok: bool) -> None:
    assert (day_problem(day) is None) is ok


class _Shape(BaseModel):
    id: Id | None = None
    day: Day | None = None
    at: Instant | None = None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": 0}, "id"),
        ({"id": -1}, "id"),
        ({"id": MAX_ID + 1}, "id"),
        ({"id": 10**400}, "id"),
        ({"day": "0001-01-01"}, "day"),
        ({"day": "9999-12-31"}, "day"),
        ({"at": "0001-01-01T00:00:00+14:00"}, "at"),  # year 0 in UTC: no datetime holds it
        ({"at": "9999-12-31T23:59:59-14:00"}, "at"),  # year 10000 in UTC
        ({"at": "2000-01-01T01:00:00+02:00"}, "at"),  # 1999 in UTC
        ({"at": "2101-01-01T00:30:00+00:00"}, "at"),
    ],
)
def test_it_refuses_ids_and_dates_out_of_bounds_with_a_field_message(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _Shape.model_validate(data)
    (error,) = refused.value.errors()
    assert error["loc"] == (field,)
    assert error["type"] in ("id_range", "year_range")


def test_it_accepts_ids_and_dates_within_bounds_unchanged() -> None:
    at = "2026-06-01T08:00:00+08:00"
    shape = _Shape.model_validate({"id": MAX_ID, "day": "2026-06-01", "at": at})
    assert shape.id == MAX_ID
    assert shape.day == dt.date(2026, 6, 1)
    assert shape.at == dt.datetime.fromisoformat(at)
    assert shape.at.utcoffset() == dt.timedelta(hours=8)
    # 1999 on the clock at -02:00, but already 2000 in UTC: within the years
    assert _Shape.model_validate({"at": "1999-12-31T23:00:00-02:00"}).at is not None


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize(
    ("body", "too_deep"),
    [
        (b"", False),
        (b'{"a": 1}', False),
        (_nested(MAX_JSON_DEPTH), False),
        (_nested(MAX_JSON_DEPTH + 1), True),
        (_nested(100_000), True),
        (b"[" * 100_000, True),  # never closed: still too deep on the way in
        (json.dumps({"text": "[" * 1000 + "{" * 1000}).encode(), False),  # brackets inside a string don't count
        (json.dumps({"text": 'a \\" quote then [[[[' * 100}).encode(), False),
        (json.dumps([[{"a": [[{"b": ["x"]}]]}]]).encode(), False),
        (b'{"a":' * 33 + b"1" + b"}" * 33, True),
        (b'["unterminated' + b"[" * 40, True),  # no closing quote: its brackets count (refused either way)
    ],
)
def test_it_measures_json_nesting_without_decoding(body: bytes, too_deep: bool) -> None:
    assert json_too_deep(body) is too_deep


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, 2026), ("", 2026), ("2025", 2025), ("2000", 2000), ("2100", 2100)],
)
def test_it_reads_a_year_from_the_query_string(text: str | None, expected: int) -> None:
    assert year_from_query(text, 2026) == expected


@pytest.mark.parametrize("text", ["1999", "2101", "abc", "²⁰²⁵", "２０２５", "20250", "-2025", " 2025"])
def test_it_refuses_what_is_not_a_year_with_a_field_message(text: str) -> None:
    with use_locale("en"), pytest.raises(InvalidInput) as refused:
        year_from_query(text, 2026)
    assert refused.value.fields == {"year": "Choose a year from 2000 to 2100"}
