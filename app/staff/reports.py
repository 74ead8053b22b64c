"""随手拍 on the staff pages: the queue (filters, bulk dispatch, export), 我的任务, and one
report with its photos, place, timeline and the actions its state allows now.

Every action calls one function of app.reports, which checks the rules (lifecycle, handler,
scope), writes the timeline and the audit log, and notifies; a refusal is shown on the page
with the service's words and status code.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, g, redirect, render_template, request, url_for
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SearchField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app import clock, reports
from app.accounts.models import StaffRole
from app.categories.service import all_categories
from app.database import writes_on_read
from app.errors import Invalid, NotFound, ServiceError
from app.extensions import db
from app.regions.models import RegionLevel
from app.reports import schemas
from app.reports.lifecycle import REPORT
from app.reports.models import PhotoKind
from app.reports.service import EXPORT_MAX_ROWS, NOTE_MAX
from app.staff import exports
from app.staff.auth import login_required, safe_next
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices
from app.staff.forms import (
    ActionForm,
    FilterForm,
    StaffForm,
    perform_action,
    takes_photos,
)
from app.staff.listing import paged
from app.uploads import photo_paths, store_photo
from app.uploads.service import MAX_PHOTOS

STATUS_CHOICES = choices(("open", "未办结（在办）"), ("all", "全部状态"),
                         *[(state, REPORT.label(state)) for state in REPORT.states])
MODERATING_ROLES = (StaffRole.ADMIN, StaffRole.MODERATOR)


# --- forms ------------------------------------------------------------------------------------

class ReportFilterForm(FilterForm):
    number = SearchField("编号", validators=[Optional(), Length(max=24)],
                         render_kw={"placeholder": "如 0007 或 20261124-0007",
                                    "autocapitalize": "characters"})
    status = SelectField("状态", choices=STATUS_CHOICES, default="open", validators=[Optional()])
    category = SelectField("类别", validators=[Optional()], validate_choice=False)
    region_id = SelectField("区域", coerce=int, validators=[Optional()], validate_choice=False)
    assignee = SelectField("处理人", validators=[Optional()], validate_choice=False)
    overdue = SelectField("是否超时", choices=choices(("", "全部"), ("yes", "已超时"),
                                                  ("no", "未超时")), validators=[Optional()])
    held = SelectField("内容审核", choices=choices(("", "全部"), ("yes", "待审核")),
                       validators=[Optional()])
    sort = SelectField("排序", choices=choices(("due", "到期时间近的在前"),
                                             ("created", "最新提交在前")),
                       default="due", validators=[Optional()])


def _note_field(label: str = "备注（可不填）", description: str = ""):
    return TextAreaField(label, validators=[Optional(), Length(max=NOTE_MAX)],
                         description=description, render_kw={"rows": 2})


class NoteOnlyForm(ActionForm):
    note = _note_field(description="居民能看到这段话")


class RejectForm(ActionForm):
    reason = TextAreaField("不予受理的原因", validators=[DataRequired(), Length(max=NOTE_MAX)],
                           description="居民会收到这段话，请写清楚原因和可以找谁",
                           render_kw={"rows": 3})


class MergeForm(ActionForm):
    duplicate_of_id = RadioField("合并到哪一条", coerce=int, validators=[DataRequired()],
                                 validate_choice=False)
    note = _note_field()


class DispatchForm(ActionForm):
    handler_id = SelectField("派给", coerce=int, validators=[DataRequired()],
                             validate_choice=False,
                             description="只列出负责该报事所在区域的工作人员")
    note = _note_field("派单说明（可不填）")


class ResolveForm(ActionForm):
    note = TextAreaField("处理结果", validators=[DataRequired(), Length(max=NOTE_MAX)],
                         description="居民会收到这段话，并被请求评价",
                         render_kw={"rows": 3})
    photos = MultipleFileField("结果照片（可不传，最多 9 张）",
                               render_kw={"accept": "image/*"},
                               description="处理后现场的照片，手机上可直接拍照")


class ReportNoteForm(ActionForm):
    text = TextAreaField("备注内容", validators=[DataRequired(), Length(max=NOTE_MAX)],
                         render_kw={"rows": 2})
    public = BooleanField("居民可见（会通知居民）")


class ReleaseForm(ActionForm):
    description = TextAreaField("公开的描述", validators=[DataRequired(), Length(max=500)],
                                description="可删去不宜公开的内容后再公开；原文保存在操作日志中",
                                render_kw={"rows": 3})


class BulkDispatchForm(StaffForm):
    handler_id = SelectField("派给", coerce=int, validators=[DataRequired()],
                             validate_choice=False)
    note = _note_field("派单说明（可不填）")


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": NoteOnlyForm, "reject": RejectForm, "merge": MergeForm,
    "dispatch": DispatchForm, "contact": NoteOnlyForm, "start": NoteOnlyForm,
    "resolve": ResolveForm, "note": ReportNoteForm, "release": ReleaseForm,
}
DONE_MESSAGES = {
    "accept": "已受理", "reject": "已不予受理，并告知居民原因", "merge": "已合并为重复报事",
    "dispatch": "已派单", "contact": "已记录联系居民", "start": "已开始处理",
    "resolve": "已办结反馈，等待居民评价", "note": "已添加备注", "release": "已审核公开",
}


# --- the queue and 我的任务 -------------------------------------------------------------------

def _staff_choice(member) -> str:
    return f"{member.display_name}（{member.role.label}·{member.region.name}）"


def _filters():
    """The queue's filter form bound to the query string, and the service's filters from it."""
    staff = g.staff
    filters = ReportFilterForm(request.args)
    categories = all_categories()
    filters.category.choices = choices(("", "全部类别"),
                                       *[(c.code, c.name) for c in categories])
    regions = region_choices(staff, {RegionLevel.DISTRICT, RegionLevel.STREET,
                                     RegionLevel.COMMUNITY, RegionLevel.GRID})
    filters.region_id.choices = [*choices((0, "全部区域")), *regions]
    candidates = reports.dispatch_candidates(staff)
    filters.assignee.choices = choices(("", "全部"), ("none", "未派单"), ("me", "派给我的"),
                                       *[(str(m.id), _staff_choice(m)) for m in candidates])
    values = filters.valid_data()
    status = values["status"] or "open"
    region_id = values["region_id"] or None
    if region_id not in {choice.value for choice in regions}:
        region_id = None
    assignee = values["assignee"] or ""
    assignee_id = None
    if assignee == "me":
        assignee_id = staff.id
    elif assignee.isdigit() and int(assignee) in {m.id for m in candidates}:
        assignee_id = int(assignee)
    service_filters = {
        "status": None if status in ("open", "all") else status,
        "open_only": status == "open",
        "category_code": values["category"] or None,
        "region_id": region_id,
        "assignee_id": assignee_id,
        "unassigned": assignee == "none",
        "overdue": {"yes": True, "no": False}.get(values["overdue"] or ""),
        "held": True if values["held"] == "yes" else None,
        "sort": values["sort"] if values["sort"] in ("due", "created") else "due",
        "number": (values["number"] or "").strip(),
    }
    return filters, service_filters, candidates


def _row_facts(report) -> dict:
    return {"overdue": reports.is_overdue(report), "next_due_at": reports.next_due_at(report),
            "thumbnail": next((photo_paths(p.upload)["thumbnail_url"] for p in report.photos
                               if p.kind == PhotoKind.REPORT), None)}


@bp.get("/reports")
@login_required()
def reports_queue():
    filters, service_filters, candidates = _filters()
    page = paged(reports.staff_reports_query(g.staff, **service_filters))
    bulk = BulkDispatchForm(formdata=None)
    bulk.handler_id.choices = choices((0, "请选择处理人"),
                                      *[(m.id, _staff_choice(m)) for m in candidates])
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    more_filters = any(request.args.get(name) for name in ("region_id", "assignee", "overdue",
                                                             "held")) \
        or request.args.get("sort", "due") != "due"
    return render_template("staff/reports/queue.html", filters=filters, page=page,
                           more_filters=more_filters,
                           facts={r.id: _row_facts(r) for r in page.items}, bulk=bulk,
                           export_args=export_args, export_limit=EXPORT_MAX_ROWS,
                           now=clock.now(), back=request.full_path.rstrip("?"))


@bp.get("/tasks")
@login_required()
def my_tasks():
    page = paged(reports.my_tasks_query(g.staff))
    return render_template("staff/reports/tasks.html", page=page,
                           facts={r.id: _row_facts(r) for r in page.items},
                           counts=reports.my_task_counts(g.staff), now=clock.now(),
                           next_step={r.id: _next_step(r) for r in page.items})


def _next_step(report) -> tuple[str, str] | None:
    """The handler's next step on a task: (action, label) of the first one allowed."""
    for action in ("contact", "start", "resolve"):
        if action in reports.allowed_staff_actions(g.staff, report):
            if action == "contact" and report.first_contact_at is not None:
                continue
            return action, REPORT.action_labels[action]
    return None


