"""The 随手拍 staff pages: the queue and its filters, 我的任务, a report's page, every action
(with its audit entry), bulk dispatch, the export, scope (404), roles and CSRF."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.reports.models import PhotoKind, Report, ReportEvent, ReportPhoto
from app.uploads.models import Upload
from tests.factories import (
    CategoryFactory,
    ReportFactory,
    ResidentFactory,
    StaffFactory,
    UploadFactory,
)
from tests.uploads.samples import encoded, photo_like


@pytest.fixture
def category():
    return CategoryFactory(code="streetlight", name="路灯损坏", response_sla_hours=24,
                           completion_sla_hours=72)


@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community, nickname="张阿姨",
                           phone_masked="138****0000")


def report_in(regions, category, **values):
    values.setdefault("region", regions.grid)
    return ReportFactory(category=category, **values)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def stored(report_id: int) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report_id)


def jpeg() -> io.BytesIO:
    return io.BytesIO(encoded(photo_like(640, 480), "JPEG"))


# --- the queue -------------------------------------------------------------------------------

def test_the_queue_shows_only_reports_in_scope(pages, regions, category, moderator):
    mine = report_in(regions, category, description="3栋路灯不亮")
    report_in(regions, category, region=regions.other_grid, description="桂花巷井盖松动")
    pages.sign_in(moderator)
    page = pages.get("/staff/reports").get_data(as_text=True)
    assert mine.number in page and "3栋路灯不亮" in page
    assert "桂花巷井盖松动" not in page and "共 1 条" in page


def test_the_queue_shows_open_reports_unless_asked_for_all(pages, regions, category, moderator):
    open_one = report_in(regions, category)
    done = report_in(regions, category, closed=True)
    pages.sign_in(moderator)
    page = pages.get("/staff/reports").get_data(as_text=True)
    assert open_one.number in page and done.number not in page
    page = pages.get("/staff/reports?status=all").get_data(as_text=True)
    assert open_one.number in page and done.number in page
    page = pages.get("/staff/reports?status=closed").get_data(as_text=True)
    assert open_one.number not in page and done.number in page


def test_the_queue_puts_the_nearest_deadline_first_and_marks_overdue(pages, regions, category,
                                                                     moderator, clock):
    fresh = report_in(regions, category)
    late = report_in(regions, category, created_at=clock.moment - timedelta(days=2))
    pages.sign_in(moderator)
    page = pages.get("/staff/reports").get_data(as_text=True)
    assert page.index(late.number) < page.index(fresh.number)
    assert page.count("已超时") >= 1 and "row-late" in page


@pytest.mark.parametrize("query, expected", [
    ("category=garbage", {"garbage"}),
    ("overdue=yes", {"late"}),
    ("overdue=no", {"fresh", "garbage", "grid2", "assigned"}),
    ("assignee=none", {"fresh", "late", "garbage", "grid2"}),
    ("assignee=me", set()),
    ("number=20261124-0099", {"grid2"}),
])
def test_the_queue_filters(pages, regions, category, moderator, handler, clock, query, expected):
    garbage = CategoryFactory(code="garbage", name="垃圾堆放")
    reports = {
        "fresh": report_in(regions, category),
        "late": report_in(regions, category, created_at=clock.moment - timedelta(days=2)),
        "garbage": report_in(regions, garbage),
        "grid2": report_in(regions, category, region=regions.grid2, number="SSP-20261124-0099"),
        "assigned": report_in(regions, category, dispatched=True, assignee=handler),
    }
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports?{query}").get_data(as_text=True)
    assert {name for name, report in reports.items() if report.number in page} == expected


def test_the_queue_filters_by_grid_within_scope_only(pages, regions, category, moderator):
    first = report_in(regions, category)
    second = report_in(regions, category, region=regions.grid2)
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports?region_id={regions.grid2.id}").get_data(as_text=True)
    assert second.number in page and first.number not in page
    # Another community's grid is not a choice: the filter is ignored, not widened.
    page = pages.get(f"/staff/reports?region_id={regions.other_grid.id}").get_data(as_text=True)
    assert first.number in page and second.number in page


def test_bad_filter_values_are_ignored(pages, regions, category, moderator):
    report = report_in(regions, category)
    pages.sign_in(moderator)
    response = pages.get("/staff/reports?region_id=abc&status=nonsense&assignee=x&sort=zz&page=-1")
    assert response.status_code == 200 and report.number in response.get_data(as_text=True)


def test_the_queue_is_paged_keeping_the_filters(pages, regions, category, moderator):
    for _ in range(21):
        report_in(regions, category)
    pages.sign_in(moderator)
    page = pages.get("/staff/reports?overdue=no").get_data(as_text=True)
    assert "共 21 条，第 1 / 2 页" in page
    assert 'href="/staff/reports?overdue=no&amp;page=2"' in page


# --- 我的任务 --------------------------------------------------------------------------------

def test_my_tasks_list_what_is_assigned_to_me_soonest_due_first(pages, regions, category,
                                                                handler, clock):
    later = report_in(regions, category, dispatched=True, assignee=handler)
    sooner = report_in(regions, category, in_progress=True, assignee=handler,
                       created_at=clock.moment - timedelta(hours=70))
    someone_elses = report_in(regions, category, dispatched=True,
                              assignee=StaffFactory(region=regions.grid, role=StaffRole.HANDLER))
    done = report_in(regions, category, resolved=True, assignee=handler)
    pages.sign_in(handler)
    page = pages.get("/staff/tasks").get_data(as_text=True)
    assert page.index(sooner.number) < page.index(later.number)
    assert someone_elses.number not in page and done.number not in page
    assert "尚未办结的报事 2 件" in page
    # Each task leads straight to its next step.
    assert f'/staff/reports/{later.id}#act-contact">联系居民' in page
    assert f'/staff/reports/{sooner.id}#act-resolve">办结反馈' in page


def test_a_handlers_menu_puts_my_tasks_first_with_their_count(pages, regions, category,
                                                              handler):
    report_in(regions, category, dispatched=True, assignee=handler)
    pages.sign_in(handler)
    page = pages.get("/staff/").get_data(as_text=True)
    assert '我的任务<span class="badge">1<span class="visually-hidden">件待办</span>' in page
    assert page.index("我的任务") < page.index(">报事<")
    assert "查看我的任务" in page


# --- a report's page -------------------------------------------------------------------------

def test_a_report_outside_scope_is_404(pages, regions, category, moderator):
    elsewhere = report_in(regions, category, region=regions.other_grid)
    pages.sign_in(moderator)
    assert pages.get(f"/staff/reports/{elsewhere.id}").status_code == 404
    assert pages.post(f"/staff/reports/{elsewhere.id}/accept").status_code == 404
    assert stored(elsewhere.id).status == "submitted"


def test_a_report_page_shows_the_problem_place_photos_and_timeline(pages, regions, category,
                                                                   resident, moderator):
    report = report_in(regions, category, reporter=resident, description="3栋门口路灯不亮",
                       address="和平社区3栋门口", lat=30.6541, lng=104.0823)
    upload = UploadFactory(resident_id=resident.id)
    report.photos.append(ReportPhoto(upload=upload, kind=PhotoKind.REPORT, position=0))
    db.session.add(ReportEvent(report=report, action="note", actor_kind="staff", note="内部备注",
                               public=False, created_at=report.created_at))
    db.session.commit()
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "3栋门口路灯不亮" in page and "和平社区3栋门口" in page
    assert "北纬 30.654100" in page and "东经 104.082300" in page
    assert "uri.amap.com/marker?position=104.082300,30.654100" in page
    # The thumbnail links to the full photo, served from this site (the CSP allows no other).
    sha = upload.sha256
    assert f'src="/media/{sha[:2]}/{sha[2:4]}/{sha}-thumbnail.jpg"' in page
    assert f'href="/media/{sha[:2]}/{sha[2:4]}/{sha}-web.jpg"' in page
    assert "张阿姨" in page and "138****0000" in page
    assert "内部备注" in page and "仅内部可见" in page


def test_a_report_page_offers_only_what_the_lifecycle_allows_now(pages, regions, category,
                                                                 moderator):
    submitted = report_in(regions, category)
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports/{submitted.id}").get_data(as_text=True)
    for present in ('id="act-accept"', 'id="act-reject"', 'id="act-merge"', 'id="act-note"'):
        assert present in page
    for absent in ('id="act-dispatch"', 'id="act-contact"', 'id="act-start"',
                   'id="act-resolve"'):
        assert absent not in page


def test_the_next_step_comes_first_on_a_handlers_report(pages, regions, category, handler):
    dispatched = report_in(regions, category, dispatched=True, assignee=handler)
    in_progress = report_in(regions, category, in_progress=True, assignee=handler)
    pages.sign_in(handler)
    page = pages.get(f"/staff/reports/{dispatched.id}").get_data(as_text=True)
    assert page.index('id="act-contact"') < page.index('id="act-start"') \
        < page.index('id="act-dispatch"')
    page = pages.get(f"/staff/reports/{in_progress.id}").get_data(as_text=True)
    assert page.index('id="act-resolve"') < page.index('id="act-dispatch"') \
        < page.index('id="act-contact"') < page.index('id="act-note"')


def test_a_handler_sees_no_buttons_on_a_colleagues_report(pages, regions, category, handler):
    colleague = StaffFactory(region=regions.grid, role=StaffRole.HANDLER, display_name="李强")
    report = report_in(regions, category, dispatched=True, assignee=colleague)
    pages.sign_in(handler)
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert 'id="act-contact"' not in page and 'id="act-start"' not in page
    assert "该报事已派给李强处理" in page


# --- the actions -----------------------------------------------------------------------------

def test_accepting_a_report_is_stamped_notified_and_audited(pages, regions, category, resident,
                                                            moderator):
    report = report_in(regions, category, reporter=resident)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/reports/{report.id}/accept", {"accept-note": "马上安排"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/reports/{report.id}"
    assert stored(report.id).status == "accepted"
    [entry] = audit_entries("report.accept")
    assert (entry.staff_id, entry.object_id) == (moderator.id, report.id)
    page = pages.get(response.headers["Location"]).get_data(as_text=True)
    assert "已受理" in page and "马上安排" in page


def test_an_action_without_the_csrf_token_is_refused(pages, regions, category, moderator):
    report = report_in(regions, category)
    pages.sign_in(moderator)
    response = pages.client.post(f"/staff/reports/{report.id}/accept", data={})
    assert response.status_code == 400
    assert stored(report.id).status == "submitted"
    assert audit_entries("report.accept") == []


def test_an_action_the_state_does_not_allow_is_a_409_on_the_page(pages, regions, category,
                                                                 moderator):
    report = report_in(regions, category, closed=True)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/reports/{report.id}/accept")
    assert response.status_code == 409
    assert "该报事当前为“已办结”，不能受理" in response.get_data(as_text=True)
    assert stored(report.id).status == "closed"


def test_rejecting_needs_a_reason(pages, regions, category, moderator):
    report = report_in(regions, category)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/reports/{report.id}/reject", {"reject-reason": ""})
    assert response.status_code == 422
    assert "不予受理的原因：此项必填" in response.get_data(as_text=True)
    assert stored(report.id).status == "submitted"
    response = pages.post(f"/staff/reports/{report.id}/reject",
                          {"reject-reason": "属于物业管理范围，请联系物业"})
    assert response.status_code == 302
    assert stored(report.id).status == "rejected"
    [entry] = audit_entries("report.reject")
    assert entry.detail["reason"] == "属于物业管理范围，请联系物业"


def test_merging_offers_nearby_reports_and_finds_others_by_number(pages, regions, category,
                                                                  moderator):
    report = report_in(regions, category)
    nearby = report_in(regions, category, description="同一盏路灯")
    far = report_in(regions, category, region=regions.grid2, lat=30.66, number="SSP-20261120-4321")
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert nearby.number in page and far.number not in page
    page = pages.get(f"/staff/reports/{report.id}?merge_q=20261120-4321").get_data(as_text=True)
    assert far.number in page and nearby.number not in page


def test_merging_makes_the_report_a_duplicate(pages, regions, category, moderator):
    report = report_in(regions, category)
    original = report_in(regions, category)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/reports/{report.id}/merge",
                          {"merge-duplicate_of_id": str(original.id)})
    assert response.status_code == 302
    merged = stored(report.id)
    assert (merged.status, merged.duplicate_of_id) == ("duplicate", original.id)
    assert audit_entries("report.merge")[0].detail["duplicate_of"] == original.id


def test_merging_into_nothing_is_refused(pages, regions, category, moderator):
    report = report_in(regions, category)
    outside = report_in(regions, category, region=regions.other_grid)
    pages.sign_in(moderator)
    assert pages.post(f"/staff/reports/{report.id}/merge", {}).status_code == 422
    response = pages.post(f"/staff/reports/{report.id}/merge",
                          {"merge-duplicate_of_id": str(outside.id)})
    assert response.status_code == 422
    assert "请选择辖区内的另一条报事" in response.get_data(as_text=True)
    assert stored(report.id).status == "submitted"


def test_dispatch_offers_only_staff_covering_the_report(pages, regions, category, moderator,
                                                       handler):
    report = report_in(regions, category, accepted=True)
    StaffFactory(region=regions.grid2, role=StaffRole.HANDLER, display_name="第二网格员")
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert f'<option value="{handler.id}">张伟（网格员·和平社区第一网格）</option>' in page
    assert "第二网格员" not in page


def test_dispatching_assigns_notifies_and_audits(pages, regions, category, moderator, handler):
    report = report_in(regions, category, accepted=True)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/reports/{report.id}/dispatch",
                          {"dispatch-handler_id": str(handler.id), "dispatch-note": "请今天去"})
    assert response.status_code == 302
    dispatched = stored(report.id)
    assert (dispatched.status, dispatched.assignee_id) == ("dispatched", handler.id)
    assert audit_entries("report.dispatch")[0].detail["handler_id"] == handler.id


def test_dispatching_to_someone_not_covering_the_report_is_shown_on_the_field(
        pages, regions, category, moderator):
    report = report_in(regions, category, accepted=True)
    other = StaffFactory(region=regions.grid2, role=StaffRole.HANDLER)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/reports/{report.id}/dispatch",
                          {"dispatch-handler_id": str(other.id)})
    assert response.status_code == 422
    assert "该工作人员不负责这个区域" in response.get_data(as_text=True)
    assert stored(report.id).assignee_id is None


def test_the_assigned_handler_contacts_starts_and_resolves_with_photos(pages, regions, category,
                                                                       handler, media_root):
    report = report_in(regions, category, dispatched=True, assignee=handler)
    pages.sign_in(handler)
    assert pages.post(f"/staff/reports/{report.id}/contact",
                      {"contact-note": "已电话联系"}).status_code == 302
    assert stored(report.id).first_contact_at is not None
    assert pages.post(f"/staff/reports/{report.id}/start").status_code == 302
    assert stored(report.id).status == "in_progress"
    response = pages.post(f"/staff/reports/{report.id}/resolve",
                          {"resolve-note": "已更换灯泡",
                           "resolve-photos": [(jpeg(), "after.jpg"), (jpeg(), "after2.jpg")]})
    assert response.status_code == 302, response.get_data(as_text=True)
    resolved = stored(report.id)
    assert resolved.status == "resolved"
    results = [photo for photo in resolved.photos if photo.kind == PhotoKind.RESULT]
    assert len(results) == 1  # the same photo twice is stored once
    assert results[0].upload.staff_id == handler.id
    assert [e.action for e in audit_entries("report.contact") + audit_entries("report.start")
            + audit_entries("report.resolve")] == ["report.contact", "report.start",
                                                   "report.resolve"]
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "处理结果照片" in page and "已更换灯泡" in page


def test_a_photo_that_is_not_an_image_is_named_and_nothing_is_resolved(pages, regions,
                                                                        category, handler):
    report = report_in(regions, category, in_progress=True, assignee=handler)
    pages.sign_in(handler)
    response = pages.post(f"/staff/reports/{report.id}/resolve",
                          {"resolve-note": "已处理",
                           "resolve-photos": [(io.BytesIO(b"not a photo"), "notes.txt")]})
    assert response.status_code == 422
    assert "第 1 张照片（notes.txt）" in response.get_data(as_text=True)
    assert stored(report.id).status == "in_progress"
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0


def test_resolving_needs_a_result(pages, regions, category, handler):
    report = report_in(regions, category, in_progress=True, assignee=handler)
    pages.sign_in(handler)
    response = pages.post(f"/staff/reports/{report.id}/resolve", {"resolve-note": ""})
    assert response.status_code == 422
    assert "处理结果：此项必填" in response.get_data(as_text=True)


def test_resolving_too_early_stores_no_photo(pages, regions, category, handler):
    report = report_in(regions, category, dispatched=True, assignee=handler)
    pages.sign_in(handler)
    response = pages.post(f"/staff/reports/{report.id}/resolve",
                          {"resolve-note": "已处理", "resolve-photos": [(jpeg(), "a.jpg")]})
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0


def test_a_handler_cannot_act_on_a_colleagues_report(pages, regions, category, handler):
    colleague = StaffFactory(region=regions.grid, role=StaffRole.HANDLER)
    report = report_in(regions, category, in_progress=True, assignee=colleague)
    pages.sign_in(handler)
    response = pages.post(f"/staff/reports/{report.id}/resolve",
                          {"resolve-note": "已处理", "resolve-photos": [(jpeg(), "a.jpg")]})
    assert response.status_code == 403
    assert stored(report.id).status == "in_progress"
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0


def test_notes_are_internal_unless_made_public(pages, regions, category, moderator):
    report = report_in(regions, category)
    pages.sign_in(moderator)
    pages.post(f"/staff/reports/{report.id}/note", {"note-text": "居民情绪激动，注意沟通"})
    pages.post(f"/staff/reports/{report.id}/note",
               {"note-text": "已联系供电所", "note-public": "y"})
    events = db.session.scalars(sa.select(ReportEvent).where(
        ReportEvent.report_id == report.id, ReportEvent.action == "note")
        .order_by(ReportEvent.id)).all()
    assert [(event.note, event.public) for event in events] == [
        ("居民情绪激动，注意沟通", False), ("已联系供电所", True)]
    assert [entry.detail["public"] for entry in audit_entries("report.note")] == [False, True]


def test_a_moderator_releases_a_held_report_with_an_edited_description(pages, regions,
                                                                       category, moderator):
    report = report_in(regions, category, held_for_review=True, description="某某人乱扔垃圾")
    pages.sign_in(moderator)
    page = pages.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert 'id="act-release"' in page and "内容待审核" in page
    response = pages.post(f"/staff/reports/{report.id}/release",
                          {"release-description": "有人乱扔垃圾"})
    assert response.status_code == 302
    released = stored(report.id)
    assert (released.held_for_review, released.description) == (False, "有人乱扔垃圾")
    assert audit_entries("report.release")[0].detail["before"] == "某某人乱扔垃圾"


def test_handlers_cannot_release_held_reports(pages, regions, category, handler):
    report = report_in(regions, category, held_for_review=True)
    pages.sign_in(handler)
    assert 'id="act-release"' not in pages.get(f"/staff/reports/{report.id}").get_data(
        as_text=True)
    response = pages.post(f"/staff/reports/{report.id}/release",
                          {"release-description": "x"})
    assert response.status_code == 403


# --- bulk dispatch ---------------------------------------------------------------------------

def test_bulk_dispatch_reports_each_outcome(pages, regions, category, moderator, handler):
    ready = report_in(regions, category, accepted=True)
    too_early = report_in(regions, category)
    pages.sign_in(moderator)
    response = pages.post("/staff/reports/dispatch", {
        "report_ids": [str(ready.id), str(too_early.id)], "handler_id": str(handler.id),
        "next": "/staff/reports?overdue=no"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已派单 1 条，1 条未能派单" in page
    assert "该报事当前为“待受理”，不能派单" in page
    assert 'href="/staff/reports?overdue=no"' in page
    assert stored(ready.id).assignee_id == handler.id
    assert stored(too_early.id).assignee_id is None
    assert len(audit_entries("report.dispatch")) == 1


def test_bulk_dispatch_without_a_handler_goes_back_with_a_message(pages, regions, category,
                                                                  moderator):
    report = report_in(regions, category, accepted=True)
    pages.sign_in(moderator)
    response = pages.post("/staff/reports/dispatch", {"report_ids": [str(report.id)],
                                                      "handler_id": "0"})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/reports"
    assert "请选择派给谁" in pages.get("/staff/reports").get_data(as_text=True)


def test_bulk_dispatch_with_nothing_ticked_says_so(pages, regions, handler, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/reports/dispatch", {"handler_id": str(handler.id)},
                          follow=True)
    assert "请先勾选要派单的报事" in response.get_data(as_text=True)


def test_bulk_dispatch_goes_back_only_to_staff_pages(pages, regions, category, moderator,
                                                     handler):
    pages.sign_in(moderator)
    response = pages.post("/staff/reports/dispatch", {"handler_id": "0",
                                                      "next": "https://evil.example/"})
    assert response.headers["Location"] == "/staff/reports"


# --- export ----------------------------------------------------------------------------------

def test_the_queue_exports_to_csv_with_its_filters_and_without_phones(pages, regions, category,
                                                                      resident, moderator):
    report_in(regions, category, reporter=resident, address="=1+2")
    report_in(regions, category, closed=True)
    pages.sign_in(moderator)
    response = pages.get("/staff/reports/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "类别", "状态", "区域"]
    assert len(rows) == 2  # the open one only, as on the page
    assert rows[1][5] == "张阿姨" and rows[1][4] == "'=1+2"
    assert "138****0000" not in response.get_data(as_text=True)
    assert audit_entries("report.export")[0].detail == {"rows": 1, "format": "csv"}


def test_the_queue_exports_to_excel(pages, regions, category, moderator):
    report = report_in(regions, category)
    pages.sign_in(moderator)
    response = pages.get("/staff/reports/export.xlsx?status=all")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()))["报事清单"]
    assert sheet["A2"].value == report.number


def test_an_unknown_export_format_is_404(pages, moderator):
    pages.sign_in(moderator)
    assert pages.get("/staff/reports/export.pdf").status_code == 404
