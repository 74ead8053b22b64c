"""Download the photo behind a partner's Open311 `media_url` without reaching our own network.

A `media_url` is chosen by whoever holds a partner key, so fetching it naively is a server-side
request forgery: ``http://169.254.169.254/`` (cloud metadata), ``http://localhost:6379/`` or a
name that resolves to 10.x would all be fetched from inside. The rules here:

- only ``http``/``https``, no ``user:pass@``, no ambiguous IPv4 spellings (``0x7f000001``,
  ``2130706433``, ``017700000001``, ``127.1``: resolvers disagree on them, so they are refused
  rather than interpreted);
- the host is resolved **once**; every address it resolves to must be public (not private,
  loopback, link-local, CGNAT, multicast, reserved, unspecified, ULA, or an IPv4-mapped, NAT64 or
  6to4 form of those), else the whole URL is refused;
- the connection goes to a vetted address itself, never to the name again, so a DNS answer that
  changes between check and connect (rebinding) cannot redirect it. `http.client` gets the name
  for the ``Host`` header and TLS gets it for SNI and certificate checking (``server_hostname``),
  while the TCP socket is opened to the pinned IP. `http.client` is used rather than requests:
  it does no proxying from the environment and no redirects of its own;
- redirects are followed by hand, at most `MAX_REDIRECTS`, each hop vetted from scratch;
- one deadline covers everything (DNS, connect, TLS, headers, body): each socket operation gets
  the time left, and a watchdog shuts the socket at the deadline so a server dripping one byte at
  a time cannot stretch it;
- the body is streamed and abandoned past `max_bytes`; it must be a 200 with an image type.

`allowed_networks` exempts explicit CIDRs from the address rules. Only tests set it (to serve a
photo from 127.0.0.1); production code never passes it.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

MAX_REDIRECTS = 3
MAX_URL_LENGTH = 2048
USER_AGENT = "Linli-Open311-media-fetch/1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(
    r"(?=.{1,253}\Z)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\Z",
    re.ASCII,
)
# WHATWG URL: a host whose last label is a number is an IPv4 address in some spelling.
_NUMERIC_LABEL = re.compile(r"(?:[0-9]+|0x[0-9a-f]*)\Z", re.ASCII)
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")
_DIGITS = re.compile(r"[0-9]+\Z", re.ASCII)

# Belt and braces over `is_global`, whose lists changed across Python releases.
_FORBIDDEN_NETWORKS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, including the cloud metadata address
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, including broadcast
        "::/128",
        "::1/128",
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",
        "2001::/23",  # IETF protocol assignments, including Teredo
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class MediaFetchError(Exception):
    """The media could not be fetched; `reason` says why, in English, for logs."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MediaRefused(MediaFetchError):
    """The URL (or a redirect) points somewhere we never connect to; no connection was made."""


class MediaFetchFailed(MediaFetchError):
    """We tried, and did not get an image within the limits (network, status, type, size, time)."""


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII, without brackets or trailing dot: for Host, SNI and certificate checks
    port: int
    request_target: str
    literal: IPAddress | None  # the host, when the URL names an IP address


def fetch_media(
    url: str,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    timeout: float = 5.0,
    allowed_networks: list[str] | None = None,
) -> bytes:
    """Download the image at `url` from a public address, within `timeout` seconds overall.

    Raises `MediaRefused` for URLs (or redirects) we will not connect to, and `MediaFetchFailed`
    when the download itself goes wrong.
    """
    deadline = _Deadline(timeout)
    allowed = [ipaddress.ip_network(cidr) for cidr in allowed_networks or ()]
    tls_context = None
    for _hop in range(MAX_REDIRECTS + 1):
        target = _vet_url(url)
        addresses = _vetted_addresses(target, allowed, deadline)
        if target.scheme == "https" and tls_context is None:
            tls_context = ssl.create_default_context()
        with _exchange(target, addresses, deadline, tls_context) as (response, sock):
            if response.status in _REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise MediaFetchFailed(f"HTTP {response.status} without a Location")
                url = urljoin(target.url, location.strip())
                continue
            expected_length = _check_response(response, max_bytes)
            return _read_body(response, sock, expected_length, max_bytes, deadline)
    raise MediaFetchFailed(f"more than {MAX_REDIRECTS} redirects")


