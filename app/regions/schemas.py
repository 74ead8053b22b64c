"""Region schemas for the API."""

from marshmallow import fields

from app.validation import OutputSchema


class RegionNodeOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String(metadata={"description": "district | street | community | courtyard"})
    level_label = fields.String(metadata={"description": "区 / 街道 / 社区 / 院落"})
    code = fields.String()
    children = fields.List(fields.Nested(lambda: RegionNodeOut()))


class RegionTreeOut(OutputSchema):
    regions = fields.List(fields.Nested(RegionNodeOut))
