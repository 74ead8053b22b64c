"""GET requests and requests/<id>: the public view of our reports, filtered as the spec says."""

from __future__ import annotations

import pytest

from app import geo, reports
from tests.factories import CategoryFactory, FilingFactory, PartnerFactory, ReportFactory
from tests.open311.helpers import (
    BASE,
    KEY,
    OTHER_KEY,
    assert_error,
    get_both,
    handle,
    resident_report,
)

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]


def numbers(requests) -> list[str]:
    return [request["service_request_id"] for request in requests]


def one(client, number, **params) -> dict:
    (request,) = get_both(client, f"requests/{number}", "requests", params=params)
    return request


def test_requests_list_public_reports_newest_first(client, resident, regions, category, clock):
    first = resident_report(resident, regions)
    clock.advance(hours=1)
    second = resident_report(resident, regions, description="5栋的路灯也坏了")
    assert numbers(get_both(client, "requests", "requests")) == [second.number, first.number]


def test_a_request_has_exactly_the_spec_fields_in_order(client, resident, regions, category):
    report = resident_report(resident, regions)
    assert list(one(client, report.number)) == REQUEST_FIELDS


def test_the_reporter_never_appears_in_a_request(client, resident, regions, category):
    report = resident_report(resident, regions)
    body = client.get(f"{BASE}/requests/{report.number}.xml").get_data(as_text=True)
    for private in ("张阿姨", "138****1234", resident.mp_openid):
        assert private not in body


def test_a_request_shows_the_public_description_address_and_category(client, resident, regions,
                                                                    category):
    request = one(client, resident_report(resident, regions).number)
    assert (request["description"], request["address"], request["service_name"],
            request["service_code"]) == ("3栋门口的路灯坏了", "和平社区3栋门口", "路灯损坏",
                                         "streetlight")


def test_the_agency_responsible_is_the_reports_grid(client, resident, regions, category):
    request = one(client, resident_report(resident, regions).number)
    assert request["agency_responsible"] == "和平社区第一网格"


def test_coordinates_are_wgs84_and_as_approximate_as_the_public_view(client, resident, regions,
                                                                      category):
    report = resident_report(resident, regions)
    request = one(client, report.number)
    lat, lng = geo.gcj02_to_wgs84(report.lat, report.lng)
    assert (request["lat"], request["long"]) == (round(lat, 3), round(lng, 3))
    assert geo.distance_m(lat, lng, report.lat, report.lng) > 300  # the datums really differ


def test_times_are_china_time_with_their_offset(client, resident, regions, category, clock):
    report = resident_report(resident, regions)
    request = one(client, report.number)
    assert request["requested_datetime"] == "2026-11-24T10:00:00+08:00"
    assert request["expected_datetime"] == "2026-11-27T10:00:00+08:00"  # the 72-hour SLA


def test_a_held_report_is_not_listed_nor_found(client, resident, regions, category):
    report = ReportFactory(region=regions.grid, category=category, held_for_review=True)
    assert get_both(client, "requests", "requests") == []
    assert_error(client.get(f"{BASE}/requests/{report.number}.json"), 404)


def test_a_rejected_report_is_not_listed_nor_found(client, resident, regions, category,
                                                   moderator):
    report = resident_report(resident, regions)
    reports.reject_report(moderator, report.id, reason="不属于社区职责范围")
    assert get_both(client, "requests", "requests") == []
    assert_error(client.get(f"{BASE}/requests/{report.number}.xml"), 404, "xml")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_request_is_404(client, fmt):
    assert_error(client.get(f"{BASE}/requests/SSP-20261124-9999.{fmt}"), 404, fmt)


@pytest.fixture
def own_rejected(partner, regions, category, moderator):
    report = ReportFactory(region=regions.grid, category=category, source="open311",
                           source_detail=partner.name)
    FilingFactory(partner=partner, report=report)
    reports.reject_report(moderator, report.id, reason="该路段由市政公司管理，已转市政热线")
    return report


def test_the_filing_partner_sees_its_own_rejected_request_with_the_reason(client, own_rejected):
    request = one(client, own_rejected.number, api_key=KEY)
    assert request["status"] == "closed"
    assert request["status_notes"] == "不予受理：该路段由市政公司管理，已转市政热线"


def test_the_filing_partner_lists_its_own_hidden_requests(client, own_rejected):
    listed = get_both(client, "requests", "requests", params={"api_key": KEY})
    assert numbers(listed) == [own_rejected.number]