def _vet_url(url: str) -> _Target:
    """Parse `url` and refuse what must never be fetched, before any network activity."""
    if not isinstance(url, str):
        raise MediaRefused("URL is not a string")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise MediaRefused("URL too long")
    if _UNSAFE_URL_CHARS.search(url):
        raise MediaRefused("URL contains control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise MediaRefused(f"malformed URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise MediaRefused(f"scheme {scheme or '(none)'!r} is not allowed")
    if "@" in parts.netloc:
        raise MediaRefused("credentials in URL")
    host, literal = _vet_host(parts.hostname or "", bracketed=parts.netloc.startswith("["))
    request_target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        request_target += "?" + quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    return _Target(
        url=url,
        scheme=scheme,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS[scheme],
        request_target=request_target,
        literal=literal,
    )


def _vet_host(host: str, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    if bracketed:
        if "%" in host:
            raise MediaRefused("IPv6 zone identifiers are not allowed")
        try:
            return host, ipaddress.IPv6Address(host)
        except ValueError:
            raise MediaRefused(f"invalid IPv6 address {host!r}") from None
    if not host.isascii():
        try:
            # Mapping first (fullwidth digits and dots become ASCII), so the checks below see
            # what a resolver would.
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise MediaRefused("invalid internationalised host name") from None
    host = host.removesuffix(".")
    if not _HOST_NAME.match(host):
        raise MediaRefused(f"invalid host name {host!r}")
    if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        try:
            return host, ipaddress.IPv4Address(host)
        except ValueError:
            raise MediaRefused(f"ambiguous IPv4 notation {host!r}") from None
    return host, None


def _vetted_addresses(
    target: _Target, allowed: list[IPNetwork], deadline: _Deadline
) -> list[IPAddress]:
    """The addresses to connect to; refused unless every one of them is acceptable."""
    addresses = [target.literal] if target.literal else _resolve(target, deadline)
    for address in addresses:
        reason = _refusal(address, allowed)
        if reason:
            raise MediaRefused(f"{target.host} → {address}: {reason}")
    return addresses


def _resolve(target: _Target, deadline: _Deadline) -> list[IPAddress]:
    # getaddrinfo cannot be interrupted, so it runs in a thread the deadline can abandon.
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except OSError as error:
            outcome["error"] = error

    resolver = threading.Thread(target=lookup, name="media-fetch-dns", daemon=True)
    resolver.start()
    resolver.join(deadline.remaining())
    if resolver.is_alive():
        raise MediaFetchFailed("timed out resolving host")
    if "error" in outcome:
        raise MediaFetchFailed(f"cannot resolve {target.host}: {outcome['error']}")
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in outcome["infos"]:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise MediaFetchFailed(f"{target.host} has no IP address")
    return addresses


def _refusal(address: IPAddress, allowed: list[IPNetwork]) -> str | None:
    """Why we must not connect to `address`, or None if it is a public (or allowed) address."""
    if any(address in network for network in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped IPv6 address"
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = _refusal(embedded, allowed)
            if reason:
                return f"embeds {embedded}: {reason}"
    for network in _FORBIDDEN_NETWORKS:
        if address in network:
            return f"in non-public network {network}"
    if (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
    ):
        return "not a public address"
    return None


class _Deadline:
    """One time budget for the whole fetch, redirects included."""

    def __init__(self, seconds: float):
        self._end = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._end

    def remaining(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise MediaFetchFailed("timed out")
        return left


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a vetted IP address, naming the URL's host in the Host header."""

    def __init__(
        self,
        target: _Target,
        address: IPAddress,
        timeout: float,
        tls_context: ssl.SSLContext | None,
    ):
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address
        self.tls_context = tls_context
        # http.client drops `sock` when it hands the connection to a `Connection: close`
        # response; the body is still read from it, so keep our own reference.
        self.pinned_sock: socket.socket | None = None

    def connect(self) -> None:
        # A bare socket rather than socket.create_connection, which would run the address
        # through getaddrinfo again.
        family = socket.AF_INET6 if self.address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect((str(self.address), self.port))
        except BaseException:
            sock.close()
            raise
        self.sock = self.pinned_sock = sock


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to a vetted IP address; SNI and certificate checks use the URL's host name."""

    default_port = 443

    def connect(self) -> None:
        super().connect()
        # Handshake after publishing the TLS socket, so the watchdog can cut a slow handshake.
        self.sock = self.pinned_sock = self.tls_context.wrap_socket(
            self.sock, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock.do_handshake()


class _Watchdog:
    """Shuts the current connection's socket when the deadline passes, ending any blocked read."""

    def __init__(self, deadline: _Deadline):
        self._connection: _PinnedHTTPConnection | None = None
        self._timer = threading.Timer(deadline.remaining(), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, connection: _PinnedHTTPConnection) -> None:
        self._connection = connection

    def cancel(self) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        sock = self._connection.pinned_sock if self._connection else None
        if sock is not None:
            try:
                # The plain socket call on the descriptor, also for TLS sockets: SSLSocket's own
                # shutdown would tear down its state under the reading thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: nothing left to interrupt


@contextmanager
def _exchange(
    target: _Target,
    addresses: list[IPAddress],
    deadline: _Deadline,
    tls_context: ssl.SSLContext | None,
) -> Iterator[tuple[http.client.HTTPResponse, socket.socket]]:
    """Send the GET to the first vetted address that accepts; yield (response, socket)."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    watchdog = _Watchdog(deadline)
    connection = None
    response = None
    try:
        connection = _connect(connection_class, target, addresses, deadline, tls_context, watchdog)
        connection.pinned_sock.settimeout(deadline.remaining())
        connection.request(
            "GET",
            target.request_target,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "image/*",
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        yield response, connection.pinned_sock
    except (OSError, http.client.HTTPException) as error:
        raise _failure(error, deadline) from error
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()
        if connection is not None:
            connection.close()
            if connection.pinned_sock is not None:
                connection.pinned_sock.close()


def _connect(
    connection_class: type[_PinnedHTTPConnection],
    target: _Target,
    addresses: list[IPAddress],
    deadline: _Deadline,
    tls_context: ssl.SSLContext | None,
    watchdog: _Watchdog,
) -> _PinnedHTTPConnection:
    error: OSError | None = None
    for address in addresses:
        connection = connection_class(target, address, deadline.remaining(), tls_context)
        watchdog.watch(connection)
        try:
            connection.connect()
            return connection
        except OSError as failure:
            error = failure
            connection.close()
            if deadline.expired:
                break
    raise _failure(error, deadline)


def _failure(error: BaseException | None, deadline: _Deadline) -> MediaFetchFailed:
    if deadline.expired or isinstance(error, TimeoutError):
        return MediaFetchFailed("timed out")
    if isinstance(error, ssl.SSLCertVerificationError):
        return MediaFetchFailed(f"TLS certificate not valid for this host: {error.verify_message}")
    return MediaFetchFailed(f"{type(error).__name__}: {error}")


def _check_response(response: http.client.HTTPResponse, max_bytes: int) -> int | None:
    """Refuse a response that is not a whole image within the limit; return its Content-Length."""
    if response.status != 200:
        raise MediaFetchFailed(f"HTTP status {response.status}")
    content_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    # SVG is script-capable XML, not a photo; the upload pipeline decodes raster images only.
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        raise MediaFetchFailed(f"content type {content_type or '(none)'!r} is not an image")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise MediaFetchFailed(f"content encoding {encoding!r} was not asked for")
    length = response.getheader("Content-Length")
    if length is None:
        return None
    if not _DIGITS.match(length.strip()):
        raise MediaFetchFailed(f"invalid Content-Length {length!r}")
    if int(length) > max_bytes:
        raise MediaFetchFailed(f"Content-Length {int(length)} exceeds {max_bytes} bytes")
    return int(length)


def _read_body(
    response: http.client.HTTPResponse,
    sock: socket.socket,
    expected_length: int | None,
    max_bytes: int,
    deadline: _Deadline,
) -> bytes:
    """Stream the body, stopping one byte past `max_bytes`."""
    chunks: list[bytes] = []
    received = 0
    while received <= max_bytes:
        sock.settimeout(deadline.remaining())
        chunk = response.read1(min(_CHUNK_BYTES, max_bytes + 1 - received))
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    if deadline.expired:
        # The watchdog's shutdown reads as an end of body; do not take a cut-off body as whole.
        raise MediaFetchFailed("timed out")
    if received > max_bytes:
        raise MediaFetchFailed(f"body exceeds {max_bytes} bytes")
    if expected_length is not None and received != expected_length:
        raise MediaFetchFailed(f"body truncated at {received} of {expected_length} bytes")
    return b"".join(chunks)
