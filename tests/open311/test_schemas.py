"""The Open311 JSON Schemas accept the spec's examples and our renderer's output, and refuse bad
documents; the XML twin of each rendered document carries the same data."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator, ValidationError

from app.open311.formats import render, render_document, render_errors
from tests.open311 import spec_examples
from tests.open311.schema_check import (
    SCHEMA_DIR,
    assert_xml_mirrors_json,
    parse_xml,
    validate_json,
)

SCHEMA_NAMES = sorted(path.stem for path in SCHEMA_DIR.glob("*.json") if path.stem != "common")


@pytest.mark.parametrize("name", [*SCHEMA_NAMES, "common"])
def test_schema_is_valid_draft_2020_12(name):
    Draft202012Validator.check_schema(json.loads((SCHEMA_DIR / f"{name}.json").read_text()))


@pytest.mark.parametrize(
    ("name", "example"),
    [
        ("services", spec_examples.SERVICES),
        ("service_definition", spec_examples.SERVICE_DEFINITION),
        ("post_request_response", spec_examples.POST_REQUEST_RESPONSE),
        ("token_lookup", spec_examples.TOKEN_LOOKUP),
        ("requests", spec_examples.REQUESTS),
        ("errors", spec_examples.ERRORS),
        ("discovery", spec_examples.DISCOVERY),
    ],
)
def test_spec_example_fits_its_schema(name, example):
    validate_json(name, example)


def _broken(example, change):
    document = copy.deepcopy(example)
    change(document)
    return document


BAD_DOCUMENTS = {
    "request without status": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[0].pop("status")),
    ),
    "request without requested_datetime": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[1].pop("requested_datetime")),
    ),
    "numeric service_request_id": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[0].update(service_request_id=638344)),
    ),
    "numeric service_code": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[0].update(service_code=6)),
    ),
    "status outside open/closed": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[0].update(status="in_progress")),
    ),
    "description of 4001 characters": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[0].update(description="字" * 4001)),
    ),
    "datetime without timezone": (
        "requests",
        _broken(
            spec_examples.REQUESTS, lambda d: d[0].update(requested_datetime="2010-04-14T06:37:38")
        ),
    ),
    "datetime with impossible month": (
        "requests",
        _broken(
            spec_examples.REQUESTS,
            lambda d: d[0].update(requested_datetime="2010-13-14T06:37:38Z"),
        ),
    ),
    "foreign field in a request": (
        "requests",
        _broken(spec_examples.REQUESTS, lambda d: d[0].update(title="not in the spec")),
    ),
    "service without type": (
        "services",
        _broken(spec_examples.SERVICES, lambda d: d[0].pop("type")),
    ),
    "service type outside realtime/batch/blackbox": (
        "services",
        _broken(spec_examples.SERVICES, lambda d: d[0].update(type="instant")),
    ),
    "metadata as a string": (
        "services",
        _broken(spec_examples.SERVICES, lambda d: d[0].update(metadata="true")),
    ),
    "attribute order zero": (
        "service_definition",
        _broken(spec_examples.SERVICE_DEFINITION, lambda d: d["attributes"][0].update(order=0)),
    ),
    "list datatype without values": (
        "service_definition",
        _broken(spec_examples.SERVICE_DEFINITION, lambda d: d["attributes"][0].pop("values")),
    ),
    "two attributes with the same order": (
        "service_definition",
        _broken(
            spec_examples.SERVICE_DEFINITION,
            lambda d: d["attributes"].append({**d["attributes"][0], "code": "OTHER"}),
        ),
    ),
    "numeric value key": (
        "service_definition",
        _broken(
            spec_examples.SERVICE_DEFINITION,
            lambda d: d["attributes"][0]["values"][0].update(key=123),
        ),
    ),
    "POST response with both id and token": (
        "post_request_response",
        _broken(spec_examples.POST_REQUEST_RESPONSE, lambda d: d[0].update(token="12345")),
    ),
    "POST response with neither id nor token": (
        "post_request_response",
        _broken(spec_examples.POST_REQUEST_RESPONSE, lambda d: d[0].pop("service_request_id")),
    ),
    "token lookup without the token": (
        "token_lookup",
        _broken(spec_examples.TOKEN_LOOKUP, lambda d: d[0].pop("token")),
    ),
    "error code as a string": (
        "errors",
        _broken(spec_examples.ERRORS, lambda d: d[0].update(code="403")),
    ),
    "empty errors list": ("errors", []),
    "discovery without key_service": (
        "discovery",
        _broken(spec_examples.DISCOVERY, lambda d: d.pop("key_service")),
    ),
    "discovery endpoint without changeset": (
        "discovery",
        _broken(spec_examples.DISCOVERY, lambda d: d["endpoints"][0].pop("changeset")),
    ),
    "discovery endpoint type outside production/test": (
        "discovery",
        _broken(spec_examples.DISCOVERY, lambda d: d["endpoints"][0].update(type="staging")),
    ),
    "discovery endpoint without XML": (
        "discovery",
        _broken(
            spec_examples.DISCOVERY,
            lambda d: d["endpoints"][1].update(formats=["application/json"]),
        ),
    ),
    "discovery as a list": ("discovery", [spec_examples.DISCOVERY]),
}


@pytest.mark.parametrize(("name", "document"), BAD_DOCUMENTS.values(), ids=BAD_DOCUMENTS.keys())
def test_bad_document_fails_its_schema(name, document):
    with pytest.raises(ValidationError):
        validate_json(name, document)


# Documents as the Open311 endpoints will build them: Chinese text, CRLF, nulls, nested lists.
LINLI_SERVICES = [
    {
        "service_code": "road",
        "service_name": "道路破损",
        "description": "路面坑洼、井盖缺失等",
        "metadata": True,
        "type": "realtime",
        "keywords": "道路,井盖,坑洼",
        "group": "市政设施",
    },
    {
        "service_code": "noise",
        "service_name": "噪音扰民",
        "description": None,
        "metadata": False,
        "type": "realtime",
        "keywords": None,
        "group": None,
    },
]

LINLI_SERVICE_DEFINITION = {
    "service_code": "road",
    "attributes": [
        {
            "variable": True,
            "code": "severity",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "严重程度",
            "values": [{"key": "minor", "name": "轻微"}, {"key": "danger", "name": "有安全隐患"}],
        },
        {
            "variable": False,
            "code": "notice",
            "datatype": "text",
            "required": False,
            "datatype_description": "仅作提示",
            "order": 2,
            "description": "夜间请注意安全 <勿靠近> & 绕行",
        },
    ],
}

LINLI_REQUESTS = [
    {
        "service_request_id": "SSP-20261124-0007",
        "status": "open",
        "status_notes": None,
        "service_name": "道路破损",
        "service_code": "road",
        "description": "第一行\r\n第二行：井盖 <缺失> & 危险",
        "agency_responsible": "幸福里社区居委会",
        "service_notice": None,
        "requested_datetime": "2026-11-24T09:30:00+08:00",
        "updated_datetime": "2026-11-24T10:00:00+08:00",
        "expected_datetime": None,
        "address": "幸福里 3 号楼东侧",
        "address_id": None,
        "zipcode": "200000",
        "lat": 31.2304,
        "long": 121.4737,
        "media_url": "https://linli.example.cn/media/abc.jpg?size=large&v=2",
    }
]

LINLI_DISCOVERY = {
    "changeset": "2026-11-24T09:30:00+08:00",
    "contact": "幸福里社区 open311@linli.example.cn",
    "key_service": "请联系街道管理员申请 API key",
    "endpoints": [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "https://linli.example.cn/open311/v2",
            "changeset": "2026-11-24T09:30:00+08:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ],
}

RENDERED_LISTS = {
    "services": ("services", "service", LINLI_SERVICES),
    "requests": ("service_requests", "request", LINLI_REQUESTS),
    "post_request_response": (
        "service_requests",
        "request",
        [{"service_request_id": "SSP-20261124-0007", "service_notice": "24 小时内响应"}],
    ),
    "token_lookup": (
        "service_requests",
        "request",
        [{"service_request_id": "SSP-20261124-0007", "token": "t-1"}],
    ),
}

RENDERED_DOCUMENTS = {
    "service_definition": ("service_definition", LINLI_SERVICE_DEFINITION),
    "discovery": ("discovery", LINLI_DISCOVERY),
}


@pytest.mark.parametrize("name", RENDERED_LISTS)
def test_rendered_list_json_fits_its_schema(name):
    root, item, items = RENDERED_LISTS[name]
    body, _ = render(root, item, items, "json")
    validate_json(name, json.loads(body))


@pytest.mark.parametrize("name", RENDERED_LISTS)
def test_rendered_list_xml_mirrors_its_json(name):
    root, item, items = RENDERED_LISTS[name]
    xml_body, _ = render(root, item, items, "xml")
    json_body, _ = render(root, item, items, "json")
    tree = parse_xml(xml_body)
    assert tree.getroot().tag == root
    assert_xml_mirrors_json(tree.getroot(), json.loads(json_body))


@pytest.mark.parametrize("name", RENDERED_DOCUMENTS)
def test_rendered_document_json_fits_its_schema(name):
    root, document = RENDERED_DOCUMENTS[name]
    body, _ = render_document(root, document, "json")
    validate_json(name, json.loads(body))


@pytest.mark.parametrize("name", RENDERED_DOCUMENTS)
def test_rendered_document_xml_mirrors_its_json(name):
    root, document = RENDERED_DOCUMENTS[name]
    xml_body, _ = render_document(root, document, "xml")
    json_body, _ = render_document(root, document, "json")
    tree = parse_xml(xml_body)
    assert tree.getroot().tag == root
    assert_xml_mirrors_json(tree.getroot(), json.loads(json_body))


def test_rendered_errors_fit_the_errors_schema_in_both_formats():
    errors = [(400, "service_code 缺失"), (404, "jurisdiction_id not found")]
    json_body, _ = render_errors(errors, "json")
    validate_json("errors", json.loads(json_body))
    xml_body, _ = render_errors(errors, "xml")
    assert_xml_mirrors_json(parse_xml(xml_body).getroot(), json.loads(json_body))


def test_spec_example_discovery_renders_to_valid_json_and_xml():
    json_body, _ = render_document("discovery", spec_examples.DISCOVERY, "json")
    assert json.loads(json_body) == spec_examples.DISCOVERY
    xml_body, _ = render_document("discovery", spec_examples.DISCOVERY, "xml")
    assert_xml_mirrors_json(parse_xml(xml_body).getroot(), spec_examples.DISCOVERY)
