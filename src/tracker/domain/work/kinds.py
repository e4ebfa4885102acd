"""Kinds of work and the fields each kind's record holds: a declarative table. Pure.

Public API
- `WorkKind`: visit, study, meeting, lecture, culture, publicity, opinion, custom.
- `FieldType`: text, integer, boolean, choice, url, person_ids.
- `FieldSpec`: name, type, label, required, min_value, max_value, max_length, choices
  ((value, label) pairs), multiline (a text area rather than a line).
- `RECORD_FIELDS[kind] -> tuple[FieldSpec, ...]`, in form order; `record_fields(kind)`.
- `CultureForm`, `OutletLevel`: the values of the two choice fields.
- `KIND_LABELS`: lazily translated names of the kinds.
- `clean_record_fields(kind, values) -> CleanedRecord(values, errors)`: the kind's fields read
  from typed values (JSON) or strings (a form): text stripped and refused with control or invisible
  formatting characters (tracker.domain.text; a one-line field also refuses line breaks), numbers
  parsed strictly (the digits 0-9: "²" is not a number) and bounded, booleans from
  true/false/on/off/1/0/yes/no, person ids (1 to MAX_ID) de-duplicated in order. `values` holds
  every field of the kind (absent optional ones as None, False or []). `errors` maps a field to its
  translated message; an unknown field is an error, as is an unknown kind (field "kind").
- `validate_record_fields(kind, values) -> dict[field, message]`: just the errors.
- `EVIDENCE[kind] -> EvidenceRule`: what proves a kind's work (any one `Proof` of it: groups of
  fields, PHOTO for a photo, each group needing one filled), with a summary sentence for the form;
  evidence_rules.py checks a record against it (the service, which knows the photos, calls it).

Whether attendee ids belong to the town's roster is for the service to check: it holds the roster.
A visit marked "needs follow-up" must say what the issue is (issues_found).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tracker.db.models.tasks import WorkKind
from tracker.domain.inputs import MAX_ID, whole_number
from tracker.domain.text import text_problem
from tracker.i18n import LazyText, _, lazy_gettext

SHORT_TEXT = 200
LONG_TEXT = 5000
MAX_URL = 500
MAX_AUDIENCE = 1_000_000
MAX_ATTENDEES = 500
_TRUE = frozenset({"true", "on", "1", "yes"})
_FALSE = frozenset({"false", "off", "0", "no", ""})




class FieldType(str, enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    URL = "url"
    PERSON_IDS = "person_ids"


class CultureForm(str, enum.Enum):
    FILM = "film"
    PERFORMANCE = "performance"


class OutletLevel(str, enum.Enum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"
    ONLINE = "online"
    XUEXI_QIANGGUO = "xuexi_qiangguo"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    label: LazyText
    required: bool = False
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    choices: tuple[tuple[str, LazyText], ...] = ()
    multiline: bool = False


@dataclass
class CleanedRecord:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


KIND_LABELS: dict[WorkKind, LazyText] = {
    WorkKind.VISIT: lazy_gettext("Visit"),
    WorkKind.STUDY: lazy_gettext("Study"),
    WorkKind.MEETING: lazy_gettext("Meeting"),
    WorkKind.LECTURE: lazy_gettext("Lecture"),
    WorkKind.CULTURE: lazy_gettext("Culture"),
    WorkKind.PUBLICITY: lazy_gettext("Publicity"),
    WorkKind.OPINION: lazy_gettext("Online opinion"),
    WorkKind.CUSTOM: lazy_gettext("Other work"),
}

_CULTURE_FORMS = (
    (CultureForm.FILM.value, lazy_gettext("Film screening")),
    (CultureForm.PERFORMANCE.value, lazy_gettext("Performance")),
)
_OUTLET_LEVELS = (
    (OutletLevel.CENTRAL.value, lazy_gettext("Central media")),
    (OutletLevel.PROVINCIAL.value, lazy_gettext("Provincial media")),
    (OutletLevel.CITY.value, lazy_gettext("City media")),
    (OutletLevel.COUNTY.value, lazy_gettext("County media")),
    (OutletLevel.ONLINE.value, lazy_gettext("Online media")),
    (OutletLevel.XUEXI_QIANGGUO.value, lazy_gettext("Xuexi Qiangguo")),
)


def _text(name: str, label: LazyText, *, required: bool = False, long: bool = True) -> FieldSpec:
    return FieldSpec(name, FieldType.TEXT, label, required=required,
                     max_length=LONG_TEXT if long else SHORT_TEXT, multiline=long)


def _audience(required: bool) -> FieldSpec:
    return FieldSpec("audience", FieldType.INTEGER, lazy_gettext("Audience size"), required=required,
                     min_value=0, max_value=MAX_AUDIENCE)


_ATTENDANCE = (
    FieldSpec("attendee_ids", FieldType.PERSON_IDS, lazy_gettext("Attendees"), required=True,
              max_length=MAX_ATTENDEES),
    _text("minutes", lazy_gettext("Meeting minutes")),
)

RECORD_FIELDS: dict[WorkKind, tuple[FieldSpec, ...]] = {
    WorkKind.VISIT: (
        _text("people_met", lazy_gettext("People met")),
        _text("issues_raised", lazy_gettext("What was raised")),
        _text("issues_found", lazy_gettext("Issues found")),
        FieldSpec("needs_follow_up", FieldType.BOOLEAN, lazy_gettext("Needs follow-up")),
    ),
    WorkKind.STUDY: _ATTENDANCE,
    WorkKind.MEETING: _ATTENDANCE,
    WorkKind.LECTURE: (
        _text("topic", lazy_gettext("Topic"), required=True, long=False),
        _audience(required=True),
    ),
    WorkKind.CULTURE: (
        FieldSpec("form", FieldType.CHOICE, lazy_gettext("Film or performance"), required=True,
                  choices=_CULTURE_FORMS),
        _audience(required=False),
    ),
    WorkKind.PUBLICITY: (
        FieldSpec("outlet_level", FieldType.CHOICE, lazy_gettext("Outlet level"), required=True,
                  choices=_OUTLET_LEVELS),
        _text("title", lazy_gettext("Title"), required=True, long=False),
        FieldSpec("link", FieldType.URL, lazy_gettext("Link"), max_length=MAX_URL),
    ),
    WorkKind.OPINION: (
        _text("what_happened", lazy_gettext("What happened"), required=True),
        _text("how_handled", lazy_gettext("How it was handled"), required=True),
    ),
    WorkKind.CUSTOM: (_text("note", lazy_gettext("Note")),),
}


PHOTO = "photos"  # in an evidence rule: at least one photo sent with the record (the service knows them)


@dataclass(frozen=True)
class Proof:
    """One way to prove a kind's work: every group of `all_of` has at least one field filled (text not
    blank, a number above 0, someone chosen, a photo: PHOTO), e.g. (("people_met",), ("issues_raised",
    "issues_found")). `messages` says, per group's first field, what to add when it is missing."""

    all_of: tuple[tuple[str, ...], ...]
    messages: tuple[LazyText, ...]


