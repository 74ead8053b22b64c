"""Report categories: what residents may choose, and lookups by code."""

from __future__ import annotations

import sqlalchemy as sa

from app.categories.models import Category
from app.errors import Invalid
from app.extensions import db


def active_categories() -> list[Category]:
    return list(db.session.scalars(
        sa.select(Category).where(Category.active.is_(True))
        .order_by(Category.sort_order, Category.id)
    ))


def get_active_by_code(code: str, *, field: str = "category") -> Category:
    """The active category with this code, or a 422 naming the field."""
    category = db.session.scalar(
        sa.select(Category).where(Category.code == code, Category.active.is_(True))
    )
    if category is None:
        raise Invalid("请选择有效的类别", errors={field: ["没有这个类别"]})
    return category
