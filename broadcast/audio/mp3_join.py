"""MP3 frames and the Info (Xing + LAME) tag: independently encoded parts joined into one file.

Each part is a complete ffmpeg/LAME encode with its own Info frame. The joined file is
the first part's Info frame, rewritten for the whole stream (frame and byte counts, seek
table, encoder delay and end padding, music length and both CRCs, as ffmpeg's muxer
computes them), then every part's audio frames in order. Each part starts with an empty
bit reservoir, so its frames decode the same after another part's frames: plain
concatenation is a valid stream. Where the audio of the parts lands in time is the
caller's to plan (see segments.py); `join` checks each part is the encode that was planned.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from broadcast.errors import ToolError

FRAME_SAMPLES = 1152  # MPEG-1 Layer III, the only layout written here (44.1 and 48 kHz)
# LAME's encoder delay, and the least end padding it adds (measured on ffmpeg's libmp3lame,
# tests/test_mp3_join.py): F frames hold at most F * 1152 - 576 - 576 samples.
ENCODER_DELAY = 576
MIN_PADDING = 576

_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)
_XING_FLAGS = 0x0F  # frames, bytes, seek table, quality: what ffmpeg's muxer writes
_TOC_SIZE = 100
_BAGS = 400  # ffmpeg's seek table samples the stream in at most this many points
_TAG_CRC_SPAN = 190  # the LAME tag's CRC covers the frame's first 190 bytes
_READ = 1 << 20


def frame_size(header: bytes) -> int:
    """Bytes in the MPEG-1 Layer III frame that starts with this 4-byte header."""
    b1, b2 = header[1], header[2]
    if header[0] != 0xFF or b1 & 0xFE != 0xFA or b2 >> 4 in (0, 15) or (b2 >> 2) & 3 == 3:
        raise ToolError(f"not an MPEG-1 Layer III frame header: {header[:4].hex()}")
    return 144000 * _KBPS[b2 >> 4] // _RATES[(b2 >> 2) & 3] + ((b2 >> 1) & 1)


def frame_sizes(path: Path, start: int = 0) -> Iterator[int]:
    """The size of every frame of an MP3 without tags, from byte `start` on, read a block at a time."""
    with open(path, "rb") as fh:
        fh.seek(start)
        buf, at = b"", 0
        while True:
            if len(buf) - at < 4:
                more = fh.read(_READ)
                if not more:
                    if len(buf) > at:
                        raise ToolError(f"{path.name}: {len(buf) - at} stray bytes after the last frame")
                    return
                buf, at = buf[at:] + more, 0
                continue
            size = frame_size(buf[at : at + 4])
            yield size
            at += size
            if at > len(buf):  # the frame runs past the block: skip the rest of it in the file
                fh.seek(at - len(buf), 1)
                buf, at = b"", 0


@dataclass(frozen=True)
class Info:
    """An encode's Info frame and what its tag says."""

    frame: bytes  # the whole Info frame
    tag_at: int  # where "Info"/"Xing" starts in it
    frames: int  # audio frames after it
    size: int  # bytes of the stream, Info frame included
    delay: int
    padding: int
    music_crc: int

    @property
    def lame_at(self) -> int:
        return self.tag_at + 8 + 4 + 4 + _TOC_SIZE + 4


def read_info(path: Path) -> Info:
    """The Info frame ffmpeg's mp3 muxer wrote at the start of `path` (write_xing=1, no ID3)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if len(head) < 4:
            raise ToolError(f"{path.name}: no MP3 frames")
        frame = head + fh.read(frame_size(head) - 4)
    protected = not head[1] & 1
    tag_at = 4 + (2 if protected else 0) + (17 if head[3] >> 6 == 3 else 32)
    if frame[tag_at : tag_at + 4] not in (b"Info", b"Xing") or _u32(frame, tag_at + 4) != _XING_FLAGS:
        raise ToolError(f"{path.name}: no Info frame with a seek table and a LAME tag")
    lame = tag_at + 8 + 4 + 4 + _TOC_SIZE + 4
    if len(frame) < lame + 36:
        raise ToolError(f"{path.name}: Info frame too short for a LAME tag")
    delay_padding = int.from_bytes(frame[lame + 21 : lame + 24], "big")
    return Info(
        frame=frame,
        tag_at=tag_at,
        frames=_u32(frame, tag_at + 8),
        size=_u32(frame, tag_at + 12),
        delay=delay_padding >> 12,
        padding=delay_padding & 0xFFF,
        music_crc=struct.unpack_from(">H", frame, lame + 32)[0],
    )


def check_part(path: Path, info: Info, frames: int | None) -> None:
    """A part other than the last must be the `frames` frames planned (its padding then
    fills them), or the next part's audio would not start where it was planned to."""
    if info.delay != ENCODER_DELAY:
        raise ToolError(f"{path.name}: encoder delay {info.delay}, not the {ENCODER_DELAY} samples planned")
    if frames is not None and info.frames != frames:
        raise ToolError(f"{path.name}: {info.frames} frames, not the {frames} planned")


