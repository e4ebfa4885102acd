"""Tasks services: the contract that pages and the JSON API call. Load -> rules -> save.

Every method checks the actor (tracker.domain.accounts.access): a town out of reach is NotFound
(OutOfReach), someone else's task is NotFound for a member (they may not even learn it exists)
and NotAllowed where the actor may see it but not act on it. Bad input raises
InvalidInput(message, fields={...}) and writes nothing. Times: `now` is an aware UTC datetime
passed in; periods and "today" are computed in the town's time zone.

The views live in views.py and the services in one module each (assignments.py,
task_queries.py with board.py, records.py with photos.py, roster_sync.py); import them all from
here.
"""

from __future__ import annotations

from tracker.db.models.tasks import RecordPhoto
from tracker.domain.tasks.assignments import AssignmentService
from tracker.domain.tasks.records import RecordService
from tracker.domain.tasks.roster_sync import sync_after_roster_change, sync_roster
from tracker.domain.tasks.task_queries import TaskService
from tracker.domain.tasks.views import (
    Board,
    BoardCell,
    BoardFilter,
    BoardGroup,
    BoardRow,
    MyWork,
    PhotoFile,
    Preview,
    RecordResult,
    RosterSyncResult,
    TaskDetail,
    TaskView,
    UploadedPhoto,
)

__all__ = [
    "AssignmentService", "Board", "BoardCell", "BoardFilter", "BoardGroup", "BoardRow", "MyWork",
    "PhotoFile", "Preview", "RecordPhoto", "RecordResult", "RecordService", "RosterSyncResult",
    "TaskDetail", "TaskService", "TaskView", "UploadedPhoto", "sync_after_roster_change", "sync_roster",
]
