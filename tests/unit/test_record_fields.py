"""Each kind of work's record fields: the declarative table, reading form and JSON values, messages."""

from __future__ import annotations

import pytest

from tracker.db.models.tasks import WorkKind
from tracker.domain.work.kinds import (
    RECORD_FIELDS,
    FieldType,
    clean_record_fields,
    record_fields,
    validate_record_fields,
)
from tracker.i18n import use_locale


@pytest.mark.parametrize(
    ("kind", "names", "required"),
    [
        (WorkKind.VISIT, ["people_met", "issues_raised", "issues_found", "needs_follow_up"], []),
        (WorkKind.STUDY, ["attendee_ids", "minutes"], ["attendee_ids"]),
        (WorkKind.MEETING, ["attendee_ids", "minutes"], ["attendee_ids"]),
        (WorkKind.LECTURE, ["topic", "audience"], ["topic", "audience"]),
        (WorkKind.CULTURE, ["form", "audience"], ["form"]),
        (WorkKind.PUBLICITY, ["outlet_level", "title", "link"], ["outlet_level", "title"]),
        (WorkKind.OPINION, ["what_happened", "how_handled"], ["what_happened", "how_handled"]),
        (WorkKind.CUSTOM, ["note"], []),
    ],
)
def test_it_declares_the_fields_of_each_kind(kind, names, required):
    specs = record_fields(kind.value)
    assert [s.name for s in specs] == names
    assert [s.name for s in specs if s.required] == required
    assert all(str(s.label) for s in specs)


def test_it_declares_a_table_for_every_kind():
    assert set(RECORD_FIELDS) == set(WorkKind)


def test_it_offers_the_choices_of_the_choice_fields():
    (form, _audience) = record_fields(WorkKind.CULTURE)
    (outlet, _title, _link) = record_fields(WorkKind.PUBLICITY)
    assert form.type is FieldType.CHOICE
    assert [value for value, _label in form.choices] == ["film", "performance"]
    assert [value for value, _label in outlet.choices] == [
        "central", "provincial", "city", "county", "online", "xuexi_qiangguo"
    ]


@pytest.mark.parametrize(
    ("kind", "values", "cleaned"),
    [
        ("visit", {"people_met": " 村支书 ", "needs_follow_up": "on", "issues_found": "路灯坏了"},
         {"people_met": "村支书", "issues_raised": None, "issues_found": "路灯坏了", "needs_follow_up": True}),
        ("visit", {},
         {"people_met": None, "issues_raised": None, "issues_found": None, "needs_follow_up": False}),
        ("visit", {"needs_follow_up": "false"},
         {"people_met": None, "issues_raised": None, "issues_found": None, "needs_follow_up": False}),
        ("lecture", {"topic": "全会精神", "audience": "45"}, {"topic": "全会精神", "audience": 45}),
        ("lecture", {"topic": "全会精神", "audience": 0}, {"topic": "全会精神", "audience": 0}),
        ("meeting", {"attendee_ids": ["3", 1, 3]}, {"attendee_ids": [3, 1], "minutes": None}),
        ("study", {"attendee_ids": "7", "minutes": "学习了……"}, {"attendee_ids": [7], "minutes": "学习了……"}),
        ("culture", {"form": "film", "audience": ""}, {"form": "film", "audience": None}),
        ("publicity", {"outlet_level": "xuexi_qiangguo", "title": "稿件", "link": "https://www.xuexi.cn/a"},
         {"outlet_level": "xuexi_qiangguo", "title": "稿件", "link": "https://www.xuexi.cn/a"}),
        ("publicity", {"outlet_level": "county", "title": "稿件", "link": "  "},
         {"outlet_level": "county", "title": "稿件", "link": None}),
        ("opinion", {"what_happened": "网传谣言", "how_handled": "及时澄清"},
         {"what_happened": "网传谣言", "how_handled": "及时澄清"}),
        ("custom", {"note": "其他"}, {"note": "其他"}),
    ],
)
def test_it_reads_valid_values_from_forms_and_json(kind, values, cleaned):
    result = clean_record_fields(kind, values)
    assert result.errors == {}
    assert result.values == cleaned


@pytest.mark.parametrize(
    ("kind", "values", "errors"),
    [
        ("lecture", {}, {"topic": "Required", "audience": "Required"}),
        ("lecture", {"topic": "  ", "audience": "-1"},
         {"topic": "Required", "audience": "Must be at least 0"}),
        ("lecture", {"topic": "x", "audience": "12.5"}, {"audience": "Enter a whole number"}),
        ("lecture", {"topic": "x", "audience": True}, {"audience": "Enter a whole number"}),
        ("lecture", {"topic": "x", "audience": 2_000_000}, {"audience": "Must be at most 1000000"}),
        ("lecture", {"topic": "x" * 201, "audience": 1}, {"topic": "At most 200 characters"}),
        ("lecture", {"topic": 5, "audience": 1}, {"topic": "Enter text"}),
        ("culture", {"form": "concert", "audience": -3},
         {"form": "Choose one of the listed options", "audience": "Must be at least 0"}),
        ("culture", {}, {"form": "Required"}),
        ("publicity", {"outlet_level": "cctv", "title": "", "link": "ftp://x.cn"},
         {"outlet_level": "Choose one of the listed options", "title": "Required",
          "link": "Enter a web address starting with http:// or https://"}),
        ("publicity", {"outlet_level": "city", "title": "t", "link": "https://"},
         {"link": "Enter a web address starting with http:// or https://"}),
        ("publicity", {"outlet_level": "city", "title": "t", "link": "http://a b.cn"},
         {"link": "Enter a web address starting with http:// or https://"}),
        ("meeting", {"attendee_ids": []}, {"attendee_ids": "Choose at least one person"}),
        ("meeting", {"attendee_ids": ["x"]}, {"attendee_ids": "Choose people from the roster"}),
        ("study", {"attendee_ids": [0, 2]}, {"attendee_ids": "Choose people from the roster"}),
        ("study", {"attendee_ids": list(range(1, 502))}, {"attendee_ids": "Choose at most 500 people"}),
        ("opinion", {"what_happened": "x"}, {"how_handled": "Required"}),
        ("visit", {"needs_follow_up": "maybe"}, {"needs_follow_up": "Choose yes or no"}),
        ("visit", {"needs_follow_up": True}, {"issues_found": "Say what needs following up"}),
        ("visit", {"minutes": "x"}, {"minutes": "This kind of work has no such field"}),
        ("custom", {"note": "x" * 5001}, {"note": "At most 5000 characters"}),
        ("party", {"note": "x"}, {"kind": "Choose a kind of work"}),
    ],
)
def test_it_gives_a_message_for_each_bad_field(kind, values, errors):
    with use_locale("en"):
        assert validate_record_fields(kind, values) == errors


def test_it_gives_the_messages_in_chinese_by_default():
    with use_locale("zh_CN"):
        errors = validate_record_fields("lecture", {"topic": "", "audience": -1})
        label = str(record_fields("lecture")[1].label)
    assert errors == {"topic": "必填", "audience": "不能小于 0"}
    assert label == "受众人数"