@bp.post("/reports/dispatch")
@login_required()
def reports_bulk_dispatch():
    """批量派单: the dispatch service for each ticked report; the outcome of each is shown."""
    back = safe_next(request.form.get("next"), url_for("staff.reports_queue"))
    form = BulkDispatchForm()
    ids = [int(value) for value in request.form.getlist("report_ids") if value.isdigit()]
    if not form.validate_on_submit() or not form.handler_id.data:
        flash("请选择派给谁", "error")
        return redirect(back)
    try:
        outcomes = reports.dispatch_reports(g.staff, ids, handler_id=form.handler_id.data,
                                            note=form.note.data or "")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    done = sum(1 for outcome in outcomes if outcome.ok)
    refused = len(outcomes) - done
    if done:
        flash(f"已派单 {done} 条" + (f"，{refused} 条未能派单，原因见下表" if refused else ""),
              "success")
    else:
        flash("所选报事都未能派单，原因见下表", "error")
    return render_template("staff/reports/bulk_result.html", outcomes=outcomes, back=back)


@bp.get("/reports/export.<fmt>")
@login_required()
@writes_on_read  # the download is audit-logged
def reports_export(fmt: str):
    if fmt not in exports.FORMATS:
        raise NotFound()
    _filters_form, service_filters, _candidates = _filters()
    return export_download(fmt, reports.export_reports(g.staff, fmt=fmt, **service_filters))


