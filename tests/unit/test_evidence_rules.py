"""What proves each kind of work (kinds.EVIDENCE, evidence_rules.py): table tests of the rule and its messages."""

from __future__ import annotations

import pytest

from tracker.db.models.tasks import WorkKind
from tracker.domain.work.evidence_rules import evidence_problems, has_evidence
from tracker.domain.work.kinds import EVIDENCE, PHOTO, clean_record_fields, record_fields
from tracker.i18n import use_locale

MET = {"people_met": "村支书王某", "issues_raised": "", "issues_found": ""}


@pytest.mark.parametrize(
    ("kind", "values", "photos", "counts"),
    [
        ("visit", {}, 0, False),
        ("visit", {"needs_follow_up": False}, 0, False),
        ("visit", MET, 0, False),
        ("visit", {"issues_found": "路灯坏了"}, 0, False),
        ("visit", {**MET, "issues_found": "路灯坏了"}, 0, True),
        ("visit", {**MET, "issues_raised": "群众反映路灯不亮"}, 0, True),
        ("visit", {"people_met": "   ", "issues_raised": "有"}, 0, False),
        ("visit", {}, 1, True),
        ("study", {"attendee_ids": []}, 0, False),
        ("study", {"attendee_ids": []}, 2, False),
        ("study", {"attendee_ids": [3]}, 0, True),
        ("meeting", {"attendee_ids": [3]}, 0, False),
        ("meeting", {"attendee_ids": [3], "minutes": "研究全镇意识形态工作"}, 0, True),
        ("meeting", {"attendee_ids": [3], "minutes": ""}, 1, True),
        ("meeting", {"attendee_ids": [], "minutes": "纪要"}, 1, False),
        ("lecture", {"topic": "宣讲", "audience": 0}, 0, False),
        ("lecture", {"topic": "宣讲", "audience": 40}, 0, True),
        ("lecture", {"topic": "", "audience": 40}, 3, False),
        ("culture", {"form": "film", "audience": None}, 0, False),
        ("culture", {"form": "film", "audience": 120}, 0, True),
        ("culture", {"form": "film", "audience": None}, 1, True),
        ("culture", {"form": None, "audience": 120}, 1, False),
        ("publicity", {"outlet_level": "county", "title": "送戏下乡"}, 0, True),
        ("publicity", {"outlet_level": "county", "title": ""}, 1, False),
        ("opinion", {"what_happened": "网帖", "how_handled": "回应"}, 0, True),
        ("opinion", {"what_happened": "网帖", "how_handled": None}, 0, False),
        ("custom", {"note": None}, 0, False),
        ("custom", {"note": "完成"}, 0, True),
        ("custom", {"note": None}, 1, True),
        ("nonsense", {"note": "完成"}, 1, False),
    ],
)
def test_it_counts_a_record_only_with_its_kinds_evidence(kind, values, photos, counts):
    assert has_evidence(kind, values, photos) is counts
    assert (evidence_problems(kind, values, photos) == {}) is (counts or kind == "nonsense")


@pytest.mark.parametrize(
    ("kind", "values", "photos", "fields"),
    [
        ("visit", {}, 0, ["people_met", "issues_raised", PHOTO]),
        ("visit", MET, 0, ["issues_raised", PHOTO]),
        ("meeting", {}, 0, ["attendee_ids", "minutes", PHOTO]),
        ("meeting", {"attendee_ids": [1]}, 0, ["minutes", PHOTO]),
        ("meeting", {"minutes": "纪要"}, 0, ["attendee_ids", PHOTO]),
        ("meeting", {"minutes": "纪要"}, 1, ["attendee_ids"]),
        ("lecture", {"topic": "宣讲", "audience": 0}, 0, ["audience"]),
        ("culture", {"form": "film"}, 0, ["audience", PHOTO]),
        ("custom", {}, 0, ["note", PHOTO]),
    ],
)
def test_it_says_beside_each_field_what_is_missing(kind, values, photos, fields):
    with use_locale("en"):
        problems = evidence_problems(kind, values, photos)
    assert list(problems) == fields
    assert all(problems.values())


def test_an_empty_visit_form_is_told_whom_you_met_and_what_was_found_in_chinese():
    cleaned = clean_record_fields(WorkKind.VISIT, {"people_met": "", "issues_raised": "", "issues_found": ""})
    with use_locale("zh_CN"):
        problems = evidence_problems(WorkKind.VISIT, cleaned.values, 0)
    assert not cleaned.errors
    assert problems == {
        "people_met": "请填写见到了谁，或添加照片",
        "issues_raised": "请填写群众反映或发现的问题，或添加照片",
        "photos": "或者添加一张照片",
    }


def test_every_kind_has_a_rule_naming_only_its_own_fields_with_a_message_per_group():
    assert set(EVIDENCE) == set(WorkKind)
    for kind, rule in EVIDENCE.items():
        names = {spec.name for spec in record_fields(kind)} | {PHOTO}
        assert rule.any_of and str(rule.summary)
        for proof in rule.any_of:
            assert len(proof.messages) == len(proof.all_of)
            assert all(group and set(group) <= names for group in proof.all_of), kind
