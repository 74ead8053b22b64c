"""The audit page (admins): who did what, when and from where, in the admin's subtree;
filtered by staff member, action and dates; paged; exported to CSV or Excel."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import g, render_template, request
from sqlalchemy.orm import joinedload
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app import audit, clock
from app.accounts import service as accounts
from app.accounts.models import StaffRole
from app.audit.labels import action_label, describe_detail, object_label
from app.audit.models import AuditEntry
from app.database import writes_on_read
from app.errors import NotFound
from app.extensions import db
from app.staff import exports
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices
from app.staff.forms import FilterForm
from app.staff.listing import paged

EXPORT_MAX_ROWS = 10_000


class AuditFilterForm(FilterForm):
    staff_id = SelectField("工作人员", coerce=int, validators=[Optional()], validate_choice=False)
    action = SelectField("操作", validators=[Optional()], validate_choice=False)
    date_from = DateField("从（含）", validators=[Optional()])
    date_to = DateField("到（含）", validators=[Optional()])


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_ZONE)


def _filtered_query():
    staff = g.staff
    filters = AuditFilterForm(request.args)
    members = db.session.scalars(accounts.staff_in_scope_query(staff)).all()
    filters.staff_id.choices = choices((0, "全部工作人员"),
                                       *[(m.id, f"{m.display_name}（{m.username}）")
                                         for m in members])
    actions = audit.actions_in_scope(staff)
    filters.action.choices = choices(("", "全部操作"), *[(a, action_label(a)) for a in actions])
    values = filters.valid_data()
    staff_id = values["staff_id"] or None
    if staff_id is not None and staff_id not in {m.id for m in members}:
        staff_id = None
    action = values["action"] if values["action"] in actions else ""
    since = _local_midnight(values["date_from"]) if values["date_from"] else None
    before = (_local_midnight(values["date_to"] + timedelta(days=1))
              if values["date_to"] else None)
    query = audit.entries_in_scope_query(staff, staff_id=staff_id, action=action, since=since,
                                         before=before)
    return filters, query.options(joinedload(AuditEntry.staff))


@bp.get("/admin/audit")
@login_required(StaffRole.ADMIN)
def audit_log():
    filters, query = _filtered_query()
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("staff/admin/audit.html", filters=filters, page=paged(query, 30),
                           export_args=export_args, export_limit=EXPORT_MAX_ROWS)


@bp.get("/admin/audit/export.<fmt>")
@login_required(StaffRole.ADMIN)
@writes_on_read  # the download is audit-logged
def audit_export(fmt: str):
    if fmt not in exports.FORMATS:
        raise NotFound()
    _filters, query = _filtered_query()
    entries = db.session.scalars(query.limit(EXPORT_MAX_ROWS)).all()
    headers = ["时间", "工作人员", "用户名", "操作", "对象", "对象编号", "详情", "来源地址"]
    rows = [[entry.created_at,
             entry.staff.display_name if entry.staff else "",
             entry.staff.username if entry.staff else "",
             action_label(entry.action), object_label(entry.object_type), entry.object_id,
             describe_detail(entry.detail), entry.ip] for entry in entries]
    audit.record(g.staff, "audit.export", object_type="audit", region_id=g.staff.region_id,
                 rows=len(rows), format=fmt)
    db.session.commit()
    return exports.download(fmt, "操作日志", headers, rows, sheet_title="操作日志")
