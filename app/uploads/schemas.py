"""Upload schemas."""

from marshmallow import fields

from app.validation import InputSchema, LocalDateTime, OutputSchema


class UploadIn(InputSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "照片（JPEG、PNG、WebP、HEIC）"})


class LocationOut(OutputSchema):
    lat = fields.Float()
    lng = fields.Float()


class UploadOut(OutputSchema):
    id = fields.Integer()
    url = fields.String(metadata={"description": "网页尺寸（长边 ≤ 1600 像素）"})
    thumbnail_url = fields.String(metadata={"description": "缩略图（长边 ≤ 360 像素）"})
    width = fields.Integer()
    height = fields.Integer()
    location = fields.Nested(LocationOut, allow_none=True,
                             metadata={"description": "照片里的拍摄位置（GCJ-02），供预填，需居民确认"})
    taken_at = LocalDateTime(allow_none=True)


class PhotoOut(OutputSchema):
    """A stored photo as other resources show it."""

    id = fields.Integer()
    url = fields.String()
    thumbnail_url = fields.String()
    width = fields.Integer()
    height = fields.Integer()
