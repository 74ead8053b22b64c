"""Residents in scope: listing, searching, details, confirming and withdrawing residency."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Resident, VerificationLevel
from app.audit.models import AuditEntry
from app.extensions import db
from tests.factories import HouseholdFactory, ResidentFactory


def awaiting(community, nickname="张阿姨", building="3", unit="2", room="501"):
    return ResidentFactory(nickname=nickname, community=community, phone_verified=True,
                           household=HouseholdFactory(community_id=community.id,
                                                      building=building, unit=unit, room=room))


def test_the_list_shows_only_residents_in_scope(pages, regions, moderator):
    awaiting(regions.community, "张阿姨")
    awaiting(regions.other_community, "王大爷")
    pages.sign_in(moderator)
    page = pages.get("/staff/residents").get_data(as_text=True)
    assert "张阿姨" in page and "王大爷" not in page
    assert "共 1 条" in page


def test_residents_are_found_by_nickname_or_household(pages, regions, moderator):
    awaiting(regions.community, "张阿姨", "3", "2", "501")
    awaiting(regions.community, "刘叔", "5", "1", "302")
    pages.sign_in(moderator)
    assert "刘叔" not in pages.get("/staff/residents?q=张").get_data(as_text=True)
    page = pages.get("/staff/residents?q=5栋1单元302").get_data(as_text=True)
    assert "刘叔" in page and "张阿姨" not in page


def test_residents_are_filtered_by_verification(pages, regions, moderator):
    awaiting(regions.community, "张阿姨")
    ResidentFactory(nickname="李奶奶", community=regions.community, resident_verified=True)
    ResidentFactory(nickname="小陈", community=regions.community)
    pages.sign_in(moderator)
    page = pages.get("/staff/residents?status=awaiting").get_data(as_text=True)
    assert "张阿姨" in page and "李奶奶" not in page and "小陈" not in page
    page = pages.get("/staff/residents?status=confirmed").get_data(as_text=True)
    assert "李奶奶" in page and "张阿姨" not in page


def test_a_community_outside_scope_in_the_filter_is_ignored(pages, regions, moderator):
    awaiting(regions.community, "张阿姨")
    awaiting(regions.other_community, "王大爷")
    pages.sign_in(moderator)
    page = pages.get(f"/staff/residents?community_id={regions.other_community.id}")
    assert "王大爷" not in page.get_data(as_text=True)


def test_a_bad_filter_value_is_ignored_not_an_error(pages, regions, moderator):
    awaiting(regions.community, "张阿姨")
    pages.sign_in(moderator)
    response = pages.get("/staff/residents?community_id=abc&status=nonsense&page=-3")
    assert response.status_code == 200 and "张阿姨" in response.get_data(as_text=True)


def test_the_list_is_paged(pages, regions, moderator):
    for number in range(23):
        ResidentFactory(nickname=f"居民{number:02d}", community=regions.community)
    pages.sign_in(moderator)
    first = pages.get("/staff/residents").get_data(as_text=True)
    assert "共 23 条，第 1 / 2 页" in first and 'rel="next" href="/staff/residents?page=2"' in first
    second = pages.get("/staff/residents?page=2").get_data(as_text=True)
    assert second.count('data-label="昵称"') == 3
    assert 'rel="prev" href="/staff/residents"' in second


def test_the_pager_keeps_the_filters(pages, regions, moderator):
    for number in range(21):
        awaiting(regions.community, f"居民{number}", room=str(100 + number))
    pages.sign_in(moderator)
    page = pages.get("/staff/residents?status=awaiting").get_data(as_text=True)
    assert 'href="/staff/residents?status=awaiting&amp;page=2"' in page


def test_handlers_cannot_open_the_residents_pages(pages, regions, handler):
    resident = awaiting(regions.community)
    pages.sign_in(handler)
    assert pages.get("/staff/residents").status_code == 403
    assert pages.get(f"/staff/residents/{resident.id}").status_code == 403


def test_the_detail_shows_the_resident_with_the_phone_masked(pages, regions, moderator):
    resident = awaiting(regions.community)
    pages.sign_in(moderator)
    page = pages.get(f"/staff/residents/{resident.id}").get_data(as_text=True)
    assert "3-2-501" in page and "138****0000" in page
    assert "确认为本社区住户" in page


def test_a_resident_of_another_community_is_404(pages, regions, moderator):
    other = awaiting(regions.other_community)
    pages.sign_in(moderator)
    assert pages.get(f"/staff/residents/{other.id}").status_code == 404


def test_confirming_residency_records_who_and_why(pages, regions, moderator):
    resident = awaiting(regions.community)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/residents/{resident.id}/verification",
                          {"decision": "confirm", "note": "已核对房产证"})
    assert response.status_code == 302
    stored = db.session.get(Resident, resident.id)
    assert stored.verification_level == VerificationLevel.RESIDENCY
    assert stored.verified_by_id == moderator.id
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "resident.verification"))
    assert entry.detail == {"before": 1, "after": 2, "note": "已核对房产证"}
    assert (entry.staff_id, entry.region_id, entry.ip) == (moderator.id, regions.community.id,
                                                           "127.0.0.1")
    page = pages.get(response.headers["Location"]).get_data(as_text=True)
    assert "已确认为本社区住户" in page and "已核对房产证" in page


def test_confirming_without_evidence_is_refused_and_changes_nothing(pages, regions, moderator):
    resident = awaiting(regions.community)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/residents/{resident.id}/verification",
                          {"decision": "confirm", "note": "  "})
    assert response.status_code == 422
    assert "此项必填" in response.get_data(as_text=True)
    assert db.session.get(Resident, resident.id).verification_level == VerificationLevel.PHONE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "resident.verification")) == 0


def test_the_api_also_needs_evidence(client, regions, moderator, auth_headers):
    resident = awaiting(regions.community)
    response = client.post(f"/api/v1/staff/residents/{resident.id}/verification",
                           json={"level": 2}, headers=auth_headers(moderator))
    assert response.status_code == 422
    assert response.json["errors"] == {"note": ["请写明依据"]}


def test_a_resident_without_a_household_cannot_be_confirmed(pages, regions, moderator):
    resident = ResidentFactory(community=regions.community, phone_verified=True)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/residents/{resident.id}/verification",
                          {"decision": "confirm", "note": "上门核实"})
    assert response.status_code == 409
    assert "尚未填写门牌" in response.get_data(as_text=True)


def test_withdrawing_residency_lowers_the_level(pages, regions, moderator):
    resident = ResidentFactory(community=regions.community, resident_verified=True)
    pages.sign_in(moderator)
    page = pages.get(f"/staff/residents/{resident.id}").get_data(as_text=True)
    assert "撤销住户认定" in page
    response = pages.post(f"/staff/residents/{resident.id}/verification",
                          {"decision": "withdraw", "note": "已搬离"})
    assert response.status_code == 302
    assert db.session.get(Resident, resident.id).verification_level < VerificationLevel.RESIDENCY


def test_verifying_a_resident_of_another_community_is_404(pages, regions, moderator):
    other = awaiting(regions.other_community)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/residents/{other.id}/verification",
                          {"decision": "confirm", "note": "已核对"})
    assert response.status_code == 404
    assert db.session.get(Resident, other.id).verification_level == VerificationLevel.PHONE


def test_handlers_cannot_verify(pages, regions, handler):
    resident = awaiting(regions.community)
    pages.sign_in(handler)
    response = pages.post(f"/staff/residents/{resident.id}/verification",
                          {"decision": "confirm", "note": "已核对"})
    assert response.status_code == 403
    assert db.session.get(Resident, resident.id).verification_level == VerificationLevel.PHONE
