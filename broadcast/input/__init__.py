"""Stage 1: bytes, files, URLs, HTML and plain-text pages -> Article."""
