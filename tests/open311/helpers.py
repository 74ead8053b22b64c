"""Helpers for the Open311 endpoint tests: every response is checked against the spec.

`get_both` fetches a resource as XML and as JSON and checks each: the content type, the JSON
against its schema (tests/open311/schemas), the XML's declaration and structure, and that the
XML carries exactly the JSON's data. `assert_error` does the same for an error body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from app import geo
from tests.open311.schema_check import assert_xml_mirrors_json, parse_xml, validate_json

BASE = "/open311/v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
KEY = "o311_test-partner-key-0123456789abcdefghijklmnopqrstuv"
OTHER_KEY = "o311_other-partner-key-0123456789abcdefghijklmnopqrstu"


def wgs84(point: tuple[float, float]) -> tuple[float, float]:
    """A test point (GCJ-02, as the region tree's boundaries) as a partner would send it."""
    return geo.gcj02_to_wgs84(*point)


def check(response, fmt: str, schema: str, status: int = 200):
    """The response in `fmt` has the status and content type, and fits the schema; its data."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = json.loads(response.get_data())
        validate_json(schema, data)
        return data
    return parse_xml(response.get_data()).getroot()


def get_both(client, resource: str, schema: str, *, status: int = 200,
             params: Mapping | None = None):
    """GET `resource`.xml and .json; check both and that they carry the same data. The JSON."""
    xml = client.get(f"{BASE}/{resource}.xml", query_string=params or {})
    data = check(client.get(f"{BASE}/{resource}.json", query_string=params or {}), "json",
                 schema, status)
    assert_xml_mirrors_json(check(xml, "xml", schema, status), data)
    return data


def xml_errors(root) -> list[dict]:
    """An XML errors body as the JSON it mirrors."""
    assert root.tag == "errors"
    assert [child.tag for child in root] == ["error"] * len(root)
    errors = []
    for error in root:
        assert [child.tag for child in error] == ["code", "description"]
        errors.append({"code": int(error.findtext("code")),
                       "description": error.findtext("description")})
    return errors


def assert_error(response, status: int, fmt: str = "json", *, code: int | None = None) -> str:
    """The response is an Open311 error in `fmt` (schema-checked); its descriptions, joined."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        errors = json.loads(response.get_data())
    else:
        errors = xml_errors(parse_xml(response.get_data()).getroot())
    validate_json("errors", errors)
    assert {error["code"] for error in errors} == {code or status}
    return " ".join(error["description"] for error in errors)


def post_request(client, fmt: str = "json", **fields):
    """POST requests.<fmt>, form-encoded as the spec says."""
    return client.post(f"{BASE}/requests.{fmt}", data=fields,
                       content_type="application/x-www-form-urlencoded; charset=utf-8")


def filing(regions, **overrides) -> dict:
    """A complete, valid POST body from the partner holding KEY, at a point in the first grid."""
    lat, lng = wgs84(regions.point_in_grid)
    body = {"api_key": KEY, "service_code": "streetlight", "lat": f"{lat:.6f}",
            "long": f"{lng:.6f}", "address_string": "书院街和平社区3栋门口",
            "description": "市民来电：3栋门口路灯不亮，晚上很黑"}
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


def resident_report(resident, regions, *, description="3栋门口的路灯坏了", point=None,
                    category_code="streetlight"):
    """A report a resident filed through the mini-program's service call (no photos needed)."""
    from app.reports import file_report

    lat, lng = point or regions.point_in_grid
    return file_report(reporter=resident, source="bot", category_code=category_code,
                       description=description, lat=lat, lng=lng, address="和平社区3栋门口")


def handle(report, moderator, handler, *, until: str, note: str = "已更换灯泡，恢复照明"):
    """Take a report through the staff side of the lifecycle up to `until`."""
    from app import reports

    steps = ["accepted", "dispatched", "in_progress", "resolved"]
    reports.accept_report(moderator, report.id, note="已受理，安排网格员处理")
    if until == "accepted":
        return
    reports.dispatch_report(moderator, report.id, handler_id=handler.id, note="请今天到现场")
    if until == "dispatched":
        return
    reports.record_contact(handler, report.id, note="已联系，约下午到现场")
    reports.start_report(handler, report.id)
    if until == "in_progress":
        return
    reports.resolve_report(handler, report.id, note=note)
    assert until in steps
