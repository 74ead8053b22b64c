"""The dashboard: the rates of one's region over a chosen period, by category and by the regions
below, the weekly trend charts, mailbox reply times, notification counts, and the exports."""

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
from tests.factories import (
    CategoryFactory,
    LetterFactory,
    MailboxFactory,
    NotificationFactory,
    ReportFactory,
    ResidentFactory,
    StaffFactory,
)


@pytest.fixture
def category():
    return CategoryFactory(code="streetlight", name="路灯损坏")


@pytest.fixture
def figures(regions, category, clock):
    """Filed three days ago (the clock: Tuesday 2026-11-24): A contacted in time and rated
    solved 5, B contacted late, C in the other grid never contacted (overdue); D filed long
    ago and overdue now; E in another community."""
    three_days = clock.moment - timedelta(days=3)
    ReportFactory(region=regions.grid, category=category, created_at=three_days, closed=True,
                  rated_at=three_days + timedelta(hours=7), solved=True, satisfaction=5)
    ReportFactory(region=regions.grid, category=category, created_at=three_days,
                  dispatched=True, first_contact_at=three_days + timedelta(hours=30))
    ReportFactory(region=regions.grid2, category=CategoryFactory(code="garbage", name="垃圾堆放"),
                  created_at=three_days)
    ReportFactory(region=regions.grid, category=category, accepted=True,
                  created_at=clock.moment - timedelta(days=90))
    ReportFactory(region=regions.other_grid, category=category, created_at=three_days)


def page_text(pages, url="/staff/dashboard") -> str:
    response = pages.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def test_the_dashboard_shows_the_rates_of_ones_region(pages, figures, moderator):
    pages.sign_in(moderator)
    page = page_text(pages)
    assert "统计 · 和平社区" in page
    assert "提交的报事 <strong>3</strong> 条" in page
    assert "当前在办 3 条，其中超时 2 条" in page  # C (never contacted) and D
    # 响应率 1 of 2; 解决率 and 满意率 1 of 1.
    assert '<span class="figure-label">响应率</span><span class="figure-value">50%</span>' in page
    assert '<span class="figure-label">满意率</span><span class="figure-value">100%</span>' in page


def test_the_dashboard_breaks_figures_down_by_category_and_grid(pages, figures, moderator):
    pages.sign_in(moderator)
    page = page_text(pages)
    assert "按类别" in page and "垃圾堆放" in page and "按网格" in page
    assert "和平社区第一网格" in page and "和平社区第二网格" in page
    assert page.count('class="chart-svg"') == 4


def test_periods_change_the_cohort(pages, figures, moderator, clock):
    pages.sign_in(moderator)
    today = (clock.moment + timedelta(hours=8)).date()
    old = today - timedelta(days=90)
    page = page_text(pages, f"/staff/dashboard?period=custom&date_from={old}&date_to={old}")
    assert "提交的报事 <strong>1</strong> 条" in page
    page = page_text(pages, "/staff/dashboard?period=this_month")
    assert "2026-11-01 至 2026-11-24 提交的报事 <strong>3</strong> 条" in page
    page = page_text(pages, "/staff/dashboard?period=this_week")
    assert "2026-11-23 至 2026-11-24 提交的报事 <strong>0</strong> 条" in page


def test_a_custom_period_needs_valid_dates(pages, figures, moderator):
    pages.sign_in(moderator)
    page = page_text(pages, "/staff/dashboard?period=custom&date_from=2026-11-20")
    assert "请填写起止日期" in page
    page = page_text(pages, "/staff/dashboard?period=custom&date_from=2026-11-20"
                            "&date_to=2026-11-01")
    assert "截止日期不能早于起始日期" in page
    page = page_text(pages, "/staff/dashboard?period=custom&date_from=2024-01-01"
                            "&date_to=2026-11-01")
    assert "统计区间最长一年" in page


def test_an_admin_may_choose_a_region_below(pages, regions, figures):
    admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    pages.sign_in(admin)
    page = page_text(pages)
    assert "按社区" in page and "桂花巷社区" in page
    page = page_text(pages, f"/staff/dashboard?region_id={regions.grid2.id}")
    assert "统计 · 和平社区第二网格" in page and "提交的报事 <strong>1</strong> 条" in page


def test_a_region_outside_scope_is_not_shown(pages, regions, figures, admin):
    pages.sign_in(admin)
    page = page_text(pages, f"/staff/dashboard?region_id={regions.other_community.id}")
    assert "统计 · 和平社区" in page


def test_a_moderator_sees_only_their_own_region(pages, regions, figures, moderator):
    pages.sign_in(moderator)
    page = page_text(pages, f"/staff/dashboard?region_id={regions.grid2.id}")
    assert "统计 · 和平社区<" in page and 'name="region_id"' not in page


def test_handlers_have_no_dashboard(pages, handler):
    pages.sign_in(handler)
    assert pages.get("/staff/dashboard").status_code == 403
    assert pages.get("/staff/dashboard/figures.csv").status_code == 403


def test_the_dashboard_shows_mailbox_reply_times(pages, regions, moderator, clock):
    box = MailboxFactory(community=regions.community, name="主任信箱")
    resident = ResidentFactory(community=regions.community)
    LetterFactory(mailbox=box, resident=resident, replied=True,
                  created_at=clock.moment - timedelta(days=2))
    LetterFactory(mailbox=box, resident=resident, created_at=clock.moment - timedelta(days=5))
    MailboxFactory(community=regions.other_community, name="别处信箱")
    pages.sign_in(moderator)
    page = page_text(pages)
    assert "和平社区 · 主任信箱" in page and "别处信箱" not in page
    assert "50%" in page and "（1/2）" in page


def test_the_dashboard_counts_notifications_by_status(pages, regions, moderator):
    resident = ResidentFactory(community=regions.community)
    NotificationFactory(resident_id=resident.id, status="failed")
    NotificationFactory(resident_id=resident.id, status="sent")
    NotificationFactory(resident_id=ResidentFactory(community=regions.other_community).id,
                        status="failed")
    pages.sign_in(moderator)
    page = page_text(pages)
    assert '发送失败</th><td data-label="条数"><strong class="late-text">1</strong>' in page


def test_the_figures_export_to_csv_and_the_export_is_audited(pages, figures, moderator):
    pages.sign_in(moderator)
    response = pages.get("/staff/dashboard/figures.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][2:5] == ["提交", "派单", "响应率（%）"]
    assert rows[1][:5] == ["合计", "和平社区", "3", "2", "50.0"]
    assert ["类别", "垃圾堆放"] in [row[:2] for row in rows]
    assert ["区域", "和平社区第二网格"] in [row[:2] for row in rows]
    assert sum(1 for row in rows if row[0] == "周") == 8
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "report.export_figures"))
    assert entry.detail == {"rows": len(rows) - 1, "format": "csv"}


def test_the_reports_of_the_period_export_to_excel(pages, figures, moderator):
    pages.sign_in(moderator)
    response = pages.get("/staff/dashboard/reports.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()))["报事清单"]
    assert sheet.max_row == 4  # the header and this period's three reports of 和平社区
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "report.export")) == "report.export"


def test_an_unknown_figures_format_is_404(pages, moderator):
    pages.sign_in(moderator)
    assert pages.get("/staff/dashboard/figures.pdf").status_code == 404
    assert pages.get("/staff/dashboard/reports.doc").status_code == 404
