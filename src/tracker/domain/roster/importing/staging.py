"""Importing a roster file from the pages: a preview (the dry run, nothing written but the file kept),
then a confirmation that imports exactly the previewed file through the same importer as the CLI.

The preview keeps the uploaded bytes in `roster_upload` with their SHA-256 and a fingerprint of the
town's roster (every attribute of its town row, units, places, people and contact links that an
import reads or writes). The confirmation takes the town's roster lock, then refuses (Conflict, 409,
nothing written) when the upload is gone (imported already, expired, someone else's), when the file
is not the one previewed (its SHA-256 differs from the one the page showed) or when the roster's
fingerprint changed since the preview (someone edited or imported meanwhile); else it imports the
file and deletes the upload, in one transaction. The upload table is written with plain statements,
so the file's bytes never reach the audit log; the roster's changes do, row by row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import ContactAssignment, Person, Place, Town, Unit
from tracker.db.models.roster_upload import RosterUpload
from tracker.domain.access import Actor, can_manage_town
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed
from tracker.domain.roster.importing.export import RosterExport
from tracker.domain.roster.importing.read import RosterFileError, read_roster_bytes
from tracker.domain.roster.importing.report import ImportReport, RosterImportRejected
from tracker.domain.roster.importing.rows import Problem
from tracker.domain.roster.importing.run import RosterImporter
from tracker.domain.roster.importing.workbook import RosterSheet
from tracker.i18n import _

MB = 1024 * 1024
MAX_ROSTER_FILE = 2 * MB  # a town's roster is tens of kilobytes; the request may be a little larger
UPLOAD_KEPT = dt.timedelta(hours=24)
FILENAME_MAX = 255
# What an import reads or writes, per table: a change to any of these between preview and confirm refuses it.
FINGERPRINTED = (
    (Town, ("id", "code", "name", "population", "contact_points_min", "contact_points_max", "timezone")),
    (Unit, ("id", "code", "name", "kind")),
    (Place, ("id", "code", "name", "kind", "parent_id", "latitude", "longitude")),
    (
        Person,
        (
            "id",
            "code",
            "name",
            "tier",
            "post",
            "unit_id",
            "supervisor_id",
            "phone",
            "email",
            "leading_group_role",
            "active",
        ),
    ),
    (ContactAssignment, ("id", "person_id", "place_id", "link", "valid_from", "valid_to")),
)


@dataclass
class Preview:
    """The dry run of an uploaded file: its report (what would change) or every problem it has."""

    filename: str
    sha256: str
    header_row: int = 1
    report: ImportReport | None = None
    problems: list[Problem] = field(default_factory=list)
    upload_id: int | None = None  # set when the file is good and kept for the confirmation

    @property
    def skipped_rows(self) -> int:
        return self.header_row - 1


def file_problem(message: str) -> InvalidInput:
    return InvalidInput(message, fields={"file": message})


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def lock_roster(session: AsyncSession, town_id: int) -> None:
    """The town's roster lock, held until the transaction ends. PostgreSQL: the town's row FOR NO KEY
    UPDATE (inserts referencing the town go on); SQLite: a no-op write takes the database's write lock."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("UPDATE town SET timezone = timezone WHERE id = :id"), {"id": town_id})
    else:
        await session.execute(select(Town.id).where(Town.id == town_id).with_for_update(key_share=True))


async def roster_fingerprint(session: AsyncSession, town_id: int) -> str:
    """SHA-256 over every fingerprinted value of the town's roster rows, in id order."""
    digest = hashlib.sha256()
    for model, columns in FINGERPRINTED:
        town_column = model.id if model is Town else model.town_id  # type: ignore[attr-defined]
        query = select(*(getattr(model, c) for c in columns)).where(town_column == town_id).order_by(model.id)
        for row in (await session.execute(query)).all():
            digest.update(json.dumps([model.__tablename__, *map(_plain, row)], ensure_ascii=False).encode())
    return digest.hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum member
        return value.value  # type: ignore[attr-defined]
    return value


