"""Read an input file (or bytes from stdin) into clean text.

Every way a file can fail to be text becomes an InputError whose one-line
message starts with the file's name, so the user sees which input is wrong.
"""

from __future__ import annotations

import codecs
import re
import stat
from pathlib import Path

from broadcast.errors import InputError, os_error_message

# Articles are a few hundred KB at most; anything larger is a mistake (a video,
# a disk image) and reading it whole would only waste memory.
MAX_BYTES = 20 * 1024 * 1024

# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Magic numbers of formats people plausibly pass by mistake. Checked before any
# decoding because cp1252 would happily "decode" most of them.
MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "RIFF"),
    (b"ID3", "MP3"),
    (b"OggS", "Ogg"),
    (b"fLaC", "FLAC"),
    (b"\x7fELF", "ELF"),
)

# Codecs tried in order when there is no BOM. cp1252 last: it accepts almost any
# byte sequence, so it only means something once UTF-8 has failed.
FALLBACK_CODECS: tuple[str, ...] = ("utf-8", "cp1252")

# Line ends to LF first, then every C0 control except tab and newline (and DEL,
# and stray BOMs) goes: they are invisible in an editor but upset the parser and TTS.
_LINE_ENDS = re.compile(r"\r\n?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff]")

# Decoded binary junk is mostly control characters; real text has almost none.
_MAX_CONTROL_SHARE = 0.10
_MAX_NUL_SHARE = 0.01


def _read_error(path: Path, exc: OSError) -> InputError:
    return InputError(os_error_message(path, exc))


def read_text(path: Path) -> str:
    """Return the text of `path`, decoded and normalized; InputError if it is not text."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory")
        # A FIFO or device would block or never end; only plain files are articles.
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise InputError(f"{path}: file too large ({info.st_size / 2**20:.1f} MB, limit {MAX_BYTES // 2**20} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise _read_error(path, exc) from None
    # The file may have grown between stat and read.
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: file too large (limit {MAX_BYTES // 2**20} MB)")
    return decode_bytes(data, str(path))


def decode_bytes(data: bytes, name: str) -> str:
    """Decode `data` (named `name` in errors) to normalized text with LF line ends."""
    if not data.strip():
        raise InputError(f"{name}: file is empty")
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: file too large (limit {MAX_BYTES // 2**20} MB)")
    for magic, kind in MAGIC_NUMBERS:
        if data.startswith(magic):
            raise InputError(f"{name}: binary file (not text; looks like {kind})")
    text = _decode(data, name)
    if _looks_binary(text):
        raise InputError(f"{name}: binary file (not text)")
    text = _CONTROLS.sub("", _LINE_ENDS.sub("\n", text))
    if not text.strip():
        raise InputError(f"{name}: file is empty")
    return text


def _decode(data: bytes, name: str) -> str:
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise InputError(f"{name}: cannot decode text (invalid {codec})") from None
    # Without a BOM, NUL bytes in number mean binary data (or BOM-less UTF-16);
    # a stray one in scraped text is dropped with the other control characters.
    if data.count(b"\x00") > _MAX_NUL_SHARE * len(data):
        raise InputError(f"{name}: binary file (not text)")
    for codec in FALLBACK_CODECS:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: cannot decode text (not UTF-8, UTF-16 or Windows-1252)")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r")
    return controls > _MAX_CONTROL_SHARE * len(text)
