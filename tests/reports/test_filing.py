"""POST /api/v1/reports: numbering, routing, due times, photos, content check, limits, outbox."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.errors import Invalid
from app.extensions import db
from app.reports import file_report
from app.reports.models import Report, ReportPhoto
from app.uploads.models import Upload
from tests.factories import (
    PartnerFactory,
    ReportFactory,
    ResidentFactory,
    StaffFactory,
    UploadFactory,
)
from tests.reports.helpers import file, notifications, photo_ids, report_body, timeline
from tests.uploads.samples import encoded, photo_like


def stored(report_id) -> Report:
    return db.session.get(Report, report_id)


def test_filing_creates_a_submitted_report_with_a_public_number(client, resident, regions,
                                                                category, auth_headers, clock):
    response = file(client, auth_headers(resident), report_body(resident, regions))
    assert response.status_code == 201
    body = response.json
    assert body["number"] == "SSP-20261124-0001"
    assert body["status"] == "submitted" and body["status_label"] == "待受理"
    assert body["mine"] is True
    report = stored(body["id"])
    assert report.reporter_id == resident.id and report.source == "miniprogram"


def test_numbers_count_up_within_the_local_day(client, resident, regions, category,
                                               auth_headers, clock):
    headers = auth_headers(resident)
    numbers = [file(client, headers, report_body(resident, regions)).json["number"]
               for _ in range(3)]
    assert numbers == ["SSP-20261124-0001", "SSP-20261124-0002", "SSP-20261124-0003"]


def test_numbers_follow_the_shanghai_day_not_the_utc_day(client, resident, regions, category,
                                                         auth_headers, clock):
    headers = auth_headers(resident)
    clock.set(datetime(2026, 11, 24, 15, 59, tzinfo=UTC))  # 23:59 in Shanghai
    assert file(client, headers, report_body(resident, regions)).json["number"] == (
        "SSP-20261124-0001")
    clock.set(datetime(2026, 11, 24, 16, 1, tzinfo=UTC))  # 00:01 on the 25th in Shanghai
    assert file(client, headers, report_body(resident, regions)).json["number"] == (
        "SSP-20261125-0001")


def test_a_report_is_routed_to_the_grid_containing_its_location(client, resident, regions,
                                                                category, auth_headers):
    lat, lng = regions.point_in_grid2
    body = report_body(resident, regions, location={"lat": lat, "lng": lng, "address": "2网格"})
    report = stored(file(client, auth_headers(resident), body).json["id"])
    assert report.region_id == regions.grid2.id


def test_a_location_outside_every_grid_goes_to_the_residents_community(client, resident, regions,
                                                                       category, auth_headers):
    body = report_body(resident, regions, location={"lat": 30.60, "lng": 104.00, "address": "外面"})
    report = stored(file(client, auth_headers(resident), body).json["id"])
    assert report.region_id == regions.community.id


def test_outside_every_grid_without_a_community_is_refused_in_chinese(client, regions, category,
                                                                      auth_headers):
    drifter = ResidentFactory(community=None)
    body = report_body(drifter, regions, location={"lat": 30.60, "lng": 104.00, "address": "外面"})
    response = file(client, auth_headers(drifter), body)
    assert response.status_code == 422
    assert "社区" in response.json["errors"]["location"][0]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_due_times_come_from_the_category_sla_counted_from_filing(client, resident, regions,
                                                                  category, auth_headers, clock):
    report = stored(file(client, auth_headers(resident), report_body(resident, regions)).json["id"])
    assert report.created_at == clock.moment
    assert report.response_due_at == clock.moment + timedelta(hours=24)
    assert report.completion_due_at == clock.moment + timedelta(hours=72)


def test_photos_are_attached_in_order_and_marked_claimed(client, resident, regions, category,
                                                         auth_headers):
    ids = photo_ids(resident, 3)
    body = report_body(resident, regions, photo_ids=[ids[2], ids[0], ids[1]])
    response = file(client, auth_headers(resident), body)
    assert [p["id"] for p in response.json["photos"]] == [ids[2], ids[0], ids[1]]
    rows = db.session.scalars(sa.select(ReportPhoto).order_by(ReportPhoto.position)).all()
    assert [r.upload_id for r in rows] == [ids[2], ids[0], ids[1]]
    assert all(db.session.get(Upload, i).claimed_at is not None for i in ids)


def test_a_photo_uploaded_through_the_endpoint_is_shown_with_its_urls(client, resident, regions,
                                                                      category, auth_headers):
    headers = auth_headers(resident)
    data = encoded(photo_like(640, 480, seed=5), "JPEG", quality=85)
    upload = client.post("/api/v1/uploads", headers=headers,
                         data={"file": (io.BytesIO(data), "lamp.jpg")},
                         content_type="multipart/form-data").json
    response = file(client, headers, report_body(resident, regions, photo_ids=[upload["id"]]))
    [photo] = response.json["photos"]
    assert photo["url"] == upload["url"] and photo["thumbnail_url"] == upload["thumbnail_url"]
    assert client.get(photo["url"].removeprefix("https://linli.test")).status_code == 200


@pytest.mark.parametrize("count", [0, 10])
def test_photo_count_must_be_one_to_nine(client, resident, regions, category, auth_headers, count):
    body = report_body(resident, regions, photo_ids=photo_ids(resident, count))
    response = file(client, auth_headers(resident), body)
    assert response.status_code == 422
    assert response.json["errors"]["photo_ids"] == ["请上传 1 到 9 张照片"]


def test_someone_elses_upload_cannot_be_attached(client, resident, neighbour, regions, category,
                                                 auth_headers):
    body = report_body(resident, regions, photo_ids=photo_ids(neighbour))
    response = file(client, auth_headers(resident), body)
    assert response.status_code == 422
    assert "photo_ids" in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


@pytest.mark.parametrize("description, status", [("", 422), ("   ", 422), ("灯" * 501, 422),
                                                 ("灯" * 500, 201)])
def test_description_is_one_to_five_hundred_characters(client, resident, regions, category,
                                                       auth_headers, description, status):
    body = report_body(resident, regions, description=description)
    assert file(client, auth_headers(resident), body).status_code == status


@pytest.mark.parametrize("field, value", [
    ("category", "no-such-category"),
    ("location", {"lat": 91, "lng": 104.08, "address": ""}),
    ("location", {"lat": 30.65, "lng": 104.08, "address": "址" * 201}),
    ("anonymous", "maybe"),
])
def test_invalid_fields_are_refused_naming_the_field(client, resident, regions, category,
                                                     auth_headers, field, value):
    response = file(client, auth_headers(resident), report_body(resident, regions, **{field: value}))
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_an_inactive_category_cannot_be_chosen(client, resident, regions, category, auth_headers):
    category.active = False
    db.session.commit()
    response = file(client, auth_headers(resident), report_body(resident, regions))
    assert response.status_code == 422
    assert response.json["errors"] == {"category": ["没有这个类别"]}


def test_filing_needs_a_resident_token(client, regions, category, moderator, auth_headers):
    body = {"category": "streetlight", "description": "灯坏了", "photo_ids": [1],
            "location": {"lat": 30.654, "lng": 104.082, "address": ""}}
    assert client.post("/api/v1/reports", json=body).status_code == 401
    assert client.post("/api/v1/reports", json=body,
                       headers=auth_headers(moderator)).status_code == 403


def test_the_description_goes_through_the_wechat_text_check(client, resident, regions, category,
                                                            auth_headers, wechat):
    file(client, auth_headers(resident), report_body(resident, regions))
    # (A token left stale by an earlier test costs one refused call first.)
    call = wechat.calls("/wxa/msg_sec_check")[-1]
    assert call.json["content"] == "3栋门口的路灯坏了好几天，晚上很黑"
    assert call.json["openid"] == resident.mp_openid


def test_doubtful_text_is_accepted_and_held_for_a_moderator(client, resident, regions, category,
                                                            moderator, auth_headers, wechat):
    wechat.text_verdicts["加微信"] = "review"
    body = report_body(resident, regions, description="路灯坏了，修灯加微信找我")
    response = file(client, auth_headers(resident), body)
    assert response.status_code == 201
    assert response.json["held_for_review"] is True
    report = stored(response.json["id"])
    assert report.held_for_review and report.review_reason == "wechat_review"
    assert [n.kind for n in notifications(staff_id=moderator.id)] == ["report.filed", "report.held"]


def test_an_unreachable_text_check_holds_the_report_instead_of_failing(client, resident, regions,
                                                                       category, auth_headers,
                                                                       wechat):
    wechat.fail_next("/wxa/msg_sec_check", status=502)
    response = file(client, auth_headers(resident), report_body(resident, regions))
    assert response.status_code == 201
    assert stored(response.json["id"]).review_reason == "check_unavailable"


def test_risky_text_is_refused_and_nothing_is_kept(client, resident, regions, category,
                                                   auth_headers, wechat):
    wechat.text_verdicts["骗子"] = "risky"
    body = report_body(resident, regions, description="物业都是骗子")
    response = file(client, auth_headers(resident), body)
    assert response.status_code == 422
    assert "description" in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_filing_is_rate_limited_per_resident(client, app, resident, neighbour, regions, category,
                                             auth_headers):
    app.config["REPORT_RATE_LIMIT_PER_DAY"] = 2
    try:
        headers = auth_headers(resident)
        statuses = [file(client, headers, report_body(resident, regions)).status_code
                    for _ in range(3)]
        other = file(client, auth_headers(neighbour), report_body(neighbour, regions))
    finally:
        app.config["REPORT_RATE_LIMIT_PER_DAY"] = 20
    assert statuses == [201, 201, 429]
    assert other.status_code == 201


def test_filing_tells_the_reporter_and_the_staff_of_the_grid(client, resident, regions, category,
                                                             handler, moderator, auth_headers,
                                                             clock):
    StaffFactory(region=regions.grid2)  # another grid's handler hears nothing
    report_id = file(client, auth_headers(resident), report_body(resident, regions)).json["id"]
    [to_resident] = notifications(resident_id=resident.id)
    assert to_resident.kind == "report.file"
    assert "SSP-20261124-0001" in to_resident.payload["text"]
    assert to_resident.payload["fields"]["number"] == "SSP-20261124-0001"
    staff_told = {n.staff_id for n in notifications(kind="report.filed")}
    assert staff_told == {handler.id, moderator.id}
    [event] = timeline(report_id)
    assert (event.action, event.actor_kind, event.to_status) == ("file", "resident", "submitted")


def test_staff_file_on_behalf_of_a_resident_in_scope(client, resident, regions, category,
                                                     handler, auth_headers):
    photo = UploadFactory(staff_id=handler.id).id
    lat, lng = regions.point_in_grid
    response = client.post("/api/v1/staff/reports", headers=auth_headers(handler), json={
        "resident_id": resident.id, "category": "streetlight", "description": "张阿姨电话反映路灯不亮",
        "photo_ids": [photo], "location": {"lat": lat, "lng": lng, "address": "3栋"},
        "source_detail": "电话反映"})
    assert response.status_code == 201
    report = stored(response.json["id"])
    assert (report.source, report.reporter_id, report.filed_by_staff_id) == (
        "staff", resident.id, handler.id)
    assert response.json["reporter"]["nickname"] == "张阿姨"
    assert timeline(report.id)[0].actor_kind == "staff"


def test_staff_cannot_file_for_a_resident_outside_their_scope(client, regions, category, handler,
                                                              auth_headers):
    stranger = ResidentFactory(community=regions.far_community)
    lat, lng = regions.point_in_grid
    response = client.post("/api/v1/staff/reports", headers=auth_headers(handler), json={
        "resident_id": stranger.id, "category": "streetlight", "description": "路灯不亮",
        "location": {"lat": lat, "lng": lng, "address": ""}})
    assert response.status_code == 404


def test_staff_cannot_file_a_location_outside_their_scope(client, regions, category, handler,
                                                          auth_headers):
    lat, lng = regions.point_in_other_grid
    response = client.post("/api/v1/staff/reports", headers=auth_headers(handler), json={
        "category": "streetlight", "description": "路灯不亮",
        "location": {"lat": lat, "lng": lng, "address": ""}})
    assert response.status_code == 422
    assert "location" in response.json["errors"]


def test_an_open311_partner_files_without_a_resident(regions, category, moderator):
    lat, lng = regions.point_in_grid
    report = file_report(reporter=None, source="open311", source_detail="12345热线平台",
                         category_code="streetlight", description="市民来电：路灯不亮",
                         lat=lat, lng=lng, address="书院街")
    assert (report.reporter_id, report.source, report.region_id) == (
        None, "open311", regions.grid.id)
    assert notifications(resident_id=None, kind="report.file") == []
    assert {n.staff_id for n in notifications(kind="report.filed")} == {moderator.id}


def test_an_open311_filing_takes_photos_its_partner_uploaded(regions, category):
    partner = PartnerFactory(region=regions.district)
    upload = UploadFactory(partner_id=partner.id)
    lat, lng = regions.point_in_grid
    report = file_report(reporter=None, source="open311", source_detail=partner.name,
                         partner=partner, category_code="streetlight", description="路灯不亮",
                         lat=lat, lng=lng, photo_ids=[upload.id])
    assert [(p.upload_id, p.kind) for p in report.photos] == [(upload.id, "report")]
    assert db.session.get(Upload, upload.id).claimed_at is not None


def test_an_open311_filing_refuses_photos_of_another_owner(regions, category, resident):
    partner = PartnerFactory(region=regions.district)
    upload = UploadFactory(resident_id=resident.id)
    with pytest.raises(Invalid) as refused:
        file_report(reporter=None, source="open311", source_detail=partner.name, partner=partner,
                    category_code="streetlight", description="路灯不亮", lat=30.654,
                    lng=104.082, photo_ids=[upload.id])
    assert "photo_ids" in refused.value.errors
    assert db.session.scalar(sa.select(Report)) is None


def test_open311_photos_without_their_partner_are_a_programming_error(regions, category):
    upload = UploadFactory(partner_id=PartnerFactory(region=regions.district).id)
    with pytest.raises(ValueError):
        file_report(reporter=None, source="open311", source_detail="12345", lat=30.654,
                    lng=104.082, category_code="streetlight", description="路灯不亮",
                    photo_ids=[upload.id])


def test_an_open311_filing_may_name_its_region_instead_of_routing(regions, category):
    report = file_report(reporter=None, source="open311", source_detail="和平社区物业",
                         category_code="streetlight", description="3栋路灯不亮",
                         lat=30.654, lng=104.085, region=regions.community)
    assert report.region_id == regions.community.id


def test_only_open311_filings_name_a_partner_or_a_region(regions, category, resident):
    with pytest.raises(ValueError):
        file_report(reporter=resident, source="bot", category_code="streetlight",
                    description="路灯不亮", lat=30.654, lng=104.082, region=regions.community)


def test_an_open311_report_is_shown_as_coming_from_its_partner(client, regions, category,
                                                               resident, auth_headers):
    lat, lng = regions.point_in_grid
    report = file_report(reporter=None, source="open311", source_detail="12345热线平台",
                         category_code="streetlight", description="路灯不亮", lat=lat, lng=lng)
    body = client.get(f"/api/v1/reports/{report.id}", headers=auth_headers(resident)).json
    assert body["reporter_name"] == "12345热线平台转来"


def test_the_public_list_may_include_reports_the_caller_may_see(regions, category):
    from app.reports import public_reports_query

    public = ReportFactory(region=regions.grid, category=category)
    held = ReportFactory(region=regions.grid, category=category, held_for_review=True)
    rejected = ReportFactory(region=regions.grid, category=category, rejected=True)
    ReportFactory(region=regions.grid, category=category, held_for_review=True)
    also = sa.select(Report.id).where(Report.id.in_([held.id, rejected.id]))
    assert {r.id for r in db.session.scalars(public_reports_query())} == {public.id}
    assert {r.id for r in db.session.scalars(public_reports_query(also=also))} == {
        public.id, held.id, rejected.id}
    assert {r.id for r in db.session.scalars(
        public_reports_query(also=also, statuses=["rejected"]))} == {rejected.id}


def test_a_bot_filing_may_come_without_photos(regions, category, resident):
    lat, lng = regions.point_in_grid
    report = file_report(reporter=resident, source="bot", category_code="streetlight",
                         description="路灯不亮", lat=lat, lng=lng)
    assert report.source == "bot" and report.photos == []


def test_a_filing_needing_a_resident_without_one_is_a_programming_error(regions, category):
    with pytest.raises(ValueError):
        file_report(reporter=None, source="miniprogram", category_code="streetlight",
                    description="路灯不亮", lat=30.654, lng=104.082)


def test_a_staff_moderator_of_the_street_is_told_too(client, resident, regions, category,
                                                     auth_headers):
    street_moderator = StaffFactory(region=regions.street, role=StaffRole.MODERATOR)
    street_admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    file(client, auth_headers(resident), report_body(resident, regions))
    told = {n.staff_id for n in notifications(kind="report.filed")}
    assert street_moderator.id in told and street_admin.id not in told


@pytest.mark.postgres
def test_concurrent_filings_get_unique_consecutive_numbers(app, regions, category, clock):
    import threading

    from app.accounts.models import Resident

    resident_ids = [ResidentFactory(community=regions.community).id for _ in range(10)]
    # At most 10 threads: each holds a pooled connection (15 at most) while it waits.
    barrier = threading.Barrier(len(resident_ids), timeout=60)
    numbers, failures = [], []
    lat, lng = regions.point_in_grid

    def run(resident_id):
        with app.app_context():
            resident = db.session.get(Resident, resident_id)
            barrier.wait()
            try:
                report = file_report(reporter=resident, source="bot",
                                     category_code="streetlight", description="路灯不亮",
                                     lat=lat, lng=lng)
                numbers.append(report.number)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in resident_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(numbers) == [f"SSP-20261124-{n:04d}" for n in range(1, 11)]
