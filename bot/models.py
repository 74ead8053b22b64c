"""What the bot keeps: dialog state per follower, the receipts that dedupe WeChat's retries,
callback requests for staff, reports and letters waiting for their filing job, and a few
account-wide switches.

Dialog state lives in the database, not in Redis, for two reasons: the embedded default has no
Redis, and a dialog change must commit in the same transaction as the push's receipt and the
effect it causes, so that a retried push can never advance the dialog twice (bot/pushes.py).
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Resident, Staff
from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region


class BotDialog(db.Model):
    """Where one follower (official-account openid) is in the conversation.

    `flow`/`step`/`data` are the flow under way (None at the main menu). The flow is active for
    10 minutes after `flow_updated_at`; after that it is paused (`paused` records that the
    resident was told) and "继续" resumes it within 24 hours (bot/dialogs.py). `screen` is the
    main-level screen last shown ("menu" or "help"), so that "0" can mean 帮助 on the menu and
    返回 on the help page. `pages` are the unread pages of the last long reply ("回复0继续").
    """

    __tablename__ = "bot_dialogs"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    flow: Mapped[str | None] = mapped_column(sa.String(32))
    step: Mapped[str] = mapped_column(sa.String(32), default="")
    data: Mapped[dict] = mapped_column(MutableDict.as_mutable(sa.JSON), default=dict)
    flow_updated_at: Mapped[object | None] = mapped_column(UTCDateTime)
    paused: Mapped[bool] = mapped_column(default=False)
    screen: Mapped[str] = mapped_column(sa.String(16), default="menu")
    pages: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The last position the resident shared (location message or LOCATION event):
    # {"lat", "lng", "label", "at"}; flows that need a place offer it.
    last_location: Mapped[dict | None] = mapped_column(sa.JSON)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default, index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)


class PushReceipt(db.Model):
    """One WeChat push seen, and the reply it got, kept for the retry window.

    Used when Redis is not configured (or not reachable). `reply` is the rendered plaintext
    reply XML, "" for "success", and NULL while the first arrival is still being handled.
    """

    __tablename__ = "bot_push_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    reply: Mapped[str | None] = mapped_column(sa.Text)
    expires_at: Mapped[object] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)


class CallbackStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"open": "待回电", "done": "已回电"}[self.value]


class CallbackRequest(db.Model):
    """A resident asked the bot (人工) for a member of staff to call them back."""

    __tablename__ = "callback_requests"
    __table_args__ = (sa.Index("ix_callback_requests_region_status", "region_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    # The community whose office calls back; staff see the requests in their scope.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    # Shown in full to staff in scope: they need it to call.
    phone: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=CallbackStatus.OPEN.value)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    done_at: Mapped[object | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    resident: Mapped[Resident] = relationship()
    region: Mapped[Region] = relationship()
    done_by: Mapped[Staff | None] = relationship()


class BotSetting(db.Model):
    """An account-wide fact the bot learned at run time (e.g. that msgmenu is refused)."""

    __tablename__ = "bot_settings"

    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default,
                                               onupdate=utc_now_default)


class SubmissionStatus(enum.StrEnum):
    PENDING = "pending"  # confirmed in the chat, waiting for its job
    DONE = "done"  # filed through the domain service (object_id says what it became)
    REFUSED = "refused"  # the service said no (error says why; the resident was told)


class BotSubmission(db.Model):
    """A report or letter a resident confirmed in the chat, handed to a job to file.

    Filing calls WeChat's content check, so it cannot happen while answering a push. The draft
    is kept here rather than in the dialog, so the resident may go on chatting (or back to the
    menu) while it is filed; the job claims the row (pending → done) in the transaction of the
    filing itself, so a repeated or retried job files it once.
    """

    __tablename__ = "bot_submissions"
    __table_args__ = (sa.Index("ix_bot_submissions_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    # The follower who confirmed it: where the job's answer goes.
    openid: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))  # "report" or "letter"
    draft: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default=SubmissionStatus.PENDING.value)
    # The report or letter it became.
    object_id: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    done_at: Mapped[object | None] = mapped_column(UTCDateTime)
