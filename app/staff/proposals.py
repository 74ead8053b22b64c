"""社区提案 on the staff pages: the review queue, the list with filters, a proposal's detail
(timeline, co-signing, comments with their moderation state) with the actions its lifecycle
allows, and the queue of hidden proposals and comments (restore / keep hidden).

Every rule is the proposals service's (app/proposals): any staff role may read what lies in
its scope (handlers read only), moderators and admins act on proposals of their current scope.
Who flagged something is never shown, only how many flagged it and why.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app import proposals
from app.accounts.models import StaffRole
from app.errors import ServiceError
from app.extensions import db
from app.moderation import Decision
from app.moderation.models import FLAG_REASON_LABELS
from app.proposals import presenting
from app.proposals.discussion import COMMENT_TYPE
from app.proposals.rules import SCOPE_LEVELS
from app.staff.auth import login_required, safe_next
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices
from app.staff.forms import FilterForm, StaffForm, perform_action, show_service_error
from app.staff.listing import paged
from app.uploads import store_photo

MODERATORS = (StaffRole.ADMIN, StaffRole.MODERATOR)
PHOTO_HINT = "可一次选多张（最多 9 张，合计不超过 10 MB）；照片会去掉位置等信息后保存。"
SORT_CHOICES = choices(("newest", "最新"), ("oldest", "最早"), ("most_supported", "附议最多"),
                       ("closing_soon", "即将截止（征集中）"))


class ProposalFilterForm(FilterForm):
    status = SelectField("状态", validators=[Optional()],
                         choices=choices(("", "全部状态"),
                                         *[(s, proposals.PROPOSAL.label(s))
                                           for s in proposals.PROPOSAL.states]))
    scope_level = SelectField("范围", validators=[Optional()],
                              choices=choices(("", "院落、社区和街道"),
                                              *[(level.value, level.label)
                                                for level in SCOPE_LEVELS]))
    region_id = SelectField("区域", coerce=int, validators=[Optional()], validate_choice=False)
    sort = SelectField("排序", choices=SORT_CHOICES, validators=[Optional()])


class ApproveForm(StaffForm):
    note = TextAreaField("给提案人的话（可不填）", validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 2})


class RejectForm(StaffForm):
    reason = TextAreaField("驳回理由", validators=[DataRequired(), Length(min=2, max=500)],
                           description="提案人会看到这段话，请写明为什么、可以怎样修改后再提",
                           render_kw={"rows": 3})


class AnswerForm(StaffForm):
    decision = RadioField("答复结果", validators=[DataRequired()],
                          choices=choices(("accepted", "采纳"), ("not_adopted", "不予采纳")))
    text = TextAreaField("答复内容", validators=[DataRequired(), Length(min=5, max=2000)],
                         description="采纳时写实施方案和大致时间；不予采纳时写明理由。"
                                     "提案人和每位附议居民都会收到。",
                         render_kw={"rows": 4})


class ProgressForm(StaffForm):
    text = TextAreaField("进展说明", validators=[DataRequired(), Length(min=2, max=2000)],
                         description="提案人和附议居民会收到这条进展",
                         render_kw={"rows": 3})
    photos = MultipleFileField("现场照片（可选）", description=PHOTO_HINT,
                               render_kw={"accept": "image/*"})


class CompleteForm(StaffForm):
    text = TextAreaField("实施结果", validators=[DataRequired(), Length(min=2, max=2000)],
                         description="办结后会请提案人和附议居民评价",
                         render_kw={"rows": 3})
    photos = MultipleFileField("结果照片（至少 1 张）", description=PHOTO_HINT,
                               render_kw={"accept": "image/*"})


class EscalateForm(StaffForm):
    reason = TextAreaField("提交上级的原因", validators=[DataRequired(), Length(min=2, max=500)],
                           description="例如：需要街道协调资金或跨社区实施。提案（含附议和评论）"
                                       "会转到上一级，由上级工作人员重新答复。",
                           render_kw={"rows": 3})


class ModerationForm(StaffForm):
    """Restore / keep hidden: the button pressed gives the decision (moderation_form macro)."""

    decision = RadioField("处理结果", validators=[DataRequired()],
                          choices=choices(*[(d.value, d.label) for d in Decision]))
    note = StringField("说明（可不填）", validators=[Optional(), Length(max=200)])


# Each action's form, under a prefix so that several forms share one page.
ACTION_FORMS = {"approve": ApproveForm, "reject": RejectForm, "answer": AnswerForm,
                "progress": ProgressForm, "complete": CompleteForm, "escalate": EscalateForm}
# The lifecycle's staff actions, and the form that carries each.
FORM_OF_ACTION = {"approve": "approve", "reject": "reject", "accept": "answer",
                  "decline": "answer", "progress": "progress", "complete": "complete",
                  "escalate": "escalate"}


def _form(name: str) -> StaffForm:
    return ACTION_FORMS[name](prefix=name)


@bp.app_template_filter("same_origin")
def _same_origin(url: str) -> str:
    """A photo URL from this host: the service makes them absolute (PUBLIC_BASE_URL) for
    WeChat, while the staff pages load images from their own origin only (CSP img-src)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    return url[len(base):] if base and url.startswith(base + "/") else url


