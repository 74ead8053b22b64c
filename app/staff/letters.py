"""The residents' mailbox on the staff pages: the inbox of the mailboxes one may answer (owing
a reply first, the most overdue on top), a letter's thread with reply, internal note, transfer
and close, and its anonymised copy for the public Q&A.

Reading a letter goes through `mailbox.open_letter`, which writes an audit entry each time (the
first reading of a turn also tells the resident "已读"); so do the other actions, through their
services.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import flash, g, redirect, render_template, request, url_for
from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app import clock, mailbox
from app.accounts.models import StaffRole
from app.categories.service import active_categories
from app.database import writes_on_read
from app.errors import ServiceError
from app.mailbox.lifecycle import LETTER, staff_actions
from app.mailbox.models import MessageKind
from app.mailbox.service import MAX_BODY, MAX_SUBJECT
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices
from app.staff.forms import ActionForm, FilterForm, perform_action, show_service_error
from app.staff.listing import paged
from app.uploads import photo_paths

VIEWS = [("awaiting_reply", "待答复"), ("overdue", "已超时"), ("new", "未读"),
         ("replied", "已答复"), ("closed", "已办结"), ("all", "全部")]
PUBLISHING_ROLES = (StaffRole.ADMIN, StaffRole.MODERATOR)


class InboxFilterForm(FilterForm):
    mailbox_id = SelectField("信箱", coerce=int, validators=[Optional()], validate_choice=False)
    flagged = SelectField("内容提示", choices=choices(("", "全部"), ("yes", "含待核实内容")),
                          validators=[Optional()])


class ReplyForm(ActionForm):
    body = TextAreaField("答复内容", validators=[DataRequired(), Length(max=MAX_BODY)],
                         description="以信箱名义发给居民，居民会收到通知",
                         render_kw={"rows": 5})


class LetterNoteForm(ActionForm):
    body = TextAreaField("内部备注", validators=[DataRequired(), Length(max=2000)],
                         description="只有能看这封信的工作人员看得到，居民看不到",
                         render_kw={"rows": 2})


class TransferForm(ActionForm):
    mailbox_id = SelectField("转交到", coerce=int, validators=[DataRequired()],
                             validate_choice=False)
    note = TextAreaField("转交说明（内部，可不填）", validators=[Optional(), Length(max=200)],
                         render_kw={"rows": 2})


class CloseForm(ActionForm):
    message = TextAreaField("办结说明", validators=[Optional(), Length(max=MAX_BODY)],
                            render_kw={"rows": 3})


class ConvertToReportForm(ActionForm):
    category = SelectField("随手拍类别", validators=[DataRequired()], validate_choice=False)
    lat = DecimalField("纬度（可不填）", places=None, validators=[Optional()],
                       description="GCJ-02，如 30.654；不填则定在居民所在社区，由社区再定位")
    lng = DecimalField("经度（可不填）", places=None, validators=[Optional()])
    address = StringField("地址（可不填）", validators=[Optional(), Length(max=120)])


class ConvertToProposalForm(ActionForm):
    title = StringField("提案标题（可不填，默认用信件标题）",
                        validators=[Optional(), Length(min=5, max=60)])


def _names_are_usable(form, field) -> None:
    names = names_from(field.data)
    if len(names) > 20:
        raise ValidationError("最多 20 个")
    if any(not 2 <= len(name) <= 32 for name in names):
        raise ValidationError("每个应为 2 到 32 个字（一个字会误隐去太多内容）")


class PublicationForm(ActionForm):
    subject = StringField("标题", validators=[DataRequired(), Length(max=MAX_SUBJECT * 2)])
    body = TextAreaField("来信", validators=[DataRequired(), Length(max=MAX_BODY)],
                         render_kw={"rows": 6})
    reply = TextAreaField("答复", validators=[DataRequired(), Length(max=2 * MAX_BODY)],
                          render_kw={"rows": 6})
    names_to_mask = StringField(
        "还要隐去的姓名或称呼（可不填）",
        validators=[Optional(), Length(max=400), _names_are_usable],
        description="多个用顿号或逗号隔开，例如：王某某、李师傅。电话、证件号、门牌号和来信人昵称"
                    "总会自动隐去")


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "reply": ReplyForm, "note": LetterNoteForm, "transfer": TransferForm, "close": CloseForm,
    "convert_to_report": ConvertToReportForm, "convert_to_proposal": ConvertToProposalForm,
}
DONE_MESSAGES = {"reply": "已答复，居民会收到通知", "note": "已添加内部备注",
                 "transfer": "已转交", "close": "已办结",
                 "convert_to_report": "已转为随手拍，居民会收到通知",
                 "convert_to_proposal": "已整理成提案草稿，居民会收到通知"}


# --- the inbox --------------------------------------------------------------------------------

@bp.get("/letters")
@login_required()
def inbox():
    staff = g.staff
    view = request.args.get("view", "awaiting_reply")
    if view not in dict(VIEWS):
        view = "awaiting_reply"
    mailboxes = mailbox.usable_mailboxes(staff)
    filters = InboxFilterForm(request.args)
    filters.mailbox_id.choices = choices((0, "全部信箱"),
                                         *[(box.id, _mailbox_name(box, mailboxes))
                                           for box in mailboxes])
    values = filters.valid_data()
    mailbox_id = values["mailbox_id"] or None
    if mailbox_id not in {box.id for box in mailboxes}:
        mailbox_id = None
    query = mailbox.inbox_query(staff, view=view, mailbox_id=mailbox_id,
                                flagged=True if values["flagged"] == "yes" else None)
    keep = {k: v for k, v in request.args.items() if k not in ("view", "page")}
    tabs = [{"url": url_for("staff.inbox", view=name, **keep), "label": label,
             "current": name == view, "count": None} for name, label in VIEWS]
    return render_template("staff/letters/inbox.html", filters=filters, page=paged(query),
                           mailboxes=mailboxes, counts=mailbox.inbox_counts(staff), tabs=tabs,
                           view=view, now=clock.now(), state_label=LETTER.label,
                           show_community=len({box.community_id for box in mailboxes}) > 1)


def _mailbox_name(box, mailboxes) -> str:
    """The mailbox's name, with its community when one sees several communities' mailboxes."""
    if len({other.community_id for other in mailboxes}) > 1:
        return f"{box.community.name} · {box.name}"
    return box.name


# --- one letter -------------------------------------------------------------------------------

def _detail(letter_id: int, submitted: dict[str, ActionForm] | None = None, status: int = 200):
    """The letter's page; reading it is audit-logged (`open_letter`)."""
    staff = g.staff
    letter = mailbox.open_letter(staff, letter_id)
    forms = {name: (submitted or {}).get(name) or form_class(formdata=None, prefix=name)
             for name, form_class in ACTION_FORMS.items()}
    targets = [box for box in mailbox.usable_mailboxes(staff)
               if box.active and box.id != letter.mailbox_id]
    forms["close"].message.description = (
        "发给居民，可不填" if letter.first_replied_at
        else "这封信还没有答复过，请写明办理结果（会发给居民）")
    forms["convert_to_report"].category.choices = choices(
        ("", "请选择类别"), *[(c["code"], c["name"]) for c in active_categories()])
    forms["transfer"].mailbox_id.choices = choices(
        (0, "请选择信箱"), *[(box.id, f"{box.community.name} · {box.name}") for box in targets])
    messages = [{"message": message,
                 "photos": [photo_paths(upload) for upload in message.photos]}
                for message in letter.messages]
    return render_template(
        "staff/letters/letter.html", letter=letter, messages=messages, forms=forms,
        allowed=staff_actions(letter.status), has_targets=bool(targets), now=clock.now(),
        state_label=LETTER.label, kinds=MessageKind,
        may_publish=staff.role in PUBLISHING_ROLES and letter.consent_to_publish
        and letter.first_replied_at is not None), status


