"""An episode's show notes: the HTML a podcast app shows under the episode (the item's content:encoded).

Plain HTML escaped as XML text, not CDATA: a value holding "]]>" cannot end it early.
"""

from __future__ import annotations

from html import escape as _escape

from broadcast.input.web_url import is_web_url
from broadcast.publish.feed_episodes import FeedEpisode


def escape(text: str) -> str:
    return _escape(text, quote=False)  # quotes need no escape outside an attribute


def _names(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _notice(copyright: str) -> str:
    text = copyright.strip()
    return text if text.startswith("©") or text.lower().startswith("copyright") else f"© {text}"


def _sentence(text: str) -> str:
    """One full stop at the end: "Copyright 2023 NPR. To see more, visit https://www.npr.org." has its own."""
    return text if text.endswith((".", "!", "?")) else text + "."


def show_notes(ep: FeedEpisode) -> str:
    """The lede, the attribution lines, a link to the original story, and the credits."""
    paragraphs = [escape(p.strip()) for p in (ep.description, *ep.attribution) if p.strip()]
    if is_web_url(ep.source_url):
        at = f" at {escape(ep.site.strip())}" if ep.site.strip() else ""
        paragraphs.append(f'<a href="{_escape(ep.source_url.strip())}">Read the original story</a>{at}.')
    authors = tuple(a.strip() for a in ep.authors if a.strip())
    credits = [
        f"Written by {_names(authors)}" + (f" for {ep.site.strip()}" if ep.site.strip() else "")
        if authors
        else (f"From {ep.site.strip()}" if ep.site.strip() else ""),
        _notice(ep.copyright) if ep.copyright.strip() else "",
        "Voiced by broadcast"
        + (" (" + ", ".join(f"{role}: {voice}" for role, voice in ep.voices) + ")" if ep.voices else ""),
    ]
    paragraphs.append(escape(" ".join(_sentence(c) for c in credits if c)))
    return "".join(f"<p>{p}</p>" for p in paragraphs)
