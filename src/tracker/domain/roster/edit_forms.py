"""The roster edit forms as posted, read into the editors' inputs (editing.py, place_editing.py).

Every input is text; what can't even be read (an id that is no number, a tier that is none of ours)
becomes a field message in the input's `errors`, so that the editor reports it beside its field with
every other problem of the form. `sent` is what the form shows again beside its messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from litestar.datastructures import FormMultiDict

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.inputs import MAX_ID, whole_number
from tracker.domain.roster.editing import PersonInput
from tracker.domain.roster.place_editing import PlaceInput, UnitInput
from tracker.i18n import _

E = TypeVar("E", bound=Enum)
FIELD_MAX = 300  # characters kept of any one input; the checks say what is too long
PLACES_MAX = 50  # checkboxes of places one form may tick (the API's bound)
PERSON_FIELDS = (
    "code",
    "name",
    "tier",
    "post",
    "unit_id",
    "supervisor_id",
    "phone",
    "email",
    "leading_group_role",
)
PLACE_FIELDS = ("code", "name", "kind", "parent_id", "latitude", "longitude")
UNIT_FIELDS = ("code", "name", "kind")


def texts(form: FormMultiDict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()[:FIELD_MAX] for name in names}


def read_choice(value: str, kind: type[E], name: str, errors: dict[str, str], message: str) -> E | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        errors[name] = message
        return None


def read_id(value: str, name: str, errors: dict[str, str]) -> int | None:
    if not value:
        return None
    number = whole_number(value, MAX_ID)
    if number is None or number < 1:
        errors[name] = _("Choose from the list")
        return None
    return number


def place_ids(form: FormMultiDict, errors: dict[str, str]) -> list[int]:
    """The ticked places, in the order sent; an unreadable one is a message on `place_ids`."""
    values = [str(v) for v in form.getall("place_ids", [])]
    if len(values) > PLACES_MAX:
        errors["place_ids"] = _("Too many places: at most %(count)d", count=PLACES_MAX)
        return []
    ids = [whole_number(v, MAX_ID) for v in values]
    if any(i is None or i < 1 for i in ids):
        errors["place_ids"] = _("Choose from the list")
        return []
    return [i for i in ids if i is not None]


def read_person(form: FormMultiDict) -> tuple[dict[str, str], PersonInput]:
    sent = texts(form, PERSON_FIELDS)
    data = PersonInput(
        code=sent["code"], name=sent["name"], post=sent["post"], phone=sent["phone"], email=sent["email"]
    )
    data.tier = read_choice(sent["tier"], Tier, "tier", data.errors, _("Choose a tier"))
    data.leading_group_role = read_choice(
        sent["leading_group_role"],
        LeadingGroupRole,
        "leading_group_role",
        data.errors,
        _("Choose from the list"),
    )
    data.unit_id = read_id(sent["unit_id"], "unit_id", data.errors)
    data.supervisor_id = read_id(sent["supervisor_id"], "supervisor_id", data.errors)
    data.place_ids = place_ids(form, data.errors)
    return sent, data


def read_place(form: FormMultiDict) -> tuple[dict[str, str], PlaceInput]:
    sent = texts(form, PLACE_FIELDS)
    data = PlaceInput(
        code=sent["code"], name=sent["name"], latitude=sent["latitude"], longitude=sent["longitude"]
    )
    data.kind = read_choice(sent["kind"], PlaceKind, "kind", data.errors, _("Choose a kind"))
    data.parent_id = read_id(sent["parent_id"], "parent_id", data.errors)
    return sent, data


def read_unit(form: FormMultiDict) -> tuple[dict[str, str], UnitInput]:
    sent = texts(form, UNIT_FIELDS)
    data = UnitInput(code=sent["code"], name=sent["name"])
    data.kind = read_choice(sent["kind"], UnitKind, "kind", data.errors, _("Choose a kind"))
    return sent, data


def read_day(form: Mapping[str, object] | FormMultiDict) -> dt.date | None:
    """The form's `day` (YYYY-MM-DD, as a date input sends it), or None when it can't be read."""
    text = str(form.get("day") or "").strip()
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def sent_of(row: object, names: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in names:
        value = getattr(row, name)
        values[name] = "" if value is None else str(value.value if isinstance(value, Enum) else value)
    return values
