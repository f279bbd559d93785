"""Where an article comes from: a file, standard input ("-") or an http(s) URL.

Every failure is an InputError (exit 3) whose one-line message starts with the
input's name: the path, the URL or "<stdin>". What was read then goes to the HTML
reader when it is HTML, to the plain-text reader otherwise.
"""

from __future__ import annotations

import codecs
import http.client
import re
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from broadcast import __version__
from broadcast.errors import InputError
from broadcast.input.html import parse_html
from broadcast.input.plain import parse_article
from broadcast.input.text_file import MAX_BYTES, decode_bytes, read_text
from broadcast.model import Article

STDIN = "<stdin>"
USER_AGENT = f"broadcast/{__version__} (news-to-podcast builder; Python urllib)"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
# Content types read as HTML, and as plain text; anything else is refused.
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
# Schemes a user may plausibly type that are not web pages; with "://" any scheme counts.
OTHER_SCHEMES = (
    "file",
    "ftp",
    "ftps",
    "sftp",
    "data",
    "javascript",
    "mailto",
    "about",
    "ws",
    "wss",
)

_SCHEME = re.compile(r"([a-z][a-z0-9+.-]+):", re.IGNORECASE)
_HTML_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
# The HTML standard reads these labels as windows-1252, a superset.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"})
_CHUNK = 64 * 1024


def load_article(
    arg: str,
    stdin: BinaryIO | None = None,
    *,
    fetch_timeout: float = 15.0,
    max_bytes: int = 5_000_000,
) -> Article:
    """Read the Article named by `arg`: "-" for standard input, an http(s) URL or a path."""
    page = read_page(arg, stdin, fetch_timeout=fetch_timeout, max_bytes=max_bytes)
    if page.html:
        return parse_html(page.text, page.name, url=page.url)
    return parse_article(page.text, page.name)


@dataclass(frozen=True)
class Page:
    text: str
    name: str  # what messages call it: the path, the URL as given, or <stdin>
    html: bool
    url: str = ""  # where a fetched page ended up, after redirects


def read_page(
    arg: str,
    stdin: BinaryIO | None = None,
    *,
    fetch_timeout: float = 15.0,
    max_bytes: int = 5_000_000,
) -> Page:
    """The text named by `arg` ("-", an http(s) URL or a path), and whether it is HTML."""
    if arg == "-":
        text = decode_bytes(_read_stdin(stdin), STDIN)
        return Page(text, STDIN, looks_like_html(text))
    scheme = _SCHEME.match(arg)
    if scheme is not None and scheme[1].lower() in ("http", "https"):
        text, final_url, is_html = fetch(arg, timeout=fetch_timeout, max_bytes=max_bytes)
        return Page(text, arg, is_html or looks_like_html(text), final_url)
    if scheme is not None and _is_other_scheme(arg, scheme[1]):
        raise InputError(f"{arg}: only http and https URLs are supported")
    path = Path(arg)
    text = read_text(path)
    return Page(text, str(path), path.suffix.lower() in HTML_SUFFIXES or looks_like_html(text))


def looks_like_html(text: str) -> bool:
    """True when the text opens like an HTML document (doctype, <html>, <head> or <body>)."""
    return _HTML_START.match(text[:4096].lstrip("\ufeff")) is not None


def _is_other_scheme(arg: str, scheme: str) -> bool:
    # "notes:draft.txt" is a file name; "ftp://host/x" and "javascript:..." are not.
    try:
        if Path(arg).exists():
            return False
    except (OSError, ValueError):
        pass
    return arg[len(scheme) + 1 :].startswith("//") or scheme.lower() in OTHER_SCHEMES


def _read_stdin(stdin: BinaryIO | None) -> bytes:
    stream = stdin if stdin is not None else sys.stdin
    stream = getattr(stream, "buffer", stream)  # a text stream: read its bytes
    if stream is None:
        raise InputError(f"{STDIN}: no standard input")
    try:
        data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{STDIN}: cannot read ({exc.strerror or exc})") from None
    if isinstance(data, str):  # a text stream without a buffer (io.StringIO in a test)
        data = data.encode("utf-8")
    return data


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only: urllib would follow one to ftp:// too."""

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urllib.parse.urljoin(req.full_url, location.strip())
            if urllib.parse.urlsplit(target).scheme.lower() not in ("http", "https"):
                fp.close()
                raise _Refused(f"redirected to {target}: only http and https URLs are supported")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _Refused(Exception):
    """Raised inside urllib's machinery; becomes an InputError naming the URL the user gave."""


