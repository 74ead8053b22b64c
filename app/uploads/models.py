"""Uploaded photos: one row per owner and photo; the files are shared by content hash.

The owner is a resident, a staff member, or an Open311 partner (a photo fetched from the
`media_url` of a partner's service request): exactly one of the three.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utc_now_default
from app.extensions import db


class Upload(db.Model):
    __tablename__ = "uploads"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN resident_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN staff_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN partner_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner"),
        sa.UniqueConstraint("resident_id", "sha256"),
        sa.UniqueConstraint("staff_id", "sha256"),
        sa.UniqueConstraint("partner_id", "sha256"),
        sa.Index("ix_uploads_unclaimed", "claimed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("open311_partners.id"))
    # SHA-256 of the original file: the storage key of its renditions.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    source_format: Mapped[str] = mapped_column(sa.String(8))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    # Set when a report, proposal or letter takes the photo; unclaimed ones are swept away.
    claimed_at: Mapped[object | None] = mapped_column(UTCDateTime)
