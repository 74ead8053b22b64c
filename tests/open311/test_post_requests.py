"""POST requests: a partner files a service request; every refusal is an Open311 error."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app import geo
from app.extensions import db
from app.open311.models import Filing
from app.reports.models import Report
from tests.factories import CategoryFactory, PartnerFactory
from tests.open311.helpers import (
    BASE,
    KEY,
    OTHER_KEY,
    assert_error,
    check,
    filing,
    get_both,
    post_request,
    wgs84,
)


def reports() -> list[Report]:
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


def filed_number(response) -> str:
    (answer,) = check(response, "json", "post_request_response")
    return answer["service_request_id"]


def test_a_partner_files_and_gets_the_new_service_request_id(client, partner, regions):
    number = filed_number(post_request(client, **filing(regions)))
    (report,) = reports()
    assert report.number == number
    assert (report.source, report.source_detail, report.reporter_id) == (
        "open311", "锦江区12345热线平台", None)


def test_the_filed_report_is_routed_to_the_grid_of_the_wgs84_point(client, partner, regions):
    post_request(client, **filing(regions))
    (report,) = reports()
    assert report.region_id == regions.grid.id
    assert geo.distance_m(report.lat, report.lng, *regions.point_in_grid) < 1


def test_the_post_answer_names_the_sla_in_its_service_notice(client, partner, regions):
    (answer,) = check(post_request(client, **filing(regions)), "json", "post_request_response")
    assert "24小时内响应" in answer["service_notice"]
    assert "account_id" not in answer and "token" not in answer


def test_the_post_answer_in_xml_is_a_service_requests_list(client, partner, regions):
    root = check(post_request(client, "xml", **filing(regions)), "xml", "post_request_response")
    assert root.tag == "service_requests"
    assert [child.tag for child in root[0]] == ["service_request_id", "service_notice"]
    assert root[0].findtext("service_request_id") == reports()[0].number


def test_the_filing_is_recorded_for_the_partner(client, partner, regions):
    post_request(client, **filing(regions))
    filing_row = db.session.scalar(sa.select(Filing))
    assert (filing_row.partner_id, filing_row.report_id, filing_row.address_only) == (
        partner.id, reports()[0].id, False)


def test_a_filed_request_can_be_read_back_at_once(client, partner, regions):
    number = filed_number(post_request(client, **filing(regions)))
    (request,) = get_both(client, f"requests/{number}", "requests")
    assert (request["status"], request["service_code"]) == ("open", "streetlight")


def test_a_missing_description_is_the_service_name(client, partner, regions):
    post_request(client, **filing(regions, description=""))
    assert reports()[0].description == "路灯损坏"


def test_a_line_broken_description_is_kept(client, partner, regions):
    post_request(client, **filing(regions, description="第一行\r\n第二行"))
    assert reports()[0].description == "第一行\r\n第二行"


def test_the_citizens_personal_fields_are_not_kept(client, partner, regions, moderator,
                                                   auth_headers):
    personal = {"email": "wang@example.com", "first_name": "小明", "last_name": "王",
                "phone": "13912345678", "device_id": "dev-1", "account_id": "acc-9"}
    post_request(client, **filing(regions, **personal))
    staff_view = client.get(f"/api/v1/staff/reports/{reports()[0].id}",
                            headers=auth_headers(moderator)).get_data(as_text=True)
    for value in personal.values():
        assert value not in staff_view


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_filing_without_an_api_key_is_403(client, partner, regions, fmt):
    response = post_request(client, fmt, **filing(regions, api_key=None))
    assert "api_key" in assert_error(response, 403, fmt)
    assert reports() == []


@pytest.mark.parametrize("key", ["", "o311_wrong", OTHER_KEY])
def test_filing_with_an_empty_or_unknown_api_key_is_403(client, partner, regions, key):
    assert_error(post_request(client, **filing(regions, api_key=key)), 403)
    assert reports() == []


def test_filing_with_a_revoked_key_is_403(client, regions, category):
    PartnerFactory(region=regions.district, key=OTHER_KEY, revoked=True)
    assert_error(post_request(client, **filing(regions, api_key=OTHER_KEY)), 403)


def test_the_api_key_may_come_in_the_query_string(client, partner, regions):
    response = client.post(f"{BASE}/requests.json?api_key={KEY}",
                           data=filing(regions, api_key=None))
    assert filed_number(response) == reports()[0].number


def test_another_jurisdiction_is_404_before_anything_is_filed(client, partner, regions):
    response = post_request(client, **filing(regions, jurisdiction_id="sfgov.org"))
    assert_error(response, 404)
    assert reports() == []


def test_a_missing_service_code_is_400(client, partner, regions):
    assert "service_code" in assert_error(
        post_request(client, **filing(regions, service_code="")), 400)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_code_is_404(client, partner, regions, fmt):
    response = post_request(client, fmt, **filing(regions, service_code="nothing"))
    assert "nothing" in assert_error(response, 404, fmt)
    assert reports() == []


def test_a_request_without_any_location_is_400(client, partner, regions):
    response = post_request(client, **filing(regions, lat=None, long=None, address_string=None))
    assert "lat" in assert_error(response, 400)


def test_lat_without_long_is_400(client, partner, regions):
    assert_error(post_request(client, **filing(regions, long=None)), 400)


@pytest.mark.parametrize("lat", ["north", "nan", "91", "inf"])
def test_a_latitude_that_is_no_wgs84_degree_is_400(client, partner, regions, lat):
    assert_error(post_request(client, **filing(regions, lat=lat)), 400)
    assert reports() == []


def test_a_point_outside_every_grid_is_400(client, partner, regions):
    response = post_request(client, **filing(regions, lat="39.9", long="116.4"))
    assert "不在本平台服务的社区内" in assert_error(response, 400)


def test_a_point_outside_the_partners_region_is_400(client, regions, category):
    PartnerFactory(region=regions.other_community, key=OTHER_KEY)
    response = post_request(client, **filing(regions, api_key=OTHER_KEY))
    assert "可以报送的区域" in assert_error(response, 400)
    assert reports() == []


def test_address_id_alone_is_400_naming_what_to_send(client, partner, regions):
    response = post_request(client, **filing(regions, lat=None, long=None, address_string=None,
                                             address_id="545483"))
    assert "address_id" in assert_error(response, 400)


def test_a_partner_bound_to_a_community_may_file_by_address_alone(client, regions, category):
    PartnerFactory(region=regions.community, key=OTHER_KEY, name="和平社区物业")
    response = post_request(client, **filing(regions, api_key=OTHER_KEY, lat=None, long=None))
    (report,) = reports()
    assert filed_number(response) == report.number
    assert (report.region_id, report.address) == (regions.community.id, "书院街和平社区3栋门口")
    assert db.session.scalar(sa.select(Filing.address_only)) is True


def test_an_address_only_request_is_shown_without_coordinates(client, regions, category):
    PartnerFactory(region=regions.community, key=OTHER_KEY)
    number = filed_number(post_request(client, **filing(regions, api_key=OTHER_KEY, lat=None,
                                                         long=None)))
    (request,) = get_both(client, f"requests/{number}", "requests")
    assert (request["lat"], request["long"]) == (None, None)
    assert request["address"] == "书院街和平社区3栋门口"


def test_a_partner_of_a_whole_district_cannot_file_by_address_alone(client, partner, regions):
    response = post_request(client, **filing(regions, lat=None, long=None))
    assert "address_string" in assert_error(response, 400)
    assert reports() == []


def test_a_description_longer_than_ours_is_400(client, partner, regions):
    response = post_request(client, **filing(regions, description="灯" * 501))
    assert "description" in assert_error(response, 400)
    assert reports() == []


def test_a_risky_description_is_400(client, partner, regions, wechat):
    wechat.text_verdicts["违禁词"] = "risky"
    assert_error(post_request(client, **filing(regions, description="违禁词")), 400)
    assert reports() == []


def test_an_unchecked_description_is_filed_but_held_from_the_public(client, partner, regions,
                                                                     wechat):
    wechat.fail_next("/wxa/msg_sec_check", status=502)
    number = filed_number(post_request(client, **filing(regions)))
    assert reports()[0].held_for_review is True
    assert_error(client.get(f"{BASE}/requests/{number}.json"), 404)


ROAD = [
    {"code": "hazard", "datatype": "singlevaluelist", "required": True,
     "description": "是否已影响通行安全", "values": [{"key": "yes", "name": "是"},
                                                  {"key": "no", "name": "否"}]},
    {"code": "kinds", "datatype": "multivaluelist", "description": "破损类型",
     "values": [{"key": "hole", "name": "坑洞"}, {"key": "crack", "name": "裂缝"},
                {"key": "cover", "name": "井盖"}]},
    {"code": "width", "datatype": "number", "description": "宽度（厘米）"},
    {"code": "since", "datatype": "datetime", "description": "发现时间"},
]


@pytest.fixture
def road():
    return CategoryFactory(code="road", name="道路破损", attributes=ROAD)


def test_attribute_answers_are_added_to_the_description(client, partner, regions, road):
    post_request(client, **filing(regions, service_code="road", description="路面坏了",
                                  **{"attribute[hazard]": "yes", "attribute[kinds][]": "hole",
                                     "attribute[width]": "40",
                                     "attribute[since]": "2026-11-23T20:00:00+08:00"}))
    assert reports()[0].description == (
        "路面坏了\n是否已影响通行安全：是\n破损类型：坑洞\n宽度（厘米）：40\n"
        "发现时间：2026-11-23T20:00:00+08:00")


def test_a_multivaluelist_takes_several_values(client, partner, regions, road):
    client.post(f"{BASE}/requests.json", data={
        **filing(regions, service_code="road"), "attribute[hazard]": "no",
        "attribute[kinds][]": ["hole", "cover"]})
    assert "破损类型：坑洞、井盖" in reports()[0].description


def test_a_missing_required_attribute_is_400_naming_it(client, partner, regions, road):
    response = post_request(client, **filing(regions, service_code="road"))
    assert "attribute[hazard]" in assert_error(response, 400)
    assert reports() == []


@pytest.mark.parametrize("name, value", [
    ("attribute[hazard]", "maybe"),
    ("attribute[kinds][]", "pothole"),
    ("attribute[width]", "wide"),
    ("attribute[since]", "yesterday"),
])
def test_an_invalid_attribute_value_is_400_naming_it(client, partner, regions, road, name,
                                                      value):
    fields = {"attribute[hazard]": "yes", name: value}
    response = post_request(client, **filing(regions, service_code="road", **fields))
    assert name.removesuffix("[]") in assert_error(response, 400)
    assert reports() == []


def test_several_problems_come_back_as_several_errors(client, partner, regions, road):
    response = post_request(client, **filing(regions, service_code="road",
                                             **{"attribute[width]": "wide"}))
    errors = json.loads(response.get_data())
    assert response.status_code == 400 and len(errors) == 2


def test_a_partner_past_its_rate_limit_gets_429_with_retry_after(client, regions, category):
    PartnerFactory(region=regions.district, key=OTHER_KEY, rate_limit_per_minute=2)
    for _ in range(2):
        filed_number(post_request(client, **filing(regions, api_key=OTHER_KEY)))
    response = post_request(client, **filing(regions, api_key=OTHER_KEY))
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert len(reports()) == 2


def test_one_partners_rate_limit_does_not_stop_another(client, partner, regions):
    PartnerFactory(region=regions.district, key=OTHER_KEY, rate_limit_per_minute=1)
    filed_number(post_request(client, **filing(regions, api_key=OTHER_KEY)))
    filed_number(post_request(client, **filing(regions)))


def test_a_json_body_is_not_a_form_and_is_400(client, partner, regions):
    response = client.post(f"{BASE}/requests.json", json=filing(regions))
    assert_error(response, 403)  # no form fields, so no api_key either
    assert reports() == []


def test_the_wgs84_input_is_converted_to_our_gcj02(client, partner, regions):
    lat, lng = wgs84(regions.point_in_grid2)
    post_request(client, **filing(regions, lat=str(lat), long=str(lng)))
    (report,) = reports()
    assert report.region_id == regions.grid2.id
    assert geo.distance_m(report.lat, report.lng, *regions.point_in_grid2) < 1


def test_a_body_over_the_size_limit_is_400_with_code_413(client, app, partner, regions,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = post_request(client, **filing(regions, description="灯" * 1000))
    assert_error(response, 400, code=413)
    assert reports() == []