# --- lists --------------------------------------------------------------------------------

@bp.get("/proposals")
@login_required()
def proposals_list():
    staff = g.staff
    filters = ProposalFilterForm(request.args)
    areas = region_choices(staff, set(SCOPE_LEVELS))
    filters.region_id.choices = [*choices((0, "全部区域")), *areas]
    values = filters.valid_data()
    region_id = values["region_id"] or None
    if region_id not in {choice.value for choice in areas}:
        region_id = None
    query = proposals.staff_list_query(staff, status=values["status"] or None,
                                       scope_level=values["scope_level"] or None,
                                       region_id=region_id, sort=values["sort"] or "newest")
    may_moderate = staff.role in MODERATORS
    waiting = ({"review": _count(proposals.review_queue_query(staff)),
                "flagged": _count(proposals.flagged_queue_query(staff))}
               if may_moderate else {})
    return render_template("staff/proposals/list.html", filters=filters, page=paged(query),
                           label=proposals.PROPOSAL.label, may_moderate=may_moderate,
                           waiting=waiting)


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery()))


@bp.get("/proposals/review")
@login_required(*MODERATORS)
def proposals_review():
    page = paged(proposals.review_queue_query(g.staff))
    return render_template("staff/proposals/review.html", page=page,
                           review_labels=presenting.CONTENT_REVIEW_LABELS)


@bp.get("/proposals/flagged")
@login_required(*MODERATORS)
def proposals_flagged():
    item_type = request.args.get("item_type")
    if item_type not in (presenting.ITEM_TYPE, COMMENT_TYPE):
        item_type = None
    page = paged(proposals.flagged_queue_query(g.staff, item_type))
    items = presenting.flagged_page({"items": page.items, "meta": {}})["items"]
    return render_template("staff/proposals/flagged.html", page=page, items=items,
                           item_type=item_type)


# --- one proposal -------------------------------------------------------------------------

def _detail_page(proposal_id: int, status: int = 200, **forms):
    """The detail page, with `forms` (a submitted one, with its errors) in place of blank ones."""
    staff = g.staff
    proposal = proposals.get_proposal_for_staff(staff, proposal_id)
    detail = presenting.staff_detail(staff, proposal)
    comments = paged(proposals.comments_for_staff_query(staff, proposal.id), 30)
    comment_items = presenting.staff_comment_page({"items": comments.items, "meta": {}})["items"]
    wanted = {FORM_OF_ACTION[action] for action in detail["actions"]}
    action_forms = {name: forms.get(name) or _form(name) for name in wanted}
    return render_template("staff/proposals/detail.html", proposal=proposal, detail=detail,
                           comments=comments, comment_items=comment_items, forms=action_forms,
                           may_moderate=staff.role in MODERATORS,
                           reason_labels=FLAG_REASON_LABELS), status


@bp.get("/proposals/<int:proposal_id>")
@login_required()
def proposal_detail(proposal_id: int):
    return _detail_page(proposal_id)


def _act(proposal_id: int, name: str, run, done: str):
    """Validate the action's form, call the service, and go back (or show what went wrong)."""
    form = _form(name)

    def run_with_photo_errors(form):
        try:
            return run(form)
        except ServiceError as exc:
            _photo_errors_on(exc, form)
            raise

    def finish(proposal):
        flash(f"{done}：{proposal.title}", "success")
        default = url_for("staff.proposal_detail", proposal_id=proposal.id)
        return redirect(safe_next(request.form.get("next"), default))

    return perform_action(
        form, run_with_photo_errors, done=finish,
        show_again=lambda status: _detail_page(proposal_id, status, **{name: form}))


