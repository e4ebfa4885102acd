"""Every model, imported so that the metadata is complete for migrations and tests."""

from tracker.db.models.accounts import ApiToken, LoginSession, Role, SignInThrottle, User, ViewerTown
from tracker.db.models.audit import AuditEntry
from tracker.db.models.mfa import RecoveryCode, SignInChallenge, TotpSecret
from tracker.db.models.roster import (
    ContactAssignment,
    ContactLink,
    LeadingGroupRole,
    Person,
    Place,
    PlaceKind,
    Tier,
    Town,
    Unit,
    UnitKind,
)
from tracker.db.models.reminders import (
    CalendarFeed,
    ChannelKind,
    DeliveryAttempt,
    JobLease,
    NotifyChannel,
    OutboxItem,
    OutboxMessage,
    ReminderPolicy,
)
from tracker.db.models.review import (
    FinalisedYear,
    FollowUpResolution,
    RecordAmendment,
    ScoreWeights,
    StudyAppCount,
)
from tracker.db.models.record_changes import RecordChange, RecordChangeKind
from tracker.db.models.roster_upload import RosterUpload
from tracker.db.models.tasks import Assignment, Record, RecordPhoto, Task

__all__ = [
    "RecordChange",
    "RecordChangeKind",
    "RosterUpload",
    "FinalisedYear",
    "FollowUpResolution",
    "RecordAmendment",
    "ScoreWeights",
    "StudyAppCount",
    "CalendarFeed",
    "ChannelKind",
    "DeliveryAttempt",
    "JobLease",
    "NotifyChannel",
    "OutboxItem",
    "OutboxMessage",
    "ReminderPolicy",
    "Assignment",
    "Record",
    "RecordPhoto",
    "Task",
    "ApiToken",
    "AuditEntry",
    "SignInThrottle",
    "LoginSession",
    "Role",
    "User",
    "ViewerTown",
    "RecoveryCode",
    "SignInChallenge",
    "TotpSecret",
    "ContactAssignment",
    "ContactLink",
    "LeadingGroupRole",
    "Person",
    "Place",
    "PlaceKind",
    "Tier",
    "Town",
    "Unit",
    "UnitKind",
]
