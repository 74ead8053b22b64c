"""POST /api/v1/uploads (residents) and /api/v1/staff/uploads (staff): one photo each."""

from flask import current_app, g

from app import ratelimit
from app.accounts.auth import BEARER, resident_required, staff_required
from app.api import Blueprint
from app.uploads import service
from app.uploads.schemas import UploadIn, UploadOut

blp = Blueprint("uploads", __name__, url_prefix="/api/v1", description="上传照片")


def _read(file) -> bytes:
    # Read one byte past the limit so that the pipeline can tell "too large" apart.
    return file.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)


def _answer(stored: service.StoredPhoto) -> dict:
    upload = stored.upload
    location = ({"lat": stored.location[0], "lng": stored.location[1]}
                if stored.location else None)
    return {"id": upload.id, **service.photo_urls(upload), "width": upload.width,
            "height": upload.height, "location": location, "taken_at": None}


@blp.route("/uploads", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(UploadIn, location="files")
@blp.response(201, UploadOut)
@resident_required
def upload_photo(files):
    """上传一张照片（multipart 字段 file，与 wx.uploadFile 一致）"""
    ratelimit.hit(f"upload:resident:{g.resident.id}",
                  limit=current_app.config["UPLOAD_RATE_LIMIT_PER_HOUR"], window_seconds=3600,
                  message="上传太频繁了，请稍后再试")
    return _answer(service.store_photo(_read(files["file"]), resident=g.resident))


@blp.route("/staff/uploads", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(UploadIn, location="files")
@blp.response(201, UploadOut)
@staff_required()
def upload_staff_photo(files):
    """工作人员上传一张照片（如处置结果照片）"""
    return _answer(service.store_photo(_read(files["file"]), staff=g.staff))
