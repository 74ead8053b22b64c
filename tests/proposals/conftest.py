"""Fixtures for proposal tests: an author, neighbours, staff around 和平社区, request helpers."""

from __future__ import annotations

import pytest

from app.accounts.models import StaffRole
from tests.factories import ResidentFactory, StaffFactory


@pytest.fixture
def author(regions):
    return ResidentFactory(community=regions.community, phone_verified=True, nickname="张阿姨")


@pytest.fixture
def neighbour(regions):
    """A phone-verified resident of the same community."""
    return ResidentFactory(community=regions.community, phone_verified=True)


@pytest.fixture
def make_neighbours(regions):
    def make(count, community=None, **traits):
        traits.setdefault("phone_verified", True)
        return [ResidentFactory(community=community or regions.community, **traits)
                for _ in range(count)]

    return make


@pytest.fixture
def moderator(regions):
    return StaffFactory(role=StaffRole.MODERATOR, region=regions.community)


@pytest.fixture
def street_moderator(regions):
    return StaffFactory(role=StaffRole.MODERATOR, region=regions.street)


@pytest.fixture
def other_moderator(regions):
    """A moderator of 桂花巷社区: must not see 和平社区's proposals."""
    return StaffFactory(role=StaffRole.MODERATOR, region=regions.other_community)


@pytest.fixture
def handler(regions):
    return StaffFactory(role=StaffRole.HANDLER, region=regions.community)


@pytest.fixture
def call(client, auth_headers):
    """call(who, "post", url, json=...) → the response, authenticated as `who`."""

    def request(who, method, url, **kwargs):
        return getattr(client, method)(url, headers=auth_headers(who), **kwargs)

    return request

