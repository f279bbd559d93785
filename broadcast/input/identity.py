"""What makes two builds the same episode: its identity, from which the guid and folder follow.

In order: an identity recorded earlier (a script file's ID line), the article's own page URL,
else the article's content (site, headline, date, authors, opening words). A corrected headline
changes the content identity, so a producer who wants corrections to keep their episode works
from a script file, whose ID line carries the identity over every edit.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from broadcast.model import Article


def page_url(url: str) -> str:
    """The URL of an article page, normalised; "" for a site's front page or anything not http(s).
    Only the page's own URL counts: a text copy's copyright link ("https://www.wpsu.org/terms")
    names every article of the site alike, so it is no identity."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    path = parts.path.rstrip("/")
    if not path:
        return ""
    # The fragment and tracking parameters do not make another article; the query may (?id=123).
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith(("utm_", "fbclid")))
    host = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    return urlunsplit(("https", host, path, query, ""))


def article_identity(article: Article) -> str:
    if article.identity:
        return article.identity
    url = page_url(article.page_url)
    if url:
        return url
    published = article.published.isoformat() if article.published else ""
    opening = article.body[0][:200] if article.body else ""
    return "|".join((article.site, article.headline, published, ",".join(article.authors), opening))
