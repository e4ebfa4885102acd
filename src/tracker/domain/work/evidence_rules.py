"""Whether a record carries the evidence its kind asks for (kinds.EVIDENCE). Pure.

Public API
- `has_evidence(kind, values, photo_count) -> bool`.
- `evidence_problems(kind, values, photo_count) -> dict[field, message]`: empty when any one of the
  kind's proofs holds; otherwise, for every proof in order, a message on the first field of each of
  its groups that is missing (the first message for a field wins), so an empty visit form gets
  "whom you met" and "what was raised or found" beside those fields and "or add a photo" beside
  the photos. Field names are the kind's own (the service prefixes them with "fields."); a photo
  is PHOTO ("photos"). `values` are the cleaned fields (kinds.clean_record_fields): a value that
  failed its own check is None there and counts as missing.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.db.models.tasks import WorkKind
from tracker.domain.work.kinds import EVIDENCE, PHOTO, Proof


def _filled(name: str, values: Mapping[str, object], photo_count: int) -> bool:
    if name == PHOTO:
        return photo_count > 0
    value = values.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value > 0
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def _missing(proof: Proof, values: Mapping[str, object], photo_count: int) -> list[int]:
    """The indexes of the proof's groups with nothing filled."""
    return [
        index
        for index, group in enumerate(proof.all_of)
        if not any(_filled(name, values, photo_count) for name in group)
    ]


def has_evidence(kind: WorkKind | str, values: Mapping[str, object], photo_count: int = 0) -> bool:
    """Whether any one of the kind's proofs holds (an unknown kind: False)."""
    try:
        rule = EVIDENCE[WorkKind(kind)]
    except ValueError:
        return False
    return any(not _missing(proof, values, photo_count) for proof in rule.any_of)


def evidence_problems(
    kind: WorkKind | str, values: Mapping[str, object], photo_count: int = 0
) -> dict[str, str]:
    """Field messages saying what evidence is missing (see the module notes); empty when it is there."""
    if has_evidence(kind, values, photo_count) or kind not in {k.value for k in EVIDENCE}:
        return {}
    problems: dict[str, str] = {}
    for proof in EVIDENCE[WorkKind(kind)].any_of:
        for index in _missing(proof, values, photo_count):
            problems.setdefault(proof.all_of[index][0], str(proof.messages[index]))
    return problems


__all__ = ["evidence_problems", "has_evidence"]
