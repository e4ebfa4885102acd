"""The board as spreadsheet tables (for `exports.xlsx.write_tables`), exactly as filtered. Pure.

- the board: one row per person (the group, the name, one cell per month or quarter with its light's
  name, who it was escalated to and how many records were filed far from their place; then the
  person's totals and completion rate), and a last row adding everyone up;
- the overdue tasks, latest due first, all of them (the page shows them a page at a time): who,
  unit, task, place, the last day, days overdue, who reminders escalated it to;
- the records filed far from their place: who, kind, day, place, how far, the task.

Every word is written here, in the current locale; the writer only lays the tables out.
"""

from __future__ import annotations

import datetime as dt

from tracker.domain.board.schemas import Board, PersonTotals
from tracker.domain.work.display import due_on
from tracker.domain.work.kinds import KIND_LABELS
from tracker.domain.work.lights import LIGHT_LABELS
from tracker.exports import INTEGER, PERCENT, TEXT, Cell, Table
from tracker.i18n import _


def _totals_cells(totals: PersonTotals) -> list[Cell]:
    completion = totals.completion
    return [totals.due, totals.done, totals.overdue, float(completion) if completion is not None else None]


def _cell_text(board: Board, task_ids: list[int], light_label: str) -> str:
    parts = [light_label]
    escalated = board.escalated_to(task_ids)
    if escalated:
        parts.append(_("Escalated to %(names)s", names=", ".join(escalated)))
    far = board.far_in(task_ids)
    if far:
        parts.append(_("Far from the place: %(count)s", count=far))
    return " · ".join(parts)


def board_table(board: Board) -> Table:
    rows: list[list[Cell]] = []
    for group in board.groups:
        for row in group.rows:
            cells: list[Cell] = [group.label, row.person.name]
            cells += [_cell_text(board, cell.task_ids, str(LIGHT_LABELS[cell.light])) if cell.task_ids else ""
                      for cell in row.cells]  # fmt: skip
            rows.append(cells + _totals_cells(row.totals))
    if rows:
        rows.append([_("All people"), "", *([""] * len(board.columns)), *_totals_cells(board.totals)])
    headers = [
        _("Tier and unit"),
        _("Person"),
        *board.columns,
        _("Due to date"),
        _("Done"),
        _("Overdue"),
        _("Completion"),
    ]
    formats = [TEXT] * (2 + len(board.columns)) + [INTEGER, INTEGER, INTEGER, PERCENT]
    return Table(name=_("Supervision board"), headers=headers, rows=rows, number_formats=formats)


def overdue_table(board: Board, today: dt.date, timezone: str) -> Table:
    rows: list[list[Cell]] = []
    for view in board.overdue:
        task = view.task
        last_day = due_on(task.due_at, timezone)
        rows.append([
            task.person.name, task.person.unit.name if task.person.unit is not None else "", task.title,
            task.place.name if task.place is not None else "", last_day.isoformat(), (today - last_day).days,
            ", ".join(board.escalated_to([task.id])),
        ])  # fmt: skip
    headers = [
        _("Person"),
        _("Unit"),
        _("Task"),
        _("Place"),
        _("Last day"),
        _("Days overdue"),
        _("Escalated to"),
    ]
    return Table(name=_("Overdue tasks"), headers=headers, rows=rows,
                 number_formats=[TEXT, TEXT, TEXT, TEXT, TEXT, INTEGER, TEXT])  # fmt: skip


def far_table(board: Board) -> Table:
    rows: list[list[Cell]] = [
        [record.person.name, str(KIND_LABELS[record.kind]), record.occurred_on.isoformat(),
         record.place.name if record.place is not None else "",
         round(record.distance_m / 1000, 1) if record.distance_m is not None else None,
         record.task.title if record.task is not None else ""]
        for record in board.flagged
    ]  # fmt: skip
    headers = [_("Person"), _("Kind of work"), _("Day"), _("Place"), _("Distance (km)"), _("Task")]
    return Table(name=_("Records far from their place"), headers=headers, rows=rows,
                 number_formats=[TEXT, TEXT, TEXT, TEXT, "0.0", TEXT])  # fmt: skip


def board_tables(board: Board, today: dt.date, timezone: str) -> list[Table]:
    return [board_table(board), overdue_table(board, today, timezone), far_table(board)]


__all__ = ["board_tables"]