def test_another_partner_does_not_see_a_hidden_request(client, own_rejected, regions):
    PartnerFactory(region=regions.district, key=OTHER_KEY)
    assert_error(client.get(f"{BASE}/requests/{own_rejected.number}.json",
                            query_string={"api_key": OTHER_KEY}), 404)
    assert get_both(client, "requests", "requests", params={"api_key": OTHER_KEY}) == []


def test_an_invalid_api_key_on_a_get_is_403(client, category):
    assert_error(client.get(f"{BASE}/requests.json", query_string={"api_key": "o311_nope"}), 403)


def test_an_empty_api_key_on_a_get_is_as_if_absent(client, resident, regions, category):
    resident_report(resident, regions)
    assert len(get_both(client, "requests", "requests", params={"api_key": ""})) == 1


def test_service_request_ids_select_requests_and_override_other_filters(client, resident,
                                                                        regions, category,
                                                                        clock):
    old = resident_report(resident, regions)
    clock.advance(days=200)
    new = resident_report(resident, regions)
    listed = get_both(client, "requests", "requests", params={
        "service_request_id": f"{old.number},{new.number},SSP-20000101-0404",
        "status": "closed", "start_date": "2026-11-20T00:00:00Z"})
    assert sorted(numbers(listed)) == sorted([old.number, new.number])


def test_service_codes_filter_requests(client, resident, regions, category):
    CategoryFactory(code="garbage", name="垃圾堆放")
    CategoryFactory(code="road", name="道路破损")
    light = resident_report(resident, regions)
    garbage = resident_report(resident, regions, category_code="garbage")
    resident_report(resident, regions, category_code="road")
    listed = get_both(client, "requests", "requests",
                      params={"service_code": "streetlight,garbage"})
    assert sorted(numbers(listed)) == sorted([light.number, garbage.number])


def test_an_unknown_service_code_filter_is_404(client, category):
    assert "nothing" in assert_error(client.get(f"{BASE}/requests.json",
                                                query_string={"service_code": "nothing"}), 404)


@pytest.fixture
def lifecycle_reports(resident, regions, category, moderator, handler):
    """One report in each state: submitted, in_progress, resolved, closed, duplicate."""
    made = {state: resident_report(resident, regions, description=f"路灯问题（{state}）")
            for state in ("submitted", "in_progress", "resolved", "closed", "duplicate")}
    handle(made["in_progress"], moderator, handler, until="in_progress")
    handle(made["resolved"], moderator, handler, until="resolved")
    handle(made["closed"], moderator, handler, until="resolved")
    reports.rate_report(resident, made["closed"].id, solved=True, satisfaction=5)
    reports.merge_report(moderator, made["duplicate"].id, duplicate_of_id=made["submitted"].id)
    return made


def test_status_open_lists_reports_still_being_handled_and_resolved_ones(client,
                                                                         lifecycle_reports):
    listed = get_both(client, "requests", "requests", params={"status": "open"})
    assert sorted(numbers(listed)) == sorted(
        lifecycle_reports[state].number for state in ("submitted", "in_progress", "resolved"))


def test_status_closed_lists_closed_and_merged_reports(client, lifecycle_reports):
    listed = get_both(client, "requests", "requests", params={"status": "closed"})
    assert sorted(numbers(listed)) == sorted(
        lifecycle_reports[state].number for state in ("closed", "duplicate"))


def test_both_statuses_list_everything(client, lifecycle_reports):
    assert len(get_both(client, "requests", "requests", params={"status": "open,closed"})) == 5


def test_an_unknown_status_is_400(client, category):
    assert "status" in assert_error(client.get(f"{BASE}/requests.json",
                                               query_string={"status": "in_progress"}), 400)


def test_a_closed_request_is_updated_when_it_closed_and_expects_nothing(
        client, resident, regions, category, moderator, handler, clock):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="resolved")
    clock.advance(hours=2)
    reports.rate_report(resident, report.id, solved=True, satisfaction=5)
    request = one(client, report.number)
    assert request["updated_datetime"] == "2026-11-24T12:00:00+08:00"
    assert request["expected_datetime"] is None


def test_status_notes_say_the_state_and_the_note_that_brought_it(client, resident, regions,
                                                                 category, moderator, handler):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="dispatched")
    assert one(client, report.number)["status_notes"] == "已派单：请今天到现场"


def test_status_notes_of_a_resolved_request_give_the_result(client, lifecycle_reports):
    request = one(client, lifecycle_reports["resolved"].number)
    assert request["status_notes"] == "已处理待评价：已更换灯泡，恢复照明"


def test_status_notes_of_a_closed_request_keep_the_result(client, lifecycle_reports):
    request = one(client, lifecycle_reports["closed"].number)
    assert request["status_notes"] == "已办结。处理结果：已更换灯泡，恢复照明"