@dataclass(frozen=True)
class EvidenceRule:
    """A record counts when any one of `any_of` holds; `summary` says so in a sentence for the form."""

    any_of: tuple[Proof, ...]
    summary: LazyText


_A_PHOTO = Proof(((PHOTO,),), (lazy_gettext("Or add a photo"),))

# What proves each kind of work: checked (evidence_rules.py) after the fields, before a record counts.
EVIDENCE: dict[WorkKind, EvidenceRule] = {
    WorkKind.VISIT: EvidenceRule(
        (Proof((("people_met",), ("issues_raised", "issues_found")),
               (lazy_gettext("Say whom you met, or add a photo"),
                lazy_gettext("Say what was raised or found, or add a photo"))),
         _A_PHOTO),
        lazy_gettext("A visit counts with whom you met and what was raised or found, or with a photo."),
    ),
    WorkKind.STUDY: EvidenceRule(
        (Proof((("attendee_ids",),), (lazy_gettext("Choose who attended"),)),),
        lazy_gettext("A study session counts with who attended."),
    ),
    WorkKind.MEETING: EvidenceRule(
        (Proof((("attendee_ids",), ("minutes",)),
               (lazy_gettext("Choose who attended"), lazy_gettext("Write the minutes, or add a photo of them"))),
         Proof((("attendee_ids",), (PHOTO,)), (lazy_gettext("Choose who attended"), lazy_gettext("Or add a photo")))),
        lazy_gettext("A meeting counts with who attended and its minutes or a photo of them."),
    ),
    WorkKind.LECTURE: EvidenceRule(
        (Proof((("topic",), ("audience",)),
               (lazy_gettext("Say what the lecture was about"), lazy_gettext("Say how many people listened"))),),
        lazy_gettext("A lecture counts with its topic and how many people listened."),
    ),
    WorkKind.CULTURE: EvidenceRule(
        (Proof((("form",), ("audience",)),
               (lazy_gettext("Choose film or performance"), lazy_gettext("Say how many people came, or add a photo"))),
         Proof((("form",), (PHOTO,)), (lazy_gettext("Choose film or performance"), lazy_gettext("Or add a photo")))),
        lazy_gettext("A screening or performance counts with how many people came or a photo."),
    ),
    WorkKind.PUBLICITY: EvidenceRule(
        (Proof((("outlet_level",), ("title",)),
               (lazy_gettext("Choose where it was published"), lazy_gettext("Give the piece's title"))),),
        lazy_gettext("A published piece counts with where it appeared and its title."),
    ),
    WorkKind.OPINION: EvidenceRule(
        (Proof((("what_happened",), ("how_handled",)),
               (lazy_gettext("Say what happened"), lazy_gettext("Say how it was handled"))),),
        lazy_gettext("An opinion incident counts with what happened and how it was handled."),
    ),
    WorkKind.CUSTOM: EvidenceRule(
        (Proof((("note",),), (lazy_gettext("Say what was done, or add a photo"),)), _A_PHOTO),
        lazy_gettext("Other work counts with a note of what was done, or a photo."),
    ),
}


