"""What the producer says on the command line wins over what the page says (pure).

`--title`, `--author` (repeatable), `--date` and `--source-name` replace the parsed
fields; each value is checked here, so a typo is a one-line usage error, not a
strange episode.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from broadcast.errors import UsageError
from broadcast.model import Article

# Dates outside this span are typos or placeholders, and break feeds and file names.
YEARS = (1900, 2100)
_MAX_FIELD = 300  # characters: a headline, a name or a station longer than this is a paste accident


@dataclass(frozen=True)
class Overrides:
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    source_name: str | None = None


def _text(value: str, option: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise UsageError(f"{option}: must not be empty")
    if len(text) > _MAX_FIELD:
        raise UsageError(f"{option}: longer than {_MAX_FIELD} characters")
    if any(not ch.isprintable() for ch in text):
        raise UsageError(f"{option}: holds control characters")
    return text


def parse_date(value: str, option: str = "--date") -> datetime:
    """An ISO 8601 date or date-time ("2024-05-01", "2024-05-01 14:30", "2024-05-01T14:30-04:00")."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM])") from None
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise UsageError(f"{option}: {value!r} is outside {YEARS[0]}-{YEARS[1]}")
    return when


def apply_overrides(article: Article, overrides: Overrides) -> Article:
    changes: dict[str, object] = {}
    if overrides.title is not None:
        changes["headline"] = _text(overrides.title, "--title")
        changes["title_derived"] = False  # the producer chose it: nothing to warn about
    if overrides.authors:
        changes["authors"] = tuple(_text(a, "--author") for a in overrides.authors)
    if overrides.date is not None:
        changes["published"] = parse_date(overrides.date)
    if overrides.source_name is not None:
        changes["site"] = _text(overrides.source_name, "--source-name")
    return replace(article, **changes) if changes else article
