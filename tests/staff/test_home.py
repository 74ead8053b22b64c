"""The home page: the scope summary with resident counts, and its charts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

from app.accounts import service as accounts
from app.accounts.models import StaffRole, VerificationLevel
from tests.factories import HouseholdFactory, ResidentFactory, StaffFactory


def residents_of(community, confirmed=0, awaiting=0, bare=0):
    for _ in range(confirmed):
        ResidentFactory(community=community, resident_verified=True)
    for _ in range(awaiting):
        ResidentFactory(community=community, phone_verified=True,
                        household=HouseholdFactory(community_id=community.id))
    for _ in range(bare):
        ResidentFactory(community=community)


def row_counts(page: str, name: str) -> list[str]:
    """The figures of one region's row in the scope table."""
    row = re.search(rf'<span class="tree-name">{name}</span></th>(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'data-label="[^"]+">(\d+)</td>', row)


def test_a_street_admin_sees_every_community_with_counts_summed_up(pages, regions):
    residents_of(regions.community, confirmed=2, awaiting=1, bare=1)
    residents_of(regions.other_community, confirmed=1)
    residents_of(regions.far_community, confirmed=5)  # another street
    pages.sign_in(StaffFactory(role=StaffRole.ADMIN, region=regions.street))
    page = pages.get("/staff/").get_data(as_text=True)
    assert row_counts(page, "书院街街道") == ["5", "3", "1"]
    assert row_counts(page, "和平社区") == ["4", "2", "1"]
    assert row_counts(page, "桂花巷社区") == ["1", "1", "0"]
    assert "东光社区" not in page


def test_the_home_page_links_to_residents_awaiting_confirmation(pages, regions, moderator):
    residents_of(regions.community, awaiting=2)
    pages.sign_in(moderator)
    page = pages.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/residents?status=awaiting"' in page


def test_a_grid_handler_sees_their_grid_and_their_community_office(pages, regions, handler):
    pages.sign_in(handler)
    page = pages.get("/staff/").get_data(as_text=True)
    assert "<h1>和平社区第一网格</h1>" in page
    assert "和平社区，办公电话 028-86660001" in page
    assert "和平社区第二网格" not in page
    assert "/staff/residents" not in page  # not theirs to open


def test_the_home_page_draws_a_bar_per_community_and_a_weekly_trend(pages, regions):
    residents_of(regions.community, confirmed=1)
    pages.sign_in(StaffFactory(role=StaffRole.ADMIN, region=regions.street))
    page = pages.get("/staff/").get_data(as_text=True)
    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts) == 2
    bars = ElementTree.fromstring(charts[0]).findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']")
    assert len(bars) == 2  # 和平社区, 桂花巷社区
    assert "查看数据表" in page


def test_weekly_activity_counts_registrations_and_confirmations_by_china_week(regions, clock,
                                                                           moderator):
    # Monday 2026-11-23 00:30 in Shanghai is still Sunday 16:30 UTC: it belongs to this week.
    clock.set(datetime(2026, 11, 22, 16, 30, tzinfo=UTC))
    ResidentFactory(community=regions.community)
    clock.set(datetime(2026, 11, 22, 15, 30, tzinfo=UTC))  # Sunday 23:30 in Shanghai
    resident = ResidentFactory(community=regions.community)
    resident.verified_at = clock.moment
    resident.verification_level = VerificationLevel.RESIDENCY
    ResidentFactory(community=regions.other_community)  # outside the moderator's scope
    clock.set(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    weeks = accounts.weekly_resident_activity(moderator, weeks=2)
    assert [(str(w["week_start"]), w["registered"], w["confirmed"]) for w in weeks] == [
        ("2026-11-16", 1, 1), ("2026-11-23", 1, 0)]
