"""Paginated lists: one argument schema, one envelope, one query helper for every list endpoint."""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import fields, validate

from app.extensions import db
from app.validation import InputSchema, OutputSchema, QueryInteger

MAX_PER_PAGE = 50


class PageArgs(InputSchema):
    """Query-string arguments of every list (query values are text, hence QueryInteger)."""

    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = QueryInteger(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageMeta(OutputSchema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


_ENVELOPES: dict[type, type] = {}


def page_of(item_schema: type) -> type:
    """The response schema `{items: [...], meta: {page, per_page, total, pages}}` of `item_schema`."""
    envelope = _ENVELOPES.get(item_schema)
    if envelope is None:
        name = item_schema.__name__.removesuffix("Out").removesuffix("Schema") + "PageOut"
        envelope = type(name, (OutputSchema,), {
            "items": fields.List(fields.Nested(item_schema)),
            "meta": fields.Nested(PageMeta),
        })
        _ENVELOPES[item_schema] = envelope
    return envelope


def paginate(query: sa.Select, page: int, per_page: int, *, scalars: bool = True) -> dict:
    """Run `query` for one page and count the whole; returns the envelope's data."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    paged = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    items = result.scalars().all() if scalars else result.mappings().all()
    return {"items": items,
            "meta": {"page": page, "per_page": per_page, "total": total,
                     "pages": (total + per_page - 1) // per_page}}
