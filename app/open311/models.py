"""Open311 partners (12345 hotline platforms, other cities' systems) and what they filed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Staff
from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region


class Partner(db.Model):
    """A system allowed to file service requests with its own API key.

    Only the key's SHA-256 is stored (the key is 256 random bits, so a fast hash is enough and
    each request can be checked with one indexed lookup); the key itself is shown once, when the
    partner is created. A revoked partner stays, so its filings and photos keep their owner.
    """

    __tablename__ = "open311_partners"
    __table_args__ = (
        sa.CheckConstraint("rate_limit_per_minute > 0", name="rate_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Recorded as the source of every report it files (reports.source_detail, 80 characters).
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    # Where it may file: reports must route into this region's subtree. A community (or grid)
    # also lets it file by address alone (see service.file_request).
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The key's first characters, so an admin can tell keys apart without seeing one.
    key_prefix: Mapped[str] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(default=True)
    rate_limit_per_minute: Mapped[int] = mapped_column(default=60)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    region: Mapped[Region] = relationship()
    created_by: Mapped[Staff | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[Staff | None] = relationship(foreign_keys=[revoked_by_id])

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name!r}>"


class Filing(db.Model):
    """Which partner filed which report: lets a partner follow its own cases even when they are
    not public (held for review, not accepted), and says how the location was given."""

    __tablename__ = "open311_filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("open311_partners.id"), index=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), unique=True)
    # Filed by address_string alone: the report sits at its community's reference point, which
    # is not where the problem is, so Open311 shows no coordinates for it.
    address_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default)

    partner: Mapped[Partner] = relationship()
