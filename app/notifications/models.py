"""The notification outbox and residents' subscribe-message grants.

Outbox rows are written in the same transaction as the change that causes them and delivered by
jobs (notifications.delivery). A row's life:

    pending ─claim→ sending ─WeChat accepted→ sent
                        │  ─retryable error, attempts left→ pending (next_attempt_at later)
                        │  ─retryable error, no attempts left / permanent error on the last
                        │   channel→ failed
                        └─ no channel possible (or a staff recipient: in-app only)→ skipped

`last_error` holds the last error, or for a skipped row why it was skipped.
"""

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


class Channel(enum.StrEnum):
    """How a notification reaches WeChat, in the order they are tried."""

    SUBSCRIBE = "subscribe"  # mini-program subscribe message (needs an unused grant)
    # The official account's 订阅通知 (bizsend): needs an unused grant from its popup, and a
    # follower.
    OA_SUBSCRIBE = "oa_subscribe"
    TEMPLATE = "template"  # official-account template message (needs a follower)
    TEXT = "text"  # customer-service text (within 48 hours of the resident's last message)


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
    # The channel of the last attempt (of the delivery, once sent).
    channel: Mapped[str | None] = mapped_column(sa.String(24))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Channels WeChat refused for good, as "channel:errcode" joined by commas
    # ("subscribe:43101,template:43004"); the next attempt tries the channels left.
    ruled_out: Mapped[str | None] = mapped_column(sa.String(120))
    # When a delivery job claimed the row; a row `sending` for too long had its worker die.
    claimed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # When the sweep last handed the row to the queue (it waits before doing so again).
    queued_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # Template message id, matched by the TEMPLATESENDJOBFINISH event, and that event's status
    # ("success", "failed:user block", "failed: system failed").
    wechat_msgid: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    delivery_status: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime)
    read_at: Mapped[object | None] = mapped_column(UTCDateTime)

    @property
    def ruled_out_channels(self) -> set[str]:
        return {entry.split(":")[0] for entry in (self.ruled_out or "").split(",") if entry}


class SubscriptionGrant(db.Model):
    """One-time subscribe-message grants a resident accepted for one subscribe template.

    Templates are the mini-program's (each `wx.requestSubscribeMessage` accept adds one) or the
    official account's 订阅通知 (each accept in its subscribe popup, subscribe_msg_popup_event,
    adds one; turning it off, subscribe_msg_change_event "reject", sets it to zero). Template
    ids are WeChat's own random strings, so the two kinds never share one. Each message sent
    uses one grant; a 43101 answer from WeChat ("no quota") sets it to zero
    (reference/wechat.md §3.3).
    """

    __tablename__ = "subscription_grants"
    __table_args__ = (
        sa.UniqueConstraint("resident_id", "template_id"),
        sa.CheckConstraint("remaining >= 0", name="remaining_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"))
    template_id: Mapped[str] = mapped_column(sa.String(128))
    remaining: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default,
                                               onupdate=utc_now_default)
