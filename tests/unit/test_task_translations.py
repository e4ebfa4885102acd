"""Every message of the tasks package has a Chinese translation: the rules' in zh_CN/tasks.po, the
services' and the API's in zh_CN/tasks_services.po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import tracker.domain.tasks as tasks_package
from tracker.i18n import CATALOGS_DIR

SOURCES = sorted(Path(tasks_package.__file__).parent.glob("*.py"))
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None}


CATALOGS = ("tasks.po", "tasks_services.po")


def catalog():
    """The entries of the tasks catalogs, one list."""
    entries = []
    for name in CATALOGS:
        with (CATALOGS_DIR / "zh_CN" / name).open("rb") as po_file:
            entries.extend(read_po(po_file, locale="zh_CN"))
    return entries


def msgids(path: Path) -> list[str]:
    found = extract_from_file("python", path, keywords=KEYWORDS)
    return [message for _line, message, _comments, _context in found]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_it_translates_every_message_of_the_module(path):
    translated = {m.id: m.string for m in catalog() if m.id and m.string and not m.fuzzy}
    assert [msgid for msgid in msgids(path) if msgid not in translated] == []


def test_it_keeps_no_stale_message_in_the_catalog():
    used = {msgid for path in SOURCES for msgid in msgids(path)}
    assert [m.id for m in catalog() if m.id and m.id not in used] == []


def test_it_keeps_the_placeholders_in_each_translation():
    for message in catalog():
        if message.id and "%(" in message.id:
            assert sorted(part.split(")")[0] for part in message.id.split("%(")[1:]) == sorted(
                part.split(")")[0] for part in message.string.split("%(")[1:]
            ), message.id
