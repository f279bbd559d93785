"""A local HTTP server for the URL tests, and an environment without proxies."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up early (size cap, timeout, slow answer) is what the tests provoke


@contextlib.contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[tuple[str, int]]:
    """Serve `handler` on 127.0.0.1 on a free port; yields the base URL and the port."""
    httpd = _Server(("127.0.0.1", 0), handler)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        httpd.shutdown()
        httpd.server_close()


def clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment must not see the requests to 127.0.0.1."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
