"""load_article: dispatch on "-", http(s) URLs and paths; every fetch failure is one InputError line."""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from local_server import clear_proxies, serve

from broadcast.errors import ArticleError, InputError
from broadcast.input.source import load_article, looks_like_html

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HTML = FIXTURES / "html"
WIRE_TXT = FIXTURES / "articles" / "wire-ap.txt"
FERRY = (HTML / "jsonld-news.html").read_bytes()
SLOW_SECONDS = 3.0


def expect_input_error(arg: str, message: str, **kwargs: float) -> InputError:
    # The local test server is on 127.0.0.1, a loopback address only fetched on request.
    with pytest.raises(InputError) as info:
        load_article(arg, allow_private=True, **kwargs)
    text = str(info.value)
    assert text.startswith(f"{arg}: "), text
    assert message in text, text
    assert "\n" not in text
    return info.value


# --- standard input -------------------------------------------------------------------------


def test_stdin_plain_text() -> None:
    article = load_article("-", io.BytesIO(WIRE_TXT.read_bytes()))
    assert article.headline == "Senate passes bill to extend rural broadband grants"
    assert article.dateline == "WASHINGTON"
    assert article.copyright == "2024 The Associated Press"


def test_stdin_html() -> None:
    article = load_article("-", io.BytesIO(FERRY))
    assert article.headline == "Harbor ferry fares to rise in spring, port board says"
    assert article.authors == ("Maren Oakes", "Tobias Lindqvist")


def test_stdin_errors_name_stdin() -> None:
    with pytest.raises(InputError, match=r"^<stdin>: file is empty$"):
        load_article("-", io.BytesIO(b"  \n"))
    with pytest.raises(InputError, match=r"^<stdin>: binary file"):
        load_article("-", io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(100)))
    with pytest.raises(ArticleError, match=r"^<stdin>: no article body found$"):
        load_article("-", io.BytesIO((HTML / "no-body.html").read_bytes()))


# --- files ------------------------------------------------------------------------------------


def test_file_by_extension(tmp_path: Path) -> None:
    # No doctype and no <html>: only the extension says this is HTML.
    page = tmp_path / "page.htm"
    page.write_text(
        "<title>Library opens on Sundays</title><article><h1>Library opens on Sundays</h1>"
        "<p>The town library will open on Sunday afternoons from next month, the council said.</p>"
        "<p>Volunteers will staff the desk for the first three months of the trial.</p></article>",
        encoding="utf-8",
    )
    article = load_article(str(page))
    assert article.headline == "Library opens on Sundays"
    assert len(article.body) == 2


def test_file_by_sniffing(tmp_path: Path) -> None:
    page = tmp_path / "saved-page.txt"
    page.write_bytes(b"\n  " + (HTML / "wire-dateline.html").read_bytes())
    article = load_article(str(page))
    assert article.dateline == "RIVERTON, Ore."
    assert article.copyright == "2023 The Associated Press"


def test_plain_text_file() -> None:
    article = load_article(str(WIRE_TXT))
    assert article.authors == ("Jane Doe", "John Roe")


def test_missing_file(tmp_path: Path) -> None:
    expect_input_error(str(tmp_path / "nope.html"), "no such file")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><html>", True),
        ("\ufeff  <!doctype HTML>", True),
        ("<html lang=en>", True),
        ('<?xml version="1.0"?>\n<!-- saved --><html xmlns="x">', True),
        ("Headline\n\n<html> is a markup language.", False),
        ("<htmlish>", False),
        ("Plain story text.", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


# --- schemes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arg",
    [
        "ftp://example.com/story.html",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,hi",
    ],
)
def test_other_schemes_are_refused(arg: str) -> None:
    expect_input_error(arg, "only http and https URLs are supported")


def test_colon_in_a_file_name_is_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes:draft.txt").write_bytes(WIRE_TXT.read_bytes())
    assert load_article("notes:draft.txt").dateline == "WASHINGTON"
    expect_input_error("other:draft.txt", "no such file")


