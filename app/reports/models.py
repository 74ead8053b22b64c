"""随手拍 reports: the report, its photos, its timeline, its ratings, its followers, its numbers."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Resident, Staff
from app.categories.models import Category
from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region
from app.uploads.models import Upload


class ReportSource(enum.StrEnum):
    MINIPROGRAM = "miniprogram"
    BOT = "bot"
    STAFF = "staff"  # 代办: staff filing for a resident, or a 网格员's own patrol finding
    OPEN311 = "open311"  # a partner system (12345 platform); no resident behind it here


class ActorKind(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SYSTEM = "system"  # periodic jobs, partner systems


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        # Nearby search: an indexed latitude range, then longitude and exact distance.
        sa.Index("ix_reports_location", "lat", "lng"),
        sa.Index("ix_reports_region_status", "region_id", "status"),
        sa.CheckConstraint("follower_count >= 0", name="follower_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public number, SSP-YYYYMMDD-NNNN by the local day (see service.next_number()).
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    # The resident who reported it; None for partner (Open311) filings and staff patrol finds.
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    # Who stands behind a non-resident filing: the Open311 partner's name, a 代办 remark.
    source_detail: Mapped[str] = mapped_column(sa.String(80), default="")
    # The residents' mailbox letter this report was converted from (staff 转为随手拍).
    source_letter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("letters.id", ondelete="SET NULL"), index=True)
    filed_by_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(500))
    # GCJ-02, as WeChat's maps give them.
    lat: Mapped[float]
    lng: Mapped[float]
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    # The grid containing the location, else the reporter's community: staff scope follows it.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    # Shown publicly without the reporter's name.
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The description's content check asked for a moderator: kept out of every public view
    # (not out of handling) until a moderator releases it.
    held_for_review: Mapped[bool] = mapped_column(default=False, index=True)
    review_reason: Mapped[str] = mapped_column(sa.String(32), default="")
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id"))
    follower_count: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)

    # One timestamp per step, so that every rate is computable (reference/practice.md).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default,
                                                    index=True)  # received
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The latest resolution; cleared when the resident reopens it.
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Due times from the category's SLA, counted from filing; kept as filed (not moved by a
    # reopening or a later change of the SLA), so past rates do not change.
    response_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completion_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # When the overdue sweep escalated each deadline (each exactly once).
    response_overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completion_overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The resident's latest rating (earlier rounds are in report_ratings).
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    solved: Mapped[bool | None]
    satisfaction: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rating_comment: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default,
                                                    onupdate=utc_now_default)

    reporter: Mapped[Resident | None] = relationship(foreign_keys=[reporter_id])
    filed_by: Mapped[Staff | None] = relationship(foreign_keys=[filed_by_staff_id])
    assignee: Mapped[Staff | None] = relationship(foreign_keys=[assignee_id])
    category: Mapped[Category] = relationship()
    region: Mapped[Region] = relationship()
    duplicate_of: Mapped[Report | None] = relationship(remote_side=[id])
    photos: Mapped[list[ReportPhoto]] = relationship(
        order_by=lambda: (ReportPhoto.kind, ReportPhoto.position),
        cascade="all, delete-orphan")
    events: Mapped[list[ReportEvent]] = relationship(
        order_by="ReportEvent.id", cascade="all, delete-orphan", back_populates="report")

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.number} {self.status}>"


class PhotoKind(enum.StrEnum):
    REPORT = "report"  # the reporter's photos of the problem
    RESULT = "result"  # the handler's photos of the result


class ReportPhoto(db.Model):
    __tablename__ = "report_photos"
    __table_args__ = (sa.UniqueConstraint("report_id", "kind", "upload_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"))
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8), default=PhotoKind.REPORT)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    upload: Mapped[Upload] = relationship(lazy="joined")


class ReportEvent(db.Model):
    """One line of a report's timeline: who did what, from which state to which, and whether
    residents may see it (internal notes and escalations are staff-only)."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), index=True)
    actor_kind: Mapped[str] = mapped_column(sa.String(16))
    actor_resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"))
    actor_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # A lifecycle action ("accept", ...), or "file", "note", "follow", "overdue", "release".
    action: Mapped[str] = mapped_column(sa.String(24))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default)

    report: Mapped[Report] = relationship(back_populates="events")
    actor_staff: Mapped[Staff | None] = relationship()


class ReportRating(db.Model):
    """Every rating a resident gave, one per resolution round (a reopened report is rated again)."""

    __tablename__ = "report_ratings"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "round"),
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"))
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"))
    # 0 for the first resolution, then the report's reopen count when it was rated.
    round: Mapped[int] = mapped_column(sa.SmallInteger)
    solved: Mapped[bool]
    satisfaction: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default)


class ReportFollower(db.Model):
    """"我也遇到": a resident who has the same problem follows the existing report."""

    __tablename__ = "report_followers"
    __table_args__ = (sa.UniqueConstraint("report_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"))
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now_default)


class ReportNumberCounter(db.Model):
    """The last number given out on one local day; incremented atomically by one statement."""

    __tablename__ = "report_number_counters"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
