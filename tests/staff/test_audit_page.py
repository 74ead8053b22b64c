"""The audit page: entries of the admin's subtree, filters, pages, CSV and Excel export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import sqlalchemy as sa

from app import audit
from app.audit.models import AuditEntry
from app.extensions import db


def entry(staff, action, region, *, at=None, clock=None, **detail):
    if at is not None:
        clock.set(at)
    audit.record(staff, action, object_type="staff", object_id=staff.id, region_id=region.id,
                 **detail)
    db.session.commit()


def test_admins_see_the_entries_of_their_subtree_only(pages, regions, admin, handler,
                                                      other_admin):
    entry(handler, "staff.login", regions.grid, via="web")
    entry(other_admin, "staff.unlock", regions.other_community)
    pages.sign_in(admin)
    page = pages.get("/staff/admin/audit").get_data(as_text=True)
    assert "张伟" in page and "方式：网页" in page
    assert "解除锁定" not in page and "孙丽" not in page


def test_non_admins_cannot_read_the_audit_log(pages, moderator):
    pages.sign_in(moderator)
    assert pages.get("/staff/admin/audit").status_code == 403


def test_entries_are_filtered_by_staff_member(pages, regions, admin, handler, moderator):
    entry(handler, "staff.login", regions.grid)
    entry(moderator, "staff.logout", regions.community)
    pages.sign_in(admin)
    page = pages.get(f"/staff/admin/audit?staff_id={handler.id}").get_data(as_text=True)
    assert "退出登录" not in page.split("<table")[1]
    assert "张伟" in page.split("<table")[1]


def test_entries_are_filtered_by_action(pages, regions, admin, handler):
    entry(handler, "staff.unlock", regions.grid)
    entry(handler, "staff.logout", regions.grid)
    pages.sign_in(admin)
    table = pages.get("/staff/admin/audit?action=staff.unlock").get_data(as_text=True)
    table = table.split("<table")[1]
    assert "解除锁定" in table and "退出登录" not in table


def test_entries_are_filtered_by_china_dates(pages, regions, admin, handler, clock):
    # 23:30 on 11-20 in Shanghai is 15:30 UTC; 00:30 on 11-21 is 16:30 UTC the day before.
    entry(handler, "staff.unlock", regions.grid, at=datetime(2026, 11, 20, 15, 30, tzinfo=UTC),
          clock=clock)
    entry(handler, "staff.logout", regions.grid, at=datetime(2026, 11, 20, 16, 30, tzinfo=UTC),
          clock=clock)
    clock.set(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    pages.sign_in(admin)
    table = pages.get("/staff/admin/audit?date_from=2026-11-21&date_to=2026-11-21").get_data(
        as_text=True).split("<table")[1]
    assert "退出登录" in table and "解除锁定" not in table
    table = pages.get("/staff/admin/audit?date_to=2026-11-20").get_data(
        as_text=True).split("<table")[1]
    assert "解除锁定" in table and "退出登录" not in table


def test_the_audit_log_is_paged_newest_first(pages, regions, admin, handler, clock):
    for minute in range(35):
        entry(handler, "staff.unlock", regions.grid,
              at=datetime(2026, 11, 23, 2, minute, tzinfo=UTC), clock=clock)
    pages.sign_in(admin)
    first = pages.get("/staff/admin/audit?action=staff.unlock").get_data(as_text=True)
    assert "共 35 条，第 1 / 2 页" in first
    assert "2026-11-23 10:34:00" in first and "2026-11-23 10:04:00" not in first
    second = pages.get("/staff/admin/audit?action=staff.unlock&page=2").get_data(as_text=True)
    assert second.split("<tbody>")[1].count("<tr>") == 5


def test_the_audit_log_exports_to_csv_that_excel_reads(pages, regions, admin, handler):
    entry(handler, "resident.verification", regions.community, note="=HYPERLINK(\"x\")")
    pages.sign_in(admin)
    response = pages.get("/staff/admin/audit/export.csv?action=resident.verification")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "工作人员", "用户名", "操作", "对象", "对象编号", "详情", "来源地址"]
    assert rows[1][1:6] == ["张伟", "zhangwei", "住户身份认定", "工作人员", str(handler.id)]
    assert len(rows) == 2
    # Resident-controlled text never becomes a formula in the spreadsheet.
    assert not rows[1][6].startswith("=")


def test_the_audit_log_exports_to_excel(pages, regions, admin, handler):
    entry(handler, "staff.unlock", regions.grid)
    pages.sign_in(admin)
    response = pages.get("/staff/admin/audit/export.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["操作日志"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["时间", "工作人员", "用户名", "操作"]
    actions = [row[3] for row in values[1:]]
    assert "解除锁定" in actions and "登录" in actions


def test_exporting_is_itself_audited(pages, regions, admin):
    pages.sign_in(admin)
    pages.get("/staff/admin/audit/export.csv")
    exported = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "audit.export"))
    assert exported.staff_id == admin.id and exported.detail["format"] == "csv"


def test_an_unknown_export_format_is_404(pages, admin):
    pages.sign_in(admin)
    assert pages.get("/staff/admin/audit/export.pdf").status_code == 404