def join(parts: list[Path], out: Path, frames: list[int | None]) -> Info:
    """Write `out`: the parts' audio frames behind one Info frame for the whole stream.
    `frames[i]`: the frames planned for part i (None: not checked, the last part)."""
    infos = [read_info(p) for p in parts]
    for path, info, planned in zip(parts, infos, frames, strict=True):
        check_part(path, info, planned)
    first, last = infos[0], infos[-1]
    head = len(first.frame)
    sizes = (size for p, i in zip(parts, infos, strict=True) for size in frame_sizes(p, len(i.frame)))
    total_frames, total_size, toc = _seek_table(sizes, head)
    music_crc = 0
    for info in infos:
        music_crc = _crc16_combine(music_crc, info.music_crc, info.size - len(info.frame))
    frame = bytearray(first.frame)
    tag, lame = first.tag_at, first.lame_at
    struct.pack_into(">II", frame, tag + 8, total_frames, total_size)
    frame[tag + 16 : tag + 16 + _TOC_SIZE] = toc
    frame[lame + 21 : lame + 24] = ((first.delay << 12) | last.padding).to_bytes(3, "big")
    struct.pack_into(">IH", frame, lame + 28, total_size, music_crc)
    struct.pack_into(">H", frame, lame + 34, tag_crc(frame, lame))
    with open(out, "wb") as dst:
        dst.write(frame)
        for path, info in zip(parts, infos, strict=True):
            with open(path, "rb") as src:
                src.seek(len(info.frame))
                shutil.copyfileobj(src, dst, _READ)
    return Info(bytes(frame), tag, total_frames, total_size, first.delay, last.padding, music_crc)


def tag_crc(frame: bytes | bytearray, lame_at: int) -> int:
    """The LAME tag's CRC as ffmpeg's muxer computes it: of the frame's first 190 bytes with the
    CRC itself still zero, and zeros past the end of a shorter frame (mono at 48 kbps or less)."""
    span = bytearray(frame[:_TAG_CRC_SPAN].ljust(_TAG_CRC_SPAN, b"\0"))
    span[lame_at + 34 : lame_at + 36] = b"\0\0"
    return _crc16(span[:_TAG_CRC_SPAN])


def _seek_table(sizes: Iterator[int], head: int) -> tuple[int, int, bytes]:
    """Frame count, byte count and the 100-entry seek table, sampled as ffmpeg's muxer samples it
    (so the table is the one a single encode of these frames would carry)."""
    bag = [0] * _BAGS
    pos, want, seen, count, size = 0, 1, 0, 0, head
    for n in sizes:
        count, seen, size = count + 1, seen + 1, size + n
        if seen == want:
            bag[pos], pos, seen = size, pos + 1, 0
            if pos == _BAGS:  # keep every second point and sample half as often
                bag[: _BAGS // 2] = bag[1::2]
                want, pos = want * 2, _BAGS // 2
    toc = [0] + [min(256 * bag[i * pos // _TOC_SIZE] // size, 255) for i in range(1, _TOC_SIZE)]
    return count, size, bytes(toc)


def _u32(data: bytes, at: int) -> int:
    return int(struct.unpack_from(">I", data, at)[0])


# CRC-16/ARC (reflected polynomial 0xA001, initial 0), as LAME's tag and ffmpeg's muxer use it.
_POLY = 0xA001


def _crc16(data: bytes | bytearray, crc: int = 0) -> int:
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
    return crc


def _crc16_combine(crc_a: int, crc_b: int, length_b: int) -> int:
    """The CRC of A followed by B from the CRCs of both and B's length, without reading A or B:
    with no initial value or final xor the CRC is linear, so A's CRC is run through B's length
    of zero bytes (an operator squared up in powers of two, as zlib's crc32_combine does)."""
    odd = [_POLY] + [1 << (n - 1) for n in range(1, 16)]  # one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four
    while length_b:
        even = _square(odd)  # 8 bits = one byte on the first pass, then doubling
        if length_b & 1:
            crc_a = _times(even, crc_a)
        length_b >>= 1
        if not length_b:
            break
        odd = _square(even)
        if length_b & 1:
            crc_a = _times(odd, crc_a)
        length_b >>= 1
    return crc_a ^ crc_b


def _times(matrix: list[int], vector: int) -> int:
    out, n = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[n]
        vector, n = vector >> 1, n + 1
    return out


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, column) for column in matrix]
