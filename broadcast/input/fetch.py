"""Fetch an http(s) URL: one total deadline, public addresses only, no credentials.

Not urllib: its timeout is per socket operation, so a server sending one byte a
second never trips it; it resolves the host itself, so the address we checked need
not be the one it connects to; and its redirects cannot be checked hop by hop. Here
every hop resolves once, checks every address, connects to a checked one (no second
lookup a rebinding DNS server could answer differently), and a watchdog shuts the
socket down when the whole fetch passes its deadline. Proxies are not used: a proxy
would resolve the host itself, out of reach of the check.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.parse
import zlib
from email.message import Message

from broadcast import __version__
from broadcast.errors import InputError

USER_AGENT = f"broadcast/{__version__} (news-to-podcast builder; Python http.client)"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"
# Content types read as HTML, and as plain text; anything else is refused.
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ALLOW_PRIVATE_OPTION = "--allow-private-urls"

# What an address that is not on the public internet is called in a message, first match wins.
# `is_global` catches the rest (shared 100.64/10, documentation ranges, ...).
NON_PUBLIC_KINDS: tuple[tuple[str, str], ...] = (
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_unspecified", "unspecified"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)

_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*:)?//[^/?#]*@", re.IGNORECASE)
_CHUNK = 16 * 1024


def without_credentials(url: str) -> str:
    """`url` with any user:password@ part removed: what every message may show of it."""
    match = _USERINFO.match(url)
    return url if match is None else f"{match[1] or ''}//{url[match.end() :]}"


def non_public(address: str) -> str:
    """What kind of non-public address `address` is ("loopback", "private", ...), or "" if public."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    for flag, kind in NON_PUBLIC_KINDS:
        if getattr(ip, flag):
            return kind
    return "" if ip.is_global else "non-public"


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def passed(self) -> bool:
        return time.monotonic() >= self._end


class _Watchdog:
    """Shuts a connection down at the deadline, waking any read a slow server keeps alive."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        # A duplicate descriptor: shutting it down ends the connection even after TLS
        # wrapping has taken the original socket object over.
        self._sock = socket.fromfd(sock.fileno(), sock.family, sock.type)
        self._timer = threading.Timer(deadline.left(), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # not connected yet: connect's own timeout ends it

    def cancel(self) -> None:
        self._timer.cancel()
        self._sock.close()


def fetch(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    allow_private: bool = False,
) -> tuple[bytes, Message, str]:
    """(body, headers, final URL) of an http(s) URL; InputError for every way it can fail."""
    shown = without_credentials(url)
    deadline = _Deadline(timeout)
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        # Messages about a redirect hop name it after the URL the user gave.
        said = f"{shown}: redirected to {without_credentials(current)}" if hop else shown
        parts = _split(current, said)
        host = parts.hostname or ""
        try:
            status, reason, headers, location, body = _get(parts, deadline, max_bytes, allow_private, said)
        except InputError:
            raise
        except (OSError, http.client.HTTPException, ValueError, UnicodeError) as exc:
            if deadline.passed() or isinstance(exc, TimeoutError):
                raise InputError(f"{shown}: timed out after {timeout:g} s") from None
            raise InputError(f"{shown}: {_reason(exc, host)}") from None
        if status in REDIRECT_CODES and location:
            if hop == MAX_REDIRECTS:
                raise InputError(f"{shown}: too many redirects (more than {MAX_REDIRECTS}, HTTP {status})")
            target = urllib.parse.urljoin(current, location.strip())
            if urllib.parse.urlsplit(target).scheme.lower() not in ("http", "https"):
                raise InputError(
                    f"{shown}: redirected to {without_credentials(target)}: only http and https URLs are supported"
                )
            current = target
            continue
        if 300 <= status < 400:
            raise InputError(f"{shown}: redirect not followed (HTTP {status})")
        if not 200 <= status < 300:
            raise InputError(f"{shown}: HTTP {status} {reason or ''}".rstrip())
        return body, headers, current
    raise AssertionError("unreachable: the loop returns or raises")


def _split(url: str, said: str) -> urllib.parse.SplitResult:
    """The parts of `url`, refused when it has no host or carries credentials."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as exc:
        raise InputError(f"{said}: not a valid URL ({exc})") from None
    if "@" in parts.netloc:
        raise InputError(f"{said}: a user name or password in the URL is not supported (it is not shown)")
    if not parts.hostname:
        raise InputError(f"{said}: no host name in the URL")
    return parts