# --- URLs against a local server ----------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    user_agents: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # keep pytest output quiet
        pass

    def send(self, code: int, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.user_agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/story":
            self.send(200, FERRY)
        elif path == "/wire-latin1":
            page = (HTML / "wire-dateline.html").read_text(encoding="utf-8")
            page = page.replace('<meta charset="utf-8">', "").replace("Cape Marlow", "Cap Malo\u00ef")
            self.send(200, page.encode("cp1252", "replace"), kind="text/html; charset=ISO-8859-1")
        elif path == "/gzip":
            self.send(200, gzip.compress(FERRY), Content_Encoding="gzip")
        elif path == "/plain":
            self.send(200, WIRE_TXT.read_bytes(), kind="text/plain; charset=utf-8")
        elif path == "/moved":
            self.send(301, b"", Location="/story")
        elif path == "/to-ftp":
            self.send(302, b"", Location="ftp://127.0.0.1/story.html")
        elif path == "/loop":
            self.send(302, b"", Location="/loop")
        elif path == "/missing":
            self.send(404, b"<html><body>Not here</body></html>")
        elif path == "/broken":
            self.send(500, b"oops", kind="text/plain")
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.send(200, FERRY)
        elif path == "/huge":
            self.send(200, b"<html><body>" + b"<p>padding text</p>" * 20_000)  # 380 KB
        elif path == "/huge-chunked":
            # No Content-Length: the cap must hold while reading.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
            self.close_connection = True
        elif path == "/claims-huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "6000000")
            self.end_headers()
            self.close_connection = True
        elif path == "/gzip-bomb":
            self.send(200, gzip.compress(b"<html>" + b" " * 3_000_000), Content_Encoding="gzip")
        elif path == "/image":
            self.send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), kind="image/png")
        elif path == "/empty-page":
            self.send(200, (HTML / "no-body.html").read_bytes())
        else:
            self.send(404, b"")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(Handler) as (url, _port):
        yield url


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)


def test_url_html(server: str) -> None:
    article = load_article(f"{server}/story", allow_private=True)
    assert article.headline == "Harbor ferry fares to rise in spring, port board says"
    assert article.source_url == f"{server}/story"
    assert len(article.body) == 6
    assert Handler.user_agents[-1].startswith("broadcast/")


def test_url_redirect_gives_final_url(server: str) -> None:
    assert load_article(f"{server}/moved", allow_private=True).source_url == f"{server}/story"


def test_url_charset_from_header(server: str) -> None:
    article = load_article(f"{server}/wire-latin1", allow_private=True)
    assert "Cap Malo\u00ef" in article.body[1]


def test_url_gzip(server: str) -> None:
    assert load_article(f"{server}/gzip", allow_private=True).authors == ("Maren Oakes", "Tobias Lindqvist")


def test_url_plain_text(server: str) -> None:
    assert load_article(f"{server}/plain", allow_private=True).dateline == "WASHINGTON"


def test_url_404(server: str) -> None:
    error = expect_input_error(f"{server}/missing", "HTTP 404")
    assert error.exit_code == 3


def test_url_500(server: str) -> None:
    expect_input_error(f"{server}/broken", "HTTP 500")


def test_url_timeout(server: str) -> None:
    started = time.monotonic()
    expect_input_error(f"{server}/slow", "timed out after 0.5 s", fetch_timeout=0.5)
    assert time.monotonic() - started < SLOW_SECONDS


def test_url_too_large_by_header(server: str) -> None:
    expect_input_error(f"{server}/huge", "response larger than 0.1 MB", max_bytes=100_000)


def test_url_too_large_while_reading(server: str) -> None:
    expect_input_error(f"{server}/huge-chunked", "response larger than 0.2 MB", max_bytes=200_000)


def test_url_gzip_bomb(server: str) -> None:
    expect_input_error(f"{server}/gzip-bomb", "response larger than 1 MB", max_bytes=1_000_000)


def test_url_default_size_limit(server: str) -> None:
    expect_input_error(f"{server}/claims-huge", "response larger than 5 MB")


def test_url_redirect_to_ftp_is_refused(server: str) -> None:
    expect_input_error(f"{server}/to-ftp", "only http and https URLs are supported")


def test_url_redirect_loop(server: str) -> None:
    expect_input_error(f"{server}/loop", "too many redirects")


def test_url_not_html(server: str) -> None:
    expect_input_error(f"{server}/image", "not a web page (content type image/png)")


def test_url_without_article(server: str) -> None:
    with pytest.raises(ArticleError, match=r"/empty-page: no article body found$"):
        load_article(f"{server}/empty-page", allow_private=True)


def test_connection_refused() -> None:
    # Bind then close a port so nothing listens on it.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    expect_input_error(f"http://127.0.0.1:{port}/", "connection refused")


def test_dns_failure() -> None:
    # .invalid never resolves (RFC 2606); offline sandboxes fail the same way.
    expect_input_error("http://no-such-host.invalid/story", "cannot resolve host no-such-host.invalid")


def test_url_without_host() -> None:
    expect_input_error("http:///story", "no host name in the URL")
