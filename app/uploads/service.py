"""Photos: storing an upload through the pipeline, claiming uploads for a report/proposal/letter.

An upload is processed synchronously (about a tenth of a second for a phone photo): the
resident gets its size and the GPS position read from EXIF at once, to pre-fill the location.
Only the metadata-free renditions are stored (the original too when KEEP_ORIGINAL_PHOTOS is
set; it is never served). Files are keyed by the original's SHA-256, so the same photo is
stored once however often it is uploaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from app import clock, geo
from app.accounts.models import Resident, Staff
from app.database import insert_ignoring_conflicts, repoint
from app.errors import Invalid, PayloadTooLarge
from app.extensions import db
from app.storage import get_storage, photo_key
from app.uploads.models import Upload
from app.uploads.pipeline import PhotoRejected, process_photo

if TYPE_CHECKING:
    from app.open311.models import Partner

log = logging.getLogger(__name__)

MAX_PHOTOS = 9
RENDITIONS = ("web", "thumbnail")
ORIGINAL = "original"  # never served (app/uploads/media.py refuses it)
UNCLAIMED_LIFETIME = timedelta(days=3)


@dataclass(frozen=True)
class StoredPhoto:
    upload: Upload
    # Where the photo was taken, from EXIF, in GCJ-02 like WeChat's maps; None when unknown.
    location: tuple[float, float] | None
    taken_at: datetime | None


def media_url(key: str) -> str:
    """Public URL of a stored rendition (absolute when PUBLIC_BASE_URL is configured)."""
    return f"{current_app.config.get('PUBLIC_BASE_URL') or ''}/media/{key}"


def photo_urls(upload: Upload) -> dict:
    return {"url": media_url(photo_key(upload.sha256, "web")),
            "thumbnail_url": media_url(photo_key(upload.sha256, "thumbnail"))}


def photo_paths(upload: Upload) -> dict:
    """The same renditions as `photo_urls`, as paths on this site (the staff pages show them
    from their own origin, which is all their Content Security Policy allows)."""
    return {"url": f"/media/{photo_key(upload.sha256, 'web')}",
            "thumbnail_url": f"/media/{photo_key(upload.sha256, 'thumbnail')}"}


def _owner(resident: Resident | None, staff: Staff | None,
           partner: Partner | None) -> tuple[str, int]:
    """The owner column and id of an upload: exactly one of the three is given."""
    owners = [(column, owner.id) for column, owner in
              (("resident_id", resident), ("staff_id", staff), ("partner_id", partner))
              if owner is not None]
    if len(owners) != 1:
        raise ValueError("an upload has exactly one owner")
    return owners[0]


def _owner_filter(resident: Resident | None, staff: Staff | None,
                  partner: Partner | None = None):
    column, owner_id = _owner(resident, staff, partner)
    return getattr(Upload, column) == owner_id


def store_photo(data: bytes, *, resident: Resident | None = None, staff: Staff | None = None,
                partner: Partner | None = None) -> StoredPhoto:
    """Process and store one photo for its owner (a resident, a staff member or an Open311
    partner); raise 413/422 with a Chinese message when it is refused, leaving nothing behind."""
    owner_column, owner_id = _owner(resident, staff, partner)
    try:
        photo = process_photo(data, max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                              max_pixels=current_app.config["UPLOAD_MAX_PIXELS"])
    except PhotoRejected as exc:
        error = PayloadTooLarge if exc.code == 413 else Invalid
        raise error(exc.message, errors={"file": [exc.message]}) from exc

    storage = get_storage()
    written = []
    renditions = {"web": photo.web.data, "thumbnail": photo.thumbnail.data}
    if current_app.config["KEEP_ORIGINAL_PHOTOS"]:
        renditions[ORIGINAL] = data
    try:
        for rendition, content in renditions.items():
            key = photo_key(photo.sha256, rendition)
            if not storage.exists(key):
                storage.put(key, content, "image/jpeg")
                written.append(key)
        insert_ignoring_conflicts(db.session, Upload.__table__, {
            owner_column: owner_id,
            "sha256": photo.sha256, "source_format": photo.source_format,
            "width": photo.width, "height": photo.height, "created_at": clock.now(),
        }, [owner_column, "sha256"])
        upload = db.session.scalar(sa.select(Upload).where(
            _owner_filter(resident, staff, partner), Upload.sha256 == photo.sha256))
        db.session.commit()
    except Exception:
        db.session.rollback()
        for key in written:
            storage.delete(key)
        raise
    location = geo.wgs84_to_gcj02(*photo.gps) if photo.gps else None
    return StoredPhoto(upload, location, photo.taken_at)


def claim_uploads(ids: list[int], *, resident: Resident | None = None, staff: Staff | None = None,
                  partner: Partner | None = None, field: str = "photo_ids", minimum: int = 0,
                  maximum: int = MAX_PHOTOS) -> list[Upload]:
    """The caller's own uploads with these ids, in the given order, marked as used.

    Raises Invalid naming `field` when an id is unknown or someone else's, or the count is out
    of bounds. The caller commits, together with whatever now holds the photos.
    """
    ids = list(dict.fromkeys(ids))
    if len(ids) < minimum:
        raise Invalid(f"请至少上传 {minimum} 张照片", errors={field: [f"至少 {minimum} 张照片"]})
    if len(ids) > maximum:
        raise Invalid(f"最多上传 {maximum} 张照片", errors={field: [f"最多 {maximum} 张照片"]})
    if not ids:
        return []
    uploads = {u.id: u for u in db.session.scalars(
        sa.select(Upload).where(Upload.id.in_(ids), _owner_filter(resident, staff, partner)))}
    if len(uploads) != len(ids):
        raise Invalid("照片无效，请重新上传", errors={field: ["照片不存在或已失效，请重新上传"]})
    now = clock.now()
    for upload in uploads.values():
        upload.claimed_at = upload.claimed_at or now
    return [uploads[i] for i in ids]


def discard_upload(upload_id: int) -> bool:
    """Remove an upload nothing has claimed, and its files unless another row shares them.

    For a caller whose filing failed after the photo was stored (an Open311 `media_url`): it
    leaves nothing behind instead of waiting for the unclaimed sweep. Committed.
    """
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.claimed_at is not None:
        return False
    sha256 = upload.sha256
    db.session.delete(upload)
    still_used = db.session.scalar(sa.select(Upload.id).where(Upload.sha256 == sha256).limit(1))
    db.session.commit()
    if still_used is None:
        storage = get_storage()
        for rendition in (*RENDITIONS, ORIGINAL):
            storage.delete(photo_key(sha256, rendition))
    return True


def delete_unclaimed(now: datetime | None = None) -> int:
    """Remove uploads nobody used within UNCLAIMED_LIFETIME, and files no row refers to."""
    cutoff = (now or clock.now()) - UNCLAIMED_LIFETIME
    stale = db.session.execute(sa.select(Upload.id, Upload.sha256).where(
        Upload.claimed_at.is_(None), Upload.created_at < cutoff)).all()
    if not stale:
        return 0
    db.session.execute(sa.delete(Upload).where(Upload.id.in_([row.id for row in stale])))
    still_used = set(db.session.scalars(sa.select(Upload.sha256).where(
        Upload.sha256.in_({row.sha256 for row in stale}))))
    db.session.commit()
    storage = get_storage()
    for sha256 in {row.sha256 for row in stale} - still_used:
        for rendition in (*RENDITIONS, ORIGINAL):
            storage.delete(photo_key(sha256, rendition))
    log.info("deleted %d unclaimed uploads", len(stale))
    return len(stale)


# --- two records of one resident --------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    uploads become the target's.

    A photo both records uploaded (same content, hence the same files) is one upload per
    owner: whatever points at the source's copy (report, letter and proposal photos …, found
    through the foreign keys to uploads.id) is pointed at the target's, and the source's row is
    removed. The caller commits."""
    uploads = Upload.__table__
    twin = sa.alias(uploads)
    pairs = db.session.execute(
        sa.select(uploads.c.id, twin.c.id)
        .join(twin, sa.and_(twin.c.sha256 == uploads.c.sha256, twin.c.resident_id == target_id))
        .where(uploads.c.resident_id == source_id)).all()
    referring = [(table, column) for table in db.metadata.tables.values()
                 for column in table.columns for key in column.foreign_keys
                 if key.column is uploads.c.id]
    for source_upload, target_upload in pairs:
        for table, column in referring:
            db.session.execute(sa.update(table).where(column == source_upload)
                               .values({column.name: target_upload}))
        db.session.execute(sa.delete(uploads).where(uploads.c.id == source_upload))
    repoint(uploads.c.resident_id, source_id, target_id)
