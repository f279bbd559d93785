"""Fetching a URL a hostile server or a careless user chose: one total deadline, public addresses
only, no credentials echoed, no charset label that crashes the decoder."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import run_cli
from local_server import clear_proxies, serve

import broadcast.input.fetch as fetch_module
from broadcast.errors import InputError
from broadcast.input.source import load_article

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
FERRY = (HTML / "jsonld-news.html").read_bytes()
HEADLINE = "Harbor ferry fares to rise in spring, port board says"
# A page whose text holds an escape that the escape codecs turn into a lone surrogate.
ESCAPED = FERRY.replace(b"next winter,", b"next winter (\\ud800),")
DRIP_SECONDS = 0.2  # a byte this often keeps any per-read timeout from tripping
CLI_TIMEOUT = 15.0  # the command line's own deadline


class Handler(BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []
    port: ClassVar[int] = 0
    drip_bytes: ClassVar[int] = 200

    def log_message(self, *args: object) -> None:
        pass

    def send(self, code: int, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def drip(self, data: bytes) -> None:
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(DRIP_SECONDS)

    def do_GET(self) -> None:
        Handler.paths.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/story":
            self.send(200, FERRY)
        elif path == "/drip-headers":
            # The status line and headers one byte at a time, never finished in time.
            self.drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Slow: " + b"x" * self.drip_bytes)
        elif path == "/drip-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(FERRY)))
            self.end_headers()
            self.drip(FERRY)
        elif path == "/drip-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for byte in FERRY:
                self.wfile.write(b"1\r\n" + bytes([byte]) + b"\r\n")
                self.wfile.flush()
                time.sleep(DRIP_SECONDS)
        elif path == "/redirect":
            self.send(302, b"", Location=query)
        elif path == "/to-credentials":
            self.send(302, b"", Location=f"http://reporter:hunter2@127.0.0.1:{self.port}/story")
        elif path.startswith("/hops/"):
            left = int(path.rpartition("/")[2])
            self.send(302, b"", Location=f"/hops/{left - 1}") if left else self.send(200, FERRY)
        elif path == "/charset":
            self.send(200, ESCAPED, kind=f"text/html; charset={query}")
        elif path == "/meta-charset":
            page = ESCAPED.replace(b'<meta charset="utf-8">', b"").replace(
                b"<head>", f'<head><meta charset="{query}">'.encode()
            )
            self.send(200, page, kind="text/html")
        else:
            self.send(404, b"")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(Handler) as (url, port):
        Handler.port = port
        yield url


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)


def one_error_line(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 3, stderr  # type: ignore[attr-defined]
    assert result.stdout == "", result.stdout  # type: ignore[attr-defined]
    assert stderr.count("\n") == 1 and stderr.startswith("broadcast: error: "), stderr
    return stderr


# --- 1. one total deadline ----------------------------------------------------------------------


def test_cli_slow_headers_end_at_the_deadline(server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_cli("script", "--allow-private-urls", f"{server}/drip-headers")
    took = time.monotonic() - started
    line = one_error_line(result)
    assert f"{server}/drip-headers: timed out after 15 s" in line
    # 15 s plus the start of a fresh Python; the server would keep dripping for 40 s.
    assert CLI_TIMEOUT <= took < CLI_TIMEOUT + 10, took


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body", "/drip-chunked"])
def test_a_server_sending_a_byte_at_a_time_is_cut_off(server: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=rf"^{server}{path}: timed out after 1 s$"):
        load_article(f"{server}{path}", fetch_timeout=1.0, allow_private=True)
    assert time.monotonic() - started < 3.0


# --- 2. private addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),
        ("2130706433", "loopback"),
        ("0x7f.1", "loopback"),
        ("127.1", "loopback"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("169.254.169.254", "link-local"),
        ("10.0.0.1", "private"),
        ("0.0.0.0", "unspecified"),
    ],
)
def test_cli_refuses_private_addresses(server: str, host: str, kind: str) -> None:
    Handler.paths.clear()
    url = f"http://{host}:{Handler.port}/story"
    line = one_error_line(run_cli("script", url))
    assert line.startswith(f"broadcast: error: {url}: "), line
    assert f"is a {kind} address" in line and "--allow-private-urls" in line, line
    assert Handler.paths == []  # refused before connecting


def test_cli_allow_private_urls_fetches_them(server: str) -> None:
    result = run_cli("script", "--allow-private-urls", f"{server}/story")
    assert result.returncode == 0, result.stderr
    assert HEADLINE in result.stdout


def test_every_redirect_hop_is_checked(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # No public server is reachable offline: let 127.0.0.1 stand in for one, keep the rest private.
    real = fetch_module.non_public
    monkeypatch.setattr(fetch_module, "non_public", lambda a: "" if a == "127.0.0.1" else real(a))
    Handler.paths.clear()
    url = f"{server}/redirect?http://127.0.0.2:{Handler.port}/story"
    with pytest.raises(InputError) as info:
        load_article(url)
    assert str(info.value) == (
        f"{url}: redirected to http://127.0.0.2:{Handler.port}/story: 127.0.0.2 is a loopback address "
        "(127.0.0.2); only public addresses are fetched (--allow-private-urls to allow it)"
    )
    assert Handler.paths == [f"/redirect?http://127.0.0.2:{Handler.port}/story"]


def test_the_checked_address_is_the_one_connected_to(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A rebinding DNS server answers a second lookup differently: there must not be one.
    lookups: list[str] = []
    real = socket.getaddrinfo

    def counting(host: str, *args: object, **kwargs: object) -> object:
        lookups.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    assert load_article(f"http://localhost:{Handler.port}/story", allow_private=True).headline == HEADLINE
    assert lookups == ["localhost"]


def test_redirects_are_followed_five_times(server: str) -> None:
    assert load_article(f"{server}/hops/5", allow_private=True).source_url == f"{server}/hops/0"
    with pytest.raises(InputError, match=r"/hops/6: too many redirects \(more than 5, HTTP 302\)$"):
        load_article(f"{server}/hops/6", allow_private=True)


# --- 3. credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://reporter:hunter2@127.0.0.1:{port}/story",
        "https://hunter2@127.0.0.1:{port}/story",
        "ftp://reporter:hunter2@files.example/story.html",
    ],
)
def test_cli_refuses_credentials_without_printing_them(server: str, url: str) -> None:
    Handler.paths.clear()
    result = run_cli("script", "--allow-private-urls", url.format(port=Handler.port))
    line = one_error_line(result)
    assert "hunter2" not in line and "reporter" not in line, line
    assert Handler.paths == []


def test_a_redirect_to_credentials_is_refused_without_printing_them(server: str) -> None:
    url = f"{server}/to-credentials"
    with pytest.raises(InputError) as info:
        load_article(url, allow_private=True)
    assert str(info.value) == (
        f"{url}: redirected to http://127.0.0.1:{Handler.port}/story: "
        "a user name or password in the URL is not supported (it is not shown)"
    )


# --- 4. charset labels --------------------------------------------------------------------------


def test_cli_unicode_escape_label_falls_back_to_detection(server: str) -> None:
    result = run_cli("script", "--allow-private-urls", f"{server}/charset?unicode_escape")
    assert result.returncode == 0, result.stderr
    assert HEADLINE in result.stdout


@pytest.mark.parametrize(
    "label",
    [
        "unicode_escape",
        "raw_unicode_escape",
        "punycode",
        "idna",
        "rot13",
        "uu",
        "zlib",
        "base64",
        "bz2",
        "hex",
        "quopri",
        "utf-7",
        "undefined",
        "no-such-charset",
    ],
)
@pytest.mark.parametrize("where", ["charset", "meta-charset"])
def test_unsafe_charset_labels_are_ignored(server: str, label: str, where: str) -> None:
    article = load_article(f"{server}/{where}?{label}", allow_private=True)
    assert article.headline == HEADLINE
    assert any("next winter (\\ud800)," in p for p in article.body)  # the escape stays text


def test_cli_build_takes_the_option(server: str, tmp_path: Path, fake_voices: Path, empty_config: Path) -> None:
    args = ("build", f"{server}/story", "--voices", fake_voices, "--config", empty_config, "--output", tmp_path / "out")
    refused = run_cli(*args)
    assert refused.returncode == 3 and "--allow-private-urls" in refused.stderr, refused.stderr
    assert not (tmp_path / "out").exists()
    built = run_cli(*args, "--allow-private-urls", "--quiet")
    assert built.returncode == 0, built.stderr
    assert len(list((tmp_path / "out").glob("*/episode.mp3"))) == 1
