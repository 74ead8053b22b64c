"""The notification outbox: written in the same transaction as the change that causes it."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utc_now_default
from app.extensions import db


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint("(resident_id IS NULL) <> (staff_id IS NULL)", name="one_recipient"),
        sa.Index("ix_notifications_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # {"title", "text", "page", "fields": {...}}: see notifications.service.notify().
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The same event never yields two rows: e.g. "report:12:accepted:resident:7".
    dedupe_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=NotificationStatus.PENDING)
    channel: Mapped[str | None] = mapped_column(sa.String(24))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Template message id, matched by the TEMPLATESENDJOBFINISH event.
    wechat_msgid: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime)
    read_at: Mapped[object | None] = mapped_column(UTCDateTime)
