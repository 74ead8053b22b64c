"""社区提案: proposals, their photos, co-signatures, timeline, comments and ratings."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Resident, Staff
from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region
from app.uploads.models import Upload


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        sa.Index("ix_proposals_status_deadline", "status", "deadline_at"),
        sa.CheckConstraint("support_count >= 0", name="support_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    # The scope (院落, 社区 or 街道): who may co-sign, and whose staff review and answer.
    # Escalation moves it to the parent region; origin_region_id keeps where it started.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    origin_region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    escalated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"))
    title: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.Text)
    # The residents' mailbox letter this draft was made from (staff 转为提案草稿).
    source_letter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("letters.id", ondelete="SET NULL"), index=True)
    # Indexed by ix_proposals_status_deadline (status first).
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # Set at publication from the scope level's rules (PROPOSAL_<LEVEL>_* settings).
    support_count: Mapped[int] = mapped_column(default=0)
    support_threshold: Mapped[int | None]
    support_verification_level: Mapped[int | None] = mapped_column(sa.SmallInteger)
    deadline_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # Why a moderator should read it closely: the content check was doubtful or unavailable.
    content_review_reason: Mapped[str | None] = mapped_column(sa.String(24))
    content_label: Mapped[int | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # The latest official answer (earlier ones, before an escalation, are in the timeline).
    answer_decision: Mapped[str | None] = mapped_column(sa.String(16))
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default,
                                               onupdate=utc_now_default)
    submitted_at: Mapped[object | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    published_at: Mapped[object | None] = mapped_column(UTCDateTime)
    threshold_reached_at: Mapped[object | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[object | None] = mapped_column(UTCDateTime)
    started_at: Mapped[object | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # When it left the process without an answer (withdrawn or expired).
    closed_at: Mapped[object | None] = mapped_column(UTCDateTime)

    author: Mapped[Resident] = relationship()
    region: Mapped[Region] = relationship(foreign_keys=[region_id])
    escalated_from: Mapped[Region | None] = relationship(foreign_keys=[escalated_from_id])

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status} {self.title!r}>"


class ProposalPhoto(db.Model):
    __tablename__ = "proposal_photos"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id"))
    position: Mapped[int]

    upload: Mapped[Upload] = relationship()


class ProposalSupport(db.Model):
    """One resident's co-signature (附议); the UNIQUE constraint makes it one per resident."""

    __tablename__ = "proposal_supports"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)


class ProposalEvent(db.Model):
    """The timeline: every change of state, progress update and escalation, with its actor."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(24))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Nobody (a job), the author, or a staff member.
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # The region that acted (the staff member's scope at the time), shown instead of a name.
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"))
    # Shown to residents who can see the proposal; internal notes are staff-only.
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)

    staff: Mapped[Staff | None] = relationship()
    region: Mapped[Region | None] = relationship()


class ProposalEventPhoto(db.Model):
    """Photos of a progress update or of the completed result."""

    __tablename__ = "proposal_event_photos"
    __table_args__ = (sa.UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal_events.id"), index=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id"))
    position: Mapped[int]

    upload: Mapped[Upload] = relationship()


class ProposalComment(db.Model):
    """A resident's comment; flagging and holding live in app.moderation (item_type "comment")."""

    __tablename__ = "proposal_comments"
    __table_args__ = (sa.Index("ix_proposal_comments_proposal", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)

    author: Mapped[Resident] = relationship()
    proposal: Mapped[Proposal] = relationship()


class ProposalRating(db.Model):
    """The author's or a supporter's rating of a completed proposal's outcome."""

    __tablename__ = "proposal_ratings"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "resident_id"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    # Seen by staff only.
    comment: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