class RosterUploads:
    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.actor = actor

    def _require_manager(self, town: Town) -> Actor:
        if self.actor is None or not can_manage_town(self.actor, town.id):
            raise NotAllowed(_("Only the town's secretary may change its roster"))
        return self.actor

    async def export_sheet(self, town: Town, now: dt.datetime) -> RosterSheet:
        """The town's roster as it is today, for the export's workbook."""
        self._require_manager(town)
        return await RosterExport(self.session).export_sheet(town, now)

    def template_sheet(self, town: Town) -> RosterSheet:
        self._require_manager(town)
        return RosterExport.template_sheet(town)

    async def preview(self, town: Town, filename: str, content: bytes, now: dt.datetime) -> Preview:
        """The dry run; a good file is kept for the confirmation. InvalidInput (field `file`) when the
        file can't be read at all; a file with bad rows comes back with its problems, nothing kept."""
        actor = self._require_manager(town)
        filename = filename.strip()[-FILENAME_MAX:] or "roster"
        if not content:
            raise file_problem(_("Choose a roster file (.xlsx or .csv)"))
        if len(content) > MAX_ROSTER_FILE:
            raise file_problem(_("The file is too large: at most %(size)d MB", size=MAX_ROSTER_FILE // MB))
        try:
            table = read_roster_bytes(content, filename)
        except RosterFileError as error:
            raise file_problem(error.message) from None
        preview = Preview(filename, sha256_of(content), table.header_row)
        try:
            preview.report = await RosterImporter(self.session).import_table(
                table, town.code, now=now, dry_run=True
            )
        except RosterImportRejected as rejected:
            preview.problems = rejected.problems
            return preview
        await self.session.execute(delete(RosterUpload).where(RosterUpload.created_at < now - UPLOAD_KEPT))
        fingerprint = await roster_fingerprint(self.session, town.id)
        kept = await self.session.execute(
            insert(RosterUpload)
            .values(town_id=town.id, user_id=actor.user_id, filename=filename, sha256=preview.sha256,
                    roster_fingerprint=fingerprint, content=content, created_at=now, updated_at=now)
            .returning(RosterUpload.id)
        )
        preview.upload_id = kept.scalar_one()
        return preview

    async def confirm(self, town: Town, upload_id: int, sha256: str, now: dt.datetime) -> ImportReport:
        """Import the previewed file, under the roster lock; Conflict when it may no longer be."""
        actor = self._require_manager(town)
        await lock_roster(self.session, town.id)
        upload = (
            await self.session.execute(
                select(
                    RosterUpload.filename,
                    RosterUpload.sha256,
                    RosterUpload.roster_fingerprint,
                    RosterUpload.content,
                    RosterUpload.created_at,
                ).where(
                    RosterUpload.id == upload_id,
                    RosterUpload.town_id == town.id,
                    RosterUpload.user_id == actor.user_id,
                )
            )
        ).one_or_none()
        if upload is None or upload.created_at < now - UPLOAD_KEPT:
            raise _refused(_("This preview is no longer available (imported already, or older than a day); "
                             "upload the file again"))  # fmt: skip
        if upload.sha256 != sha256 or sha256_of(upload.content) != sha256:
            raise _refused(_("The file is not the one previewed; upload it again and check the preview"))
        if await roster_fingerprint(self.session, town.id) != upload.roster_fingerprint:
            raise _refused(_("The roster was changed after this preview; upload the file again to see what "
                             "it would change now"))  # fmt: skip
        table = read_roster_bytes(upload.content, upload.filename)
        report = await RosterImporter(self.session).import_table(table, town.code, now=now)
        await self.session.execute(delete(RosterUpload).where(RosterUpload.id == upload_id))
        return report


def _refused(message: str) -> Conflict:
    return Conflict(message, fields={"file": message})
