"""media_url: the partner's photo is fetched into the photo pipeline, within limits, from public
addresses only; a refused or failed fetch files nothing and leaves nothing behind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, ReportPhoto
from app.uploads.models import Upload
from tests.open311.conftest import image, never_answer
from tests.open311.helpers import BASE, assert_error, check, filing, get_both, post_request
from tests.uploads.samples import encoded, photo_like


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return encoded(photo_like(800, 600, seed=7), "JPEG", quality=85)


@pytest.fixture
def loopback_allowed(app, monkeypatch):
    """Let media_url reach 127.0.0.1, where the test server runs (never allowed in production)."""
    monkeypatch.setitem(app.config, "OPEN311_MEDIA_ALLOWED_NETWORKS", ["127.0.0.1/32"])


def nothing_kept(media_root) -> bool:
    files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    return (db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0
            and db.session.scalar(sa.select(sa.func.count(Report.id))) == 0 and files == [])


def test_the_photo_at_media_url_becomes_the_reports_photo(client, partner, regions, server,
                                                          jpeg, loopback_allowed):
    server.routes["/photo.jpg"] = image(jpeg)
    check(post_request(client, **filing(regions, media_url=server.url("/photo.jpg"))), "json",
          "post_request_response")
    report = db.session.scalar(sa.select(Report))
    (photo,) = report.photos
    assert (photo.kind, photo.upload.partner_id, photo.upload.claimed_at is not None) == (
        "report", partner.id, True)
    assert (photo.upload.width, photo.upload.height) == (800, 600)


def test_the_fetched_photo_is_served_as_the_requests_media_url(client, partner, regions, server,
                                                               jpeg, loopback_allowed):
    server.routes["/photo.jpg"] = image(jpeg)
    post_request(client, **filing(regions, media_url=server.url("/photo.jpg")))
    (request,) = get_both(client, "requests", "requests")
    assert request["media_url"].startswith("https://linli.test/media/")
    assert client.get(request["media_url"].removeprefix("https://linli.test")).status_code == 200


def test_the_same_photo_twice_is_stored_once_for_the_partner(client, partner, regions, server,
                                                             jpeg, loopback_allowed):
    server.routes["/photo.jpg"] = image(jpeg)
    for _ in range(2):
        post_request(client, **filing(regions, media_url=server.url("/photo.jpg")))
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ReportPhoto.id))) == 2


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/photo.jpg",
    "http://localhost/photo.jpg",
    "http://10.1.2.3/photo.jpg",
    "http://192.168.1.20/photo.jpg",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/photo.jpg",
    "http://0x7f000001/photo.jpg",
    "file:///etc/passwd",
    "ftp://example.com/photo.jpg",
    "gopher://127.0.0.1:6379/_FLUSHALL",
])
def test_a_media_url_to_a_private_address_or_other_scheme_is_refused_unconnected(
        client, partner, regions, media_root, media_connections, url):
    response = post_request(client, **filing(regions, media_url=url))
    assert "media_url" in assert_error(response, 400)
    assert media_connections == []
    assert nothing_kept(media_root)


def test_allowing_loopback_does_not_open_other_private_networks(client, partner, regions,
                                                                media_root, media_connections,
                                                                loopback_allowed):
    response = post_request(client, **filing(regions, media_url="http://10.0.0.8/photo.jpg"))
    assert_error(response, 400)
    assert media_connections == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_media_url_that_answers_404_files_nothing(client, partner, regions, server, media_root,
                                                    loopback_allowed, fmt):
    response = post_request(client, fmt, **filing(regions, media_url=server.url("/gone.jpg")))
    assert "media_url" in assert_error(response, 400, fmt)
    assert nothing_kept(media_root)


def test_a_media_url_that_is_no_image_files_nothing(client, partner, regions, server, media_root,
                                                    loopback_allowed):
    server.routes["/page"] = image(b"<html></html>", "text/html")
    assert_error(post_request(client, **filing(regions, media_url=server.url("/page"))), 400)
    assert nothing_kept(media_root)


def test_an_image_type_that_is_no_photo_files_nothing(client, partner, regions, server,
                                                      media_root, loopback_allowed):
    server.routes["/fake.jpg"] = image(b"not really a jpeg at all")
    response = post_request(client, **filing(regions, media_url=server.url("/fake.jpg")))
    assert "不是可用的照片" in assert_error(response, 400)
    assert nothing_kept(media_root)


def test_a_photo_above_the_upload_limit_is_refused(client, app, partner, regions, server, jpeg,
                                                   media_root, loopback_allowed, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", len(jpeg) - 1)
    server.routes["/big.jpg"] = image(jpeg)
    assert_error(post_request(client, **filing(regions, media_url=server.url("/big.jpg"))), 400)
    assert nothing_kept(media_root)


def test_a_filing_refused_after_the_fetch_leaves_no_photo_behind(client, partner, regions,
                                                                 server, jpeg, media_root,
                                                                 loopback_allowed):
    server.routes["/photo.jpg"] = image(jpeg)
    response = post_request(client, **filing(regions, media_url=server.url("/photo.jpg"),
                                             description="灯" * 501))
    assert_error(response, 400)
    assert len(server.requests) == 1
    assert nothing_kept(media_root)


def test_a_failed_filing_keeps_a_photo_another_filing_uses(client, partner, regions, server,
                                                           jpeg, loopback_allowed):
    server.routes["/photo.jpg"] = image(jpeg)
    post_request(client, **filing(regions, media_url=server.url("/photo.jpg")))
    assert_error(post_request(client, **filing(regions, media_url=server.url("/photo.jpg"),
                                               description="灯" * 501)), 400)
    report = db.session.scalar(sa.select(Report))
    assert client.get(f"{BASE}/requests/{report.number}.json").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 1


def test_a_media_url_that_never_answers_times_out_and_files_nothing(
        client, partner, regions, server, media_root, loopback_allowed, monkeypatch):
    monkeypatch.setattr("app.open311.service.MEDIA_TIMEOUT_SECONDS", 0.3)
    server.routes["/slow.jpg"] = never_answer(server.release)
    response = post_request(client, **filing(regions, media_url=server.url("/slow.jpg")))
    assert "timed out" in assert_error(response, 400)
    assert nothing_kept(media_root)
