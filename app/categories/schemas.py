"""Category schemas for the API."""

from marshmallow import fields

from app.validation import OutputSchema


class CategoryOut(OutputSchema):
    code = fields.String()
    name = fields.String()
    description = fields.String()
    response_sla_hours = fields.Integer(metadata={"description": "响应时限（小时）"})
    completion_sla_hours = fields.Integer(metadata={"description": "办结时限（小时）"})


class CategoryListOut(OutputSchema):
    categories = fields.List(fields.Nested(CategoryOut))
