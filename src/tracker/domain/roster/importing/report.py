"""Roster import, what it changes: one `RecordChange` per row, and the report printed to the user (pure)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from tracker.domain.errors import InvalidInput
from tracker.domain.roster.importing.rows import Problem
from tracker.i18n import _

RECORD_TYPES = ("town", "unit", "place", "person")
COLUMN_OF = {"leading_group_role": "leading_group"}  # attribute -> the file's column, where they differ


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class RecordChange:
    """What importing one row does. `fields` holds only the attributes that change (all of them on
    create); references are by code: `unit`, `supervisor`, `parent`. For people, `end_links` are the
    ids of current links to end and `added_places` the codes of places to link from today."""

    record_type: str
    code: str
    name: str
    action: Action
    fields: dict[str, object] = field(default_factory=dict)
    before: dict[str, object] = field(default_factory=dict)  # on update: the changed attributes' old values
    end_links: tuple[int, ...] = ()
    ended_places: tuple[str, ...] = ()
    added_places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Counts:
    created: int
    updated: int
    unchanged: int


@dataclass
class ImportReport:
    town_code: str
    town_name: str
    today: dt.date
    dry_run: bool
    changes: list[RecordChange]
    header_row: int = 1  # where the file's header was found; the rows above it were skipped

    @property
    def skipped_rows(self) -> int:
        return self.header_row - 1

    def counts(self, record_type: str) -> Counts:
        actions = [c.action for c in self.changes if c.record_type == record_type]
        return Counts(
            actions.count(Action.CREATE), actions.count(Action.UPDATE), actions.count(Action.UNCHANGED)
        )

    @property
    def links_added(self) -> int:
        return sum(len(c.added_places) for c in self.changes)

    @property
    def links_ended(self) -> int:
        return sum(len(c.end_links) for c in self.changes)

    @property
    def changed_anything(self) -> bool:
        return any(c.action is not Action.UNCHANGED for c in self.changes)

    def change_lines(self) -> list[str]:
        """One line per created or updated record, and per person whose places change."""
        lines: list[str] = []
        for change in self.changes:
            what = record_label(change.record_type)
            if change.action is Action.CREATE:
                lines.append(
                    _("create %(what)s %(code)s %(name)s", what=what, code=change.code, name=change.name)
                )
            elif change.action is Action.UPDATE and change.fields:
                fields = ", ".join(COLUMN_OF.get(f, f) for f in change.fields)
                lines.append(
                    _("update %(what)s %(code)s %(name)s: %(fields)s",
                      what=what, code=change.code, name=change.name, fields=fields)
                )  # fmt: skip
            if change.ended_places:
                lines.append(
                    "  "
                    + _("%(code)s %(name)s: end links to %(places)s",
                      code=change.code, name=change.name, places=", ".join(change.ended_places))
                )  # fmt: skip
            if change.added_places and change.action is not Action.CREATE:
                lines.append(
                    "  "
                    + _("%(code)s %(name)s: add links to %(places)s",
                      code=change.code, name=change.name, places=", ".join(change.added_places))
                )  # fmt: skip
        return lines

    def summary_lines(self) -> list[str]:
        if self.dry_run:
            lines = [_("Dry run for %(town)s: nothing was written.", town=self.town_code)]
        else:
            lines = [_("Imported the roster of %(town)s %(name)s.", town=self.town_code, name=self.town_name)]
        if self.skipped_rows:
            lines.append(skipped_line(self.skipped_rows, self.header_row))
        for record_type in RECORD_TYPES:
            counts = self.counts(record_type)
            lines.append(
                _("%(what)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged",
                  what=record_plural(record_type), created=counts.created, updated=counts.updated,
                  unchanged=counts.unchanged)
            )  # fmt: skip
        lines.append(
            _("contact links: %(added)d added, %(ended)d ended (from %(today)s)",
              added=self.links_added, ended=self.links_ended, today=self.today.isoformat())
        )  # fmt: skip
        return lines


class RosterImportRejected(InvalidInput):
    """The file has problems; nothing was written. `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        # gettext, not ngettext: plural forms don't survive the merging of catalogs (i18n.translations)
        message = _("Nothing was written; problems found in the roster: %(count)d", count=len(problems))
        super().__init__(message, fields={"file": "\n".join(str(p) for p in problems)})
        self.problems = problems


def skipped_line(skipped: int, header_row: int) -> str:
    """What was left out above the header (a title row, notes), said in so many words."""
    if skipped == 1:
        return _("Skipped 1 row above the header (row %(row)d)", row=header_row)
    return _("Skipped %(count)d rows above the header (row %(row)d)", count=skipped, row=header_row)


def record_label(record_type: str) -> str:
    labels = {"town": _("town"), "unit": _("unit"), "place": _("place"), "person": _("person")}
    return labels[record_type]


def record_plural(record_type: str) -> str:
    labels = {"town": _("towns"), "unit": _("units"), "place": _("places"), "person": _("people")}
    return labels[record_type]
