"""Where a town's rows hold ids, and how a copy's ids are shifted from the template's.

Copy k (1 … N-1) of the template gives every row of a copied table the id `id + k * span`, where
`span` is that table's highest id when copying starts (so no copy's id meets another's or one already
there), and every reference to a copied table the same shift: foreign keys (town_id too, which makes
the copy's town), and the ids hidden elsewhere:
- assignment.who_person_ids / who_place_ids: JSON lists of people and places;
- task.slot: "person:place-or-dash:period_key";
- record_change.record_id: a plain number (the record may be gone);
- JSON documents (record.fields' attendee_ids, a finalised year's snapshot …): values under the keys
  of JSON_ID_KEYS, at any depth. Any other key ending in `_id` or `_ids` stops the copy: a new kind of
  hidden id must be named here first.
Every table of the metadata is either COPIED or SKIPPED (a test checks it), so a new table gets a decision.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import JSON, Table

COPIED = (
    "town", "unit", "place", "person", "contact_assignment", "app_user", "totp_secret", "assignment", "task",
    "record", "record_photo", "record_change", "follow_up_resolution", "record_amendment", "finalised_year",
    "study_app_count", "score_weights", "notify_channel", "reminder_policy",
)  # fmt: skip
# sign-in state, logs, queues and uploads belong to what happens later, not to a town's shape
SKIPPED = frozenset({
    "audit_entry", "access_refusal", "login_session", "api_token", "sign_in_throttle", "recovery_code",
    "sign_in_challenge", "viewer_town", "calendar_feed", "outbox_message", "outbox_item", "delivery_attempt",
    "job_lease", "roster_upload", "alembic_version",
})  # fmt: skip
JSON_ID_KEYS = {
    "person_id": "person", "person_ids": "person", "attendee_ids": "person", "place_id": "place",
    "place_ids": "place", "unit_id": "unit", "assignment_id": "assignment", "task_id": "task",
    "record_id": "record", "town_id": "town", "user_id": "app_user",
}  # fmt: skip
# columns holding ids with no foreign key: (table, column) -> the table the ids are of
PLAIN_ID_COLUMNS = {
    ("assignment", "who_person_ids"): "person",
    ("assignment", "who_place_ids"): "place",
    ("record_change", "record_id"): "record",
}

Convert = Callable[[Any, int], Any]


class HiddenIdError(ValueError):
    """A JSON document has a key that looks like an id and is not in JSON_ID_KEYS."""


class Shifts:
    """The span of every copied table; `shift(table, value, k)` is copy k's id for template id `value`."""

    def __init__(self, spans: Mapping[str, int]) -> None:
        self.spans = dict(spans)

    def shift(self, table: str, value: Any, k: int) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [v + k * self.spans[table] for v in value]
        return value + k * self.spans[table]

    def json(self, document: Any, k: int) -> Any:
        """`document` with the ids under JSON_ID_KEYS shifted, at any depth."""
        if isinstance(document, dict):
            shifted = {}
            for key, value in document.items():
                if key in JSON_ID_KEYS:
                    shifted[key] = self.shift(JSON_ID_KEYS[key], value, k)
                elif isinstance(key, str) and key.endswith(("_id", "_ids")):
                    msg = f"JSON key {key!r} looks like an id: name its table in synth/shifts.py JSON_ID_KEYS"
                    raise HiddenIdError(msg)
                else:
                    shifted[key] = self.json(value, k)
            return shifted
        if isinstance(document, list):
            return [self.json(value, k) for value in document]
        return document

    def slot(self, slot: str, k: int) -> str:
        person, place, period = slot.split(":", 2)
        shifted_place = place if place == "-" else str(int(place) + k * self.spans["place"])
        return f"{int(person) + k * self.spans['person']}:{shifted_place}:{period}"


def column_converters(
    table: Table, shifts: Shifts, renames: Mapping[str, Convert]
) -> list[Convert | None]:
    """For each column of `table` in order, how copy k's value is made from the template's (None: as is).
    `renames` gives the columns whose values must differ per copy (town code and name, logins)."""
    converters: list[Convert | None] = []
    for column in table.columns:
        name = column.name
        converter: Convert | None = None
        if name in renames:
            converter = renames[name]
        elif column.primary_key:
            converter = _shifter(shifts, table.name)
        elif (table.name, name) in PLAIN_ID_COLUMNS:
            converter = _shifter(shifts, PLAIN_ID_COLUMNS[(table.name, name)])
        elif column.foreign_keys:
            target = next(iter(column.foreign_keys)).column.table.name
            if target in COPIED:
                converter = _shifter(shifts, target)
        elif table.name == "task" and name == "slot":
            converter = shifts.slot
        elif isinstance(column.type, JSON):
            converter = shifts.json
        converters.append(converter)
    return converters


def _shifter(shifts: Shifts, target: str) -> Convert:
    span = shifts.spans[target]

    def shift(value: Any, k: int) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [v + k * span for v in value]
        return value + k * span

    return shift


def copy_row(row: tuple[Any, ...], active: list[tuple[int, Convert]], k: int) -> tuple[Any, ...]:
    """Copy k of a template row; `active` lists the (column index, converter) pairs that change it."""
    copied = list(row)
    for index, convert in active:
        copied[index] = convert(copied[index], k)
    return tuple(copied)


def copy_encoders(table: Table) -> list[Callable[[Any], Any] | None]:
    """For PostgreSQL's COPY, which takes the driver's values: JSON as text, enums as their values."""
    encoders: list[Callable[[Any], Any] | None] = []
    for column in table.columns:
        if isinstance(column.type, JSON):
            encoders.append(_json_text)
        elif getattr(column.type, "enum_class", None) is not None:
            encoders.append(_enum_value)
        else:
            encoders.append(None)
    return encoders


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value
