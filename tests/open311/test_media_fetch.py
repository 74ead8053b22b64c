"""The SSRF-safe `media_url` fetcher: what it refuses without connecting, and how it downloads."""

from __future__ import annotations

import socket

import pytest

from app.open311.media_fetch import MediaFetchFailed, MediaRefused, fetch_media
from tests.open311.conftest import (
    Drip,
    image,
    never_answer,
    raw,
    redirect,
    stream_forever,
)

LOOPBACK = ["127.0.0.1/32"]
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"


# --- Refused before any name lookup: the URL itself is unacceptable ---------------------------

REFUSED_BY_SHAPE = [
    "ftp://example.com/photo.jpg",
    "file:///etc/passwd",
    "gopher://example.com/_GET",
    "javascript:alert(1)",
    "data:image/png;base64,iVBORw0KGgo=",
    "//example.com/photo.jpg",
    "http:///photo.jpg",
    "http://user:pass@example.com/photo.jpg",
    "http://user@example.com/photo.jpg",
    "https://:@example.com/photo.jpg",
    "http://example.com\\@127.0.0.1/photo.jpg",
    "http://example.com /photo.jpg",
    "http://example.com/photo.jpg\r\nX-Injected: 1",
    "http://example.com:8O/photo.jpg",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://017700000001/",
    "http://127.1/",
    "http://0/",
    "http://010.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://127%2e0%2e0%2e1/",
    "http://[fe80::1%25eth0]/",
    "http://[::1/",
    "http://example.com:99999/",
]


@pytest.mark.parametrize("url", REFUSED_BY_SHAPE)
def test_unacceptable_url_is_refused_before_resolving_or_connecting(
    url, connection_attempts, name_lookups
):
    with pytest.raises(MediaRefused):
        fetch_media(url)
    assert name_lookups == []
    assert connection_attempts == []


# --- Refused because of the address: IP literals and names resolving to non-public space -----

REFUSED_BY_ADDRESS = [
    "http://127.0.0.1/",
    "HTTP://127.0.0.1/photo.jpg",
    "http://127.0.0.1.:80/",
    "http://localhost/",
    "http://localhost./",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://１２７．０．０．１/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[ff02::1]/",
    "https://127.0.0.1/photo.jpg",
]


@pytest.mark.parametrize("url", REFUSED_BY_ADDRESS)
def test_non_public_address_is_refused_without_connecting(url, connection_attempts):
    with pytest.raises(MediaRefused):
        fetch_media(url)
    assert connection_attempts == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_refused_url_never_reaches_a_listening_server(host):
    # A real listener on the very port the URL names: a connect would complete into its backlog.
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        with pytest.raises(MediaRefused):
            fetch_media(f"http://{host}:{port}/photo.jpg")
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_name_resolving_to_any_private_address_is_refused(monkeypatch, connection_attempts):
    # A public and a private answer together: vetting only the first would let the second in.
    def answers(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", answers)
    with pytest.raises(MediaRefused, match="10.0.0.5"):
        fetch_media("http://photos.partner.example/a.jpg")
    assert connection_attempts == []


def test_allowed_networks_exempt_only_the_listed_addresses(connection_attempts):
    with pytest.raises(MediaRefused):
        fetch_media("http://127.0.0.1/photo.jpg", allowed_networks=["127.0.0.2/32"])
    assert connection_attempts == []


# --- Downloading ---------------------------------------------------------------------------


def test_photo_is_downloaded_from_an_allowed_server(server):
    server.routes["/photo.jpg"] = image(PHOTO)
    assert fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK) == PHOTO


def test_request_names_the_url_host_and_asks_for_an_image(server):
    server.routes["/photo.jpg"] = image(PHOTO)
    fetch_media(server.url("/photo.jpg", host="localhost"), allowed_networks=LOOPBACK)
    path, headers = server.requests[0]
    assert path == "/photo.jpg"
    assert headers["Host"] == f"localhost:{server.port}"
    assert headers["Accept-Encoding"] == "identity"


def test_query_string_and_non_ascii_or_spaced_path_reach_the_server_encoded(server):
    server.routes["/%E7%85%A7%E7%89%87%201.jpg"] = image(PHOTO)
    url = server.url("/照片 1.jpg?size=large&v=2")
    assert fetch_media(url, allowed_networks=LOOPBACK) == PHOTO
    assert server.requests[0][0] == "/%E7%85%A7%E7%89%87%201.jpg?size=large&v=2"


def test_surrounding_whitespace_in_the_url_is_ignored(server):
    # The spec's own example media_url ends in a space.
    server.routes["/photo.jpg"] = image(PHOTO)
    assert fetch_media(f" {server.url('/photo.jpg')} ", allowed_networks=LOOPBACK) == PHOTO


