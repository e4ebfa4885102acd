"""The tasks area's pure rules in one import: `from tracker.domain.tasks import rules`.

Each name is documented at the top of the module it comes from (kinds, periods, rrules, lights,
fanout, replanning, geo, problems). Nothing here touches a session, a request or the clock: `now` and `today`
are passed in, and the town's time zone is an IANA name (Asia/Shanghai by default).
"""

from __future__ import annotations

from tracker.domain.tasks.fanout import (
    ContactSnapshot,
    ExistingOccurrence,
    OccurrenceKey,
    PersonSnapshot,
    RosterChange,
    RosterSnapshot,
    Target,
    Who,
    WhoKind,
    people_below,
    plan_occurrences,
    plan_roster_change,
    select_targets,
    validate_who,
)
from tracker.domain.tasks.geo import EARTH_RADIUS_M, coordinates_problems, distance_m, is_far
from tracker.domain.tasks.kinds import (
    KIND_LABELS,
    RECORD_FIELDS,
    CleanedRecord,
    CultureForm,
    FieldSpec,
    FieldType,
    OutletLevel,
    WorkKind,
    clean_record_fields,
    record_fields,
    validate_record_fields,
)
from tracker.domain.tasks.lights import (
    DEFAULT_WARNING_DAYS,
    LIGHT_LABELS,
    STATUS_LABELS,
    Light,
    TaskStatus,
    combine_lights,
    done_late,
    is_overdue,
    task_light,
)
from tracker.domain.tasks.periods import (
    DEFAULT_TIMEZONE,
    Cadence,
    Period,
    Recurrence,
    current_year_periods_from,
    due_instant,
    period_containing,
    periods_in_year,
    validate_recurrence,
)
from tracker.domain.tasks.problems import TaskRuleError
from tracker.domain.tasks.replanning import FutureOccurrence, WantedOccurrence, plan_future_change
from tracker.domain.tasks.rrules import MAX_OCCURRENCES_PER_YEAR

__all__ = [
    "DEFAULT_TIMEZONE",
    "DEFAULT_WARNING_DAYS",
    "EARTH_RADIUS_M",
    "KIND_LABELS",
    "LIGHT_LABELS",
    "MAX_OCCURRENCES_PER_YEAR",
    "RECORD_FIELDS",
    "STATUS_LABELS",
    "Cadence",
    "CleanedRecord",
    "ContactSnapshot",
    "CultureForm",
    "ExistingOccurrence",
    "FieldSpec",
    "FieldType",
    "FutureOccurrence",
    "Light",
    "OccurrenceKey",
    "OutletLevel",
    "Period",
    "PersonSnapshot",
    "Recurrence",
    "RosterChange",
    "RosterSnapshot",
    "Target",
    "WantedOccurrence",
    "TaskRuleError",
    "TaskStatus",
    "Who",
    "WhoKind",
    "WorkKind",
    "clean_record_fields",
    "combine_lights",
    "coordinates_problems",
    "distance_m",
    "current_year_periods_from",
    "done_late",
    "due_instant",
    "is_far",
    "is_overdue",
    "people_below",
    "period_containing",
    "periods_in_year",
    "plan_future_change",
    "plan_occurrences",
    "plan_roster_change",
    "record_fields",
    "select_targets",
    "task_light",
    "validate_record_fields",
    "validate_recurrence",
    "validate_who",
]
