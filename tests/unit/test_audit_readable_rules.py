"""The audit log as a person reads it (pure): what changed, values as text, names kept in an entry,
links, and CSV cells that a spreadsheet will not run."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tracker.domain.audit.readable import (
    FieldChange,
    changed_fields,
    changes_text,
    csv_bytes,
    object_path,
    safe_cell,
    stored_name,
    value_text,
)
from tracker.i18n import use_locale


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (None, []),
        ({}, []),
        ({"before": {"phone": "1"}, "after": {"phone": "2"}}, [("phone", "Phone", "1", "2")]),
        (
            {"after": {"name": "临潼", "active": True}},
            [("name", "Name", None, "临潼"), ("active", "Active", None, "yes")],
        ),
        (
            {"before": {"post": "主任", "unit_id": None}},
            [("post", "Post", "主任", None), ("unit_id", "Unit", "—", None)],
        ),
        (
            {"login": "cadre", "failures": 3},
            [("login", "Login name", None, "cadre"), ("failures", "Failed sign-ins", None, "3")],
        ),
        (
            {"before": "not a dict"},
            [("before", "before", None, "not a dict")],
        ),  # an event's detail named "before"
        ({"after": {"no_such_column": 1}}, [("no_such_column", "no_such_column", None, "1")]),
    ],
)
def test_it_lists_what_changed(changes: Any, expected: list[tuple[str, str, str | None, str | None]]) -> None:
    with use_locale("en"):
        assert [(c.field, c.label, c.before, c.after) for c in changed_fields(changes)] == expected


def test_it_names_fields_in_the_readers_language() -> None:
    with use_locale("zh_CN"):
        assert changed_fields({"after": {"supervisor_id": 3}})[0].label == "上级责任人"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        ("", "—"),
        (False, "no"),
        (0, "0"),
        ("临潼", "临潼"),
        ({"备注": "走访"}, '{"备注": "走访"}'),
        ([1, "甲"], '[1, "甲"]'),
    ],
)
def test_it_shows_values_with_chinese_as_chinese(value: Any, shown: str) -> None:
    with use_locale("en"):
        assert value_text(value) == shown


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"before": {"name": "东村1组", "code": "NV1"}}, "东村1组"),
        ({"after": {"title": "走访"}}, "走访"),
        ({"login": "cadre"}, "cadre"),
        ({"after": {"phone": "1"}}, None),
        (None, None),
    ],
)
def test_it_keeps_the_name_an_entry_carries(changes: Any, name: str | None) -> None:
    assert stored_name(changes) == name


@pytest.mark.parametrize(
    ("kind", "object_id", "task_id", "path"),
    [
        ("person", "7", None, "/towns/alpha/people/7"),
        ("place", "8", None, "/towns/alpha/places/8"),
        ("task", "9", None, "/tasks/9"),
        ("record", "10", 9, "/tasks/9"),
        ("record", "10", None, None),
        ("unit", "3", None, None),
        ("person", "7; drop", None, None),
        ("person", "", None, None),
    ],
)
def test_it_links_objects_to_their_page(
    kind: str, object_id: str, task_id: int | None, path: str | None
) -> None:
    assert object_path(kind, object_id, "alpha", task_id) == path


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+2", "'=1+2"), ("+86 138", "'+86 138"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=x", "'\t=x"),
     ("书记甲", "书记甲"), ("a=b", "a=b"), ("", "")],
)  # fmt: skip
def test_it_makes_formula_cells_harmless(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


def test_it_writes_csv_with_a_bom_for_excel() -> None:
    body = csv_bytes(["时间", "名称"], [["2026-01-01 08:00:00", "=cmd|' /C calc'!A0"], ["今天", '带"引号']])
    assert body.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        ["时间", "名称"], ["2026-01-01 08:00:00", "'=cmd|' /C calc'!A0"], ["今天", '带"引号'],
    ]  # fmt: skip


def test_it_writes_changes_as_one_line() -> None:
    changes = [
        FieldChange("phone", "电话", "1", "2"),
        FieldChange("name", "名称", None, "甲"),
        FieldChange("x", "X", "3", None),
    ]
    assert changes_text(changes) == "电话: 1 → 2; 名称: 甲; X: 3"


def test_it_names_tiers_roles_and_statuses_not_their_stored_codes() -> None:
    changes = {
        "before": {"tier": "unit_head", "role": "member", "status": "open", "leading_group_role": None},
        "after": {"tier": "section_official", "role": "official", "status": "done", "leading_group_role": "leader"},
    }
    with use_locale("zh_CN"):
        shown = {c.field: (c.before, c.after) for c in changed_fields(changes)}
    assert shown["tier"] == ("部门、站所、社区负责人", "科级干部")
    assert shown["leading_group_role"] == ("—", "组长")
    assert "member" not in shown["role"] and "official" not in shown["role"]
    assert "open" not in shown["status"] and "done" not in shown["status"]


def test_it_says_a_contact_link_and_its_days_in_words() -> None:
    changes = {"after": {"link": "contact_point", "valid_from": "2026-12-01", "valid_to": None}}
    with use_locale("zh_CN"):
        shown = {c.label: c.after for c in changed_fields(changes)}
    assert shown["联系方式"] == "联系点" and "起始日期" in shown and "终止日期" in shown
    with use_locale("zh_CN"):
        village = changed_fields({"after": {"link": "village"}})[0]
    assert (village.label, village.after) == ("联系方式", "包村")
