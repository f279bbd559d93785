"""read_text and decode_bytes: every way a file can fail to be text, and the encodings we accept."""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import pytest

from broadcast.errors import InputError
from broadcast.input import text_file as text_input
from broadcast.input.text_file import decode_bytes, read_text


def write(tmp_path: Path, data: bytes, name: str = "story.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expect_error(path: Path, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_text(path)
    text = str(info.value)
    assert text.startswith(f"{path}: "), text
    assert message in text
    assert "\n" not in text


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope.txt", "no such file")


def test_missing_parent_that_is_a_file(tmp_path: Path) -> None:
    parent = write(tmp_path, b"hello world")
    expect_error(parent / "child.txt", "no such file")


def test_directory(tmp_path: Path) -> None:
    expect_error(tmp_path, "is a directory")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8 + b"  \n"])
def test_empty_or_whitespace_only(tmp_path: Path, data: bytes) -> None:
    expect_error(write(tmp_path, data), "file is empty")


def test_utf16_whitespace_only_is_empty(tmp_path: Path) -> None:
    expect_error(write(tmp_path, " \n \n".encode("utf-16")), "file is empty")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x06\x00",
    ],
    ids=["png", "jpeg", "pdf", "gif", "zip"],
)
def test_binary_magic_numbers(tmp_path: Path, data: bytes) -> None:
    expect_error(write(tmp_path, data), "binary file (not text")


def test_nul_bytes_are_binary(tmp_path: Path) -> None:
    expect_error(write(tmp_path, b"Headline\n\x00\x01body text"), "binary file (not text)")


def test_mostly_control_bytes_are_binary(tmp_path: Path) -> None:
    expect_error(write(tmp_path, bytes(range(1, 32)) * 20 + b"abc"), "binary file (not text)")


def test_undecodable_bytes(tmp_path: Path) -> None:
    # 0x81 and 0x8D are invalid UTF-8 here and undefined in Windows-1252.
    expect_error(
        write(tmp_path, b"caf\x81 and \x8d more text"),
        "cannot decode text (not UTF-8, UTF-16 or Windows-1252)",
    )


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_input, "MAX_BYTES", 10)
    expect_error(write(tmp_path, b"x" * 11), "file too large")


@pytest.mark.skipif(
    sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="root reads anything; chmod means little on Windows",
)
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, b"hello")
    path.chmod(0)
    try:
        expect_error(path, "permission denied")
    finally:
        path.chmod(0o644)


def test_permission_denied_on_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root can read a chmod 0 file, so simulate the refusal the OS gives everyone else.
    path = write(tmp_path, b"hello")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    expect_error(path, "permission denied")


def test_plain_utf8(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, "Zürich — “quoted”\n".encode())) == "Zürich — “quoted”\n"


def test_utf8_bom_is_removed(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, codecs.BOM_UTF8 + "café\n".encode())) == "café\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    data = bom[codec] + "Headline é\r\nBody.\r\n".encode(codec)
    assert read_text(write(tmp_path, data)) == "Headline é\nBody.\n"


def test_cp1252_fallback(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, b"caf\xe9 \x93quoted\x94\n")) == "café “quoted”\n"


def test_line_ends_are_normalized(tmp_path: Path) -> None:
    data = b"one\r\ntwo\rthree\nfour\r\n"
    assert read_text(write(tmp_path, data)) == "one\ntwo\nthree\nfour\n"


def test_control_characters_are_stripped_but_tabs_kept(tmp_path: Path) -> None:
    data = b"A headline\n\na\x07b\tc\x1bd\x0ce\x7f and more ordinary text\n"
    assert read_text(write(tmp_path, data)) == "A headline\n\nab\tcde and more ordinary text\n"


def test_decode_bytes_names_the_source() -> None:
    with pytest.raises(InputError, match=r"^<stdin>: file is empty$"):
        decode_bytes(b"  \n", "<stdin>")
    assert decode_bytes(b"Hello\r\n", "<stdin>") == "Hello\n"