def test_status_notes_of_a_merged_request_name_the_other(client, lifecycle_reports):
    request = one(client, lifecycle_reports["duplicate"].number)
    assert request["status_notes"] == (
        f"已合并：与{lifecycle_reports['submitted'].number}为同一问题")


def test_status_notes_add_the_latest_public_note_but_never_internal_ones(client, resident,
                                                                         regions, category,
                                                                         moderator):
    report = resident_report(resident, regions)
    reports.add_note(moderator, report.id, text="已联系供电所，等待备件", public=True)
    reports.add_note(moderator, report.id, text="内部：该居民多次反映", public=False)
    assert one(client, report.number)["status_notes"] == "待受理。最新进展：已联系供电所，等待备件"


def test_requests_default_to_the_last_90_days(client, resident, regions, category, clock):
    resident_report(resident, regions)
    clock.advance(days=91)
    recent = resident_report(resident, regions)
    assert numbers(get_both(client, "requests", "requests")) == [recent.number]


def test_a_date_range_selects_by_requested_time_inclusively(client, resident, regions, category,
                                                            clock):
    resident_report(resident, regions)  # 2026-11-24 10:00 China time
    clock.advance(days=1)
    middle = resident_report(resident, regions)  # 2026-11-25 10:00
    clock.advance(days=1)
    resident_report(resident, regions)
    listed = get_both(client, "requests", "requests", params={
        "start_date": "2026-11-25T10:00:00+08:00", "end_date": "2026-11-25T02:00:00Z"})
    assert numbers(listed) == [middle.number]


def test_a_start_date_alone_searches_the_90_days_after_it(client, resident, regions, category,
                                                          clock):
    first = resident_report(resident, regions)
    clock.advance(days=100)
    resident_report(resident, regions)
    listed = get_both(client, "requests", "requests",
                      params={"start_date": "2026-11-01T00:00:00+08:00"})
    assert numbers(listed) == [first.number]


@pytest.mark.parametrize("params", [
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
    {"start_date": "2026-11-24T00:00:00Z", "end_date": "2026-11-23T00:00:00Z"},
    {"start_date": "2026-11-24"},
    {"end_date": "2026-11-24T10:00:00"},
    {"start_date": "yesterday"},
])
def test_an_invalid_or_too_long_date_range_is_400(client, category, params):
    assert "date" in assert_error(client.get(f"{BASE}/requests.json", query_string=params), 400)


def test_a_range_of_exactly_90_days_is_allowed(client, category):
    assert get_both(client, "requests", "requests", params={
        "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}) == []


def test_an_unencoded_plus_in_an_offset_is_read_as_plus(client, resident, regions, category):
    report = resident_report(resident, regions)
    response = client.get(f"{BASE}/requests.json?start_date=2026-11-24T09:00:00+08:00")
    assert [r["service_request_id"] for r in response.get_json()] == [report.number]


def test_empty_parameters_are_as_if_absent(client, resident, regions, category):
    report = resident_report(resident, regions)
    listed = get_both(client, "requests", "requests", params={
        "service_request_id": "", "service_code": "", "status": "", "start_date": "",
        "end_date": "", "jurisdiction_id": ""})
    assert numbers(listed) == [report.number]


def test_at_most_the_result_cap_is_returned_newest_first(client, resident, regions, category,
                                                         clock, monkeypatch):
    monkeypatch.setattr("app.open311.service.MAX_RESULTS", 2)
    made = []
    for _ in range(3):
        made.append(resident_report(resident, regions))
        clock.advance(minutes=5)
    assert numbers(get_both(client, "requests", "requests")) == [made[2].number, made[1].number]


def test_a_request_shows_its_first_photo(client, regions, category):
    from app.uploads import photo_urls
    from tests.factories import ResidentFactory, UploadFactory

    owner = ResidentFactory(community=regions.community)
    first, second = (UploadFactory(resident_id=owner.id) for _ in range(2))
    lat, lng = regions.point_in_grid
    report = reports.file_report(reporter=owner, source="miniprogram", category_code="streetlight",
                                 description="路灯坏了", lat=lat, lng=lng,
                                 photo_ids=[first.id, second.id])
    assert one(client, report.number)["media_url"] == photo_urls(first)["url"]


def test_a_request_is_updated_at_its_last_public_event(client, resident, regions, category,
                                                       moderator, clock):
    report = resident_report(resident, regions)
    clock.advance(hours=3)
    reports.accept_report(moderator, report.id)
    clock.advance(hours=1)
    reports.add_note(moderator, report.id, text="内部备注", public=False)
    assert one(client, report.number)["updated_datetime"] == "2026-11-24T13:00:00+08:00"
