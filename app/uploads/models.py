"""Uploaded photos: one row per owner and photo; the files are shared by content hash."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utc_now_default
from app.extensions import db


class Upload(db.Model):
    __tablename__ = "uploads"
    __table_args__ = (
        sa.CheckConstraint("(resident_id IS NULL) <> (staff_id IS NULL)", name="one_owner"),
        sa.UniqueConstraint("resident_id", "sha256"),
        sa.UniqueConstraint("staff_id", "sha256"),
        sa.Index("ix_uploads_unclaimed", "claimed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # SHA-256 of the original file: the storage key of its renditions.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    source_format: Mapped[str] = mapped_column(sa.String(8))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    # Set when a report, proposal or letter takes the photo; unclaimed ones are swept away.
    claimed_at: Mapped[object | None] = mapped_column(UTCDateTime)
