"""Flags residents raise on public items, and the moderation state of each flagged or held item.

Generic over the kind of item (`item_type` "proposal", "comment", ...): a domain keeps its own
tables and asks app.moderation whether an item is hidden, so that any feature with public user
text can reuse flagging, auto-hiding and the moderator's decisions.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utc_now_default
from app.extensions import db


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PRIVACY = "privacy"

    @property
    def label(self) -> str:
        return FLAG_REASON_LABELS[self]


FLAG_REASON_LABELS = {
    FlagReason.SPAM: "垃圾广告",
    FlagReason.OFFENSIVE: "辱骂或冒犯",
    FlagReason.OFF_TOPIC: "与主题无关",
    FlagReason.PRIVACY: "泄露他人隐私",
}


class Visibility(enum.StrEnum):
    VISIBLE = "visible"  # shown (never hidden, or restored by a moderator)
    HIDDEN = "hidden"  # held from the public until a moderator decides
    REMOVED = "removed"  # a moderator decided to keep it hidden


class HiddenReason(enum.StrEnum):
    FLAGS = "flags"  # enough residents flagged it
    CONTENT_CHECK = "content_check"  # the content check was doubtful (or unavailable)

    @property
    def label(self) -> str:
        return {"flags": "多人举报", "content_check": "内容待审核"}[self.value]


class Decision(enum.StrEnum):
    RESTORE = "restore"
    KEEP_HIDDEN = "keep_hidden"

    @property
    def label(self) -> str:
        return {"restore": "恢复显示", "keep_hidden": "保持隐藏"}[self.value]


class Flag(db.Model):
    """One resident's flag on one item; a resident flags an item at most once."""

    __tablename__ = "flags"
    __table_args__ = (sa.UniqueConstraint("item_type", "item_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(sa.String(32))
    item_id: Mapped[int]
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)


class ModeratedItem(db.Model):
    """The moderation state of an item that was flagged or held; items without a row are visible."""

    __tablename__ = "moderated_items"
    __table_args__ = (
        sa.UniqueConstraint("item_type", "item_id"),
        sa.Index("ix_moderated_items_queue", "visibility", "hidden_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(sa.String(32))
    item_id: Mapped[int]
    # Where the item belongs: moderators whose scope contains it decide.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"))
    visibility: Mapped[str] = mapped_column(sa.String(16), default=Visibility.VISIBLE)
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(16))
    # WeChat's content label when the content check held it (e.g. 21000 其他).
    content_label: Mapped[int | None]
    # Every flag ever, and those since the last decision (which alone can hide it again).
    flag_count: Mapped[int] = mapped_column(default=0)
    pending_flags: Mapped[int] = mapped_column(default=0)
    hidden_at: Mapped[object | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    decision_note: Mapped[str] = mapped_column(sa.String(200), default="")
    decided_at: Mapped[object | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