@bp.get("/letters/<int:letter_id>")
@login_required()
@writes_on_read
def letter(letter_id: int):
    return _detail(letter_id)


def _act(letter_id: int, name: str, run: Callable[[ActionForm], object]):
    form = ACTION_FORMS[name](prefix=name)

    def show_again(status: int):
        mailbox.get_letter_for_staff(g.staff, letter_id)  # 404 outside scope first
        return _detail(letter_id, {name: form}, status)

    def done(_result):
        flash(DONE_MESSAGES[name], "success")
        return redirect(url_for("staff.letter", letter_id=letter_id))

    return perform_action(form, run, show_again=show_again, done=done)


@bp.post("/letters/<int:letter_id>/reply")
@login_required()
def letter_reply(letter_id: int):
    return _act(letter_id, "reply",
                lambda form: mailbox.reply(g.staff, letter_id, body=form.body.data))


@bp.post("/letters/<int:letter_id>/note")
@login_required()
def letter_note(letter_id: int):
    return _act(letter_id, "note",
                lambda form: mailbox.add_note(g.staff, letter_id, body=form.body.data))


@bp.post("/letters/<int:letter_id>/transfer")
@login_required()
def letter_transfer(letter_id: int):
    return _act(letter_id, "transfer", lambda form: mailbox.transfer(
        g.staff, letter_id, mailbox_id=form.mailbox_id.data, note=form.note.data or ""))


