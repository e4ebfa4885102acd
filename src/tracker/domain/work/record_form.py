"""The record form: what it shows (blank, or as sent back with messages) and reading it from a POST.

Kind-specific inputs are named "f_<field>" so that they never clash with the form's own inputs;
messages are keyed by the field's own name (as the service's InvalidInput fields are).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from litestar.datastructures import FormMultiDict
from pydantic import ValidationError

from tracker.db.models.tasks import WorkKind
from tracker.domain.work.kinds import EVIDENCE, FieldSpec, FieldType, record_fields
from tracker.domain.work.schemas import RecordIn
from tracker.i18n import _

PREFIX = "f_"
LOCATION_INPUTS = ("latitude", "longitude", "accuracy_m", "located_at")
MAX_PHOTOS = 9  # the service refuses more; the form says so up front


def new_client_key() -> str:
    """A fresh key each time a form is shown: resending that same form (a double tap) reuses it."""
    return secrets.token_urlsafe(18)


@dataclass
class RecordForm:
    kind: WorkKind
    client_key: str
    occurred_on: str
    max_date: str
    place_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    location: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    @property
    def specs(self) -> tuple[FieldSpec, ...]:
        return record_fields(self.kind)

    @property
    def evidence_summary(self) -> str:
        """What makes a record of this kind count (kinds.EVIDENCE), said above its fields."""
        return str(EVIDENCE[self.kind].summary)

    def value(self, name: str) -> Any:
        return self.values.get(name, "")

    def chosen(self, name: str) -> set[str]:
        """The person ids ticked for a person-list field, as strings."""
        return {str(v) for v in self.values.get(name) or []}

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @property
    def shown_beside_fields(self) -> set[str]:
        return {spec.name for spec in self.specs} | {"occurred_on", "place_id", "photos", "location", "form"}

    def refused(self, message: str, fields: dict[str, str]) -> None:
        """The service's answer: messages beside their fields; one that has no field here (a closed
        task, whose work it is) on top. The form says on top that fields are marked otherwise."""
        self.errors.update(fields)
        elsewhere = [text for name, text in fields.items() if name not in self.shown_beside_fields]
        if elsewhere or not fields:
            self.message = elsewhere[0] if elsewhere else message

    @classmethod
    def blank(cls, kind: WorkKind, today: dt.date, place_id: int | None = None) -> RecordForm:
        return cls(
            kind=WorkKind(kind),
            client_key=new_client_key(),
            occurred_on=today.isoformat(),
            max_date=today.isoformat(),
            place_id="" if place_id is None else str(place_id),
        )


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _kind_values(form: FormMultiDict, kind: WorkKind) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in record_fields(kind):
        name = PREFIX + spec.name
        if spec.type is FieldType.PERSON_IDS:
            values[spec.name] = [v for v in form.getall(name, []) if isinstance(v, str) and v.strip()]
        elif spec.type is FieldType.BOOLEAN:
            values[spec.name] = bool(_text(form, name))
        else:
            values[spec.name] = _text(form, name)
    return values


def _number(text: str) -> float | None:
    return float(text) if text else None


def _problems(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "form"
        if name == "occurred_on":
            fields["occurred_on"] = _("Enter the date it happened")
        elif name in LOCATION_INPUTS:
            fields["location"] = _("The location could not be read; try again or leave it out")
        elif name == "client_key":
            fields["form"] = _("This form has expired. Reload the page and try again.")
        else:
            fields.setdefault(name, str(item.get("msg", "")))
    return fields


def read_record_form(
    form: FormMultiDict, kind: WorkKind, today: dt.date
) -> tuple[RecordForm, RecordIn | None]:
    """The form as sent (to show again on a problem) and the record input, or None with messages."""
    sent = RecordForm(
        kind=kind,
        client_key=_text(form, "client_key") or new_client_key(),
        occurred_on=_text(form, "occurred_on"),
        max_date=today.isoformat(),
        place_id=_text(form, "place_id"),
        values=_kind_values(form, kind),
        location={name: _text(form, name) for name in LOCATION_INPUTS},
    )
    if not sent.place_id.isdigit() and sent.place_id:
        sent.errors["place_id"] = _("Choose a place from the list")
    try:
        data = RecordIn(
            client_key=sent.client_key,
            occurred_on=sent.occurred_on or None,  # type: ignore[arg-type]
            place_id=int(sent.place_id) if sent.place_id.isdigit() else None,
            fields=sent.values,
            latitude=_number(sent.location["latitude"]),
            longitude=_number(sent.location["longitude"]),
            accuracy_m=_number(sent.location["accuracy_m"]),
            located_at=sent.location["located_at"] or None,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        sent.errors.update(_problems(error))
        return sent, None
    except ValueError:  # a coordinate that is not a number
        sent.errors["location"] = _("The location could not be read; try again or leave it out")
        return sent, None
    if sent.errors:
        return sent, None
    return sent, data


def service_problems(fields: dict[str, str]) -> dict[str, str]:
    """The service's field messages keyed the way the form shows them."""
    shown: dict[str, str] = {}
    for name, message in fields.items():
        key = name.removeprefix("fields.")
        if key in LOCATION_INPUTS:
            key = "location"
        shown.setdefault(key, message)
    return shown
