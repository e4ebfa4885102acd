"""The audit log as a person reads it (pure): object and field names in the reader's language, values
as text (Chinese as Chinese, never `\\u4e34` escapes), what changed (before -> after), where an object
lives in the site, and the CSV export (UTF-8 with a BOM for Excel, safe from formula injection)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.domain.access import ROLE_LABELS
from tracker.i18n import LazyText, _, lazy_gettext

# The kinds of object an entry may be about (the audited tables), by table name.
OBJECT_LABELS: dict[str, LazyText] = {
    "town": lazy_gettext("Town"),
    "unit": lazy_gettext("Unit"),
    "place": lazy_gettext("Place"),
    "person": lazy_gettext("Person"),
    "contact_assignment": lazy_gettext("Contact point"),
    "app_user": lazy_gettext("Account"),
    "viewer_town": lazy_gettext("Viewer's town"),
    "api_token": lazy_gettext("API token"),
    "assignment": lazy_gettext("Assignment"),
    "task": lazy_gettext("Task"),
    "record": lazy_gettext("Record"),
    "record_photo": lazy_gettext("Photo"),
    "record_amendment": lazy_gettext("Amendment note"),
    "notify_channel": lazy_gettext("Reminder channel"),
    "reminder_policy": lazy_gettext("Reminder policy"),
    "outbox_message": lazy_gettext("Reminder message"),
    "calendar_feed": lazy_gettext("Calendar address"),
    "score_weights": lazy_gettext("Score weights"),
    "follow_up_resolution": lazy_gettext("Follow-up"),
    "finalised_year": lazy_gettext("Finalised year"),
    "totp_secret": lazy_gettext("Two-step verification"),
    "recovery_code": lazy_gettext("Recovery code"),
}

# Column and detail names; one not listed here is shown as it is stored.
FIELD_LABELS: dict[str, LazyText] = {
    "name": lazy_gettext("Name"),
    "code": lazy_gettext("Code"),
    "phone": lazy_gettext("Phone"),
    "email": lazy_gettext("E-mail"),
    "tier": lazy_gettext("Tier"),
    "post": lazy_gettext("Post"),
    "unit_id": lazy_gettext("Unit"),
    "supervisor_id": lazy_gettext("Supervisor"),
    "active": lazy_gettext("Active"),
    "leading_group_role": lazy_gettext("Leading-group role"),
    "kind": lazy_gettext("Kind"),
    "parent_id": lazy_gettext("Administrative village"),
    "latitude": lazy_gettext("Latitude"),
    "longitude": lazy_gettext("Longitude"),
    "population": lazy_gettext("Population"),
    "timezone": lazy_gettext("Time zone"),
    "town_id": lazy_gettext("Town"),
    "person_id": lazy_gettext("Person"),
    "place_id": lazy_gettext("Place"),
    "task_id": lazy_gettext("Task"),
    "assignment_id": lazy_gettext("Assignment"),
    "user_id": lazy_gettext("Account"),
    "login": lazy_gettext("Login name"),
    "role": lazy_gettext("Role"),
    "must_change_password": lazy_gettext("Must change password"),
    "locale": lazy_gettext("Language"),
    "password_hash": lazy_gettext("Password"),
    "title": lazy_gettext("Title"),
    "description": lazy_gettext("Description"),
    "status": lazy_gettext("Status"),
    "status_reason": lazy_gettext("Reason"),
    "due_at": lazy_gettext("Due"),
    "closed_at": lazy_gettext("Closed"),
    "target_count": lazy_gettext("Target"),
    "done_count": lazy_gettext("Done"),
    "occurred_on": lazy_gettext("Date"),
    "fields": lazy_gettext("Record fields"),
    "started_on": lazy_gettext("From"),
    "ended_on": lazy_gettext("Until"),
    "revoked_at": lazy_gettext("Revoked"),
    "expires_at": lazy_gettext("Expires"),
    "read_only": lazy_gettext("Read only"),
    "url": lazy_gettext("Address"),
    "keep_signed_in": lazy_gettext("Keep signed in"),
    "second_factor": lazy_gettext("Second factor"),
    "failures": lazy_gettext("Failed sign-ins"),
    "wait_seconds": lazy_gettext("Wait (seconds)"),
    "reason": lazy_gettext("Reason"),
    "was_throttled": lazy_gettext("Was waiting"),
    "route": lazy_gettext("Page"),
    "year": lazy_gettext("Year"),
    "note": lazy_gettext("Note"),
    "link": lazy_gettext("Link to the place"),
    "valid_from": lazy_gettext("Held from"),
    "valid_to": lazy_gettext("Held until"),
}

# Stored values of a few fields (enums) as the reader says them.
VALUE_LABELS: dict[str, dict[str, LazyText]] = {
    "tier": {
        "section_official": lazy_gettext("Section-level official"),
        "unit_head": lazy_gettext("Unit head"),
        "village_cadre": lazy_gettext("Village-contact cadre"),
    },
    "leading_group_role": {
        "leader": lazy_gettext("Group leader"),
        "deputy": lazy_gettext("Deputy group leader"),
        "member": lazy_gettext("Group member"),
    },
    "status": {
        "open": lazy_gettext("To do"),
        "done": lazy_gettext("Done"),
        "excused": lazy_gettext("Excused"),
        "cancelled": lazy_gettext("Cancelled"),
        "reassigned": lazy_gettext("Reassigned"),
    },
    "role": {role.value: label for role, label in ROLE_LABELS.items()},
    "link": {
        "contact_point": lazy_gettext("Contact point"),
        "village": lazy_gettext("Village in charge"),
    },
}

ACTION_LABELS: dict[str, LazyText] = {
    "create": lazy_gettext("Created"),
    "update": lazy_gettext("Changed"),
    "delete": lazy_gettext("Deleted"),
    "login": lazy_gettext("Signed in"),
    "login_failed": lazy_gettext("Failed sign-in"),
    "login_locked": lazy_gettext("Sign-in locked"),
    "login_unlocked": lazy_gettext("Sign-in unlocked"),
    "login_refused": lazy_gettext("Sign-in refused"),
    "logout": lazy_gettext("Signed out"),
    "password_change": lazy_gettext("Password changed"),
    "password_reset": lazy_gettext("Password reset"),
    "access_refused": lazy_gettext("Access refused"),
}

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str | None  # None: the field had no "before" (a creation, an event's detail)
    after: str | None  # None: the object was deleted


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def value_text(value: Any, field: str = "") -> str:
    """A stored value as a reader sees it: Chinese as Chinese, yes/no, an empty value as a dash, a
    tier, role or status by its name."""
    label = VALUE_LABELS.get(field, {}).get(value) if isinstance(value, str) else None
    if label is not None:
        return str(label)
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _is_change_set(changes: Mapping[str, Any]) -> bool:
    return (
        bool(changes)
        and set(changes) <= {"before", "after"}
        and all(isinstance(v, dict) for v in changes.values())
    )


def changed_fields(changes: Mapping[str, Any] | None) -> list[FieldChange]:
    """What an entry says changed: each field before -> after (an update), the values an object was
    created with or had when deleted, or an event's details (before None)."""
    if not changes:
        return []
    if not _is_change_set(changes):
        return [FieldChange(k, field_label(k), None, value_text(v, k)) for k, v in changes.items()]
    before, after = changes.get("before"), changes.get("after")
    keys = list(dict.fromkeys([*(after or {}), *(before or {})]))
    return [
        FieldChange(
            key,
            field_label(key),
            value_text(before.get(key), key) if before is not None else None,
            value_text(after.get(key), key) if after is not None else None,
        )
        for key in keys
    ]


