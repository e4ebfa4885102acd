"""How the task pages show stored values: local due days, record fields, light symbols. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.work.kinds import FieldSpec, FieldType
from tracker.domain.work.lights import Light
from tracker.i18n import _, format_number

# Not colour alone: each light has its own symbol beside its colour (and a text label).
LIGHT_SYMBOLS = {Light.RED: "!", Light.YELLOW: "◔", Light.GREEN: "○", Light.DONE: "✓", Light.NONE: "–"}


def due_on(due_at: dt.datetime, timezone: str) -> dt.date:
    """The last local day to do the work: due instants are the start of the next local day."""
    return (due_at.astimezone(ZoneInfo(timezone)) - dt.timedelta(microseconds=1)).date()


def show_field(spec: FieldSpec, value: Any, people: Mapping[int, str]) -> str:
    """A record field's stored value as text ("" when there is nothing to show)."""
    if value is None or value == "" or value == []:
        return ""
    if spec.type is FieldType.BOOLEAN:
        return _("Yes") if value else ""
    if spec.type is FieldType.CHOICE:
        labels = {choice: str(label) for choice, label in spec.choices}
        return labels.get(str(value), str(value))
    if spec.type is FieldType.PERSON_IDS:
        return "、".join(people.get(int(person_id), f"#{person_id}") for person_id in value)
    if spec.type is FieldType.INTEGER:
        return format_number(value)
    return str(value)