def fetch(url: str, *, timeout: float = 15.0, max_bytes: int = 5_000_000) -> tuple[str, str, bool]:
    """(text, final URL, is HTML) of an http(s) URL; InputError for every way it can fail."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise InputError(f"{url}: not a valid URL ({exc})") from None
    if not host:
        raise InputError(f"{url}: no host name in the URL")
    request = urllib.request.Request(
        url,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, identity"},
    )
    opener = urllib.request.build_opener(_Redirects)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            final_url = response.geturl()
            headers = response.headers
            kind = headers.get_content_type() if headers.get("Content-Type") else ""
            if kind and kind not in HTML_TYPES + TEXT_TYPES:
                raise InputError(f"{url}: not a web page (content type {kind})")
            data = _read_capped(response, url, headers, max_bytes, deadline, timeout)
    except InputError:
        raise
    except _Refused as exc:
        raise InputError(f"{url}: {exc}") from None
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            why = "too many redirects" if "infinite loop" in str(exc.msg) else "redirect not followed"
            raise InputError(f"{url}: {why} (HTTP {exc.code})") from None
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason or ''}".rstrip()) from None
    except urllib.error.URLError as exc:
        raise InputError(f"{url}: {_reason(exc.reason, host, timeout)}") from None
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        raise InputError(f"{url}: {_reason(exc, host, timeout)}") from None
    return _decode(data, url, headers), final_url, kind in HTML_TYPES


def _read_capped(
    response: http.client.HTTPResponse,
    url: str,
    headers: Message,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> bytes:
    """The body, refused as soon as it passes `max_bytes` or the whole fetch passes `timeout`."""
    too_large = f"{url}: response larger than {max_bytes / 1_000_000:g} MB"
    length = headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > max_bytes:
        raise InputError(too_large)
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise InputError(f"{url}: unsupported content encoding {encoding}")
    inflate = None if encoding in ("identity", "") else zlib.decompressobj(zlib.MAX_WBITS | 32)
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise InputError(f"{url}: timed out after {timeout:g} s")
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            try:
                # max_length keeps a zip bomb from expanding past the cap in one call.
                chunk = inflate.decompress(inflate.unconsumed_tail + chunk, max_bytes + 1 - size)
            except zlib.error:
                raise InputError(f"{url}: corrupt {encoding} response") from None
        size += len(chunk)
        if size > max_bytes or (inflate is not None and inflate.unconsumed_tail):
            raise InputError(too_large)
        chunks.append(chunk)
    if inflate is not None:
        chunks.append(inflate.flush())
        if size + len(chunks[-1]) > max_bytes:
            raise InputError(too_large)
    return b"".join(chunks)


def _reason(reason: object, host: str, timeout: float) -> str:
    """One line for a network failure: DNS, refused, timeout, TLS, or the OS's own words."""
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve host {host}"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})"
    if isinstance(reason, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(reason, http.client.HTTPException):
        return f"bad HTTP response ({type(reason).__name__}{f': {reason}' if str(reason) else ''})"
    if isinstance(reason, OSError):
        return f"cannot fetch ({reason.strerror or reason})"
    return f"cannot fetch ({reason})"


def _decode(data: bytes, url: str, headers: Message) -> str:
    """Text by the charset of the header, then of a <meta>, then text_file's own guess."""
    charset = headers.get_content_charset() or _meta_charset(data)
    if charset and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "cp1252" if charset.lower() in _AS_CP1252 else charset
        try:
            # Re-encoded as UTF-8 so text_file's checks and clean-up still apply.
            data = data.decode(codec).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: let decode_bytes guess
    return decode_bytes(data, url)


def _meta_charset(data: bytes) -> str:
    match = _META_CHARSET.search(data[:4096])
    return match[1].decode("ascii") if match else ""
