"""Every route of the application and the dependencies its handlers share, listed in one place.

Each route's access decision: the app-wide `require_login` guard (private unless opt=PUBLIC),
role guards on controllers and handlers, object-level checks in the services.
tests/integration/test_access_matrix.py fails for any route listed here without an expectation.
"""

from __future__ import annotations

import datetime as dt

from litestar import Request, Router
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.domain.access import Actor
from tracker.domain.accounts.api import AccountApi
from tracker.domain.accounts.mfa_pages import SecondFactorPages
from tracker.domain.accounts.mfa_service import MfaService
from tracker.domain.accounts.pages import AuthPages
from tracker.domain.accounts.sessions import SessionService, session_policy
from tracker.domain.accounts.settings_pages import SettingsPages
from tracker.domain.accounts.user_pages import UserPages
from tracker.domain.accounts.users import UserService
from tracker.domain.audit.pages import AuditPages
from tracker.domain.board.api import BoardApi
from tracker.domain.board.pages import BoardPages
from tracker.domain.board.service import BoardService
from tracker.domain.clock import utc_now
from tracker.domain.desk.pages import DeskPages
from tracker.domain.desk.service import DeskService
from tracker.domain.planning.api import AssignmentApi
from tracker.domain.planning.assignment_pages import AssignmentDetailPages
from tracker.domain.planning.changing import AssignmentChanges
from tracker.domain.planning.pages import AssignmentPages
from tracker.domain.planning.service import AssignmentService
from tracker.domain.reminders.api import ReminderApi
from tracker.domain.reminders.calendar_pages import CalendarPages
from tracker.domain.reminders.channel_pages import OwnChannelPages, TownChannelPages
from tracker.domain.reminders.channels import ChannelService
from tracker.domain.reminders.notification_pages import NotificationPages
from tracker.domain.reminders.notifications import NotificationService
from tracker.domain.reminders.outbox_pages import OutboxPages
from tracker.domain.reminders.pages import ReminderPages
from tracker.domain.reminders.send_back import SendBackService
from tracker.domain.reminders.send_back_pages import SendBackPages
from tracker.domain.reminders.service import ReminderService
from tracker.domain.review.api import ReviewApi
from tracker.domain.review.evidence import EvidenceService
from tracker.domain.review.evidence_pages import EvidencePages
from tracker.domain.review.person_work_pages import PersonWorkPages
from tracker.domain.review.finalise import FinaliseService
from tracker.domain.review.finalise_pages import FinalisePages
from tracker.domain.review.county_pages import CountyPages
from tracker.domain.review.pages import ReviewPages
from tracker.domain.review.service import ReviewService
from tracker.domain.roster.api import RosterApi
from tracker.domain.roster.edit_pages import RosterEditPages
from tracker.domain.roster.import_pages import RosterImportPages
from tracker.domain.roster.importing.staging import RosterUploads
from tracker.domain.roster.pages import RosterPages, choose_language
from tracker.domain.roster.service import RosterService
from tracker.domain.scope import Scope
from tracker.domain.work.api import RecordApi, TaskApi
from tracker.domain.work.my_work_pages import MyWorkPages
from tracker.domain.work.queue_pages import RecordQueuePages
from tracker.domain.work.pages import TaskPages
from tracker.domain.work.photo_pages import PhotoPages
from tracker.domain.work.photo_stamp_pages import PhotoSettingsPages
from tracker.domain.work.correction_pages import RecordCorrectionPages
from tracker.domain.work.corrections import RecordCorrections
from tracker.domain.work.records import RecordService
from tracker.domain.work.service import TaskService
from tracker.domain.work.unplanned_pages import UnplannedRecordPages
from tracker.web.app_shell import APP_SHELL_HANDLERS
from tracker.web.health import healthz


async def provide_now() -> dt.datetime:
    return utc_now()


async def provide_actor(request: Request) -> Actor | None:
    return request.scope.get("user")  # type: ignore[return-value]


async def provide_settings(state: State) -> Settings:
    return state["settings"]  # type: ignore[no-any-return]


async def provide_scope(db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None]) -> Scope:
    """Who may see what, worked out once per request and shared by every service of the request."""
    return Scope(db_session, actor)


async def provide_roster_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> RosterService:
    return RosterService(db_session, actor, access_scope)


async def provide_roster_uploads(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None]
) -> RosterUploads:
    return RosterUploads(db_session, actor)


