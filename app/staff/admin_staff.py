"""Administration of staff accounts (admins, their own subtree): list, create, deactivate,
reset a password, lift a lockout. Nobody can be given a region outside the admin's scope."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from wtforms import PasswordField, SearchField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app import audit, clock
from app.accounts import service as accounts
from app.accounts.models import StaffRole
from app.errors import ServiceError
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices, role_choices
from app.staff.forms import FilterForm, StaffForm, show_service_error
from app.staff.listing import paged


class StaffFilterForm(FilterForm):
    q = SearchField("姓名或用户名", validators=[Optional(), Length(max=40)])
    role = SelectField("角色", choices=[*choices(("", "全部角色")), *role_choices()],
                       validators=[Optional()])


def _password_fields(label: str):
    return (
        PasswordField(label, validators=[DataRequired(),
                                         Length(min=10, max=200, message="密码应为 10 到 200 位")],
                      render_kw={"autocomplete": "new-password"}),
        PasswordField("再输入一次", validators=[DataRequired(), EqualTo("password")],
                      render_kw={"autocomplete": "new-password"}),
    )


class StaffCreateForm(StaffForm):
    display_name = StringField("姓名", validators=[DataRequired(), Length(max=40)])
    username = StringField("用户名", validators=[
        DataRequired(), Length(min=3, max=40),
        Regexp(r"^[a-z0-9_.-]+$", message="只能用小写字母、数字、点、- 和 _")],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    role = SelectField("角色", choices=role_choices(), validators=[DataRequired()])
    region_id = SelectField("负责区域", coerce=int, validators=[DataRequired()],
                            description="只能选择您辖区内的区域；此人只能看到并处理该区域及其下级")
    phone = StringField("手机号", validators=[Optional(), Regexp(r"^\d{6,15}$",
                                                              message="应为 6 到 15 位数字")],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    password, confirm = _password_fields("初始密码（至少 10 位）")


class PasswordResetForm(StaffForm):
    password, confirm = _password_fields("新密码（至少 10 位）")


@bp.get("/admin/staff")
@login_required(StaffRole.ADMIN)
def staff_list():
    filters = StaffFilterForm(request.args)
    values = filters.valid_data()
    query = accounts.staff_in_scope_query(g.staff, text=(values["q"] or "").strip(),
                                          role=values["role"] or None)
    return render_template("staff/admin/staff_list.html", filters=filters, page=paged(query),
                           now=clock.now())


@bp.route("/admin/staff/new", methods=["GET", "POST"])
@login_required(StaffRole.ADMIN)
def staff_new():
    form = StaffCreateForm()
    form.region_id.choices = region_choices(g.staff)
    status = None
    if form.validate_on_submit():
        try:
            created = accounts.create_staff_by_admin(
                g.staff, username=form.username.data.strip(), password=form.password.data,
                display_name=form.display_name.data.strip(), role=form.role.data,
                region_id=form.region_id.data, phone=(form.phone.data or "").strip())
        except ServiceError as exc:
            show_service_error(form, exc)
            status = exc.code
        else:
            flash(f"已新建工作人员：{created.display_name}（{created.username}）", "success")
            return redirect(url_for("staff.staff_detail", staff_id=created.id))
    status = status or (422 if form.errors else 200)
    return render_template("staff/admin/staff_form.html", form=form), status


def _detail(staff_id: int, reset_form: PasswordResetForm, status: int = 200):
    member = accounts.get_staff_for_admin(g.staff, staff_id)
    history = audit.entries_for_object("staff", member.id, limit=20)
    return render_template("staff/admin/staff_detail.html", member=member, reset_form=reset_form,
                           history=history, now=clock.now()), status


@bp.get("/admin/staff/<int:staff_id>")
@login_required(StaffRole.ADMIN)
def staff_detail(staff_id: int):
    return _detail(staff_id, PasswordResetForm())


@bp.post("/admin/staff/<int:staff_id>/active")
@login_required(StaffRole.ADMIN)
def staff_set_active(staff_id: int):
    active = request.form.get("active") == "1"
    try:
        member = accounts.set_staff_active(g.staff, staff_id, active)
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        flash(exc.message, "error")
        return _detail(staff_id, PasswordResetForm(formdata=None), exc.code)
    flash(f"{member.display_name} 的账号已{'启用' if active else '停用，其登录已全部退出'}",
          "success")
    return redirect(url_for("staff.staff_detail", staff_id=staff_id))


@bp.post("/admin/staff/<int:staff_id>/unlock")
@login_required(StaffRole.ADMIN)
def staff_unlock(staff_id: int):
    member = accounts.unlock_staff(g.staff, staff_id)
    flash(f"已解除 {member.display_name} 的登录锁定", "success")
    return redirect(url_for("staff.staff_detail", staff_id=staff_id))


@bp.post("/admin/staff/<int:staff_id>/password")
@login_required(StaffRole.ADMIN)
def staff_reset_password(staff_id: int):
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _detail(staff_id, form, 422)
    try:
        member = accounts.reset_staff_password(g.staff, staff_id, form.password.data)
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        show_service_error(form, exc)
        return _detail(staff_id, form, exc.code)
    flash(f"已重置 {member.display_name} 的密码，其登录已全部退出", "success")
    return redirect(url_for("staff.staff_detail", staff_id=staff_id))
