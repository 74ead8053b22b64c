"""Report categories: what residents may choose, and lookups by code."""

from __future__ import annotations

import sqlalchemy as sa

from app.categories.models import Category
from app.database import fetch_mappings
from app.errors import Invalid
from app.extensions import db

_ACTIVE_CATEGORY_ROWS = (
    sa.select(Category.code, Category.name, Category.description,
              Category.response_sla_hours, Category.completion_sla_hours)
    .where(Category.active.is_(True))
    .order_by(Category.sort_order, Category.id)
)


def active_categories() -> list[dict]:
    """The choices of the filing form, as plain dicts in the shape of CategoryOut."""
    return fetch_mappings(_ACTIVE_CATEGORY_ROWS)


def get_active_by_code(code: str, *, field: str = "category") -> Category:
    """The active category with this code, or a 422 naming the field."""
    category = db.session.scalar(
        sa.select(Category).where(Category.code == code, Category.active.is_(True))
    )
    if category is None:
        raise Invalid("请选择有效的类别", errors={field: ["没有这个类别"]})
    return category