def stored_name(changes: Mapping[str, Any] | None) -> str | None:
    """The name an entry itself carries (a deleted object is no longer there to be looked up)."""
    if not changes:
        return None
    for part in (changes.get("after"), changes.get("before"), changes):
        if isinstance(part, dict):
            for key in ("name", "title", "login"):
                if isinstance(part.get(key), str) and part[key]:
                    return part[key]
    return None


def object_path(object_type: str, object_id: str, town_code: str, task_id: int | None = None) -> str | None:
    """Where the object is shown in the site, or None when it has no page."""
    if not object_id.isascii() or not object_id.isdecimal():
        return None
    paths = {
        "person": f"/towns/{town_code}/people/{object_id}",
        "place": f"/towns/{town_code}/places/{object_id}",
        "town": f"/towns/{town_code}",
        "task": f"/tasks/{object_id}",
        "assignment": f"/towns/{town_code}/board?assignment={object_id}",
        "app_user": f"/towns/{town_code}/users",
        "reminder_policy": f"/towns/{town_code}/reminders/policy",
    }
    if object_type == "record" and task_id is not None:
        return f"/tasks/{task_id}"
    return paths.get(object_type)


def safe_cell(value: str) -> str:
    """A cell Excel or LibreOffice will not run as a formula: one starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe."""
    return "'" + value if value.startswith(CSV_FORMULA_STARTS) else value


def changes_text(changes: Sequence[FieldChange]) -> str:
    parts = []
    for change in changes:
        if change.before is not None and change.after is not None:
            parts.append(f"{change.label}: {change.before} → {change.after}")
        else:
            parts.append(f"{change.label}: {change.after if change.after is not None else change.before}")
    return "; ".join(parts)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Chinese right), CRLF lines, every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