async def provide_assignment_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> AssignmentService:
    return AssignmentService(db_session, actor, access_scope)


async def provide_board_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> BoardService:
    return BoardService(db_session, actor, access_scope)


async def provide_desk_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> DeskService:
    return DeskService(db_session, actor, access_scope)


async def provide_task_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> TaskService:
    return TaskService(db_session, actor, access_scope)


async def provide_record_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope],
    settings: NamedDependency[Settings],
) -> RecordService:
    return RecordService(db_session, actor, str(settings.photo_dir), settings.max_photo_bytes, access_scope)


async def provide_record_corrections(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> RecordCorrections:
    return RecordCorrections(db_session, actor, access_scope)


async def provide_send_back_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope],
    settings: NamedDependency[Settings],
) -> SendBackService:
    return SendBackService(db_session, actor, settings.base_url, access_scope, settings.default_locale)


async def provide_assignment_changes(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> AssignmentChanges:
    return AssignmentChanges(db_session, actor, access_scope)


async def provide_reminder_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> ReminderService:
    return ReminderService(db_session, actor, access_scope)


async def provide_notification_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> NotificationService:
    return NotificationService(db_session, actor, access_scope)


async def provide_channel_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope],
    settings: NamedDependency[Settings],
) -> ChannelService:
    return ChannelService(db_session, actor, access_scope, allow_http=settings.webhook_allow_http)


async def provide_review_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> ReviewService:
    return ReviewService(db_session, actor, access_scope)


async def provide_evidence_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> EvidenceService:
    return EvidenceService(db_session, actor, access_scope)


async def provide_finalise_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], access_scope: NamedDependency[Scope]
) -> FinaliseService:
    return FinaliseService(db_session, actor, access_scope)


async def provide_session_service(
    db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> SessionService:
    return SessionService(db_session, session_policy(settings))


async def provide_user_service(
    db_session: NamedDependency[AsyncSession], sessions: NamedDependency[SessionService]
) -> UserService:
    return UserService(db_session, sessions)


async def provide_mfa_service(
    db_session: NamedDependency[AsyncSession], sessions: NamedDependency[SessionService]
) -> MfaService:
    return MfaService(db_session, sessions)


dependencies = {
    "now": Provide(provide_now),
    "actor": Provide(provide_actor),
    "settings": Provide(provide_settings),
    "access_scope": Provide(provide_scope),
    "roster": Provide(provide_roster_service),
    "roster_uploads": Provide(provide_roster_uploads),
    "sessions": Provide(provide_session_service),
    "users": Provide(provide_user_service),
    "mfa": Provide(provide_mfa_service),
    "assignments": Provide(provide_assignment_service),
    "tasks": Provide(provide_task_service),
    "records": Provide(provide_record_service),
    "corrections": Provide(provide_record_corrections),
    "sending_back": Provide(provide_send_back_service),
    "changes": Provide(provide_assignment_changes),
    "boards": Provide(provide_board_service),
    "desks": Provide(provide_desk_service),
    "reminders": Provide(provide_reminder_service),
    "notifications": Provide(provide_notification_service),
    "channels": Provide(provide_channel_service),
    "finalising": Provide(provide_finalise_service),
    "evidence": Provide(provide_evidence_service),
    "review": Provide(provide_review_service),
}


def route_handlers() -> list[ControllerRouterHandler]:
    return [
        Router(
            path="/",
            dependencies=dependencies,
            route_handlers=[
                healthz,
                *APP_SHELL_HANDLERS,
                choose_language,
                AuthPages,
                SettingsPages,
                SecondFactorPages,
                UserPages,
                AuditPages,
                RosterPages,
                RosterImportPages,
                RosterEditPages,
                RosterApi,
                AccountApi,
                AssignmentApi,
                TaskApi,
                BoardApi,
                RecordApi,
                MyWorkPages,
                RecordQueuePages,
                TaskPages,
                RecordCorrectionPages,
                SendBackPages,
                UnplannedRecordPages,
                BoardPages,
                DeskPages,
                AssignmentPages,
                AssignmentDetailPages,
                PhotoPages,
                PhotoSettingsPages,
                CalendarPages,
                ReminderPages,
                OutboxPages,
                ReminderApi,
                NotificationPages,
                OwnChannelPages,
                TownChannelPages,
                EvidencePages,
                PersonWorkPages,
                ReviewPages,
                CountyPages,
                FinalisePages,
                ReviewApi,
            ],
        )
    ]
