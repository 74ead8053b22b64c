"""The local media store: keys, atomic writes, and the application's store."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask

from app.storage import InvalidKey, LocalStorage, check_key, get_storage, photo_key

DIGEST = hashlib.sha256(b"original photo").hexdigest()
KEY = photo_key(DIGEST, "web")


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


def files_under(storage: LocalStorage) -> list[str]:
    return sorted(
        path.relative_to(storage.root).as_posix()
        for path in storage.root.rglob("*")
        if path.is_file()
    )


def test_photo_keys_are_sharded_by_the_first_digest_characters():
    assert KEY == f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}-web.jpg"


def test_photo_key_refuses_what_is_not_a_sha256():
    with pytest.raises(InvalidKey):
        photo_key("../../etc/passwd", "web")


def test_put_then_read_returns_the_bytes(storage):
    storage.put(KEY, b"jpeg bytes", "image/jpeg")

    assert storage.read(KEY) == b"jpeg bytes"


def test_put_writes_the_file_at_the_sharded_path(storage):
    storage.put(KEY, b"jpeg bytes", "image/jpeg")

    assert storage.path_for(KEY) == storage.root / DIGEST[:2] / DIGEST[2:4] / f"{DIGEST}-web.jpg"
    assert storage.path_for(KEY).read_bytes() == b"jpeg bytes"


def test_exists_tells_stored_from_missing(storage):
    assert not storage.exists(KEY)

    storage.put(KEY, b"jpeg bytes", "image/jpeg")

    assert storage.exists(KEY)


def test_putting_the_same_object_twice_is_harmless(storage):
    storage.put(KEY, b"jpeg bytes", "image/jpeg")
    storage.put(KEY, b"jpeg bytes", "image/jpeg")

    assert storage.read(KEY) == b"jpeg bytes"
    assert files_under(storage) == [KEY]


def test_put_replaces_a_previous_object(storage):
    storage.put(KEY, b"old", "image/jpeg")
    storage.put(KEY, b"new", "image/jpeg")

    assert storage.read(KEY) == b"new"


def test_put_leaves_no_temporary_file(storage):
    storage.put(KEY, b"jpeg bytes", "image/jpeg")

    assert files_under(storage) == [KEY]


def test_failed_put_leaves_no_temporary_file(storage):
    # A directory where the file should go makes the final rename fail for real.
    blocker = storage.path_for(KEY)
    blocker.mkdir(parents=True)
    (blocker / "inside").write_bytes(b"")

    with pytest.raises(OSError):
        storage.put(KEY, b"jpeg bytes", "image/jpeg")

    assert files_under(storage) == [f"{KEY}/inside"]


def test_delete_removes_the_object(storage):
    storage.put(KEY, b"jpeg bytes", "image/jpeg")

    storage.delete(KEY)

    assert not storage.exists(KEY)


def test_deleting_a_missing_object_is_not_an_error(storage):
    storage.delete(KEY)

    assert not storage.exists(KEY)


def test_reading_a_missing_object_raises_file_not_found(storage):
    with pytest.raises(FileNotFoundError):
        storage.read(KEY)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../outside.jpg",
        "ab/../../outside.jpg",
        "/etc/passwd",
        "ab//cd.jpg",
        "ab/./cd.jpg",
        "ab/cd/",
        ".hidden.jpg",
        "ab\\cd.jpg",
        "ab/cd.jpg\x00",
        "照片.jpg",
        "a" * 513,
    ],
)
def test_bad_keys_are_refused(storage, key):
    with pytest.raises(InvalidKey):
        storage.put(key, b"x", "image/jpeg")


@pytest.mark.parametrize("operation", ["exists", "read", "delete", "path_for"])
def test_every_operation_checks_its_key(storage, operation):
    with pytest.raises(InvalidKey):
        getattr(storage, operation)("../outside.jpg")


def test_check_key_accepts_a_plain_relative_key():
    assert check_key("ab/cd/name-web.jpg") == "ab/cd/name-web.jpg"


def test_get_storage_is_a_local_store_under_media_root(tmp_path):
    app = Flask(__name__)
    app.config["MEDIA_ROOT"] = str(tmp_path / "media")

    with app.app_context():
        storage = get_storage()

    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "media"


def test_get_storage_returns_the_same_store_each_time(tmp_path):
    app = Flask(__name__)
    app.config["MEDIA_ROOT"] = str(tmp_path / "media")

    with app.app_context():
        assert get_storage() is get_storage()
