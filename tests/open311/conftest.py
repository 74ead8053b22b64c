"""Fixtures for the Open311 media fetcher: real HTTP(S) servers on loopback, a test CA, and a
recorder proving that no connection is attempted."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """A threaded HTTP(S) server on a loopback address; `routes` map paths to responders."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.accepted = 0
        self.server_names: list[str | None] = []
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server calls)
                owner.requests.append((self.path, dict(self.headers.items())))
                route = owner.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_error(404)
                else:
                    route(self)

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def verify_request(self, request, client_address):
                owner.accepted += 1
                return True

            def handle_error(self, request, client_address):
                pass  # clients hanging up mid-response is what several tests do on purpose

        if tls is not None:
            tls.sni_callback = lambda _sock, name, _context: self.server_names.append(name)
        self.httpd = Server((host, 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.host = host
        self.port = self.httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def make_server():
    """Start `LocalServer`s for one test; all are stopped afterwards."""
    servers: list[LocalServer] = []

    def start(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> LocalServer:
        server = LocalServer(host, tls)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(make_server) -> LocalServer:
    return make_server()


def image(body: bytes, content_type: str = "image/jpeg", *, length: bool = True) -> Route:
    """Respond 200 with `body`; without `length` the body simply ends when the connection does."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def redirect(location: str, status: int = 302) -> Route:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def raw(data: bytes, *, then_wait: threading.Event | None = None) -> Route:
    """Write `data` as the whole response (status line included), then optionally hold on."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(data)
        if then_wait is not None:
            then_wait.wait(30)
        handler.close_connection = True

    return respond


def never_answer(release: threading.Event) -> Route:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        release.wait(30)

    return respond


class Drip:
    """A responder writing `prefix` at once, then `data` one byte every `interval` seconds
    until the client leaves; `sent` counts the dripped bytes, `done` is set when it stops."""

    def __init__(self, data: bytes, interval: float, prefix: bytes = b""):
        self.data = data
        self.interval = interval
        self.prefix = prefix
        self.sent = 0
        self.done = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.wfile.write(self.prefix)
            for byte in self.data:
                handler.wfile.write(bytes([byte]))
                self.sent += 1
                time.sleep(self.interval)
        finally:
            self.done.set()


def stream_forever(content_type: str = "image/jpeg") -> Route:
    """A 200 with no Content-Length whose body never ends (until the client leaves)."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.end_headers()
        block = b"\xff" * 16384
        while True:
            handler.wfile.write(block)

    return respond


@pytest.fixture
def connection_attempts(monkeypatch) -> list[tuple]:
    """Record (and stop) every outgoing connection attempt made during the test."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def name_lookups(monkeypatch) -> list[str]:
    """Record the host names resolved during the test (resolution itself still happens)."""
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    return lookups


class TestAuthority:
    """A throwaway CA; `server_context(names)` serves a certificate it signed for `names`."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, directory):
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Linli test CA")])
        now = dt.datetime.now(dt.UTC)
        self._name = name
        self._certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self._directory = directory
        self.ca_file = directory / "ca.pem"
        self.ca_file.write_bytes(self._certificate.public_bytes(serialization.Encoding.PEM))

    def server_context(self, names: list[str]) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        alternative_names = []
        for name in names:
            try:
                alternative_names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alternative_names.append(x509.DNSName(name))
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        chain = self._directory / f"{names[0]}-{x509.random_serial_number()}.pem"
        chain.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            + certificate.public_bytes(serialization.Encoding.PEM)
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        return context


@pytest.fixture(scope="session")
def test_authority(tmp_path_factory) -> TestAuthority:
    return TestAuthority(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trust_test_authority(test_authority, monkeypatch) -> TestAuthority:
    """Make the default TLS context trust the test CA (OpenSSL reads SSL_CERT_FILE each time)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(test_authority.ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return test_authority


# --- the endpoints' world: categories, a partner, residents and staff ---------------------------

@pytest.fixture
def category():
    from tests.factories import CategoryFactory

    return CategoryFactory(code="streetlight", name="路灯损坏", description="路灯不亮、闪烁、损坏",
                           keywords="路灯,照明", group_name="市政设施", response_sla_hours=24,
                           completion_sla_hours=72)


@pytest.fixture
def partner(regions, category):
    """A partner allowed to file anywhere in the district; its key is helpers.KEY."""
    from tests.factories import PartnerFactory
    from tests.open311.helpers import KEY

    return PartnerFactory(region=regions.district, key=KEY, name="锦江区12345热线平台")


@pytest.fixture
def resident(regions):
    from tests.factories import ResidentFactory

    return ResidentFactory(community=regions.community, nickname="张阿姨",
                           phone_masked="138****1234")


@pytest.fixture
def moderator(regions):
    from app.accounts.models import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(region=regions.community, role=StaffRole.MODERATOR, display_name="王芳")


@pytest.fixture
def handler(regions):
    from app.accounts.models import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(region=regions.grid, role=StaffRole.HANDLER, display_name="张伟")


@pytest.fixture
def admin(regions):
    from app.accounts.models import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(region=regions.district, role=StaffRole.ADMIN, display_name="李建国")


@pytest.fixture
def media_connections(monkeypatch) -> list[tuple]:
    """Every connection the media fetcher tries to open (none is actually made)."""
    from app.open311 import media_fetch

    attempts: list[tuple] = []

    def refuse(connection):
        attempts.append((str(connection.address), connection.port))
        raise AssertionError(f"media fetch connected to {connection.address}")

    monkeypatch.setattr(media_fetch._PinnedHTTPConnection, "connect", refuse)
    return attempts