def _get(
    parts: urllib.parse.SplitResult,
    deadline: _Deadline,
    max_bytes: int,
    allow_private: bool,
    said: str,
) -> tuple[int, str, Message, str, bytes]:
    """One request: (status, reason, headers, Location, body); the body only for a 2xx.

    `said` opens every message: the URL as given, and the redirect hop if this is one."""
    https = parts.scheme.lower() == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    addresses = _resolve(host, port, deadline)
    if not allow_private:
        for *_, sockaddr in addresses:
            kind = non_public(str(sockaddr[0]))
            if kind:
                raise InputError(
                    f"{said}: {host} is a {kind} address ({sockaddr[0]}); "
                    f"only public addresses are fetched ({ALLOW_PRIVATE_OPTION} to allow it)"
                )
    sock, watchdog = _connect(addresses, deadline)
    conn: http.client.HTTPConnection | None = None
    try:
        if https:
            context = ssl.create_default_context()  # verifies the certificate and the host name
            sock = context.wrap_socket(sock, server_hostname=host)
            conn = http.client.HTTPSConnection(host, port, context=context)
        else:
            conn = http.client.HTTPConnection(host, port)
        conn.sock = sock  # connected to the checked address: http.client does not look the host up again
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(
            "GET",
            target,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, identity"},
        )
        response = conn.getresponse()
        headers = response.msg
        body = b""
        if 200 <= response.status < 300:
            kind = headers.get_content_type() if headers.get("Content-Type") else ""
            if kind and kind not in HTML_TYPES + TEXT_TYPES:
                raise InputError(f"{said}: not a web page (content type {kind})")
            body = _read_capped(response, said, headers, max_bytes, deadline)
        return response.status, response.reason, headers, headers.get("Location", ""), body
    finally:
        watchdog.cancel()
        if conn is not None:
            conn.close()
        sock.close()


def _resolve(host: str, port: int, deadline: _Deadline) -> list[tuple]:  # type: ignore[type-arg]
    """Every address of `host`, within the deadline (a stuck resolver is left behind)."""
    found: list[object] = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            found.append(exc)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(deadline.left())
    if not found:
        raise TimeoutError
    if isinstance(found[0], BaseException):
        raise found[0]
    return found[0]  # type: ignore[return-value]


def _connect(addresses: list[tuple], deadline: _Deadline) -> tuple[socket.socket, _Watchdog]:  # type: ignore[type-arg]
    """A socket connected to the first address that answers, and its deadline watchdog."""
    error: OSError = ConnectionRefusedError()
    for family, kind, proto, _name, sockaddr in addresses:
        sock = socket.socket(family, kind, proto)
        watchdog = _Watchdog(sock, deadline)
        try:
            sock.settimeout(deadline.left())
            sock.connect(sockaddr)
            return sock, watchdog
        except OSError as exc:
            watchdog.cancel()
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError):
                break
    raise error


def _read_capped(
    response: http.client.HTTPResponse,
    shown: str,
    headers: Message,
    max_bytes: int,
    deadline: _Deadline,
) -> bytes:
    """The body, refused as soon as it passes `max_bytes`."""
    too_large = f"{shown}: response larger than {max_bytes / 1_000_000:g} MB"
    length = headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > max_bytes:
        raise InputError(too_large)
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise InputError(f"{shown}: unsupported content encoding {encoding}")
    inflate = None if encoding in ("identity", "") else zlib.decompressobj(zlib.MAX_WBITS | 32)
    chunks: list[bytes] = []
    size = 0
    while True:
        deadline.left()  # raises TimeoutError once the deadline has passed
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            try:
                # max_length keeps a zip bomb from expanding past the cap in one call.
                chunk = inflate.decompress(inflate.unconsumed_tail + chunk, max_bytes + 1 - size)
            except zlib.error:
                raise InputError(f"{shown}: corrupt {encoding} response") from None
        size += len(chunk)
        if size > max_bytes or (inflate is not None and inflate.unconsumed_tail):
            raise InputError(too_large)
        chunks.append(chunk)
    if deadline.passed():  # the watchdog ended a read early: the body may be cut short
        raise TimeoutError
    if inflate is not None:
        chunks.append(inflate.flush())
        if size + len(chunks[-1]) > max_bytes:
            raise InputError(too_large)
    return b"".join(chunks)


def _reason(reason: BaseException, host: str) -> str:
    """One line for a network failure: DNS, refused, TLS, or the OS's own words."""
    if isinstance(reason, (socket.gaierror, UnicodeError)):
        return f"cannot resolve host {host}"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})"
    if isinstance(reason, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(reason, http.client.InvalidURL):
        return f"not a valid URL ({reason})"
    if isinstance(reason, http.client.HTTPException):
        return f"bad HTTP response ({type(reason).__name__}{f': {reason}' if str(reason) else ''})"
    if isinstance(reason, OSError):
        return f"cannot fetch ({reason.strerror or reason})"
    return f"cannot fetch ({reason})"
