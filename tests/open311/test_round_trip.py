"""The whole trip: a hotline platform files a case with a photo, staff handle it through their
own endpoints, and the platform follows it to `closed` through GET requests and the updates.

An Open311 case has no resident to rate it, so it closes as any unrated report does: seven days
after its resolution, by the sweep (app.reports.jobs.sweep_unrated_reports).
"""

from __future__ import annotations

import io

import pytest

from app.reports.jobs import sweep_unrated_reports
from tests.open311.conftest import image
from tests.open311.helpers import check, filing, get_both, post_request
from tests.uploads.samples import encoded, photo_like

ADMIN_URL = "/api/v1/staff/open311-partners"


@pytest.fixture
def photo_server(server):
    """The partner's own file server, on loopback (reachable only through the test setting)."""
    server.routes["/cases/20261124-0817.jpg"] = image(
        encoded(photo_like(1024, 768, seed=11), "JPEG", quality=85))
    return server


def staff_post(client, headers, report_id, action, body=None):
    response = client.post(f"/api/v1/staff/reports/{report_id}/{action}", headers=headers,
                           json=body or {})
    assert response.status_code == 200, response.json
    return response.json


def test_a_partner_files_follows_and_sees_its_case_closed_with_notes(
        app, client, regions, category, admin, moderator, handler, resident, auth_headers,
        photo_server, clock, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_MEDIA_ALLOWED_NETWORKS", ["127.0.0.1/32"])

    # An admin gives the 12345 platform a key.
    created = client.post(ADMIN_URL, headers=auth_headers(admin),
                          json={"name": "锦江区12345热线平台", "contact": "李工 028-12345000"})
    assert created.status_code == 201
    api_key = created.json["api_key"]

    # The platform hands over a citizen's call, with the photo the citizen sent.
    media_url = photo_server.url("/cases/20261124-0817.jpg")
    answer = check(post_request(client, **filing(regions, api_key=api_key, media_url=media_url,
                                                 email="caller@example.com")),
                   "json", "post_request_response")
    number = answer[0]["service_request_id"]
    assert [path for path, _headers in photo_server.requests] == ["/cases/20261124-0817.jpg"]

    # It is in the staff queue, from the partner, with the photo.
    queue = client.get("/api/v1/staff/reports", headers=auth_headers(moderator)).json["items"]
    (item,) = [r for r in queue if r["number"] == number]
    assert (item["source"], item["status"], item["thumbnail_url"] is not None) == (
        "open311", "submitted", True)
    report_id = item["id"]
    staff_view = client.get(f"/api/v1/staff/reports/{report_id}",
                            headers=auth_headers(moderator)).json
    assert (staff_view["source_detail"], staff_view["reporter"]) == ("锦江区12345热线平台", None)
    assert len(staff_view["photos"]) == 1

    # Residents see it in the public list, from the platform, not from a person.
    public = client.get("/api/v1/reports/public", headers=auth_headers(resident)).json["items"]
    assert [r["number"] for r in public] == [number]
    detail = client.get(f"/api/v1/reports/{report_id}", headers=auth_headers(resident)).json
    assert detail["reporter_name"] == "锦江区12345热线平台转来"

    # Staff handle it through their endpoints.
    moderator_headers, handler_headers = auth_headers(moderator), auth_headers(handler)
    clock.advance(minutes=20)
    staff_post(client, moderator_headers, report_id, "accept", {"note": "已受理"})
    staff_post(client, moderator_headers, report_id, "dispatch",
               {"handler_id": handler.id, "note": "请今天到现场更换"})
    clock.advance(hours=1)
    staff_post(client, handler_headers, report_id, "contact", {"note": "已与热线平台核实位置"})
    staff_post(client, handler_headers, report_id, "start")
    clock.advance(hours=3)
    result = client.post("/api/v1/staff/uploads", headers=handler_headers,
                         data={"file": (io.BytesIO(encoded(photo_like(640, 480, seed=12),
                                                           "JPEG")), "result.jpg")},
                         content_type="multipart/form-data").json
    staff_post(client, handler_headers, report_id, "resolve",
               {"note": "已更换灯泡，恢复照明", "photo_ids": [result["id"]]})

    (request,) = get_both(client, f"requests/{number}", "requests")
    assert (request["status"], request["status_notes"]) == ("open", "已处理待评价：已更换灯泡，恢复照明")

    # Nobody can rate it, so it closes unrated seven days later.
    clock.advance(days=7, minutes=5)
    sweep_unrated_reports()

    (request,) = get_both(client, f"requests/{number}", "requests")
    assert request["status"] == "closed"
    assert request["status_notes"] == "已办结：7天内未评价，自动办结。处理结果：已更换灯泡，恢复照明"
    assert request["updated_datetime"] == "2026-12-01T14:25:00+08:00"
    assert request["media_url"].startswith("https://linli.test/media/")
    listed = get_both(client, "requests", "requests", params={"status": "closed"})
    assert [r["service_request_id"] for r in listed] == [number]

    # The updates tell the whole story, with the result photo on the resolution.
    updates = get_both(client, "servicerequestupdates", "service_request_updates",
                       params={"start_date": "2026-11-24T00:00:00+08:00",
                               "end_date": "2026-12-02T00:00:00+08:00"})
    assert [(u["status"], u["description"]) for u in updates] == [
        ("OPEN", "提交"),
        ("INVESTIGATING", "受理：已受理"),
        ("ACTION_SCHEDULED", "派单：请今天到现场更换"),
        ("ACTION_SCHEDULED", "联系居民：已与热线平台核实位置"),
        ("IN_PROGRESS", "开始处理"),
        ("FIXED", "办结反馈：已更换灯泡，恢复照明"),
        ("CLOSED", "到期自动办结：7天内未评价，自动办结"),
    ]
    assert updates[5]["media_url"] is not None and updates[5]["media_url"] != request["media_url"]

    # Nothing anywhere tells who called the hotline.
    for body in (client.get(f"/open311/v2/requests/{number}.xml").get_data(as_text=True),
                 client.get(f"/api/v1/staff/reports/{report_id}",
                            headers=moderator_headers).get_data(as_text=True)):
        assert "caller@example.com" not in body
