"""Report categories (报事类别), each with its service levels; also the Open311 services."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utc_now_default
from app.extensions import db


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable code, also the Open311 service_code.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    # Hours from dispatch to first contact with the resident (响应), and to completion (办结).
    response_sla_hours: Mapped[int] = mapped_column(default=24)
    completion_sla_hours: Mapped[int] = mapped_column(default=72)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    keywords: Mapped[str] = mapped_column(sa.String(200), default="")
    group_name: Mapped[str] = mapped_column(sa.String(30), default="")
    # Extra questions for this category (Open311 service definition attributes).
    attributes: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)
