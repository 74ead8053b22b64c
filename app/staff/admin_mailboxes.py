"""Administration of the residents' mailboxes (admins, in their scope): the list, a new
mailbox, and one mailbox's settings — name, reply time limit, who answers it, restricted."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import mailbox
from app.accounts.models import StaffRole
from app.errors import ServiceError
from app.regions.models import RegionLevel
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import region_choices
from app.staff.forms import StaffForm, show_service_error


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MailboxSettingsForm(StaffForm):
    name = StringField("信箱名称", validators=[DataRequired(), Length(max=30)],
                       render_kw={"placeholder": "如 书记信箱"})
    description = StringField("说明（居民写信时看到）", validators=[Optional(), Length(max=300)])
    reply_sla_hours = IntegerField("答复时限（小时）", default=72,
                                   validators=[DataRequired(), NumberRange(min=1, max=720)],
                                   description="从来信（或答复后的追问）起算，超过即为超时",
                                   render_kw={"inputmode": "numeric"})
    restricted = BooleanField("仅限答复人员和上级查看（如书记信箱，居民可能反映工作人员的问题）")
    sort_order = IntegerField("排序（小的在前）", default=0,
                              validators=[Optional(), NumberRange(min=0, max=1000)],
                              render_kw={"inputmode": "numeric"})


class MailboxCreateForm(MailboxSettingsForm):
    community_id = SelectField("所属社区", coerce=int, validators=[DataRequired()])


class MailboxEditForm(MailboxSettingsForm):
    active = BooleanField("启用（停用后居民不能再写信）")
    member_ids = CheckboxesField("答复人员", coerce=int, validators=[Optional()],
                                 description="不指定时，由社区的管理员和社区工作人员答复")


@bp.get("/admin/mailboxes")
@login_required(StaffRole.ADMIN)
def mailboxes_admin():
    return render_template("staff/admin/mailboxes.html",
                           mailboxes=mailbox.mailboxes_for_staff(g.staff))


@bp.route("/admin/mailboxes/new", methods=["GET", "POST"])
@login_required(StaffRole.ADMIN)
def mailbox_new():
    form = MailboxCreateForm()
    form.community_id.choices = region_choices(g.staff, {RegionLevel.COMMUNITY})
    status = None
    if form.validate_on_submit():
        try:
            created = mailbox.create_mailbox(
                g.staff, community_id=form.community_id.data, name=form.name.data.strip(),
                description=(form.description.data or "").strip(),
                reply_sla_hours=form.reply_sla_hours.data, restricted=form.restricted.data,
                sort_order=form.sort_order.data or 0)
        except ServiceError as exc:
            if exc.code == 404:
                raise
            show_service_error(form, exc)
            status = exc.code
        else:
            flash(f"已新建信箱：{created.name}。请指定答复人员。", "success")
            return redirect(url_for("staff.mailbox_edit", mailbox_id=created.id))
    status = status or (422 if form.errors else 200)
    return render_template("staff/admin/mailbox_form.html", form=form, box=None), status


@bp.route("/admin/mailboxes/<int:mailbox_id>", methods=["GET", "POST"])
@login_required(StaffRole.ADMIN)
def mailbox_edit(mailbox_id: int):
    box = mailbox.get_mailbox_for_staff(g.staff, mailbox_id)
    form = MailboxEditForm(obj=box)
    form.member_ids.choices = [
        (member.id, f"{member.display_name}（{member.role.label}·{member.region.name}）")
        for member in mailbox.member_candidates(g.staff, box.community_id)]
    if not form.is_submitted():
        form.member_ids.data = [member.id for member in box.members]
    status = None
    if form.validate_on_submit():
        changes = {"name": form.name.data.strip(),
                   "description": (form.description.data or "").strip(),
                   "reply_sla_hours": form.reply_sla_hours.data,
                   "restricted": form.restricted.data, "active": form.active.data,
                   "sort_order": form.sort_order.data or 0,
                   "member_ids": form.member_ids.data or []}
        try:
            mailbox.update_mailbox(g.staff, mailbox_id, changes)
        except ServiceError as exc:
            if exc.code in (403, 404):
                raise
            show_service_error(form, exc)
            status = exc.code
            box = mailbox.get_mailbox_for_staff(g.staff, mailbox_id)
        else:
            flash("信箱设置已保存", "success")
            return redirect(url_for("staff.mailbox_edit", mailbox_id=mailbox_id))
    status = status or (422 if form.errors else 200)
    return render_template("staff/admin/mailbox_form.html", form=form, box=box), status
