"""Cover art: generate a clean default, check a user's image against Apple's rules,
and make the small copy embedded in the MP3.

Apple (and the feed standard notes) ask for a square JPEG or PNG, 1400-3000 px, RGB.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from broadcast.errors import ConfigError

MIN_PX, MAX_PX = 1400, 3000
FORMATS = ("JPEG", "PNG")

# Background gradients (top, bottom) and the accent colour; the title picks one by
# a stable hash, so a show keeps its look and two shows rarely share one.
PALETTES: tuple[tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((18, 32, 64), (40, 84, 140), (255, 196, 61)),  # night blue, amber
    ((60, 16, 40), (150, 40, 70), (255, 214, 170)),  # burgundy, sand
    ((12, 52, 48), (24, 120, 100), (240, 240, 200)),  # teal, cream
    ((30, 30, 34), (80, 80, 92), (255, 90, 70)),  # graphite, coral
    ((48, 24, 80), (110, 60, 160), (120, 230, 200)),  # violet, mint
)
_TEXT = (250, 250, 247)
_MARGIN = 0.09  # of the side, around the text block
_TITLE_MAX_LINES = 5
_JPEG_QUALITY = 92

# Modes a user might hand in, and what to tell them.
_MODE_NAMES = {
    "CMYK": "CMYK (print colours)",
    "P": "a palette (indexed-colour) image",
    "L": "greyscale",
    "LA": "greyscale with transparency",
    "RGBA": "RGB with transparency",
    "1": "black-and-white (1-bit)",
    "I;16": "16-bit greyscale",
    "YCbCr": "YCbCr",
}

# The APIC copy: players show it small, and the standard practice is a few hundred
# KB at most; step the quality down for noisy photos that do not fit.
APIC_MAX_BYTES = 250_000
_APIC_QUALITIES = (85, 75, 65, 50)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow >= 10.1 ships a scalable default face; without FreeType it falls back
    # to a small bitmap font, which still yields a valid (plainer) cover.
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line is split by characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while draw.textlength(word, font=font) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fit_title(
    draw: ImageDraw.ImageDraw, title: str, size: int, box_w: float, box_h: float
) -> tuple[ImageFont.ImageFont, list[str], int]:
    """The largest font (and its lines, line height) that fits the title in the box."""
    px = int(size * 0.12)
    while True:
        font = _font(px)
        lines = _wrap(draw, title, font, box_w)
        line_h = int(px * 1.15)
        if (len(lines) <= _TITLE_MAX_LINES and len(lines) * line_h <= box_h) or px <= size // 40:
            return font, lines, line_h
        px = int(px * 0.9)


def generate_cover(title: str, subtitle: str = "", size: int = 1400) -> bytes:
    """A square RGB JPEG: gradient, accent bar, the title large and wrapped, the subtitle small.

    Deterministic: the same arguments give the same bytes.
    """
    if not MIN_PX <= size <= MAX_PX:
        raise ConfigError(f"cover size {size} px is outside {MIN_PX}-{MAX_PX} px")
    title = " ".join(title.split()) or "Untitled"
    subtitle = " ".join(subtitle.split())
    digest = hashlib.sha256(title.encode("utf-8")).digest()
    top, bottom, accent = PALETTES[digest[0] % len(PALETTES)]

    # Vertical gradient: a 1-px column stretched, cheaper than drawing per line; stretched
    # down first, then across by copying (the same pixels as one bilinear resize, 5x faster).
    column = Image.new("RGB", (1, 256))
    column.putdata([tuple(round(a + (b - a) * i / 255) for a, b in zip(top, bottom)) for i in range(256)])
    image = column.resize((1, size), Image.Resampling.BILINEAR).resize((size, size), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(image)

    margin = int(size * _MARGIN)
    box_w = size - 2 * margin
    draw.rectangle((margin, margin, margin + size // 6, margin + size // 70), fill=accent)

    sub_font = _font(int(size * 0.045))
    sub_lines = _wrap(draw, subtitle, sub_font, box_w)[:2] if subtitle else []
    sub_h = int(size * 0.045 * 1.3) * len(sub_lines)
    title_top = margin + size // 12
    title_bottom = size - margin - (sub_h + size // 30 if sub_lines else 0)
    font, lines, line_h = _fit_title(draw, title, size, box_w, title_bottom - title_top)

    y = title_top
    for line in lines:
        draw.text((margin, y), line, font=font, fill=_TEXT)
        y += line_h
    y = size - margin - sub_h
    for line in sub_lines:
        draw.text((margin, y), line, font=sub_font, fill=accent)
        y += int(size * 0.045 * 1.3)

    out = io.BytesIO()
    image.save(out, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
    return out.getvalue()


def validate_cover(path: Path) -> None:
    """Raise ConfigError (one line a user can act on) unless `path` is a usable cover."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"cover image not found: {path}")
    try:
        with Image.open(path) as image:
            fmt, (width, height), mode = image.format, image.size, image.mode
            image.verify()  # structural check (PNG checksums, truncation) without decoding
    except Image.DecompressionBombError:
        raise ConfigError(f"cover image {path.name} is far larger than {MAX_PX} px") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ConfigError(f"cover image {path.name} is not a readable image") from None
    if fmt not in FORMATS:
        raise ConfigError(f"cover image {path.name} is {fmt}; save it as JPEG or PNG")
    if width != height:
        raise ConfigError(f"cover image {path.name} is {width}x{height} px; it must be square")
    if not MIN_PX <= width <= MAX_PX:
        raise ConfigError(f"cover image {path.name} is {width}x{height} px; it must be {MIN_PX}-{MAX_PX} px a side")
    if mode != "RGB":
        what = _MODE_NAMES.get(mode, f"in colour mode {mode}")
        raise ConfigError(f"cover image {path.name} is {what}; save it as RGB")


def embedded_copy(image_bytes: bytes, max_px: int = 600) -> bytes:
    """A small RGB JPEG (at most `max_px` a side, under APIC_MAX_BYTES) for the MP3's APIC frame."""
    try:
        image = Image.open(io.BytesIO(image_bytes))
        # A JPEG is decoded at a half or a quarter of its size when that still covers max_px:
        # a 1400-px cover's copy took 40 ms, decoded full size and resized.
        image.draft("RGB", (max_px, max_px))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ConfigError("cover image cannot be decoded for embedding") from None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas become white rather than JPEG's arbitrary black.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    image = image.convert("RGB")
    image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    for quality in _APIC_QUALITIES:
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= APIC_MAX_BYTES:
            break
    return out.getvalue()