EXPORT_COLUMNS = [
    ("number", "编号"), ("category", "类别"), ("status", "状态"), ("region", "区域"),
    ("address", "地址"), ("reporter", "反映人"), ("assignee", "处理人"),
    ("filed_at", "提交时间"), ("response_due_at", "响应时限"),
    ("completion_due_at", "办结时限"), ("first_contact_at", "首次联系"),
    ("resolved_at", "办结时间"), ("closed_at", "关闭时间"), ("overdue", "目前超时"),
    ("solved", "居民评价已解决"), ("satisfaction", "满意度（1-5）"), ("reopen_count", "重办次数"),
]


def export_download(fmt: str, rows: list[dict]):
    """The rows of `reports.export_reports` as a CSV or Excel download."""
    return exports.download(fmt, "报事清单", [label for _, label in EXPORT_COLUMNS],
                            [[row[key] for key, _ in EXPORT_COLUMNS] for row in rows],
                            sheet_title="报事清单")


# --- one report -------------------------------------------------------------------------------

def _forms_for(report, submitted: dict[str, ActionForm]) -> dict[str, ActionForm]:
    """A form for every action (the submitted one as it was, the others empty), each with its
    own prefix so that ids and names never clash on the page."""
    forms = {}
    for name, form_class in ACTION_FORMS.items():
        form = submitted.get(name) or form_class(formdata=None, prefix=name)
        forms[name] = form
    forms["dispatch"].handler_id.choices = choices(
        (0, "请选择处理人"),
        *[(m.id, _staff_choice(m)) for m in reports.dispatch_candidates(g.staff, report)])
    if "release" not in submitted:
        forms["release"].description.data = report.description
    return forms


def _detail(report_id: int, submitted: dict[str, ActionForm] | None = None, status: int = 200):
    staff = g.staff
    report = reports.get_report_for_staff(staff, report_id)
    view = schemas.staff_view(report, staff)
    allowed = [item["action"] for item in view["allowed_actions"]]
    merge_query = (request.args.get("merge_q") or "")[:24]
    candidates = (reports.merge_candidates(staff, report, number=merge_query)
                  if "merge" in allowed else [])
    forms = _forms_for(report, submitted or {})
    forms["merge"].duplicate_of_id.choices = [
        (other.id, f"{other.number}　{other.category.name}　{REPORT.label(other.status)}")
        for other, _distance in candidates]
    photos = {kind: [{**photo_paths(p.upload), "width": p.upload.width,
                      "height": p.upload.height} for p in report.photos if p.kind == kind]
              for kind in (PhotoKind.REPORT, PhotoKind.RESULT)}
    may_release = report.held_for_review and staff.role in MODERATING_ROLES
    return render_template(
        "staff/reports/detail.html", report=report, view=view, allowed=allowed, forms=forms,
        photos=photos, candidates=candidates, merge_query=merge_query, may_release=may_release,
        panels=_panel_order(report, allowed, may_release), now=clock.now()), status


