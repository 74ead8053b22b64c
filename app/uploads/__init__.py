"""Photos: the Pillow pipeline, storage by content hash, and claiming uploads for an object."""

from app.uploads.service import claim_uploads, photo_paths, photo_urls, store_photo

__all__ = ["claim_uploads", "photo_paths", "photo_urls", "store_photo"]
