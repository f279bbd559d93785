"""One exception root; every failure a user can cause is a BroadcastError.

Each subclass carries the exit code the command line returns for it, so the
mapping lives next to the error. EXIT_CODES is what `broadcast --help` prints; the
README's table is written by hand, and tests/test_cli.py checks that it agrees.
"""

from __future__ import annotations


class BroadcastError(Exception):
    """Root of every expected failure. The message is one line a user can act on."""

    exit_code = 1


class UsageError(BroadcastError):
    exit_code = 2


class InputError(BroadcastError):
    """The input file or URL cannot be read (missing, directory, binary, undecodable)."""

    exit_code = 3


class ArticleError(BroadcastError):
    """The input was read but holds no usable article."""

    exit_code = 4


class ConfigError(BroadcastError):
    """A config or voice file is missing, malformed or names something unknown."""

    exit_code = 5


class ToolError(BroadcastError):
    """An external tool (ffmpeg, ffprobe) or library is missing or failed."""

    exit_code = 6


class SynthesisError(BroadcastError):
    """The speech engine failed, hung or produced unusable audio."""

    exit_code = 7


class OutputError(BroadcastError):
    """The episode or feed could not be written."""

    exit_code = 8


class BatchError(BroadcastError):
    """Some articles of a batch build failed (each is named), or the batch's feed was not written."""

    exit_code = 9


EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "success"),
    (1, "unexpected internal error (a bug: rerun with --debug for the traceback)"),
    (UsageError.exit_code, "bad command line"),
    (InputError.exit_code, "the input cannot be read"),
    (ArticleError.exit_code, "no usable article in the input"),
    (ConfigError.exit_code, "bad configuration or voice profile"),
    (ToolError.exit_code, "an external tool is missing or failed"),
    (SynthesisError.exit_code, "speech synthesis failed"),
    (OutputError.exit_code, "the episode or feed could not be written"),
    (BatchError.exit_code, "some articles of a batch build failed (each is named)"),
    (130, "interrupted (Ctrl-C)"),
    (141, "the reader of the output went away (a closed pipe)"),
    (143, "terminated (SIGTERM), cleaned up as on Ctrl-C"),
)


def os_error_message(path: object, exc: OSError) -> str:
    """One line for why a file could not be read, whether stat, open or read failed."""
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, NotADirectoryError):
        return f"{path}: no such file (a parent is not a directory)"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    return f"{path}: cannot read ({exc.strerror or exc})"
