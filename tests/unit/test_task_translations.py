"""Every message of the work areas (planning, work, board) has a Chinese translation: the rules' in
zh_CN/tasks.po, the services' and the API's in zh_CN/tasks_services.po, the pages' in tasks_pages.po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from tracker.i18n import CATALOGS_DIR

AREAS = Path(__file__).resolve().parents[2] / "src" / "tracker" / "domain"
SOURCES = sorted([AREAS / "scope.py", *(path for area in ("planning", "work", "board") for path in (AREAS / area).glob("*.py"))])
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None}


CATALOGS = ("tasks.po", "tasks_services.po")


def catalog(names=tuple(p.name for p in sorted((CATALOGS_DIR / "zh_CN").glob("*.po")))):
    """The entries of the tasks catalogs, one list."""
    entries = []
    for name in names:
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
    assert [m.id for m in catalog(CATALOGS) if m.id and m.id not in used] == []


def test_it_keeps_the_placeholders_in_each_translation():
    for message in catalog():
        if message.id and "%(" in message.id:
            assert sorted(part.split(")")[0] for part in message.id.split("%(")[1:]) == sorted(
                part.split(")")[0] for part in message.string.split("%(")[1:]
            ), message.id
