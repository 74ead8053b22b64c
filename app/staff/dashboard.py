"""The dashboard (moderators and admins): the three rates and their companions for the staff
member's region (admins may pick a region below) over a chosen period, by category and by the
regions below, a weekly trend, the mailboxes' reply times, notification delivery counts, and
downloads of the figures and of the reports behind them.

Every figure comes from app.reports.rates, app.mailbox.mailbox_metrics and
app.notifications.status_counts; this module only chooses the period and the region and lays
the figures out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import g, render_template, request
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app import clock, mailbox, notifications, reports
from app.accounts.models import StaffRole
from app.database import writes_on_read
from app.errors import NotFound
from app.extensions import db
from app.notifications.models import NotificationStatus
from app.regions.models import Region, RegionLevel
from app.reports.rates import ReportRates
from app.staff import charts, exports
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices
from app.staff.forms import FilterForm
from app.staff.reports import export_download

DASHBOARD_ROLES = (StaffRole.ADMIN, StaffRole.MODERATOR)
PERIODS = [("last_4_weeks", "近四周"), ("this_week", "本周"), ("this_month", "本月"),
           ("custom", "自定义日期")]
MAX_DAYS = 366
TREND_WEEKS = 8
NOTIFICATION_LABELS = {
    NotificationStatus.PENDING: "待发送", NotificationStatus.SENDING: "发送中",
    NotificationStatus.SENT: "已发送", NotificationStatus.FAILED: "发送失败",
    NotificationStatus.SKIPPED: "未发送（站内通知或居民无可用渠道）",
}
# The rates shown everywhere, in this order: (field of ReportRates, label).
RATE_COLUMNS = [("response_rate", "响应率"), ("resolution_rate", "解决率"),
                ("satisfaction_rate", "满意率"), ("on_time_completion_rate", "按期办结率"),
                ("rating_coverage", "评价覆盖率"), ("reopen_rate", "重办率")]


class DashboardForm(FilterForm):
    period = SelectField("时段", choices=choices(*PERIODS), default="last_4_weeks",
                         validators=[Optional()])
    date_from = DateField("从（含）", validators=[Optional()],
                          description="选“自定义日期”时填写")
    date_to = DateField("到（含）", validators=[Optional()])
    region_id = SelectField("区域", coerce=int, validators=[Optional()], validate_choice=False)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=clock.LOCAL_ZONE)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=clock.LOCAL_ZONE)

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"


def _period(form: DashboardForm, values: dict) -> Period:
    today = clock.local_today()
    choice = values["period"] or "last_4_weeks"
    if choice == "this_week":
        return Period(today - timedelta(days=today.weekday()), today)
    if choice == "this_month":
        return Period(today.replace(day=1), today)
    if choice == "custom":
        first, last = values["date_from"], values["date_to"]
        if first is None or last is None:
            form.date_from.errors = [*form.date_from.errors, "请填写起止日期"]
        elif first > last:
            form.date_to.errors = [*form.date_to.errors, "截止日期不能早于起始日期"]
        elif (last - first).days >= MAX_DAYS:
            form.date_to.errors = [*form.date_to.errors, "统计区间最长一年"]
        else:
            return Period(first, last)
    return Period(today - timedelta(days=27), today)


def _choose() -> tuple[DashboardForm, Period, Region]:
    """The form from the query string, the period and the region it asks for (an admin may
    pick a region in their scope; everyone else sees their own region)."""
    staff = g.staff
    form = DashboardForm(request.args)
    regions = region_choices(staff, {RegionLevel.DISTRICT, RegionLevel.STREET,
                                     RegionLevel.COMMUNITY, RegionLevel.GRID})
    form.region_id.choices = regions
    values = form.valid_data()
    region = staff.region
    if staff.role == StaffRole.ADMIN:
        wanted = values["region_id"]
        if wanted and wanted in {choice.value for choice in regions}:
            region = db.session.get(Region, wanted)
    else:
        del form.region_id
    return form, _period(form, values), region


def percent(value: float | None) -> float | None:
    """A share as a percentage with one decimal (None stays None)."""
    return None if value is None else round(value * 100, 1)


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _week_label(day: date) -> str:
    return f"{day.month}/{day.day}"


def _figures_row(rates: ReportRates) -> list:
    return [rates.filed, rates.dispatched,
            *[percent(getattr(rates, name)) for name, _ in RATE_COLUMNS],
            _hours(rates.median_response_hours), _hours(rates.median_resolution_hours)]


FIGURE_HEADERS = ["提交", "派单", *[f"{label}（%）" for _, label in RATE_COLUMNS],
                  "中位响应用时（小时）", "中位办结用时（小时）"]


def _level_below(region: Region) -> str:
    levels = {child.level for child in region.children if child.level != RegionLevel.COURTYARD}
    return next(iter(levels)).label if len(levels) == 1 else "下级区域"


def _key_name(key, region: Region) -> str:
    if isinstance(key, Region) and key.id == region.id:
        return f"{region.name}（直属，未划入{_level_below(region)}）"
    return key.name


@bp.get("/dashboard")
@login_required(*DASHBOARD_ROLES)
def dashboard():
    staff = g.staff
    form, period, region = _choose()
    now = clock.now()
    figures = reports.breakdown(region, start=period.start, end=period.end, now=now)
    totals, current = figures.totals, figures.open
    by_category, by_region = figures.by_category, figures.by_region
    weeks = reports.weekly_trend(region, weeks=TREND_WEEKS, until=period.last, now=now)
    week_labels = [_week_label(week.week_start) for week in weeks]
    counts_chart = charts.line_chart(
        title="每周提交与办结的报事", unit="条", chart_id="chart-weekly-counts",
        labels=week_labels,
        series=[charts.Series("提交", [w.filed for w in weeks]),
                charts.Series("办结", [w.resolved for w in weeks])])
    rates_chart = charts.line_chart(
        title="每周三率（按提交周）", unit="%", y_max=100, chart_id="chart-weekly-rates",
        labels=week_labels,
        series=[charts.Series(label, [percent(getattr(w.rates, name)) for w in weeks])
                for name, label in RATE_COLUMNS[:3]])
    category_chart = charts.bar_chart(
        title="各类别报事数", unit="条", chart_id="chart-by-category",
        rows=[(row.key.name, row.rates.filed) for row in by_category])
    category_rate_chart = charts.bar_chart(
        title="各类别响应率", unit="%", max_value=100, chart_id="chart-category-response",
        rows=[(row.key.name, percent(row.rates.response_rate)) for row in by_category
              if row.rates.response_rate is not None])
    metrics = mailbox.mailbox_metrics(staff, start=period.first, end=period.last)
    mailboxes = [row for row in metrics["mailboxes"] if region.contains(row["community"])]
    delivery = notifications.status_counts(staff)
    export_args = {k: v for k, v in request.args.items()}
    return render_template(
        "staff/dashboard.html", form=form, period=period, region=region, totals=totals,
        current=current, by_category=by_category, by_region=by_region, weeks=weeks,
        week_labels=week_labels, counts_chart=counts_chart, rates_chart=rates_chart,
        category_chart=category_chart, mailboxes=mailboxes, delivery=delivery,
        delivery_labels={status.value: label for status, label in NOTIFICATION_LABELS.items()},
        weeks_counts=[[label, w.filed, w.resolved] for label, w in zip(week_labels, weeks,
                                                                      strict=True)],
        weeks_rates=[[label, *[charts.format_value(percent(getattr(w.rates, name)), "%")
                               for name, _ in RATE_COLUMNS[:3]]]
                     for label, w in zip(week_labels, weeks, strict=True)],
        category_rows=[[row.key.name, row.rates.filed] for row in by_category],
        category_rate_chart=category_rate_chart,
        category_rate_rows=[[row.key.name, charts.format_value(percent(row.rates.response_rate),
                                                               "%")] for row in by_category],
        rate_columns=RATE_COLUMNS, percent=percent, hours=_hours,
        charts_value=charts.format_value,
        key_name=lambda key: _key_name(key, region), level_below=_level_below(region),
        export_args=export_args)


@bp.get("/dashboard/figures.<fmt>")
@login_required(*DASHBOARD_ROLES)
@writes_on_read  # the download is audit-logged
def dashboard_figures_export(fmt: str):
    """The dashboard's figures as one table: the total, each category, each region below,
    each week."""
    if fmt not in exports.FORMATS:
        raise NotFound()
    _form, period, region = _choose()
    now = clock.now()
    figures = reports.breakdown(region, start=period.start, end=period.end, now=now)
    rows = [["合计", region.name, *_figures_row(figures.totals)]]
    for row in figures.by_category:
        rows.append(["类别", row.key.name, *_figures_row(row.rates)])
    for row in figures.by_region:
        rows.append(["区域", _key_name(row.key, region), *_figures_row(row.rates)])
    for week in reports.weekly_trend(region, weeks=TREND_WEEKS, until=period.last, now=now):
        rows.append(["周", f"{week.week_start:%Y-%m-%d} 起", *_figures_row(week.rates)])
    reports.record_figures_export(g.staff, region, rows=len(rows), fmt=fmt)
    headers = ["维度", f"名称（{region.name}，提交于 {period.label}）", *FIGURE_HEADERS]
    return exports.download(fmt, f"报事统计-{region.name}", headers, rows, sheet_title="报事统计")


@bp.get("/dashboard/reports.<fmt>")
@login_required(*DASHBOARD_ROLES)
@writes_on_read  # the download is audit-logged
def dashboard_reports_export(fmt: str):
    """The reports filed in the dashboard's period and region, one row each."""
    if fmt not in exports.FORMATS:
        raise NotFound()
    _form, period, region = _choose()
    rows = reports.export_reports(g.staff, fmt=fmt, region_id=region.id, start=period.start,
                                  end=period.end)
    return export_download(fmt, rows)