def test_connection_goes_to_the_address_that_was_vetted(monkeypatch, server):
    # DNS rebinding: the name answers 127.0.0.1 (allowed) once, then 127.0.0.3 (not allowed).
    # Resolving again at connect time would reach 127.0.0.3, where nothing listens.
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "127.0.0.3"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    server.routes["/photo.jpg"] = image(PHOTO)
    url = server.url("/photo.jpg", host="media.partner.example")
    assert fetch_media(url, allowed_networks=LOOPBACK) == PHOTO
    assert lookups == ["media.partner.example"]
    assert server.requests[0][1]["Host"] == f"media.partner.example:{server.port}"


# --- Redirects -----------------------------------------------------------------------------


def test_relative_redirect_is_followed(server):
    server.routes["/old.jpg"] = redirect("/new.jpg", status=301)
    server.routes["/new.jpg"] = image(PHOTO)
    assert fetch_media(server.url("/old.jpg"), allowed_networks=LOOPBACK) == PHOTO


def test_three_redirects_are_followed(server):
    server.routes["/1"] = redirect("/2")
    server.routes["/2"] = redirect("/3", status=307)
    server.routes["/3"] = redirect("/photo.jpg", status=308)
    server.routes["/photo.jpg"] = image(PHOTO)
    assert fetch_media(server.url("/1"), allowed_networks=LOOPBACK) == PHOTO


def test_a_fourth_redirect_is_not_followed(server):
    for hop in range(1, 5):
        server.routes[f"/{hop}"] = redirect(f"/{hop + 1}")
    server.routes["/5"] = image(PHOTO)
    with pytest.raises(MediaFetchFailed, match="redirects"):
        fetch_media(server.url("/1"), allowed_networks=LOOPBACK)
    assert [path for path, _ in server.requests] == ["/1", "/2", "/3", "/4"]


def test_redirect_to_a_non_public_address_is_refused_at_the_hop(make_server):
    # The partner server sits on 127.0.0.2, exempted for the test; its redirect points at a
    # service on 127.0.0.1, which is not exempted and must never see a connection.
    partner = make_server("127.0.0.2")
    internal = make_server("127.0.0.1")
    internal.routes["/secret.jpg"] = image(b"internal")
    partner.routes["/photo.jpg"] = redirect(internal.url("/secret.jpg"))
    with pytest.raises(MediaRefused, match="127.0.0.1"):
        fetch_media(partner.url("/photo.jpg"), allowed_networks=["127.0.0.2/32"])
    assert [path for path, _ in partner.requests] == ["/photo.jpg"]
    assert internal.accepted == 0


def test_redirect_to_another_scheme_is_refused(server):
    server.routes["/photo.jpg"] = redirect("file:///etc/passwd")
    with pytest.raises(MediaRefused):
        fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK)


def test_redirect_without_location_fails(server):
    server.routes["/photo.jpg"] = raw(b"HTTP/1.0 302 Found\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(MediaFetchFailed):
        fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK)


# --- Size limits ---------------------------------------------------------------------------


def test_body_of_exactly_max_bytes_is_accepted(server):
    server.routes["/photo.jpg"] = image(PHOTO, length=False)
    assert fetch_media(server.url("/photo.jpg"), max_bytes=len(PHOTO), allowed_networks=LOOPBACK)


def test_declared_length_over_the_limit_fails_before_reading_the_body(server):
    # The server promises 10 GB, sends none of it and holds the connection: only a decision
    # made on the header ends this before the deadline.
    server.routes["/photo.jpg"] = raw(
        b"HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 10000000000\r\n\r\n",
        then_wait=server.release,
    )
    with pytest.raises(MediaFetchFailed) as refused:
        fetch_media(server.url("/photo.jpg"), timeout=30, allowed_networks=LOOPBACK)
    assert "Content-Length" in refused.value.reason


def test_undeclared_body_over_the_limit_fails(server):
    server.routes["/photo.jpg"] = image(PHOTO, length=False)
    with pytest.raises(MediaFetchFailed, match="exceeds"):
        fetch_media(server.url("/photo.jpg"), max_bytes=len(PHOTO) - 1, allowed_networks=LOOPBACK)


def test_endless_body_is_abandoned_past_the_limit(server):
    server.routes["/photo.jpg"] = stream_forever()
    with pytest.raises(MediaFetchFailed) as failed:
        fetch_media(
            server.url("/photo.jpg"), max_bytes=100_000, timeout=30, allowed_networks=LOOPBACK
        )
    assert "exceeds" in failed.value.reason


def test_body_shorter_than_its_content_length_fails(server):
    server.routes["/photo.jpg"] = raw(
        b"HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100\r\n\r\nonly this"
    )
    with pytest.raises(MediaFetchFailed, match="truncated"):
        fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK)


