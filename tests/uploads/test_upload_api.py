"""POST /api/v1/uploads: photos in, metadata-free renditions out, refusals leave nothing."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.uploads import service
from app.uploads.models import Upload
from tests.factories import ResidentFactory, StaffFactory
from tests.uploads.samples import encoded, exif_block, photo_like, png_claiming

# 成都 天府广场, WGS84, as a phone's GPS writes it.
GPS = ("N", (30, 39, 27.0), "E", (104, 3, 57.6))


@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community)


@pytest.fixture
def phone_photo():
    """A 2000×1500 JPEG taken rotated (EXIF orientation 6) with GPS and camera details."""
    return encoded(photo_like(2000, 1500, seed=3), "JPEG", quality=90,
                   exif=exif_block(orientation=6, gps=GPS))


def upload(client, headers, data, filename="photo.jpg"):
    return client.post("/api/v1/uploads", headers=headers,
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def test_upload_returns_renditions_and_size(client, resident, auth_headers, phone_photo):
    response = upload(client, auth_headers(resident), phone_photo)
    assert response.status_code == 201
    body = response.json
    # Orientation 6 turns the 2000×1500 landscape into a portrait; web long side ≤ 1600.
    assert (body["width"], body["height"]) == (1200, 1600)
    assert body["url"].startswith("https://linli.test/media/")
    assert body["thumbnail_url"].endswith("-thumbnail.jpg")


def test_gps_is_returned_in_wechat_map_coordinates(client, resident, auth_headers, phone_photo):
    location = upload(client, auth_headers(resident), phone_photo).json["location"]
    # GCJ-02 lies a few hundred metres from the WGS84 reading in Chengdu.
    assert location["lat"] == pytest.approx(30.6575 - 0.0025, abs=0.004)
    assert location["lng"] == pytest.approx(104.066 + 0.0025, abs=0.004)


def test_stored_renditions_carry_no_metadata(client, resident, auth_headers, phone_photo,
                                             media_root):
    upload(client, auth_headers(resident), phone_photo)
    files = stored_files(media_root)
    assert len(files) == 2
    for path in files:
        with Image.open(path) as image:
            assert not image.getexif()
            assert "exif" not in image.info and "icc_profile" not in image.info
            assert b"LinliPhone" not in path.read_bytes()


def test_stored_photo_is_served_and_the_original_is_not_kept(client, resident, auth_headers,
                                                             phone_photo, media_root):
    body = upload(client, auth_headers(resident), phone_photo).json
    response = client.get(body["url"].removeprefix("https://linli.test"))
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"] or "max-age" in response.headers[
        "Cache-Control"]
    assert not any("original" in p.name for p in stored_files(media_root))


def test_original_is_never_served_even_when_kept(client, resident, auth_headers, phone_photo,
                                                 app, media_root):
    app.config["KEEP_ORIGINAL_PHOTOS"] = True
    try:
        body = upload(client, auth_headers(resident), phone_photo).json
    finally:
        app.config["KEEP_ORIGINAL_PHOTOS"] = False
    original = [p for p in stored_files(media_root) if "original" in p.name]
    assert len(original) == 1
    key = body["url"].split("/media/")[1].replace("-web", "-original")
    assert client.get(f"/media/{key}").status_code == 404


def test_the_same_photo_uploaded_twice_is_stored_once(client, resident, auth_headers,
                                                      phone_photo, media_root):
    headers = auth_headers(resident)
    first = upload(client, headers, phone_photo).json
    second = upload(client, headers, phone_photo).json
    assert first["id"] == second["id"]
    assert len(stored_files(media_root)) == 2
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 1


def test_two_residents_uploading_the_same_photo_share_the_files(client, regions, auth_headers,
                                                                phone_photo, media_root):
    a = ResidentFactory(community=regions.community)
    b = ResidentFactory(community=regions.community)
    assert upload(client, auth_headers(a), phone_photo).json["id"] != upload(
        client, auth_headers(b), phone_photo).json["id"]
    assert len(stored_files(media_root)) == 2


def test_type_is_decided_by_content_not_by_name(client, resident, auth_headers):
    png = encoded(photo_like(800, 600), "PNG")
    assert upload(client, auth_headers(resident), png, filename="photo.gif").status_code == 201


@pytest.mark.parametrize("kind, make, status", [
    ("fake", lambda: b"this is not a photo at all" * 40, 422),
    ("truncated", lambda: encoded(photo_like(1600, 1200), "JPEG")[:30_000], 422),
    ("gif", lambda: encoded(photo_like(300, 200), "GIF"), 422),
    ("too large", lambda: b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), 413),
    ("bomb", lambda: png_claiming(20_000, 20_000), 413),
])
def test_bad_uploads_are_refused_and_leave_nothing(client, resident, auth_headers, media_root,
                                                   kind, make, status):
    response = upload(client, auth_headers(resident), make())
    assert response.status_code == status, kind
    assert response.json["message"]
    assert response.json["errors"]["file"]
    assert stored_files(media_root) == []
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0


def test_a_body_over_the_request_limit_gets_413(client, resident, auth_headers, app):
    data = b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    assert upload(client, auth_headers(resident), data).status_code == 413


def test_missing_file_field_gets_422(client, resident, auth_headers):
    response = client.post("/api/v1/uploads", headers=auth_headers(resident),
                           data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["errors"] == {"file": ["此项必填"]}


def test_uploading_needs_a_resident_token(client, phone_photo):
    assert upload(client, {}, phone_photo).status_code == 401


def test_uploads_are_rate_limited(client, resident, auth_headers, app):
    app.config["UPLOAD_RATE_LIMIT_PER_HOUR"] = 2
    try:
        headers = auth_headers(resident)
        png = encoded(photo_like(200, 150), "PNG")
        assert upload(client, headers, png).status_code == 201
        assert upload(client, headers, png).status_code == 201
        assert upload(client, headers, png).status_code == 429
    finally:
        app.config["UPLOAD_RATE_LIMIT_PER_HOUR"] = 60


def test_staff_upload_result_photos(client, regions, auth_headers, phone_photo):
    staff = StaffFactory(region=regions.grid)
    response = client.post("/api/v1/staff/uploads", headers=auth_headers(staff),
                           data={"file": (io.BytesIO(phone_photo), "result.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    assert db.session.get(Upload, response.json["id"]).staff_id == staff.id


def test_claiming_refuses_someone_elses_upload(client, regions, auth_headers, phone_photo):
    from app.errors import Invalid

    owner = ResidentFactory(community=regions.community)
    other = ResidentFactory(community=regions.community)
    upload_id = upload(client, auth_headers(owner), phone_photo).json["id"]
    with pytest.raises(Invalid) as excinfo:
        service.claim_uploads([upload_id], resident=other)
    assert "photo_ids" in excinfo.value.errors


def test_claiming_more_than_nine_is_refused(resident):
    from app.errors import Invalid

    with pytest.raises(Invalid, match="最多上传 9 张照片"):
        service.claim_uploads(list(range(1, 11)), resident=resident)


def test_unclaimed_uploads_are_swept_after_three_days(client, resident, auth_headers,
                                                      phone_photo, media_root, clock):
    upload(client, auth_headers(resident), phone_photo)
    clock.advance(days=3, minutes=1)
    assert service.delete_unclaimed() == 1
    assert stored_files(media_root) == []


def test_claimed_uploads_are_kept(client, resident, auth_headers, phone_photo, media_root, clock):
    upload_id = upload(client, auth_headers(resident), phone_photo).json["id"]
    service.claim_uploads([upload_id], resident=resident)
    db.session.commit()
    clock.advance(days=30)
    assert service.delete_unclaimed() == 0
    assert len(stored_files(media_root)) == 2


def test_media_route_refuses_paths_outside_the_store(client):
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get("/media/ab/cd/missing-web.jpg").status_code == 404


def test_unclaimed_lifetime_is_three_days():
    assert service.UNCLAIMED_LIFETIME == timedelta(days=3)