@bp.post("/letters/<int:letter_id>/close")
@login_required()
def letter_close(letter_id: int):
    return _act(letter_id, "close", lambda form: mailbox.close(
        g.staff, letter_id, message=form.message.data or ""))


@bp.post("/letters/<int:letter_id>/convert-to-report")
@login_required()
def letter_convert_to_report(letter_id: int):
    def run(form):
        location = ({"lat": float(form.lat.data), "lng": float(form.lng.data)}
                    if form.lat.data is not None and form.lng.data is not None else {})
        return mailbox.convert_to_report(g.staff, letter_id, category_code=form.category.data,
                                         address=form.address.data or "", **location)

    return _act(letter_id, "convert_to_report", run)


@bp.post("/letters/<int:letter_id>/convert-to-proposal")
@login_required()
def letter_convert_to_proposal(letter_id: int):
    return _act(letter_id, "convert_to_proposal", lambda form: mailbox.convert_to_proposal_draft(
        g.staff, letter_id, title=form.title.data or None))


# --- the public Q&A copy ----------------------------------------------------------------------

_NAME_SEPARATORS = re.compile(r"[,，、;；\s]+")


def names_from(text: str) -> list[str]:
    """'王某某、李师傅' → ['王某某', '李师傅'] (the extra names to mask)."""
    return [name for name in _NAME_SEPARATORS.split(text or "") if name]


def _publication_page(letter_id: int, form: PublicationForm | None = None, status: int = 200):
    draft = mailbox.publication_draft(g.staff, letter_id)  # audit-logged: it shows the text
    letter = mailbox.get_letter_for_staff(g.staff, letter_id)
    if form is None:
        form = PublicationForm(formdata=None, prefix="publish")
        form.subject.data, form.body.data, form.reply.data = (draft["subject"], draft["body"],
                                                              draft["reply"])
    return render_template("staff/letters/publication.html", letter=letter, draft=draft,
                           form=form), status


@bp.get("/letters/<int:letter_id>/publication")
@login_required(*PUBLISHING_ROLES)
@writes_on_read
def letter_publication(letter_id: int):
    return _publication_page(letter_id)


@bp.post("/letters/<int:letter_id>/publication")
@login_required(*PUBLISHING_ROLES)
def letter_publish(letter_id: int):
    form = PublicationForm(prefix="publish")
    if not form.validate_on_submit():
        return _publication_page(letter_id, form, 422)
    names = names_from(form.names_to_mask.data)
    try:
        mailbox.publish(g.staff, letter_id, subject=form.subject.data, body=form.body.data,
                        reply_text=form.reply.data, names_to_mask=names)
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        show_service_error(form, exc)
        return _publication_page(letter_id, form, exc.code)
    flash("已隐去个人信息后公开到来信选登", "success")
    return redirect(url_for("staff.letter_publication", letter_id=letter_id))


@bp.post("/letters/<int:letter_id>/publication/remove")
@login_required(*PUBLISHING_ROLES)
def letter_unpublish(letter_id: int):
    mailbox.unpublish(g.staff, letter_id)
    flash("已撤下公开的内容", "success")
    return redirect(url_for("staff.letter", letter_id=letter_id))