# --- Time ----------------------------------------------------------------------------------


def test_server_that_never_answers_times_out(server):
    server.routes["/photo.jpg"] = never_answer(server.release)
    with pytest.raises(MediaFetchFailed, match="timed out"):
        fetch_media(server.url("/photo.jpg"), timeout=0.3, allowed_networks=LOOPBACK)


def test_slow_drip_of_headers_is_cut_off_at_the_deadline(server):
    # Every byte arrives well within any per-read timeout. Checking the clock only between
    # reads would sit through all the headers (~8 s) before giving up; the deadline must cut
    # the connection while the server is still sending them.
    headers = b"HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\nX-Padding: " + b"p" * 100
    dripping = Drip(headers + b"\r\n\r\n" + PHOTO, interval=0.05)
    server.routes["/photo.jpg"] = dripping
    with pytest.raises(MediaFetchFailed, match="timed out"):
        fetch_media(server.url("/photo.jpg"), timeout=0.5, allowed_networks=LOOPBACK)
    assert dripping.done.wait(60), "the server should notice the client has gone"
    assert dripping.sent < len(headers)


def test_slow_drip_of_an_undeclared_body_is_not_taken_as_complete(server):
    # Without Content-Length the body ends when the connection does; a connection cut at the
    # deadline must not pass for the end of the photo.
    head = b"HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\n\r\n"
    server.routes["/photo.jpg"] = Drip(PHOTO, interval=0.05, prefix=head)
    with pytest.raises(MediaFetchFailed, match="timed out"):
        fetch_media(server.url("/photo.jpg"), timeout=0.5, allowed_networks=LOOPBACK)


# --- What the response must be -------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/octet-stream", "image/svg+xml", ""]
)
def test_non_image_content_type_fails(server, content_type):
    server.routes["/photo.jpg"] = image(PHOTO, content_type=content_type)
    with pytest.raises(MediaFetchFailed, match="not an image"):
        fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK)


def test_image_content_type_with_parameters_is_accepted(server):
    server.routes["/photo.png"] = image(PHOTO, content_type="IMAGE/PNG; name=photo.png")
    assert fetch_media(server.url("/photo.png"), allowed_networks=LOOPBACK) == PHOTO


@pytest.mark.parametrize("status", [204, 206, 404, 500])
def test_status_other_than_200_fails(server, status):
    server.routes["/photo.jpg"] = raw(
        f"HTTP/1.0 {status} Whatever\r\nContent-Type: image/jpeg\r\n"
        f"Content-Length: {len(PHOTO)}\r\n\r\n".encode()
        + PHOTO
    )
    with pytest.raises(MediaFetchFailed, match=str(status)):
        fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK)


def test_compressed_body_that_was_not_asked_for_fails(server):
    server.routes["/photo.jpg"] = raw(
        b"HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\nContent-Encoding: gzip\r\n\r\nxx"
    )
    with pytest.raises(MediaFetchFailed, match="encoding"):
        fetch_media(server.url("/photo.jpg"), allowed_networks=LOOPBACK)


def test_unreachable_allowed_address_fails_rather_than_hangs():
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    with pytest.raises(MediaFetchFailed):
        fetch_media(f"http://127.0.0.1:{port}/photo.jpg", allowed_networks=LOOPBACK)


# --- HTTPS: pinned address, but SNI and certificate checks against the URL's host ----------


def test_https_photo_is_fetched_with_sni_and_host_of_the_url(make_server, trust_test_authority):
    secure = make_server(tls=trust_test_authority.server_context(["localhost"]))
    secure.routes["/photo.jpg"] = image(PHOTO)
    url = secure.url("/photo.jpg", host="localhost")
    assert fetch_media(url, allowed_networks=[*LOOPBACK, "::1/128"]) == PHOTO
    assert secure.server_names == ["localhost"]
    assert secure.requests[0][1]["Host"] == f"localhost:{secure.port}"


def test_https_certificate_for_another_name_fails(make_server, trust_test_authority):
    secure = make_server(tls=trust_test_authority.server_context(["photos.other.example"]))
    secure.routes["/photo.jpg"] = image(PHOTO)
    url = secure.url("/photo.jpg", host="localhost")
    with pytest.raises(MediaFetchFailed, match="certificate"):
        fetch_media(url, allowed_networks=[*LOOPBACK, "::1/128"])
    assert secure.requests == []


def test_https_certificate_from_an_unknown_authority_fails(make_server, test_authority):
    secure = make_server(tls=test_authority.server_context(["localhost"]))
    secure.routes["/photo.jpg"] = image(PHOTO)
    with pytest.raises(MediaFetchFailed, match="certificate"):
        fetch_media(secure.url("/photo.jpg", host="localhost"), allowed_networks=LOOPBACK)