def record_fields(kind: WorkKind | str) -> tuple[FieldSpec, ...]:
    """The fields of a kind's record, in form order; raises ValueError for an unknown kind."""
    return RECORD_FIELDS[WorkKind(kind)]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == ()


def _empty_value(spec: FieldSpec) -> Any:
    return {FieldType.BOOLEAN: False, FieldType.PERSON_IDS: []}.get(spec.type)


def _read_integer(value: object) -> int | None:
    """A whole number from JSON (an int) or a form (its digits 0-9); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return whole_number(value)
    return None


def _clean_text(spec: FieldSpec, value: object) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, _("Enter text")
    text = value.strip()
    if spec.max_length is not None and len(text) > spec.max_length:
        return None, _("At most %(maximum)d characters", maximum=spec.max_length)
    if problem := text_problem(text, single_line=not spec.multiline):
        return None, problem
    return text, None


def _clean_integer(spec: FieldSpec, value: object) -> tuple[Any, str | None]:
    number = _read_integer(value)
    if number is None:
        return None, _("Enter a whole number")
    if spec.min_value is not None and number < spec.min_value:
        return None, _("Must be at least %(minimum)d", minimum=spec.min_value)
    if spec.max_value is not None and number > spec.max_value:
        return None, _("Must be at most %(maximum)d", maximum=spec.max_value)
    return number, None


def _clean_boolean(spec: FieldSpec, value: object) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    word = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if word in _TRUE:
        return True, None
    if word in _FALSE:
        return False, None
    return None, _("Choose yes or no")


def _clean_choice(spec: FieldSpec, value: object) -> tuple[Any, str | None]:
    word = value.strip() if isinstance(value, str) else None
    if word not in {choice for choice, _label in spec.choices}:
        return None, _("Choose one of the listed options")
    return word, None


def _clean_url(spec: FieldSpec, value: object) -> tuple[Any, str | None]:
    text, problem = _clean_text(spec, value)
    if problem:
        return None, problem
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    web = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
    if not web or any(c.isspace() for c in text):
        return None, _("Enter a web address starting with http:// or https://")
    return text, None


def _clean_person_ids(spec: FieldSpec, value: object) -> tuple[Any, str | None]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    ids = [_read_integer(item) for item in items]
    if any(person_id is None or not 1 <= person_id <= MAX_ID for person_id in ids):
        return None, _("Choose people from the roster")
    unique = list(dict.fromkeys(ids))
    if spec.max_length is not None and len(unique) > spec.max_length:
        return None, _("Choose at most %(maximum)d people", maximum=spec.max_length)
    return unique, None


_CLEANERS = {
    FieldType.TEXT: _clean_text,
    FieldType.INTEGER: _clean_integer,
    FieldType.BOOLEAN: _clean_boolean,
    FieldType.CHOICE: _clean_choice,
    FieldType.URL: _clean_url,
    FieldType.PERSON_IDS: _clean_person_ids,
}


def clean_record_fields(kind: WorkKind | str, values: Mapping[str, object]) -> CleanedRecord:
    """Read and check a record's kind-specific fields (see the module notes)."""
    result = CleanedRecord()
    try:
        specs = record_fields(kind)
    except ValueError:
        result.errors["kind"] = _("Choose a kind of work")
        return result
    known = {spec.name for spec in specs}
    for name in values:
        if name not in known:
            result.errors[name] = _("This kind of work has no such field")
    for spec in specs:
        raw = values.get(spec.name)
        if _blank(raw):
            if spec.required:
                result.errors[spec.name] = (
                    _("Choose at least one person") if spec.type is FieldType.PERSON_IDS else _("Required")
                )
            result.values[spec.name] = _empty_value(spec)
            continue
        cleaned, problem = _CLEANERS[spec.type](spec, raw)
        if problem:
            result.errors[spec.name] = problem
        result.values[spec.name] = cleaned
    values = result.values
    if WorkKind(kind) is WorkKind.VISIT and values.get("needs_follow_up") and not values.get("issues_found"):
        result.errors.setdefault("issues_found", _("Say what needs following up"))
    return result


def validate_record_fields(kind: WorkKind | str, values: Mapping[str, object]) -> dict[str, str]:
    """Field-level translated messages for a record's kind-specific fields; empty when valid."""
    return clean_record_fields(kind, values).errors
