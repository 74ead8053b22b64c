"""Administration of the region tree (admins, their own subtree): view, edit, add, import."""

from __future__ import annotations

import json

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.accounts.models import StaffRole
from app.errors import Invalid, ServiceError
from app.regions import service as regions
from app.regions.models import RegionLevel
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices
from app.staff.forms import StaffForm, show_service_error

IMPORT_MAX_BYTES = 2 * 1024 * 1024
# Regions that may have regions under them.
PARENT_LEVELS = {RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY}


def _parse_geojson(text: str | None) -> dict | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ValidationError("不是有效的 JSON") from None
    if not isinstance(value, dict):
        raise ValidationError("应为 GeoJSON 的 Polygon 或 MultiPolygon 对象")
    return value


def _geojson(form, field) -> None:
    _parse_geojson(field.data)


class RegionForm(StaffForm):
    name = StringField("名称", validators=[DataRequired(), Length(max=60)])
    contact_phone = StringField("办公电话", validators=[Optional(), Length(max=32)],
                                render_kw={"inputmode": "tel", "autocomplete": "off"})
    office_hours = StringField("办公时间", validators=[Optional(), Length(max=120)],
                               render_kw={"placeholder": "例如 周一至周五 9:00-17:30"})
    boundary = TextAreaField("边界（GeoJSON，GCJ-02 坐标）",
                             validators=[Optional(), Length(max=200_000), _geojson],
                             description="网格的多边形；居民报事的位置据此分到网格。留空表示没有边界。",
                             render_kw={"rows": 6, "spellcheck": "false"})

    def boundary_value(self) -> dict | None:
        """The boundary as GeoJSON (None when left empty); call after validation."""
        return _parse_geojson(self.boundary.data)


class ChildRegionForm(StaffForm):
    name = StringField("名称", validators=[DataRequired(), Length(max=60)])
    code = StringField("编码", validators=[DataRequired(), Length(max=32),
                                          Regexp(r"^[A-Za-z0-9_-]+$", message="只能用字母、数字、- 和 _")],
                       description="全区唯一，例如 jj-syj-hp-g3")
    level = SelectField("层级", validators=[DataRequired()])


class ImportForm(StaffForm):
    parent_id = SelectField("导入到", coerce=int, validators=[DataRequired()])
    file = FileField("区域文件（JSON）", validators=[
        FileRequired(message="请选择文件"),
        FileAllowed(["json"], message="请选择 .json 文件"),
        FileSize(max_size=IMPORT_MAX_BYTES, message="文件不能超过 2 MB"),
    ], description="JSON 数组，每项为 {name, level, code, boundary?, contact_phone?, "
                   "office_hours?, children?}；按编码更新已有区域，重复导入不会重复创建。")


def _import_form() -> ImportForm:
    form = ImportForm(prefix="import")
    form.parent_id.choices = region_choices(g.staff, PARENT_LEVELS)
    return form


def _tree_page(import_form: ImportForm, status: int = 200):
    root = g.staff.region
    rows = [{"region": region, "depth": regions.depth_below(region, root)}
            for region in regions.subtree_regions(root)]
    return render_template("staff/admin/regions.html", rows=rows,
                           import_form=import_form), status


@bp.get("/admin/regions")
@login_required(StaffRole.ADMIN)
def regions_tree():
    return _tree_page(_import_form())


@bp.post("/admin/regions/import")
@login_required(StaffRole.ADMIN)
def import_regions():
    form = _import_form()
    if not form.validate_on_submit():
        return _tree_page(form, 422)
    try:
        try:
            nodes = json.loads(form.file.data.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise Invalid("文件不是有效的 JSON（UTF-8）", errors={"file": ["不是有效的 JSON"]}) from None
        count = regions.import_under(g.staff, form.parent_id.data, nodes)
    except ServiceError as exc:
        if exc.code == 404:
            raise
        show_service_error(form, exc)
        return _tree_page(form, exc.code)
    flash(f"已导入 {count} 个区域", "success")
    return redirect(url_for("staff.regions_tree"))


def _child_form(region) -> ChildRegionForm | None:
    levels = regions.child_levels(region)
    if not levels:
        return None
    form = ChildRegionForm(prefix="child")
    form.level.choices = choices(*[(level.value, level.label) for level in levels])
    return form


def _region_page(region, form: RegionForm, child_form: ChildRegionForm | None, status: int = 200):
    return render_template("staff/admin/region.html", region=region, form=form,
                           child_form=child_form), status


def _edit_form(region, *, submitted: bool) -> RegionForm:
    """The edit form: what was posted, or else the stored values (the boundary as JSON text)."""
    if submitted:
        return RegionForm()
    form = RegionForm(formdata=None, obj=region)
    form.boundary.data = (json.dumps(region.boundary, ensure_ascii=False)
                          if region.boundary else "")
    return form


@bp.route("/admin/regions/<int:region_id>", methods=["GET", "POST"])
@login_required(StaffRole.ADMIN)
def region_edit(region_id: int):
    region = regions.get_region_for_admin(g.staff, region_id)
    form = _edit_form(region, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            regions.update_region(g.staff, region.id, name=form.name.data.strip(),
                                  contact_phone=(form.contact_phone.data or "").strip(),
                                  office_hours=(form.office_hours.data or "").strip(),
                                  boundary=form.boundary_value())
        except ServiceError as exc:
            if exc.code == 404:
                raise
            show_service_error(form, exc)
            return _region_page(region, form, _child_form(region), exc.code)
        flash("区域信息已保存", "success")
        return redirect(url_for("staff.region_edit", region_id=region.id))
    return _region_page(region, form, _child_form(region), 422 if form.errors else 200)


@bp.post("/admin/regions/<int:region_id>/children")
@login_required(StaffRole.ADMIN)
def region_add_child(region_id: int):
    region = regions.get_region_for_admin(g.staff, region_id)
    form = _child_form(region)
    edit_form = _edit_form(region, submitted=False)
    if form is None:
        raise Invalid("网格和院落下不能再分区域")
    if form.validate_on_submit():
        try:
            child = regions.create_child_region(g.staff, region.id, name=form.name.data.strip(),
                                                code=form.code.data.strip(), level=form.level.data)
        except ServiceError as exc:
            if exc.code == 404:
                raise
            show_service_error(form, exc)
            return _region_page(region, edit_form, form, exc.code)
        flash(f"已新增{child.level.label}：{child.name}", "success")
        return redirect(url_for("staff.region_edit", region_id=child.id))
    return _region_page(region, edit_form, form, 422)
