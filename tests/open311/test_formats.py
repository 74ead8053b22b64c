"""Open311 XML/JSON rendering and W3C datetimes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.open311.formats import (
    parse_w3c_datetime,
    render,
    render_document,
    render_errors,
    w3c_datetime,
)
from tests.open311.schema_check import parse_xml

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _xml_item(items, fmt="xml"):
    body, _ = render("service_requests", "request", items, fmt)
    return parse_xml(body).getroot().find("request")


def test_xml_body_starts_with_the_utf8_declaration():
    body, _ = render("services", "service", [{"service_code": "a"}], "xml")
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?><services>')


def test_xml_content_type_is_text_xml_utf8():
    assert render("services", "service", [], "xml")[1] == "text/xml; charset=utf-8"


def test_json_content_type_is_application_json_utf8():
    assert render("services", "service", [], "json")[1] == "application/json; charset=utf-8"


def test_list_resource_is_a_json_array_of_items():
    body, _ = render("services", "service", [{"service_code": "a"}, {"service_code": "b"}], "json")
    assert json.loads(body) == [{"service_code": "a"}, {"service_code": "b"}]


def test_list_resource_is_a_root_element_of_repeated_items_in_xml():
    body, _ = render("services", "service", [{"service_code": "a"}, {"service_code": "b"}], "xml")
    root = parse_xml(body).getroot()
    assert root.tag == "services"
    assert [(child.tag, child.findtext("service_code")) for child in root] == [
        ("service", "a"),
        ("service", "b"),
    ]


def test_empty_list_renders_as_empty_root_and_empty_array():
    xml_body, _ = render("service_requests", "request", [], "xml")
    assert len(parse_xml(xml_body).getroot()) == 0
    assert render("service_requests", "request", [], "json")[0] == b"[]"


def test_item_keys_keep_their_order_in_xml():
    request = _xml_item([{"service_request_id": "1", "status": "open", "lat": 1.5}])
    assert [child.tag for child in request] == ["service_request_id", "status", "lat"]


def test_xml_special_characters_are_escaped_and_read_back_unchanged():
    text = "a < b && c > d ]]> \"quoted\" 'single'"
    assert _xml_item([{"description": text}]).findtext("description") == text


def test_markup_in_values_cannot_inject_elements():
    request = _xml_item([{"description": "</description><status>closed</status>"}])
    assert request.find("status") is None


def test_crlf_line_breaks_survive_xml_parsing():
    text = "第一行\r\n第二行\n第三行"
    assert _xml_item([{"description": text}]).findtext("description") == text


def test_characters_xml_cannot_carry_become_replacement_characters():
    body, _ = render("service_requests", "request", [{"description": "a\x00b\x0bc\ufffed"}], "xml")
    request = parse_xml(body).getroot().find("request")
    assert request.findtext("description") == "a\ufffdb\ufffdc\ufffdd"


def test_chinese_text_is_raw_utf8_in_both_formats():
    for fmt in ("xml", "json"):
        body, _ = render("services", "service", [{"service_name": "道路破损"}], fmt)
        assert "道路破损".encode() in body


def test_lone_surrogates_do_not_break_utf8_encoding():
    for fmt in ("xml", "json"):
        body, _ = render("services", "service", [{"service_name": "a\udcffb"}], fmt)
        assert "a\ufffdb".encode() in body


def test_none_is_an_empty_element_in_xml_and_null_in_json():
    assert _xml_item([{"status_notes": None}]).find("status_notes").text is None
    body, _ = render("service_requests", "request", [{"status_notes": None}], "json")
    assert json.loads(body) == [{"status_notes": None}]


def test_booleans_are_true_and_false_in_xml():
    body, _ = render("services", "service", [{"metadata": True}, {"metadata": False}], "xml")
    assert [s.findtext("metadata") for s in parse_xml(body).getroot()] == ["true", "false"]


def test_booleans_stay_booleans_in_json():
    body, _ = render("services", "service", [{"metadata": True}], "json")
    assert json.loads(body) == [{"metadata": True}]


def test_numbers_are_written_exactly():
    request = _xml_item([{"lat": 37.762221815, "long": -122.4651145, "order": 3}])
    assert [request.findtext(key) for key in ("lat", "long", "order")] == [
        "37.762221815",
        "-122.4651145",
        "3",
    ]


def test_nested_dict_renders_as_child_elements():
    request = _xml_item([{"location": {"lat": 1.0, "long": 2.0}}])
    assert request.find("location/lat").text == "1.0"
    assert request.find("location/long").text == "2.0"


def test_discovery_is_a_json_object():
    document = {"changeset": "1", "endpoints": [{"formats": ["text/xml"]}]}
    body, _ = render_document("discovery", document, "json")
    assert json.loads(body) == document


def test_discovery_lists_render_as_endpoint_and_format_elements():
    document = {
        "changeset": "1",
        "endpoints": [
            {"url": "https://a/v2", "formats": ["text/xml", "application/json"]},
            {"url": "https://a/test", "formats": ["text/xml"]},
        ],
    }
    body, _ = render_document("discovery", document, "xml")
    root = parse_xml(body).getroot()
    assert root.tag == "discovery"
    assert [child.tag for child in root.find("endpoints")] == ["endpoint", "endpoint"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
        "text/xml",
    ]


def test_service_definition_lists_render_as_attribute_and_value_elements():
    document = {
        "service_code": "road",
        "attributes": [
            {"code": "severity", "values": [{"key": "minor", "name": "轻微"}]},
        ],
    }
    body, _ = render_document("service_definition", document, "xml")
    root = parse_xml(body).getroot()
    assert root.find("attributes/attribute/values/value/key").text == "minor"
    assert root.find("attributes/attribute/values/value/name").text == "轻微"


def test_empty_nested_list_is_an_empty_container():
    body, _ = render_document("service_definition", {"attributes": []}, "xml")
    assert len(parse_xml(body).getroot().find("attributes")) == 0


def test_list_under_an_unknown_key_is_refused():
    for fmt in ("xml", "json"):
        with pytest.raises(ValueError, match="photos"):
            render("service_requests", "request", [{"photos": ["a.jpg"]}], fmt)


def test_datetime_objects_are_refused_in_both_formats():
    moment = datetime(2026, 11, 24, tzinfo=UTC)
    for fmt in ("xml", "json"):
        with pytest.raises(TypeError, match="w3c_datetime"):
            render("service_requests", "request", [{"requested_datetime": moment}], fmt)


def test_non_finite_numbers_are_refused():
    for fmt in ("xml", "json"):
        with pytest.raises(ValueError):
            render("service_requests", "request", [{"lat": float("nan")}], fmt)


@pytest.mark.parametrize("name", ["bad name", "a<b", "1st", "", "xmlthing"])
def test_keys_that_are_not_xml_names_are_refused(name):
    for fmt in ("xml", "json"):
        with pytest.raises(ValueError):
            render("services", "service", [{name: "x"}], fmt)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render("services", "service", [], "html")


def test_errors_render_as_the_spec_shows_in_xml():
    body, content_type = render_errors(
        [(403, "Invalid api_key received -- can't proceed with create_request.")], "xml"
    )
    assert body == (
        b'<?xml version="1.0" encoding="utf-8"?><errors><error><code>403</code>'
        b"<description>Invalid api_key received -- can't proceed with create_request."
        b"</description></error></errors>"
    )
    assert content_type == "text/xml; charset=utf-8"


def test_errors_render_as_an_array_in_json():
    body, _ = render_errors([(403, "bad key"), (400, "缺少 service_code")], "json")
    assert json.loads(body) == [
        {"code": 403, "description": "bad key"},
        {"code": 400, "description": "缺少 service_code"},
    ]


def test_w3c_datetime_keeps_the_offset_to_the_second():
    moment = datetime(2026, 11, 24, 9, 30, 15, 999999, tzinfo=SHANGHAI)
    assert w3c_datetime(moment) == "2026-11-24T09:30:15+08:00"


def test_w3c_datetime_writes_utc_with_a_zero_offset():
    assert w3c_datetime(datetime(2010, 1, 1, tzinfo=UTC)) == "2010-01-01T00:00:00+00:00"


def test_w3c_datetime_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        w3c_datetime(datetime(2010, 1, 1))


def test_w3c_datetime_writes_offsets_with_seconds_in_utc():
    # Shanghai's local mean time before 1901 was +08:05:43, which W3C cannot write.
    assert w3c_datetime(datetime(1900, 1, 1, tzinfo=SHANGHAI)) == "1899-12-31T15:54:17+00:00"


def test_parse_reads_the_spec_examples_as_the_same_instant():
    eastern = parse_w3c_datetime("1994-11-05T08:15:30-05:00")
    assert eastern == parse_w3c_datetime("1994-11-05T13:15:30Z")
    assert eastern.utcoffset() == timedelta(hours=-5)


def test_parse_returns_utc_for_z():
    assert parse_w3c_datetime("2010-01-01T00:00:00Z").utcoffset() == timedelta(0)


def test_parse_reads_a_space_as_the_plus_lost_in_a_query_string():
    assert parse_w3c_datetime("2026-11-24T09:30:00 08:00") == datetime(
        2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=8))
    )


def test_parse_accepts_minutes_without_seconds_and_fractions():
    assert parse_w3c_datetime("2026-11-24T09:30+08:00").second == 0
    assert parse_w3c_datetime("2026-11-24T09:30:00.1234567Z").microsecond == 123456


def test_parse_round_trips_w3c_datetime():
    moment = datetime(2026, 11, 24, 9, 30, 15, tzinfo=SHANGHAI)
    assert parse_w3c_datetime(w3c_datetime(moment)) == moment


@pytest.mark.parametrize(
    "text",
    [
        "2010-01-01T00:00:00",  # no timezone: the spec says it must be included
        "2010-01-01",  # W3C date-only forms cannot carry a timezone
        "2010-01-01 00:00:00Z",
        "20100101T000000Z",
        "2010-13-01T00:00:00Z",
        "2010-01-01T24:00:00Z",
        "2010-01-01T00:00:00+24:00",
        "2010-01-01T00:00:00+0800",
        "２０１０-01-01T00:00:00Z",
        "",
        "yesterday",
    ],
)
def test_parse_refuses_what_is_not_a_w3c_datetime_with_timezone(text):
    with pytest.raises(ValueError):
        parse_w3c_datetime(text)
