"""Fixtures for the mailbox tests: a community with 主任信箱 (open) and 书记信箱 (restricted),
its residents and staff, staff elsewhere, and small helpers to write and read letters."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import HouseholdFactory, MailboxFactory, ResidentFactory, StaffFactory
from tests.uploads.samples import encoded, photo_like


@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community, nickname="张桂兰",
                           household=HouseholdFactory(community_id=regions.community.id,
                                                      building="3", unit="2", room="501"))


@pytest.fixture
def neighbour(regions):
    return ResidentFactory(community=regions.community, nickname="刘叔")


@pytest.fixture
def director(regions):
    """The community moderator who answers 主任信箱."""
    return StaffFactory(region=regions.community, role=StaffRole.MODERATOR, display_name="王芳")


@pytest.fixture
def secretary(regions):
    """The community's Party secretary, the one member of 书记信箱."""
    return StaffFactory(region=regions.community, role=StaffRole.MODERATOR, display_name="刘书记")


@pytest.fixture
def community_admin(regions):
    return StaffFactory(region=regions.community, role=StaffRole.ADMIN, display_name="社区管理员")


@pytest.fixture
def street_admin(regions):
    return StaffFactory(region=regions.street, role=StaffRole.ADMIN, display_name="街道管理员")


@pytest.fixture
def other_staff(regions):
    """A moderator of 桂花巷社区: same street, another community."""
    return StaffFactory(region=regions.other_community, role=StaffRole.MODERATOR)


@pytest.fixture
def director_box(regions, director):
    return MailboxFactory(community=regions.community, name="主任信箱", members=[director],
                          reply_sla_hours=72, sort_order=2)


@pytest.fixture
def secretary_box(regions, secretary):
    return MailboxFactory(community=regions.community, name="书记信箱", members=[secretary],
                          reply_sla_hours=48, restricted=True, sort_order=1)


@pytest.fixture
def other_box(regions, other_staff):
    return MailboxFactory(community=regions.other_community, name="主任信箱",
                          members=[other_staff])


@pytest.fixture
def write(client, auth_headers):
    """write(resident, mailbox, **fields) → the response to POST /api/v1/letters."""

    def write(resident, mailbox, **fields):
        body = {"mailbox_id": mailbox.id, "subject": "楼道灯不亮",
                "body": "3栋2单元的楼道灯坏了一个星期，晚上上下楼很危险。", **fields}
        return client.post("/api/v1/letters", json=body, headers=auth_headers(resident))

    return write


@pytest.fixture
def upload_photo(client, auth_headers):
    """upload_photo(owner, seed) → the id of a photo uploaded through the real endpoint."""

    def upload_photo(owner, seed=1):
        from app.accounts.models import Staff

        data = encoded(photo_like(64, 48, seed=seed), "JPEG", quality=80)
        path = "/api/v1/staff/uploads" if isinstance(owner, Staff) else "/api/v1/uploads"
        response = client.post(path, headers=auth_headers(owner),
                               data={"file": (io.BytesIO(data), "photo.jpg")},
                               content_type="multipart/form-data")
        assert response.status_code == 201, response.json
        return response.json["id"]

    return upload_photo


def notifications(kind: str | None = None) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
