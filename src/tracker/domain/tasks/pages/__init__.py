"""The task pages: my work, a task and its record form, unplanned records, the board, assignments, photos.

Controllers stay thin (parse, one service call, render); templates live in templates/tasks/.
"""

from tracker.domain.tasks.pages.assignment_pages import AssignmentPages
from tracker.domain.tasks.pages.board import BoardPages
from tracker.domain.tasks.pages.my_work import MyWorkPages
from tracker.domain.tasks.pages.photos import PhotoPages
from tracker.domain.tasks.pages.task_pages import TaskPages
from tracker.domain.tasks.pages.unplanned import UnplannedRecordPages

TASK_PAGES = [MyWorkPages, TaskPages, UnplannedRecordPages, BoardPages, AssignmentPages, PhotoPages]

__all__ = [
    "TASK_PAGES",
    "AssignmentPages",
    "BoardPages",
    "MyWorkPages",
    "PhotoPages",
    "TaskPages",
    "UnplannedRecordPages",
]
