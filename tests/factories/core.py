"""Factories for regions, categories, residents, staff and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import factory
from werkzeug.security import generate_password_hash

from app.accounts import tokens
from app.accounts.models import Household, Resident, Staff, StaffRole, VerificationLevel
from app.categories.models import Category
from app.extensions import db
from app.regions import service as regions
from app.regions.models import Region

STAFF_PASSWORD = "correct-horse-battery"
# Hashing with scrypt is slow; tests share one precomputed hash.
_STAFF_PASSWORD_HASH = generate_password_hash(STAFF_PASSWORD)


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


def _box(west, south, east, north):
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                 [west, north], [west, south]]]}


@dataclass
class RegionTree:
    district: Region
    street: Region
    community: Region  # 和平社区
    grid: Region  # its first grid, 104.080–104.085 × 30.650–30.658
    grid2: Region  # its second grid, 104.085–104.090
    courtyard: Region
    other_community: Region  # 桂花巷社区, same street
    other_grid: Region
    other_street: Region  # 东光街道
    far_community: Region  # 东光社区

    # A point inside each grid.
    point_in_grid = (30.654, 104.082)
    point_in_grid2 = (30.654, 104.088)
    point_in_other_grid = (30.654, 104.095)


def build_region_tree() -> RegionTree:
    create = regions.create_region
    district = create(name="锦江区", level="district", code="jj")
    street = create(name="书院街街道", level="street", code="jj-syj", parent=district)
    community = create(name="和平社区", level="community", code="jj-syj-hp", parent=street,
                       boundary=_box(104.080, 30.650, 104.090, 30.658),
                       contact_phone="028-86660001", office_hours="周一至周五 9:00-17:30")
    grid = create(name="和平社区第一网格", level="grid", code="jj-syj-hp-g1", parent=community,
                  boundary=_box(104.080, 30.650, 104.085, 30.658))
    grid2 = create(name="和平社区第二网格", level="grid", code="jj-syj-hp-g2", parent=community,
                   boundary=_box(104.085, 30.650, 104.090, 30.658))
    courtyard = create(name="和平里院落", level="courtyard", code="jj-syj-hp-y1",
                       parent=community)
    other_community = create(name="桂花巷社区", level="community", code="jj-syj-ghx",
                             parent=street, boundary=_box(104.090, 30.650, 104.100, 30.658))
    other_grid = create(name="桂花巷社区第一网格", level="grid", code="jj-syj-ghx-g1",
                        parent=other_community, boundary=_box(104.090, 30.650, 104.100, 30.658))
    other_street = create(name="东光街道", level="street", code="jj-dg", parent=district)
    far_community = create(name="东光社区", level="community", code="jj-dg-dg",
                           parent=other_street)
    db.session.commit()
    return RegionTree(district, street, community, grid, grid2, courtyard, other_community,
                      other_grid, other_street, far_community)


class CategoryFactory(_Base):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    response_sla_hours = 24
    completion_sla_hours = 72


class HouseholdFactory(_Base):
    class Meta:
        model = Household

    community_id = None
    building = factory.Sequence(lambda n: str(n % 20 + 1))
    unit = "1"
    room = factory.Sequence(lambda n: str(101 + n))


class ResidentFactory(_Base):
    class Meta:
        model = Resident

    mp_openid = factory.Sequence(lambda n: f"oMP{n:08d}")
    nickname = factory.Sequence(lambda n: f"居民{n}")
    community = None
    verification_level = VerificationLevel.NONE

    class Params:
        phone_verified = factory.Trait(verification_level=VerificationLevel.PHONE,
                                       phone_masked="138****0000")
        resident_verified = factory.Trait(
            verification_level=VerificationLevel.RESIDENCY, phone_masked="138****0000",
            household=factory.LazyAttribute(
                lambda o: HouseholdFactory(community_id=o.community.id)),
        )


class StaffFactory(_Base):
    class Meta:
        model = Staff

    username = factory.Sequence(lambda n: f"staff{n}")
    password_hash = _STAFF_PASSWORD_HASH
    display_name = factory.Sequence(lambda n: f"工作人员{n}")
    role = StaffRole.HANDLER
    region = None


def bearer_headers(owner: Resident | Staff, *, ttl: timedelta = timedelta(days=1)) -> dict:
    """Authorization headers with a fresh token for a resident or a staff member."""
    if isinstance(owner, Staff):
        token, _ = tokens.issue_token(staff=owner, ttl=ttl)
    else:
        token, _ = tokens.issue_token(resident=owner, ttl=ttl)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}
