"""Checks an article must pass before it is voiced: not absurdly long, in the voices' language."""

from __future__ import annotations

from collections.abc import Sequence

from broadcast.errors import ArticleError
from broadcast.input.language import language_problem
from broadcast.model import Article

# About two hours at a newsreader's pace: a longer text is a book or a scraping accident.
MAX_WORDS = 20_000
# A story needs more than a sentence fragment to be worth an episode.
MIN_WORDS = 8


def check_article(article: Article, name: str, voice_ids: Sequence[str]) -> None:
    """`voice_ids` are the voices that will read it: the article must be in their language."""
    words = sum(len(p.split()) for p in article.body)
    if words > MAX_WORDS:
        raise ArticleError(f"{name}: article too long to voice: {words} words (limit {MAX_WORDS})")
    if words < MIN_WORDS:
        raise ArticleError(f"{name}: article body too short to voice: {words} words")
    problem = language_problem(" ".join(article.body), list(voice_ids))
    if problem:
        raise ArticleError(f"{name}: {problem}")
