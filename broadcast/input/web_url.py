"""Whether a string is a web address: one test for every place that links to, or names, a URL.

urlsplit raises ValueError on some malformed URLs ("http://[::1", a port of 99999); those come
from pages and settings a user does not control, so they are "not a web address", never a crash.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def split_web_url(url: str) -> SplitResult | None:
    """The parts of an absolute http(s) URL with a host, or None for anything else."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError for a port out of range or not a number)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts


def is_web_url(url: str) -> bool:
    return split_web_url(url) is not None
