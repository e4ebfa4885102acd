"""Pure rules of editing the roster by hand (the pages): field checks shared with the importer, the
supervisor loop, phones that are the same number, what a deactivation date may be.

No session, no request; `today` passed in. The field formats (code, phone, e-mail, lengths) are the
importer's (importing/columns.py, domain/inputs.py): one source of truth for what a roster holds. That
is why this pure module sits in the services layer of the import contract, beside `importing`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tracker.domain.inputs import is_email
from tracker.domain.roster.importing.columns import CODE_FORBIDDEN, CODE_MAX, PHONE
from tracker.domain.text import text_problem
from tracker.i18n import _

_NOT_DIGITS = re.compile(r"[^0-9+]")
# how far back a deactivation or reactivation may be dated: a correction of last year's leaving, not history rewriting
MAX_DAYS_BACK = 366


def line_problem(value: str, max_length: int, *, required: bool) -> str | None:
    """A one-line text field: not empty when required, no control characters, not too long."""
    if required and not value:
        return _("This field must not be empty")
    problem = text_problem(value, single_line=True)
    if problem is not None:
        return problem
    if len(value) > max_length:
        return _("too long (at most %(max)d characters)", max=max_length)
    return None


def code_problem(value: str) -> str | None:
    problem = line_problem(value, CODE_MAX, required=True)
    if problem is None and CODE_FORBIDDEN.search(value):
        return _("a code cannot contain spaces, commas or the separators ; ； 、")
    return problem


def phone_problem(value: str) -> str | None:
    """The importer's phone check, with its message."""
    if value and not PHONE.fullmatch(value):
        return _(
            "'%(value)s' is not a phone number (digits, +, - and spaces; 5 to 20 characters)", value=value
        )
    return None


def email_problem(value: str) -> str | None:
    if value and not is_email(value):
        return _("'%(value)s' is not an e-mail address", value=value)
    return None


def same_phone(a: str | None, b: str | None) -> bool:
    """The same number however it is written: "138 0000 0001" is "13800000001"."""
    if not a or not b:
        return False
    return _NOT_DIGITS.sub("", a) == _NOT_DIGITS.sub("", b)


def supervisor_loop(
    person_id: int | None, supervisor_id: int | None, supervisor_of: Mapping[int, int | None]
) -> list[int]:
    """The chain of ids from `supervisor_id` up to `person_id` when making `supervisor_id` the person's
    supervisor would close a loop (the person last); empty when it would not. A new person (no id yet)
    can close no loop; a loop elsewhere up the chain is not this person's to answer for."""
    if person_id is None or supervisor_id is None:
        return []
    chain: list[int] = []
    current: int | None = supervisor_id
    while current is not None and current not in chain:
        chain.append(current)
        if current == person_id:
            return chain
        current = supervisor_of.get(current)
    return []


def day_problem(day: dt.date | None, today: dt.date) -> str | None:
    """A deactivation or reactivation day: today or earlier, within a year back."""
    if day is None:
        return _("Give the day as YYYY-MM-DD")
    if day > today:
        return _("Choose today or an earlier day; a change can't be dated ahead")
    if day < today - dt.timedelta(days=MAX_DAYS_BACK):
        return _("Choose a day within the last year")
    return None


@dataclass(frozen=True)
class Coordinates:
    latitude: float | None
    longitude: float | None


def read_coordinates(latitude: str, longitude: str) -> tuple[Coordinates, dict[str, str]]:
    """Both or neither, in range, as the importer reads them; field messages by field name."""
    errors: dict[str, str] = {}
    values: dict[str, float | None] = {}
    for name, text, low, high, message in (
        ("latitude", latitude.strip(), -90, 90, _("latitude must be between -90 and 90")),
        ("longitude", longitude.strip(), -180, 180, _("longitude must be between -180 and 180")),
    ):
        values[name] = None
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            errors[name] = _("'%(value)s' is not a number", value=text[:40])
            continue
        if not math.isfinite(number) or not low <= number <= high:
            errors[name] = message
        else:
            values[name] = number
    if not errors and (values["latitude"] is None) != (values["longitude"] is None):
        missing = "longitude" if values["longitude"] is None else "latitude"
        errors[missing] = _("give both latitude and longitude, or neither")
    return Coordinates(values["latitude"], values["longitude"]), errors
