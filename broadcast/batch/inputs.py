"""Which articles a batch builds: the command line's paths and URLs, directories, and --from lists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from broadcast.errors import InputError, UsageError, os_error_message

# The files of a directory that are articles; anything else there (images, notes, episode folders) is not.
ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".script")


def _is_url(arg: str) -> bool:
    return arg.lower().startswith(("http://", "https://"))


def directory_articles(folder: Path) -> list[str]:
    """The article files directly in `folder`, sorted by name (hidden files and subfolders skipped)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(os_error_message(folder, exc)) from exc
    found = [
        str(p) for p in entries if p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    ]
    if not found:
        raise InputError(
            f"{folder}: is a directory with no article files ({', '.join(ARTICLE_SUFFIXES)}) in this directory"
        )
    return found


def list_articles(text: str) -> list[str]:
    """One path or URL a line; blank lines and # comments skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def read_list(source: str, stdin: BinaryIO) -> list[str]:
    """The articles named in a --from list (`-`: standard input); relative paths are read from the
    working directory, like the command line's."""
    try:
        data = stdin.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(os_error_message(source, exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{'<stdin>' if source == '-' else source}: the list is not UTF-8 text") from exc
    return list_articles(text)


def batch_articles(args: Sequence[str], from_list: str | None, stdin: BinaryIO) -> list[str]:
    """Every article the command names, in order: arguments first (a directory gives its article
    files), then the --from list's lines."""
    found: list[str] = []
    for arg in args:
        if not _is_url(arg) and arg != "-" and Path(arg).is_dir():
            found.extend(directory_articles(Path(arg)))
        else:
            found.append(arg)
    if from_list is not None:
        listed = read_list(from_list, stdin)
        if not listed:
            raise UsageError(f"{from_list}: --from names no article (only blank lines and comments)")
        if from_list == "-" and "-" in found + listed:
            raise UsageError("--from - and the article - both read standard input; use one")
        found.extend(listed)
    if found.count("-") > 1:
        raise UsageError("standard input (-) can be read once; name it once")
    return found
