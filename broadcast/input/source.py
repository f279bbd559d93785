"""Where an article comes from: a file, standard input ("-") or an http(s) URL.

Every failure is an InputError (exit 3) whose one-line message starts with the
input's name: the path, the URL or "<stdin>". What was read then goes to the HTML
reader when it is HTML, to the plain-text reader otherwise.
"""

from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from broadcast.errors import InputError
from broadcast.input.plain import parse_article
from broadcast.input.text_file import MAX_BYTES, decode_bytes, read_text
from broadcast.model import Article

if TYPE_CHECKING:
    from email.message import Message

STDIN = "<stdin>"

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
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
# Codecs Python has that are no page's text encoding, so a label naming one is ignored:
# the escape codecs turn a backslash-u escape in the body into a lone surrogate, idna and
# punycode are for host names, UTF-7 hides markup, "undefined" refuses every byte.
_NOT_PAGE_CODECS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7", "undefined"})


def load_article(
    arg: str,
    stdin: BinaryIO | None = None,
    *,
    fetch_timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    allow_private: bool = False,
) -> Article:
    """Read the Article named by `arg`: "-" for standard input, an http(s) URL or a path.

    A URL is fetched only from public addresses unless `allow_private` is set."""
    page = read_page(arg, stdin, fetch_timeout=fetch_timeout, max_bytes=max_bytes, allow_private=allow_private)
    return page_article(page)


def page_article(page: Page) -> Article:
    if page.html:
        from broadcast.input.html import parse_html  # a plain-text page's build does without it (10 ms)

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
    allow_private: bool = False,
) -> Page:
    """The text named by `arg` ("-", an http(s) URL or a path), and whether it is HTML."""
    if arg == "-":
        text = decode_bytes(_read_stdin(stdin), STDIN)
        return Page(text, STDIN, looks_like_html(text))
    scheme = _SCHEME.match(arg)
    if scheme is not None and scheme[1].lower() in ("http", "https"):
        from broadcast.input.fetch import HTML_TYPES, fetch  # with http.client and ssl: only for a URL

        data, headers, final_url = fetch(arg, timeout=fetch_timeout, max_bytes=max_bytes, allow_private=allow_private)
        text = _decode(data, arg, headers)
        is_html = headers.get("Content-Type") is not None and headers.get_content_type() in HTML_TYPES
        return Page(text, arg, is_html or looks_like_html(text), final_url)
    if scheme is not None and _is_other_scheme(arg, scheme[1]):
        from broadcast.input.fetch import without_credentials

        raise InputError(f"{without_credentials(arg)}: only http and https URLs are supported")
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


def _decode(data: bytes, url: str, headers: Message) -> str:
    """Text by the charset of the header, then of a <meta>, then text_file's own guess."""
    codec = _page_codec(headers.get_content_charset() or _meta_charset(data))
    if codec and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            # Re-encoded as UTF-8 so text_file's checks and clean-up still apply.
            data = data.decode(codec).encode("utf-8")
        except UnicodeError:
            pass  # a wrong label: let decode_bytes guess
    return decode_bytes(data, url)


def _page_codec(label: str) -> str:
    """The codec a charset label names, or "" when Python has none or it is no page's text encoding."""
    if not label:
        return ""
    if label.lower() in _AS_CP1252:
        return "cp1252"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return ""
    # Transfer codecs (base64, zlib, rot13 ...) are marked as not text encodings.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CODECS:
        return ""
    return info.name


def _meta_charset(data: bytes) -> str:
    match = _META_CHARSET.search(data[:4096])
    return match[1].decode("ascii") if match else ""
