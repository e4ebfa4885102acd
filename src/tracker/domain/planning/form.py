"""The assignment form: its inputs as sent (to show again), read into an AssignmentIn.

Input names follow the service's field names, so that its messages ("who.tier", "when.due_day")
land beside the right input: title, kind, description, target_count, who.kind, who.person_ids,
who.tier, who.unit_id, who.official_id, who.place_ids, when.cadence, when.due_date, when.due_day,
when.due_month, when.rule, template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar.datastructures import FormMultiDict
from pydantic import ValidationError

from tracker.domain.planning.schemas import AssignmentIn
from tracker.i18n import _

SINGLE = (
    "title",
    "kind",
    "description",
    "target_count",
    "template",
    "who.kind",
    "who.tier",
    "who.unit_id",
    "who.official_id",
    "when.cadence",
    "when.due_date",
    "when.due_day",
    "when.due_month",
    "when.rule",
)
MULTIPLE = ("who.person_ids", "who.place_ids")
# Errors whose message says exactly what is wrong (tracker.domain.text and tracker.domain.inputs).
PRECISE = ("text_characters", "id_range", "year_range")
# Which inputs each choice uses: the others are left out of the input (the form shows them all without CSS).
WHO_INPUTS = {
    "people": ("person_ids",),
    "tier": ("tier",),
    "unit": ("unit_id",),
    "below": ("official_id",),
    "contact_points": ("place_ids",),
}
WHEN_INPUTS = {
    "once": ("due_date",),
    "weekly": ("due_day",),
    "monthly": ("due_day",),
    "quarterly": ("due_day",),
    "yearly": ("due_month", "due_day"),
    "rrule": ("rule",),
}


@dataclass
class AssignmentForm:
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def chosen(self, name: str) -> set[str]:
        return set(self.lists.get(name, []))

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @classmethod
    def blank(cls) -> AssignmentForm:
        return cls(
            values={"kind": "visit", "target_count": "1", "who.kind": "people", "when.cadence": "monthly"}
        )

    @classmethod
    def from_input(cls, body: dict[str, Any]) -> AssignmentForm:
        """A form filled from an AssignmentIn body (a statutory template)."""
        form = cls.blank()
        for name in ("title", "kind", "description", "target_count", "template"):
            if body.get(name) is not None:
                form.values[name] = str(body[name])
        for part in ("who", "when"):
            for name, value in (body.get(part) or {}).items():
                if isinstance(value, list):
                    form.lists[f"{part}.{name}"] = [str(v) for v in value]
                elif value is not None:
                    form.values[f"{part}.{name}"] = str(value)
        return form


def _message(name: str, kind: str) -> str:
    if name == "title":
        return _("Enter a title")
    if name == "target_count":
        return _("Enter a whole number from 1 to 100")
    if name == "kind":
        return _("Choose a kind of work")
    if name == "when.due_date":
        return _("Choose the date the work is due")
    if kind in ("int_parsing", "int_type"):
        return _("Enter a whole number")
    return _("This value is not valid")


def read_assignment_form(form: FormMultiDict) -> tuple[AssignmentForm, AssignmentIn | None]:
    sent = AssignmentForm(
        values={name: str(form.get(name) or "").strip() for name in SINGLE},
        lists={
            name: [v for v in form.getall(name, []) if isinstance(v, str) and v.strip()] for name in MULTIPLE
        },
    )
    who_kind, cadence = sent.value("who.kind"), sent.value("when.cadence")
    who: dict[str, Any] = {"kind": who_kind}
    for name in WHO_INPUTS.get(who_kind, ()):
        if name in ("person_ids", "place_ids"):
            who[name] = sent.lists[f"who.{name}"] or ([] if name == "person_ids" else None)
        elif sent.value(f"who.{name}"):
            who[name] = sent.value(f"who.{name}")
    when: dict[str, Any] = {"cadence": cadence}
    for name in WHEN_INPUTS.get(cadence, ()):
        if sent.value(f"when.{name}"):
            when[name] = sent.value(f"when.{name}")
    body = {
        "title": sent.value("title"),
        "kind": sent.value("kind"),
        "description": sent.value("description"),
        "target_count": sent.value("target_count") or "1",
        "who": who,
        "when": when,
    }
    if sent.value("template") and "template" in AssignmentIn.model_fields:
        body["template"] = sent.value("template")
    try:
        return sent, AssignmentIn.model_validate(body)
    except ValidationError as error:
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"] if not isinstance(part, int)) or "form"
            if name == "who.kind":
                sent.errors.setdefault("who", _("Choose who does the work"))
            elif name == "when.cadence":
                sent.errors.setdefault(
                    "when.cadence", _("Choose once, weekly, monthly, quarterly, yearly or a repeat rule")
                )
            elif item.get("type") in PRECISE:  # the check's own message: which character, which bound
                sent.errors.setdefault(name, str(item["msg"]))
            else:
                sent.errors.setdefault(name, _message(name, str(item.get("type", ""))))
        return sent, None
