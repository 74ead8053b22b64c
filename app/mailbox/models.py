"""The residents' mailbox (居民信箱): mailboxes, letters, their threads, photos and published copies."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Resident, Staff
from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region
from app.uploads.models import Upload

# Who may answer a mailbox: its members (see service.can_use_mailbox for the whole rule).
mailbox_staff = sa.Table(
    "mailbox_staff",
    db.metadata,
    sa.Column("mailbox_id", sa.ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True, index=True),
)


class Mailbox(db.Model):
    """A named mailbox of one community (书记信箱, 主任信箱, ...), defined by its admins."""

    __tablename__ = "mailboxes"
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    # Hours from a letter (or a follow-up after a reply) to the reply it is owed.
    reply_sla_hours: Mapped[int] = mapped_column(default=72)
    # Letters of a restricted mailbox (e.g. 书记信箱, where residents complain about staff) are
    # seen only by its members and by supervisors above the community.
    restricted: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default,
                                                 onupdate=utc_now_default)

    community: Mapped[Region] = relationship()
    members: Mapped[list[Staff]] = relationship(secondary=mailbox_staff, order_by=Staff.id)

    def __repr__(self) -> str:
        return f"<Mailbox {self.id} {self.name}>"


class MessageKind(enum.StrEnum):
    RESIDENT = "resident"  # the letter itself and the resident's follow-ups
    STAFF = "staff"  # a reply, shown to the resident signed with the mailbox's name
    NOTE = "note"  # an internal note, never shown to the resident
    EVENT = "event"  # what happened (transferred, closed), written by the system


class Letter(db.Model):
    """A private letter from a resident to a mailbox, and where its exchange stands."""

    __tablename__ = "letters"
    __table_args__ = (
        sa.Index("ix_letters_awaiting", "status", "reply_due_at"),
        sa.Index("ix_letters_resident_activity", "resident_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"))
    mailbox_id: Mapped[int] = mapped_column(sa.ForeignKey("mailboxes.id"), index=True)
    # The mailbox's community, kept on the letter so that staff scope is one indexed filter.
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    # "miniprogram" or "bot".
    source: Mapped[str] = mapped_column(sa.String(16), default="miniprogram")
    consent_to_publish: Mapped[bool] = mapped_column(default=False)
    # Some text of the resident's was doubtful to the content check: staff see it marked.
    flagged: Mapped[bool] = mapped_column(default=False)
    # Counts the resident's turns (the letter, each follow-up) and transfers: read receipts
    # and overdue alerts happen once per turn.
    turn: Mapped[int] = mapped_column(default=1)
    # The reply owed for the letter itself (fixed: the on-time rate is measured against it),
    # and the reply owed now: None once answered, set again when a follow-up reopens it.
    first_reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once per turn by the overdue sweep, when the reply owed now is late.
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When staff read the latest turn (the resident sees "已读"); cleared by a new turn.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Links to what the letter became. Plain ids for now: the reports and proposals packages
    # add their foreign keys when conversion lands.
    # What staff converted the letter into; the report/proposal links back (source_letter_id).
    # use_alter: reports and proposals also point at letters, so one side of each pair of
    # foreign keys is added after both tables exist.
    converted_report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="SET NULL", use_alter=True), index=True)
    converted_proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL", use_alter=True), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default,
                                                 onupdate=utc_now_default)

    resident: Mapped[Resident] = relationship()
    mailbox: Mapped[Mailbox] = relationship()
    community: Mapped[Region] = relationship()
    messages: Mapped[list[LetterMessage]] = relationship(
        back_populates="letter", order_by="LetterMessage.id", cascade="all, delete-orphan")
    publication: Mapped[LetterPublication | None] = relationship(
        back_populates="letter", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Letter {self.id} {self.status}>"

    @property
    def resident_thread(self) -> list[LetterMessage]:
        """The thread as the resident sees it: everything but internal notes."""
        return [m for m in self.messages if m.kind != MessageKind.NOTE]

    def is_overdue(self, now: datetime) -> bool:
        """A reply is owed and its due time has passed."""
        return (self.status in ("new", "read") and self.reply_due_at is not None
                and self.reply_due_at < now)


class LetterMessage(db.Model):
    """One entry of a letter's thread."""

    __tablename__ = "letter_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    author_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # How the resident sees the author: "我" for their own text, the mailbox's name for staff.
    author_label: Mapped[str] = mapped_column(sa.String(40), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    # The content check could not clear this text: staff see it marked (resident text only).
    needs_review: Mapped[bool] = mapped_column(default=False)
    review_reason: Mapped[str] = mapped_column(sa.String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default)

    letter: Mapped[Letter] = relationship(back_populates="messages")
    author_staff: Mapped[Staff | None] = relationship()
    photo_links: Mapped[list[LetterMessagePhoto]] = relationship(
        order_by="LetterMessagePhoto.position", cascade="all, delete-orphan")

    @property
    def photos(self) -> list[Upload]:
        return [link.upload for link in self.photo_links]


class LetterMessagePhoto(db.Model):
    """A photo attached to one message of a thread, in the order it was given."""

    __tablename__ = "letter_message_photos"

    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letter_messages.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id"), primary_key=True,
                                           index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)

    upload: Mapped[Upload] = relationship(lazy="joined")


class LetterPublication(db.Model):
    """The anonymised copy of a letter shown in the public Q&A; the private letter is untouched."""

    __tablename__ = "letter_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id", ondelete="CASCADE"),
                                           unique=True)
    mailbox_id: Mapped[int] = mapped_column(sa.ForeignKey("mailboxes.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    # Masked texts may be longer than the originals (【姓名】 for a two-character name).
    subject: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    reply: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default,
                                                   index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default,
                                                 onupdate=utc_now_default)

    letter: Mapped[Letter] = relationship(back_populates="publication")
    mailbox: Mapped[Mailbox] = relationship()
    community: Mapped[Region] = relationship()
