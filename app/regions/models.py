"""The region tree: 区 → 街道 → 社区 → 网格, with optional 院落 under a community."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utc_now_default
from app.extensions import db


class RegionLevel(enum.StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    COURTYARD = "courtyard"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    RegionLevel.DISTRICT: "区",
    RegionLevel.STREET: "街道",
    RegionLevel.COMMUNITY: "社区",
    RegionLevel.GRID: "网格",
    RegionLevel.COURTYARD: "院落",
}

# Which level a region of each level must hang under (a district is a root).
PARENT_LEVEL = {
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
    RegionLevel.GRID: RegionLevel.COMMUNITY,
    RegionLevel.COURTYARD: RegionLevel.COMMUNITY,
}


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    level: Mapped[RegionLevel] = mapped_column(
        sa.Enum(RegionLevel, native_enum=False, length=16,
                values_callable=lambda e: [m.value for m in e])
    )
    name: Mapped[str] = mapped_column(sa.String(60))
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # Materialised path of ids, "/1/4/9/": a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(sa.String(255), index=True, default="")
    # A GeoJSON Polygon or MultiPolygon (GCJ-02, as WeChat's maps give them), and its bounding box.
    boundary: Mapped[dict | None] = mapped_column(sa.JSON)
    min_lat: Mapped[float | None]
    max_lat: Mapped[float | None]
    min_lng: Mapped[float | None]
    max_lng: Mapped[float | None]
    # Where residents reach the office of this region (the bot's 人工 answer).
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    office_hours: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utc_now_default)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.id")

    def __repr__(self) -> str:
        return f"<Region {self.id} {self.level} {self.name}>"

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this region itself."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: Region) -> bool:
        """True when `other` is this region or lies in its subtree."""
        return other.path.startswith(self.path)
