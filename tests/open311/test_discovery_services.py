"""Open311 discovery, services and service definitions; the routing rules every endpoint shares
(formats by extension, jurisdiction_id, unknown paths, methods, tokens)."""

from __future__ import annotations

import pytest

from tests.factories import CategoryFactory
from tests.open311.helpers import BASE, assert_error, check, get_both

ROAD_ATTRIBUTES = [
    {"code": "hazard", "datatype": "singlevaluelist", "required": True, "order": 2,
     "description": "是否已影响通行安全？",
     "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]},
    {"code": "size", "datatype": "number", "order": 1, "description": "坑洞大约多宽（厘米）",
     "datatype_description": "填数字"},
    {"code": "notice", "datatype": "text", "variable": False,
     "description": "夜间请设置警示标志"},
]


@pytest.fixture
def road():
    return CategoryFactory(code="road", name="道路破损", attributes=ROAD_ATTRIBUTES,
                           sort_order=1)


def test_discovery_is_served_in_xml_and_json_and_fits_the_spec(client):
    document = get_both(client, "discovery", "discovery")
    assert document["contact"] and document["key_service"]


def test_discovery_names_our_endpoint_and_both_formats(client):
    endpoint = get_both(client, "discovery", "discovery")["endpoints"][0]
    assert endpoint["url"] == "https://linli.test/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_calls_a_non_production_endpoint_test(client):
    assert get_both(client, "discovery", "discovery")["endpoints"][0]["type"] == "test"


def test_services_list_the_active_categories_in_the_filing_order(client, category, road):
    CategoryFactory(code="retired", name="旧类别", active=False)
    services = get_both(client, "services", "services")
    assert [s["service_code"] for s in services] == ["streetlight", "road"]


def test_a_service_shows_name_description_keywords_and_group(client, category):
    (service,) = get_both(client, "services", "services")
    assert service == {"service_code": "streetlight", "service_name": "路灯损坏",
                       "description": "路灯不亮、闪烁、损坏", "metadata": False,
                       "type": "realtime", "keywords": "路灯,照明", "group": "市政设施"}


def test_a_category_with_extra_questions_has_metadata(client, category, road):
    services = {s["service_code"]: s for s in get_both(client, "services", "services")}
    assert (services["road"]["metadata"], services["streetlight"]["metadata"]) == (True, False)


def test_empty_keywords_and_group_are_null(client):
    CategoryFactory(code="other", name="其他")
    (service,) = get_both(client, "services", "services")
    assert (service["description"], service["keywords"], service["group"]) == (None, None, None)


def test_service_definition_lists_the_attributes_in_order(client, road):
    definition = get_both(client, "services/road", "service_definition")
    assert definition["service_code"] == "road"
    assert [(a["code"], a["order"]) for a in definition["attributes"]] == [
        ("size", 1), ("hazard", 2), ("notice", 3)]


def test_service_definition_gives_list_values_and_defaults(client, road):
    attributes = {a["code"]: a for a in
                  get_both(client, "services/road", "service_definition")["attributes"]}
    assert attributes["hazard"] == {
        "variable": True, "code": "hazard", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 2, "description": "是否已影响通行安全？",
        "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]}
    assert (attributes["notice"]["variable"], attributes["notice"]["required"]) == (False, False)


def test_an_unusable_attribute_is_left_out_rather_than_published_wrong(client):
    CategoryFactory(code="odd", name="怪类别", attributes=[
        {"code": "color", "datatype": "colour", "description": "颜色"},
        {"code": "pick", "datatype": "singlevaluelist", "description": "无选项"},
        {"code": "where", "datatype": "string", "description": "具体位置"}])
    definition = get_both(client, "services/odd", "service_definition")
    assert [(a["code"], a["order"]) for a in definition["attributes"]] == [("where", 1)]


def test_service_definition_without_questions_has_no_attributes(client, category):
    assert get_both(client, "services/streetlight", "service_definition")["attributes"] == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_code_is_404(client, category, fmt):
    response = client.get(f"{BASE}/services/nothing.{fmt}")
    assert "nothing" in assert_error(response, 404, fmt)


def test_inactive_category_is_not_a_service(client):
    CategoryFactory(code="retired", name="旧类别", active=False)
    assert_error(client.get(f"{BASE}/services/retired.json"), 404)


def test_our_jurisdiction_id_is_accepted(client, category):
    services = get_both(client, "services", "services",
                        params={"jurisdiction_id": "linli.example.gov.cn"})
    assert services[0]["service_code"] == "streetlight"


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("resource", ["discovery", "services", "services/streetlight",
                                      "requests", "requests/SSP-20261124-0001",
                                      "servicerequestupdates", "tokens/abc"])
def test_another_jurisdiction_id_is_404_on_every_endpoint(client, category, resource, fmt):
    response = client.get(f"{BASE}/{resource}.{fmt}", query_string={"jurisdiction_id": "sfgov.org"})
    assert "jurisdiction_id" in assert_error(response, 404, fmt)


def test_an_empty_jurisdiction_id_is_as_if_absent(client, category):
    assert get_both(client, "services", "services", params={"jurisdiction_id": ""})


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_tokens_are_never_issued_so_every_token_is_404(client, fmt):
    assert "token" in assert_error(client.get(f"{BASE}/tokens/12345.{fmt}"), 404, fmt)


@pytest.mark.parametrize("path, fmt", [
    ("/open311/v2/nothing.json", "json"),
    ("/open311/v2/nothing.xml", "xml"),
    ("/open311/v2/services", "xml"),  # no extension: XML, the required format
    ("/open311/v2/services.csv", "xml"),
    ("/open311/v3/services.json", "json"),
    ("/open311/", "xml"),
])
def test_an_unknown_resource_is_an_open311_404(client, category, path, fmt):
    assert_error(client.get(path), 404, fmt)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_method_a_resource_does_not_take_is_405_with_allow(client, category, method):
    response = getattr(client, method)(f"{BASE}/services.json")
    assert_error(response, 405, "json")
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_options_lists_the_methods_a_resource_takes(client):
    response = client.options(f"{BASE}/requests.json")
    assert response.status_code == 204
    assert response.headers["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_head_answers_like_get_without_a_body(client, category):
    response = client.head(f"{BASE}/services.xml")
    assert response.status_code == 200 and response.get_data() == b""


def test_errors_never_take_the_apps_json_shape(client):
    body = client.get(f"{BASE}/nothing.json").get_json()
    assert isinstance(body, list) and "message" not in body[0]


def test_an_unexpected_failure_is_an_open311_error_naming_the_request(client, monkeypatch):
    def broken():
        raise RuntimeError("database exploded")

    monkeypatch.setattr("app.open311.service.active_services", broken)
    response = client.get(f"{BASE}/services.xml")
    description = assert_error(response, 400, "xml", code=500)
    assert response.headers["X-Request-ID"] in description


def test_xml_is_the_reference_format_and_mirrors_json(client, category):
    root = check(client.get(f"{BASE}/services.xml"), "xml", "services")
    assert root.tag == "services" and root[0].tag == "service"
    assert root[0].findtext("metadata") == "false"
