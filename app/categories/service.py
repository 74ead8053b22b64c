"""Report categories: what residents may choose, lookups by code, and their administration."""

from __future__ import annotations

import sqlalchemy as sa

from app import audit
from app.accounts.models import Staff
from app.accounts.service import require_admin
from app.categories.models import Category
from app.database import fetch_mappings
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db

_ACTIVE_CATEGORY_ROWS = (
    sa.select(Category.code, Category.name, Category.description,
              Category.response_sla_hours, Category.completion_sla_hours)
    .where(Category.active.is_(True))
    .order_by(Category.sort_order, Category.id)
)


def active_categories() -> list[dict]:
    """The choices of the filing form, as plain dicts in the shape of CategoryOut (read on a
    read-only connection of their own, which never waits for SQLite's write lock)."""
    return fetch_mappings(_ACTIVE_CATEGORY_ROWS)


def get_active_by_code(code: str, *, field: str = "category") -> Category:
    """The active category with this code, or a 422 naming the field."""
    category = db.session.scalar(
        sa.select(Category).where(Category.code == code, Category.active.is_(True))
    )
    if category is None:
        raise Invalid("请选择有效的类别", errors={field: ["没有这个类别"]})
    return category


# --- admins managing categories (the staff pages) ---------------------------------------------

CATEGORY_FIELDS = ("name", "description", "response_sla_hours", "completion_sla_hours",
                   "sort_order", "keywords", "group_name")


def require_category_manager(staff: Staff) -> None:
    """Categories and their SLAs apply everywhere, so only an admin of a top-level region (区)
    may change them; other staff may read them."""

    require_admin(staff)
    if staff.region.parent_id is not None:
        raise Forbidden("报事类别全区通用，只有区级管理员可以修改")


def can_manage_categories(staff: Staff) -> bool:

    try:
        require_category_manager(staff)
    except Forbidden:
        return False
    return True


def all_categories() -> list[Category]:
    """Every category, in use first, in the order residents see them."""
    return db.session.scalars(sa.select(Category).order_by(
        Category.active.desc(), Category.sort_order, Category.id)).all()


def get_category(category_id: int) -> Category:

    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound("找不到该类别")
    return category


def _check_sla(values: dict) -> None:
    if values["completion_sla_hours"] < values["response_sla_hours"]:
        raise Invalid("办结时限不能短于响应时限",
                      errors={"completion_sla_hours": ["办结时限不能短于响应时限"]})


def create_category(staff: Staff, *, code: str, **values) -> Category:
    """Add a category (code unique, also the Open311 service_code); audit-logged."""

    require_category_manager(staff)
    _check_sla(values)
    if db.session.scalar(sa.select(Category.id).where(Category.code == code)) is not None:
        raise Conflict("该编码已被使用", errors={"code": ["该编码已被使用"]})
    category = Category(code=code, **{key: values[key] for key in CATEGORY_FIELDS})
    db.session.add(category)
    db.session.flush()
    audit.record(staff, "category.create", object_type="category", object_id=category.id,
                 region_id=staff.region_id, code=code)
    db.session.commit()
    return category


def update_category(staff: Staff, category_id: int, **values) -> Category:
    """Change a category's name, SLAs and wording (its code never changes); audit-logged."""

    require_category_manager(staff)
    category = get_category(category_id)
    _check_sla(values)
    changed = {}
    for key in CATEGORY_FIELDS:
        if getattr(category, key) != values[key]:
            changed[key] = [getattr(category, key), values[key]]
            setattr(category, key, values[key])
    if changed:
        audit.record(staff, "category.update", object_type="category", object_id=category.id,
                     region_id=staff.region_id, changed=changed)
    db.session.commit()
    return category


def set_category_active(staff: Staff, category_id: int, active: bool) -> Category:
    """Offer a category to residents again, or stop offering it (its reports keep it)."""

    require_category_manager(staff)
    category = get_category(category_id)
    if category.active != active:
        category.active = active
        audit.record(staff, "category.activate" if active else "category.deactivate",
                     object_type="category", object_id=category.id, region_id=staff.region_id)
    db.session.commit()
    return category
