"""The media store: where photo renditions are kept, behind one small interface.

`Storage` names the operations the rest of Linli may use: `put`, `exists`, `read`, `delete`,
and `path_for` for serving a local file. `LocalStorage` keeps objects as files under MEDIA_ROOT;
an S3-compatible store (MinIO, Tencent COS) can later implement the same interface, with
`path_for` returning None so the serving view redirects to a signed URL instead. `get_storage()`
returns the application's store.

Keys are relative, slash-separated names such as "ab/cd/<sha256>-web.jpg" (see `photo_key`):
sharded so that no directory grows to millions of entries, and validated so that no key can
leave the store.
"""

from __future__ import annotations

import os
import re
import secrets
from abc import ABC, abstractmethod
from pathlib import Path

from flask import current_app

# One or more segments of letters, digits, ".", "_" and "-", each starting with a letter or
# digit: this excludes "", ".", "..", hidden names (our temporary files) and absolute paths.
_KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_KEY_MAX_LENGTH = 512
_SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
_EXTENSION_NAME = "linli.storage"


class InvalidKey(ValueError):
    """A storage key that is malformed or could point outside the store."""


def check_key(key: str) -> str:
    """Return `key` if it is a valid storage key, otherwise raise `InvalidKey`."""
    if not isinstance(key, str) or len(key) > _KEY_MAX_LENGTH or not _KEY_PATTERN.fullmatch(key):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key


def photo_key(sha256: str, rendition: str) -> str:
    """The key of one rendition ("web", "thumbnail") of the photo whose original has `sha256`."""
    if not _SHA256_PATTERN.fullmatch(sha256):
        raise InvalidKey(f"not a lowercase hex SHA-256: {sha256!r}")
    return check_key(f"{sha256[:2]}/{sha256[2:4]}/{sha256}-{rendition}.jpg")


class Storage(ABC):
    """What Linli asks of a media store. Every method validates its key first."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing any previous object, all or nothing.

        Putting the same bytes twice is harmless, so a retried upload or job may simply put
        again.
        """

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abstractmethod
    def read(self, key: str) -> bytes:
        """The bytes stored under `key`; raises FileNotFoundError if there are none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object under `key`; removing a missing object is not an error."""

    def path_for(self, key: str) -> Path | None:
        """The local file holding `key`, for `send_file`; None for stores without local files."""
        check_key(key)
        return None


class LocalStorage(Storage):
    """Objects as files under a root directory (MEDIA_ROOT).

    The content type is not kept: local files are served by extension, and every photo key
    ends in ".jpg".
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename over it: readers see the old object or the new one,
        # never half a file. The leading dot keeps the temporary name outside the key space.
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def read(self, key: str) -> bytes:
        return self.path_for(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def get_storage() -> Storage:
    """The current application's media store, created once per application."""
    storage = current_app.extensions.get(_EXTENSION_NAME)
    if storage is None:
        storage = LocalStorage(current_app.config["MEDIA_ROOT"])
        current_app.extensions[_EXTENSION_NAME] = storage
    return storage
