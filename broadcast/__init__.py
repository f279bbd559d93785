"""broadcast: news articles to reviewed scripts, spoken episodes and podcast feeds."""

__version__ = "0.1.0"
