"""GET /media/<key>: serve stored photo renditions (nginx serves MEDIA_ROOT in production)."""

from flask import Blueprint, send_file

from app.errors import NotFound
from app.storage import InvalidKey, get_storage

bp = Blueprint("media", __name__)


@bp.get("/media/<path:key>")
def serve(key: str):
    # Originals (kept only when KEEP_ORIGINAL_PHOTOS is set) may carry GPS: never served.
    if "-original" in key:
        raise NotFound()
    try:
        path = get_storage().path_for(key)
    except InvalidKey:
        raise NotFound() from None
    if path is None or not path.is_file():
        raise NotFound()
    # Keys are content hashes: a key's bytes never change.
    return send_file(path, mimetype="image/jpeg", max_age=365 * 24 * 3600, conditional=True)
