"""The pure checks of editing the roster by hand (roster/edit_checks.py), table-driven."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tracker.domain.roster import edit_checks as checks
from tracker.i18n import use_locale

TODAY = dt.date(2026, 11, 28)
# 1 <- 2 <- 3 <- 4 (4 reports to 3, 3 to 2, 2 to 1); 5 and 6 are a loop of their own in bad data
SUPERVISOR_OF = {1: None, 2: 1, 3: 2, 4: 3, 5: 6, 6: 5}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with use_locale("en"):
        yield


@pytest.mark.parametrize(
    ("person", "supervisor", "loop"),
    [
        (2, 4, [4, 3, 2]),  # 2 under 4, who is under 3, under 2: back to 2
        (1, 2, [2, 1]),
        (3, 1, []),  # up the chain: no loop
        (4, 1, []),
        (None, 4, []),  # a new person closes no loop
        (2, None, []),
        (1, 5, []),  # a loop up the chain that is not this person's
    ],
)
def test_it_finds_the_supervisor_loop_a_change_would_close(
    person: int | None, supervisor: int | None, loop: list[int]
) -> None:
    assert checks.supervisor_loop(person, supervisor, SUPERVISOR_OF) == loop


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("13800000001", "138 0000 0001", True),
        ("138-0000-0001", "13800000001", True),
        ("+86 138 0000 0001", "+8613800000001", True),
        ("13800000001", "13800000002", False),
        ("", "", False),
        (None, "13800000001", False),
    ],
)
def test_it_knows_the_same_phone_however_written(a: str | None, b: str | None, same: bool) -> None:
    assert checks.same_phone(a, b) is same


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (TODAY, None),
        (TODAY - dt.timedelta(days=30), None),
        (TODAY + dt.timedelta(days=1), "Choose today or an earlier day; a change can't be dated ahead"),
        (TODAY - dt.timedelta(days=400), "Choose a day within the last year"),
        (None, "Give the day as YYYY-MM-DD"),
    ],
)
def test_it_dates_a_deactivation_today_or_up_to_a_year_back(day: dt.date | None, problem: str | None) -> None:
    assert checks.day_problem(day, TODAY) == problem


@pytest.mark.parametrize(
    ("latitude", "longitude", "values", "errors"),
    [
        ("34.25", "108.5", (34.25, 108.5), {}),
        ("", "", (None, None), {}),
        ("34.25", "", (34.25, None), {"longitude": "give both latitude and longitude, or neither"}),
        ("95", "108", (None, 108.0), {"latitude": "latitude must be between -90 and 90"}),
        ("34", "nan", (34.0, None), {"longitude": "longitude must be between -180 and 180"}),
        ("北纬34", "108", (None, 108.0), {"latitude": "'北纬34' is not a number"}),
    ],
)
def test_it_reads_coordinates_both_or_neither_in_range(
    latitude: str, longitude: str, values: tuple[float | None, float | None], errors: dict[str, str]
) -> None:
    coordinates, problems = checks.read_coordinates(latitude, longitude)
    assert (coordinates.latitude, coordinates.longitude) == values and problems == errors


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("P9", None),
        ("", "This field must not be empty"),
        ("P 9", "a code cannot contain spaces, commas or the separators ; ； 、"),
        ("P9、P10", "a code cannot contain spaces, commas or the separators ; ； 、"),
        ("P" * 33, "too long (at most 32 characters)"),
    ],
)
def test_it_checks_a_code_as_the_importer_does(code: str, problem: str | None) -> None:
    assert checks.code_problem(code) == problem


def test_it_checks_phone_and_e_mail_with_the_importers_messages() -> None:
    assert checks.phone_problem("13800000001") is None and checks.phone_problem("") is None
    assert checks.phone_problem("call me") == (
        "'call me' is not a phone number (digits, +, - and spaces; 5 to 20 characters)"
    )
    assert checks.email_problem("li@example.cn") is None
    assert checks.email_problem("li at example") == "'li at example' is not an e-mail address"