def _photo_errors_on(exc: ServiceError, form: StaffForm) -> None:
    """Photo problems (named "file" by the upload pipeline, "photo_ids" by the proposals
    service) belong beside the form's file field."""
    if "photos" not in form._fields or not exc.errors:
        return
    messages = [*exc.errors.pop("file", []), *exc.errors.pop("photo_ids", [])]
    if messages:
        exc.errors["photos"] = messages


def _stored_photo_ids(field: MultipleFileField) -> list[int]:
    """Store each chosen photo for the signed-in staff member; their upload ids in order."""
    limit = current_app.config["UPLOAD_MAX_BYTES"] + 1
    return [store_photo(file.read(limit), staff=g.staff).upload.id
            for file in field.data or [] if file and file.filename]


@bp.post("/proposals/<int:proposal_id>/approve")
@login_required(*MODERATORS)
def proposal_approve(proposal_id: int):
    return _act(proposal_id, "approve", lambda form: proposals.approve_proposal(
        g.staff, proposal_id, (form.note.data or "").strip()), "已审核通过，开始征集附议")


@bp.post("/proposals/<int:proposal_id>/reject")
@login_required(*MODERATORS)
def proposal_reject(proposal_id: int):
    return _act(proposal_id, "reject", lambda form: proposals.reject_proposal(
        g.staff, proposal_id, form.reason.data.strip()), "已驳回")


@bp.post("/proposals/<int:proposal_id>/answer")
@login_required(*MODERATORS)
def proposal_answer(proposal_id: int):
    return _act(proposal_id, "answer", lambda form: proposals.answer_proposal(
        g.staff, proposal_id, form.decision.data, form.text.data.strip()), "已发布正式答复")


@bp.post("/proposals/<int:proposal_id>/progress")
@login_required(*MODERATORS)
def proposal_progress(proposal_id: int):
    return _act(proposal_id, "progress", lambda form: proposals.post_progress(
        g.staff, proposal_id, form.text.data.strip(), _stored_photo_ids(form.photos)),
        "已发布进展")


@bp.post("/proposals/<int:proposal_id>/complete")
@login_required(*MODERATORS)
def proposal_complete(proposal_id: int):
    return _act(proposal_id, "complete", lambda form: proposals.complete_proposal(
        g.staff, proposal_id, form.text.data.strip(), _stored_photo_ids(form.photos)),
        "已办结")


@bp.post("/proposals/<int:proposal_id>/escalate")
@login_required(*MODERATORS)
def proposal_escalate(proposal_id: int):
    return _act(proposal_id, "escalate", lambda form: proposals.escalate_proposal(
        g.staff, proposal_id, form.reason.data.strip()), "已提交上级")


# --- hidden proposals and comments --------------------------------------------------------

def _decide(decide, item_id: int, default_next: str):
    """A moderator's restore / keep hidden, from the flagged queue or a detail page. A refusal
    (already decided by someone else) is said on the page it came from."""
    form = ModerationForm()
    back = safe_next(request.form.get("next"), default_next)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("；".join(errors), "error")
        return redirect(back, 303)
    try:
        row = decide(g.staff, item_id, form.decision.data, (form.note.data or "").strip())
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        show_service_error(form, exc)
        return redirect(back, 303)
    noun = "提案" if row.item_type == presenting.ITEM_TYPE else "评论"
    flash(f"{noun}已{Decision(row.decision).label}", "success")
    return redirect(back, 303)


@bp.post("/proposals/<int:proposal_id>/moderation")
@login_required(*MODERATORS)
def proposal_moderation(proposal_id: int):
    return _decide(proposals.decide_on_proposal, proposal_id,
                   url_for("staff.proposal_detail", proposal_id=proposal_id))


@bp.post("/proposals/comments/<int:comment_id>/moderation")
@login_required(*MODERATORS)
def comment_moderation(comment_id: int):
    return _decide(proposals.decide_on_comment, comment_id, url_for("staff.proposals_flagged"))