def _panel_order(report, allowed: list[str], may_release: bool) -> list[str]:
    """The action panels in the order work goes on: the next step of the lifecycle first (on a
    phone it is what the handler sees), then handing over, merging, refusing, notes."""
    contacted = report.first_contact_at is not None
    order = ["accept", *([] if contacted else ["contact"]), "start", "resolve", "dispatch",
             *(["contact"] if contacted else []), "merge", "reject"]
    panels = [name for name in order if name in allowed]
    return [*panels, *(["release"] if may_release else []), "note"]


@bp.get("/reports/<int:report_id>")
@login_required()
def report(report_id: int):
    return _detail(report_id)


def _act(report_id: int, name: str, run: Callable[[ActionForm], object]):
    """Validate the action's form, run the service, and show the outcome."""
    form = ACTION_FORMS[name](prefix=name)

    def show_again(status: int):
        reports.get_report_for_staff(g.staff, report_id)  # 404 outside scope first
        return _detail(report_id, {name: form}, status)

    def done(_result):
        flash(DONE_MESSAGES[name], "success")
        return redirect(url_for("staff.report", report_id=report_id))

    return perform_action(form, run, show_again=show_again, done=done)


@bp.post("/reports/<int:report_id>/accept")
@login_required()
def report_accept(report_id: int):
    return _act(report_id, "accept", lambda form: reports.accept_report(
        g.staff, report_id, note=form.note.data or ""))


@bp.post("/reports/<int:report_id>/reject")
@login_required()
def report_reject(report_id: int):
    return _act(report_id, "reject", lambda form: reports.reject_report(
        g.staff, report_id, reason=form.reason.data))


@bp.post("/reports/<int:report_id>/merge")
@login_required()
def report_merge(report_id: int):
    return _act(report_id, "merge", lambda form: reports.merge_report(
        g.staff, report_id, duplicate_of_id=form.duplicate_of_id.data,
        note=form.note.data or ""))


@bp.post("/reports/<int:report_id>/dispatch")
@login_required()
def report_dispatch(report_id: int):
    return _act(report_id, "dispatch", lambda form: reports.dispatch_report(
        g.staff, report_id, handler_id=form.handler_id.data, note=form.note.data or ""))


@bp.post("/reports/<int:report_id>/contact")
@login_required()
def report_contact(report_id: int):
    return _act(report_id, "contact", lambda form: reports.record_contact(
        g.staff, report_id, note=form.note.data or ""))


@bp.post("/reports/<int:report_id>/start")
@login_required()
def report_start(report_id: int):
    return _act(report_id, "start", lambda form: reports.start_report(
        g.staff, report_id, note=form.note.data or ""))


def _store_result_photos(form: ResolveForm) -> list[int]:
    """Store the form's photos as the staff member's uploads; a refusal names the photo."""
    files = [file for file in form.photos.data or [] if file and file.filename]
    if len(files) > MAX_PHOTOS:
        message = f"最多上传 {MAX_PHOTOS} 张照片"
        raise Invalid(message, errors={"photos": [message]})
    ids = []
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    for number, file in enumerate(files, start=1):
        try:
            stored = store_photo(file.read(limit + 1), staff=g.staff)
        except ServiceError as exc:
            message = f"第 {number} 张照片（{file.filename}）：{exc.message}"
            raise type(exc)(message, errors={"photos": [message]}) from exc
        ids.append(stored.upload.id)
    return ids


@bp.post("/reports/<int:report_id>/resolve")
@takes_photos
@login_required()
def report_resolve(report_id: int):
    def run(form: ResolveForm) -> None:
        # Refused now (state, another handler's)? Then no photo is stored for nothing.
        reports.check_staff_action(g.staff, report_id, "resolve")
        reports.resolve_report(g.staff, report_id, note=form.note.data,
                               photo_ids=_store_result_photos(form))

    return _act(report_id, "resolve", run)


@bp.post("/reports/<int:report_id>/note")
@login_required()
def report_note(report_id: int):
    return _act(report_id, "note", lambda form: reports.add_note(
        g.staff, report_id, text=form.text.data, public=form.public.data))


@bp.post("/reports/<int:report_id>/release")
@login_required(*MODERATING_ROLES)
def report_release(report_id: int):
    return _act(report_id, "release", lambda form: reports.release_report(
        g.staff, report_id, description=form.description.data))
