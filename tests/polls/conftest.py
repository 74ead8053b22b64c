"""Poll fixtures: a verified voter, a moderator, an open poll, and ways to vote."""

from __future__ import annotations

import pytest

from app.accounts.models import StaffRole
from tests.factories import PollFactory, ResidentFactory, StaffFactory


@pytest.fixture
def voter(regions):
    """A resident of 和平社区 with a bound phone (level 1)."""
    return ResidentFactory(community=regions.community, phone_verified=True)


@pytest.fixture
def moderator(regions):
    return StaffFactory(role=StaffRole.MODERATOR, region=regions.community)


@pytest.fixture
def poll(regions):
    """Open, 一人一票, level 1, results after close: 游乐场选什么颜色？ 红色/黄色/蓝色."""
    return PollFactory(region=regions.community)


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    """Poll tests run at a fixed moment (2026-11-24 10:00 in Shanghai), before any factory."""
    return clock
