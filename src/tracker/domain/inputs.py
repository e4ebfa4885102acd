"""Numbers and dates from outside (forms, query strings, JSON, imported files), read strictly and
bounded to what the tracker can keep and reason about. Pure.

Public API
- `MAX_ID`: the largest id (and whole number) a database column holds, 2**63 - 1 (PostgreSQL's
  BIGINT, SQLite's INTEGER). A bigger one is a field error, not a crash in the driver.
- `whole_number(text, maximum=MAX_ID) -> int | None`: the digits 0-9 with an optional sign, nothing
  else ("²" passes str.isdigit() but int() refuses it; "١٢", "1_000", " 1 2" are refused too),
  within ±maximum; None otherwise.
- `looks_numeric(text) -> bool`: what a lax reader (str.isdigit) would take for a whole number.
- `number_problem(text) -> str | None`: a field message for such text that is not one (or too big);
  `too_large(maximum)`: the message for a number past `maximum`.
- `day_problem(day) -> str | None`: a field message for a day outside the tracker's years.
- `Id`: a pydantic int type, 1 to MAX_ID, with a translated message.
- `Day`, `Instant`: pydantic date and datetime types within the tracker's years (FIRST_YEAR to
  LAST_YEAR of tracker.domain.clock); an aware datetime must stay within them in UTC too
  (0001-01-01T00:00+14:00 is in year 0 in UTC, which no datetime can hold).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from tracker.domain.clock import FIRST_YEAR, LAST_YEAR
from tracker.domain.errors import InvalidInput
from tracker.i18n import _

MAX_ID = 2**63 - 1
_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")  # 19 digits hold MAX_ID; int() never sees a 5,000-digit string


def whole_number(text: str, maximum: int = MAX_ID) -> int | None:
    """`text` (spaces around it ignored) as a whole number within ±`maximum`, or None (see the module notes)."""
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if -maximum <= number <= maximum else None


def looks_numeric(text: str) -> bool:
    """True for what a lax reader would take for a whole number: digits of any script, an optional sign."""
    digits = text.strip().lstrip("+-")
    return digits.isdigit()


EMAIL_MAX = 254
# One address, the plain way: local part @ a dotted domain, no spaces, no display name, no list.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def is_email(text: str) -> bool:
    """An e-mail address a reminder can be sent to (ASCII; one address; at most EMAIL_MAX characters)."""
    return len(text) <= EMAIL_MAX and _EMAIL.fullmatch(text) is not None


def year_from_query(text: str | None, default: int | None) -> int | None:
    """A page's ?year=: `default` when absent or empty, else a year from FIRST_YEAR to LAST_YEAR
    written with the digits 0-9; anything else is an InvalidInput on the field "year"."""
    if text is None or text == "":
        return default
    year = int(text) if text.isdecimal() and text.isascii() and len(text) <= 4 else None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Choose a year from %(first)s to %(last)s", first=FIRST_YEAR, last=LAST_YEAR)
        raise InvalidInput(message, fields={"year": message})
    return year


def too_large(maximum: int = MAX_ID) -> str:
    return _("Too large a number: at most %(maximum)d", maximum=maximum)


def number_problem(text: str) -> str | None:
    """A field message for text that looks like a whole number but is not one the tracker can read or keep."""
    if not looks_numeric(text) or whole_number(text) is not None:
        return None
    if not all("0" <= c <= "9" for c in text.strip().lstrip("+-")):
        return _("Write the number with the digits 0 to 9")
    return too_large()


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, "{message}", {"message": message})


def _check_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise _error("id_range", _("Must be a whole number from 1 to %(maximum)d", maximum=MAX_ID))
    return value


def day_problem(day: dt.date) -> str | None:
    """A field message for a day outside FIRST_YEAR..LAST_YEAR (where a local day can't always be
    turned into UTC, or a year after it computed); None when it is within them."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return None
    return _("Choose a date from %(first)d to %(last)d", first=FIRST_YEAR, last=LAST_YEAR)


def _check_day(value: dt.date) -> dt.date:
    if problem := day_problem(value):
        raise _error("year_range", problem)
    return value


def _check_instant(value: dt.datetime) -> dt.datetime:
    try:
        in_utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    except OverflowError:
        in_utc = None
    if in_utc is None or not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
        raise _error(
            "year_range", _("Choose a time from %(first)d to %(last)d", first=FIRST_YEAR, last=LAST_YEAR)
        )
    return value


Id = Annotated[
    int,
    AfterValidator(_check_id),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
]
Day = Annotated[
    dt.date,
    AfterValidator(_check_day),
    WithJsonSchema(
        {"type": "string", "format": "date", "description": f"a day from {FIRST_YEAR} to {LAST_YEAR}"}
    ),
]
Instant = Annotated[
    dt.datetime,
    AfterValidator(_check_instant),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": f"a time from {FIRST_YEAR} to {LAST_YEAR}"}
    ),
]
