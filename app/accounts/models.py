"""Residents, their households, staff accounts and bearer tokens."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region


class VerificationLevel(enum.IntEnum):
    NONE = 0
    PHONE = 1  # phone number bound through WeChat
    RESIDENCY = 2  # community and household confirmed by staff


class Household(db.Model):
    """A flat: 楼栋-单元-室 in a community. Household polls give it one ballot."""

    __tablename__ = "households"
    __table_args__ = (sa.UniqueConstraint("community_id", "building", "unit", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    building: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str] = mapped_column(sa.String(16))
    room: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)

    @property
    def label(self) -> str:
        return f"{self.building}-{self.unit}-{self.room}"


class Resident(db.Model):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Mini-program openid; a resident known only to the bot has none.
    mp_openid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Official-account openid, and the unionid that joins the two when WeChat gives it.
    oa_openid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    nickname: Mapped[str] = mapped_column(sa.String(32), default="")
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"), index=True)
    # Only a hash (to find duplicates) and a masked form (to show) of the phone number are kept.
    phone_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(sa.String(16))
    verification_level: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    verified_at: Mapped[object | None] = mapped_column(UTCDateTime)
    elder_mode: Mapped[bool] = mapped_column(default=False)
    # Follows the official account (template messages possible) and last talked to the bot
    # (customer-service messages possible for 48 hours after).
    oa_subscribed: Mapped[bool] = mapped_column(default=False)
    last_bot_message_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default,
                                               onupdate=utc_now_default)

    community: Mapped[Region | None] = relationship(foreign_keys=[community_id])
    household: Mapped[Household | None] = relationship()

    def __repr__(self) -> str:
        return f"<Resident {self.id} {self.nickname!r}>"


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    HANDLER = "handler"

    @property
    def label(self) -> str:
        return {"admin": "管理员", "moderator": "社区工作人员", "handler": "网格员"}[self.value]


class Staff(db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(40))
    role: Mapped[StaffRole] = mapped_column(
        sa.Enum(StaffRole, native_enum=False, length=16,
                values_callable=lambda e: [m.value for m in e])
    )
    # The staff member sees and acts on this region's subtree only.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[object | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)

    region: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.username} {self.role}>"


class AuthToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at login."""

    __tablename__ = "auth_tokens"
    __table_args__ = (
        sa.CheckConstraint("(resident_id IS NULL) <> (staff_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
    expires_at: Mapped[object] = mapped_column(UTCDateTime)
    revoked_at: Mapped[object | None] = mapped_column(UTCDateTime)

    resident: Mapped[Resident | None] = relationship()
    staff: Mapped[Staff | None] = relationship()


class BindingCode(db.Model):
    """A one-time code that links an official-account follower to a mini-program resident.

    The resident asks for it in the mini-program and sends "绑定 123456" to the bot. Six digits
    are few, so only an HMAC keyed with SECRET_KEY is stored, it lives 10 minutes, it works once,
    and the bot limits guesses per follower.
    """

    __tablename__ = "binding_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[object] = mapped_column(UTCDateTime)
    used_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
