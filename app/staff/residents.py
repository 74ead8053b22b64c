"""Residents of the staff member's scope: search, details, and confirming residency (认定住户)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from wtforms import RadioField, SearchField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app import audit
from app.accounts import service as accounts
from app.accounts.models import StaffRole, VerificationLevel
from app.errors import ServiceError
from app.regions.models import RegionLevel
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices
from app.staff.forms import FilterForm, StaffForm, show_service_error
from app.staff.listing import paged

VERIFICATION_LABELS = {
    VerificationLevel.NONE: "未认证",
    VerificationLevel.PHONE: "已绑定手机",
    VerificationLevel.RESIDENCY: "住户已确认",
}
STATUS_CHOICES = choices(("", "全部"), ("awaiting", "待确认住户"), ("confirmed", "住户已确认"),
                         ("phone", "已绑定手机"), ("none", "未认证"))
_STATUS_LEVELS = {"confirmed": VerificationLevel.RESIDENCY, "phone": VerificationLevel.PHONE,
                  "none": VerificationLevel.NONE}


class ResidentFilterForm(FilterForm):
    q = SearchField("昵称或门牌", validators=[Optional(), Length(max=40)],
                    render_kw={"placeholder": "昵称，或 楼栋-单元-室"})
    community_id = SelectField("社区", coerce=int, validators=[Optional()], validate_choice=False)
    status = SelectField("认证情况", choices=STATUS_CHOICES, validators=[Optional()])


class VerificationForm(StaffForm):
    decision = RadioField("认定结果", validators=[DataRequired()],
                          choices=choices(("confirm", "确认为本社区住户"),
                                          ("withdraw", "撤销住户认定")))
    note = TextAreaField("依据", validators=[DataRequired(), Length(max=200)],
                         description="写明核对了什么，例如：已核对房产证、租赁合同或户口簿",
                         render_kw={"rows": 3})


VERIFYING_ROLES = (StaffRole.ADMIN, StaffRole.MODERATOR)


@bp.get("/residents")
@login_required(*VERIFYING_ROLES)
def residents():
    staff = g.staff
    filters = ResidentFilterForm(request.args)
    communities = region_choices(staff, {RegionLevel.COMMUNITY})
    filters.community_id.choices = [*choices((0, "全部社区")), *communities]
    values = filters.valid_data()
    community_id = values["community_id"] or None
    if community_id not in {choice.value for choice in communities}:
        community_id = None
    status = values["status"] or ""
    query = accounts.residents_in_scope_query(
        staff, text=(values["q"] or "").strip(), community_id=community_id,
        level=_STATUS_LEVELS.get(status), awaiting=status == "awaiting")
    return render_template("staff/residents/list.html", filters=filters, page=paged(query),
                           labels=VERIFICATION_LABELS)


def _detail(resident_id: int, form: VerificationForm, status: int = 200):
    resident = accounts.get_resident_for_staff(g.staff, resident_id)
    history = audit.entries_for_object("resident", resident.id, action="resident.verification")
    return render_template("staff/residents/detail.html", resident=resident, form=form,
                           history=history, labels=VERIFICATION_LABELS), status


@bp.get("/residents/<int:resident_id>")
@login_required(*VERIFYING_ROLES)
def resident(resident_id: int):
    return _detail(resident_id, VerificationForm())


@bp.post("/residents/<int:resident_id>/verification")
@login_required(*VERIFYING_ROLES)
def verify_resident(resident_id: int):
    form = VerificationForm()
    if not form.validate_on_submit():
        accounts.get_resident_for_staff(g.staff, resident_id)  # 404 outside scope first
        return _detail(resident_id, form, 422)
    confirm = form.decision.data == "confirm"
    level = VerificationLevel.RESIDENCY if confirm else VerificationLevel.PHONE
    try:
        accounts.set_verification(g.staff, resident_id, level, form.note.data)
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        show_service_error(form, exc)
        return _detail(resident_id, form, exc.code)
    flash("已确认为本社区住户" if confirm else "已撤销住户认定", "success")
    return redirect(url_for("staff.resident", resident_id=resident_id))
