"""The words of a reminder: a digest of owed items rendered as one message, in the recipient's
language, with a link back to each task. Pure: the caller passes what it loaded.

- `TaskLine`: what a message says about one task (title, place, due day, whose).
- `render_digest(items, tasks, locale, base_url, *, own_person_id)` -> `Message` for a person: their
  own tasks first (before due, due today, overdue), then the late work of others told to them.
- `render_group(items, tasks, locale, base_url, *, mobiles)` -> `Message` for a group robot: the
  escalated work, the late people @-mentioned by mobile where known.
Every part (subject, text, HTML, markdown) lists the same tasks; HTML is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from tracker.db.models.reminders import ReminderReason
from tracker.domain.reminders.rules import ESCALATIONS, OwedItem
from tracker.i18n import _, format_date, ngettext, use_locale
from tracker.notify.message import Message


@dataclass(frozen=True)
class TaskLine:
    task_id: int
    title: str
    place: str  # "" when the task has no place
    due_on: dt.date  # the last local day to do it
    person_name: str  # whose task


def _why(item: OwedItem) -> str:
    if item.reason is ReminderReason.BEFORE_DUE:
        return ngettext("due in %(num)d day", "due in %(num)d days", item.days)
    if item.reason is ReminderReason.DUE_TODAY:
        return _("due today")
    return ngettext("%(num)d day overdue", "%(num)d days overdue", item.days)


def _task_url(base_url: str, task_id: int) -> str:
    return f"{base_url}/tasks/{task_id}"


def _line(item: OwedItem, task: TaskLine, *, whose: bool) -> str:
    parts = [task.title]
    if task.place:
        parts.append(task.place)
    if whose:
        parts.insert(0, task.person_name)
    return _(
        "%(what)s (due %(day)s, %(why)s)",
        what=" · ".join(parts),
        day=format_date(task.due_on),
        why=_why(item),
    )


@dataclass(frozen=True)
class _Section:
    heading: str
    entries: list[tuple[str, str]]  # (line, url)


def _compose(
    subject: str, intro: str, sections: list[_Section], link: str, mentions: tuple[str, ...]
) -> Message:
    text_lines, md_lines, html_parts = (
        [intro, ""],
        [f"### {subject}", "", intro, ""],
        [f"<p>{escape(intro)}</p>"],
    )
    for section in sections:
        if not section.entries:
            continue
        text_lines.append(section.heading)
        md_lines.append(f"**{section.heading}**")
        html_parts.append(f"<h3>{escape(section.heading)}</h3><ul>")
        for line, url in section.entries:
            text_lines.append(f"- {line}\n  {url}")
            md_lines.append(f"- [{line}]({url})")
            html_parts.append(f'<li><a href="{escape(url)}">{escape(line)}</a></li>')
        html_parts.append("</ul>")
        text_lines.append("")
        md_lines.append("")
    footer = _("All your work: %(url)s", url=link)
    text_lines.append(footer)
    md_lines.append(f"[{_('Open my work')}]({link})")
    html_parts.append(f'<p><a href="{escape(link)}">{escape(_("Open my work"))}</a></p>')
    return Message(
        subject=subject,
        text="\n".join(text_lines).strip() + "\n",
        html="\n".join(html_parts),
        markdown="\n".join(md_lines).strip(),
        mentions=mentions,
        link=link,
    )


def render_digest(
    items: Iterable[OwedItem],
    tasks: Mapping[int, TaskLine],
    locale: str,
    base_url: str,
    *,
    own_person_id: int,
) -> Message:
    """One person's digest for one sending slot."""
    items = [item for item in items if item.task_id in tasks]
    with use_locale(locale):
        own = [i for i in items if i.about_person_id == own_person_id and i.reason not in ESCALATIONS]
        others = [i for i in items if i not in own]
        overdue = [i for i in own if i.reason is ReminderReason.OVERDUE]
        coming = [i for i in own if i.reason is not ReminderReason.OVERDUE]
        sections = [
            _Section(_("Overdue"), [(_line(i, tasks[i.task_id], whose=False), _task_url(base_url, i.task_id))
                                    for i in overdue]),
            _Section(_("Coming due"), [(_line(i, tasks[i.task_id], whose=False), _task_url(base_url, i.task_id))
                                       for i in coming]),
            _Section(_("Overdue work of the people you answer for"),
                     [(_line(i, tasks[i.task_id], whose=True), _task_url(base_url, i.task_id)) for i in others]),
        ]  # fmt: skip
        count = len(items)
        if overdue or others:
            subject = ngettext(
                "%(num)d task needs you: overdue work", "%(num)d tasks need you: overdue work", count
            )
        else:
            subject = ngettext(
                "Reminder: %(num)d task coming due", "Reminder: %(num)d tasks coming due", count
            )
        intro = _("The responsibility tracker reminds you of this work.")
        return _compose(subject, intro, sections, f"{base_url}/my", ())


def render_group(
    items: Iterable[OwedItem], tasks: Mapping[int, TaskLine], locale: str, base_url: str,
    *, mobiles: Mapping[int, str],
) -> Message:  # fmt: skip
    """A group robot's digest of escalated work; the late people @-mentioned by mobile."""
    items = [item for item in items if item.task_id in tasks]
    with use_locale(locale):
        entries = [(_line(i, tasks[i.task_id], whose=True), _task_url(base_url, i.task_id)) for i in items]
        subject = ngettext(
            "Overdue work: %(num)d task escalated", "Overdue work: %(num)d tasks escalated", len(items)
        )
        intro = _("This work is overdue and has been escalated.")
        late = sorted({mobiles[i.about_person_id] for i in items if mobiles.get(i.about_person_id)})
        return _compose(subject, intro, [_Section(_("Overdue"), entries)], f"{base_url}/my", tuple(late))
