"""Fixtures for 随手拍: a category, residents and staff around the region tree, filing helpers."""

from __future__ import annotations

import pytest

from app.accounts.models import StaffRole
from tests.factories import CategoryFactory, ResidentFactory, StaffFactory


@pytest.fixture
def category():
    return CategoryFactory(code="streetlight", name="路灯损坏", response_sla_hours=24,
                           completion_sla_hours=72)


@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community, nickname="张阿姨")


@pytest.fixture
def neighbour(regions):
    return ResidentFactory(community=regions.community, nickname="刘叔")


@pytest.fixture
def handler(regions):
    """The 网格员 of the first grid."""
    return StaffFactory(region=regions.grid, role=StaffRole.HANDLER, display_name="张伟")


@pytest.fixture
def moderator(regions):
    """A 社区工作人员 of 和平社区 (covers both its grids)."""
    return StaffFactory(region=regions.community, role=StaffRole.MODERATOR, display_name="王芳")


@pytest.fixture
def outsider(regions):
    """A moderator of 桂花巷社区: another community, so nothing of 和平社区 exists for them."""
    return StaffFactory(region=regions.other_community, role=StaffRole.MODERATOR)
