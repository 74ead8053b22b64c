"""Administration of report categories and their service levels (SLA).

Every admin may read them; only an admin of a 区 may change them (they apply everywhere).
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.accounts.models import StaffRole
from app.categories import service as categories
from app.errors import ServiceError
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.forms import StaffForm, show_service_error


class CategoryForm(StaffForm):
    name = StringField("名称", validators=[DataRequired(), Length(max=30)])
    group_name = StringField("分组", validators=[Optional(), Length(max=30)],
                             render_kw={"placeholder": "例如 市容环境"})
    description = TextAreaField("说明", validators=[Optional(), Length(max=200)],
                                render_kw={"rows": 2})
    response_sla_hours = IntegerField("响应时限（小时）",
                                      validators=[InputRequired(), NumberRange(min=1, max=720)],
                                      description="派单后多久内须联系居民",
                                      render_kw={"inputmode": "numeric"})
    completion_sla_hours = IntegerField("办结时限（小时）",
                                        validators=[InputRequired(), NumberRange(min=1, max=2160)],
                                        description="派单后多久内须办结",
                                        render_kw={"inputmode": "numeric"})
    sort_order = IntegerField("排序", default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=999)],
                              description="数字小的排在前面", render_kw={"inputmode": "numeric"})
    keywords = StringField("关键词", validators=[Optional(), Length(max=200)],
                           description="用逗号分隔，帮助居民和机器人找到类别")

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "group_name": (self.group_name.data or "").strip(),
                "description": (self.description.data or "").strip(),
                "response_sla_hours": self.response_sla_hours.data,
                "completion_sla_hours": self.completion_sla_hours.data,
                "sort_order": self.sort_order.data, "keywords": (self.keywords.data or "").strip()}


class NewCategoryForm(CategoryForm):
    code = StringField("编码", validators=[DataRequired(), Length(max=32),
                                          Regexp(r"^[a-z0-9_-]+$", message="只能用小写字母、数字、- 和 _")],
                       description="创建后不能修改；也是 Open311 的 service_code")


@bp.get("/admin/categories")
@login_required(StaffRole.ADMIN)
def categories_list():
    return render_template("staff/admin/categories.html", categories=categories.all_categories(),
                           can_manage=categories.can_manage_categories(g.staff))


@bp.route("/admin/categories/new", methods=["GET", "POST"])
@login_required(StaffRole.ADMIN)
def category_new():
    categories.require_category_manager(g.staff)
    form = NewCategoryForm()
    status = None
    if form.validate_on_submit():
        try:
            category = categories.create_category(g.staff, code=form.code.data.strip(),
                                                  **form.values())
        except ServiceError as exc:
            show_service_error(form, exc)
            status = exc.code
        else:
            flash(f"已新增类别：{category.name}", "success")
            return redirect(url_for("staff.categories_list"))
    status = status or (422 if form.errors else 200)
    return render_template("staff/admin/category_form.html", form=form, category=None), status


@bp.route("/admin/categories/<int:category_id>", methods=["GET", "POST"])
@login_required(StaffRole.ADMIN)
def category_edit(category_id: int):
    categories.require_category_manager(g.staff)
    category = categories.get_category(category_id)
    form = CategoryForm(obj=category if request.method == "GET" else None)
    status = None
    if form.validate_on_submit():
        try:
            categories.update_category(g.staff, category.id, **form.values())
        except ServiceError as exc:
            show_service_error(form, exc)
            status = exc.code
        else:
            flash(f"类别“{category.name}”已保存", "success")
            return redirect(url_for("staff.categories_list"))
    status = status or (422 if form.errors else 200)
    return render_template("staff/admin/category_form.html", form=form,
                           category=category), status


@bp.post("/admin/categories/<int:category_id>/active")
@login_required(StaffRole.ADMIN)
def category_set_active(category_id: int):
    active = request.form.get("active") == "1"
    category = categories.set_category_active(g.staff, category_id, active)
    flash(f"类别“{category.name}”已{'启用' if active else '停用'}", "success")
    return redirect(url_for("staff.categories_list"))
