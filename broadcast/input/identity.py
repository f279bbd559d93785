"""What makes two builds the same episode: its identity, from which the guid and folder follow.

In order: an identity recorded earlier (a script file's ID line), the article's own page URL,
else the article's content (site, headline, date, authors, opening words). A corrected headline
changes the content identity, so a producer who wants corrections to keep their episode works
from a script file, whose ID line carries the identity over every edit: the page URL, or the
episode's guid as `urn:uuid:...` (the content itself is too long and too easily edited to be an ID).
"""

from __future__ import annotations

import re
from urllib.parse import urlunsplit

from broadcast.input.web_url import split_web_url
from broadcast.model import Article


def page_url(url: str) -> str:
    """The URL of an article page, normalised; "" for a site's front page or anything not http(s).
    Only the page's own URL counts: a text copy's copyright link ("https://www.wpsu.org/terms")
    names every article of the site alike, so it is no identity."""
    parts = split_web_url(url)
    if parts is None:
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


_GUID_URN = re.compile(r"urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.IGNORECASE)


def episode_guid(article: Article) -> str:
    """Stable across rebuilds of the same article; different for another article, even one with
    the same headline (the byline and the opening words differ). A recorded `urn:uuid:` is the guid."""
    identity = article_identity(article)
    recorded = _GUID_URN.fullmatch(identity.strip())
    if recorded:
        return recorded.group(1).lower()
    import uuid  # here, not at start-up: it imports platform (6 ms) and the guid is needed after the speech

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"broadcast:{identity}"))


def recorded_identity(article: Article) -> str:
    """What a script file's ID line keeps: the page URL when there is one, else the guid."""
    return article.identity or page_url(article.page_url) or f"urn:uuid:{episode_guid(article)}"
