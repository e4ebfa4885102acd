"""A roster file uploaded for import, kept between its preview and its confirmation.

The preview (roster/importing/staging.py) stores the file's bytes with its SHA-256 and a fingerprint
of the town's roster as it was previewed against; the confirmation imports exactly those bytes, only
if the roster still has that fingerprint, and deletes the row. Rows older than a day are dropped at
the next preview. Written with plain INSERT/DELETE statements, not through the unit of work, so the
file's bytes never reach the audit log (the import's own changes do).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base


class RosterUpload(Base):
    __tablename__ = "roster_upload"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    roster_fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
