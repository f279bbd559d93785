from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from broadcast.errors import ConfigError
from broadcast.publish.cover import APIC_MAX_BYTES, embedded_copy, generate_cover, validate_cover

TITLE = "Putin and Kim meet in the Russian Far East to talk about weapons, space and sanctions"


def _save(path: Path, mode: str, size: tuple[int, int], fmt: str, color: object = None) -> Path:
    Image.new(mode, size, color if color is not None else 0).save(path, format=fmt)
    return path


def test_generated_cover_is_a_square_rgb_jpeg(tmp_path: Path) -> None:
    data = generate_cover(TITLE, "The Morning Brief - 12 September 2023")
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1400, 1400))
    path = tmp_path / "cover.jpg"
    path.write_bytes(data)
    validate_cover(path)  # our own cover passes our own rules


def test_generated_cover_is_deterministic_and_depends_on_text() -> None:
    assert generate_cover(TITLE, "sub") == generate_cover(TITLE, "sub")
    assert generate_cover(TITLE, "sub") != generate_cover(TITLE, "other")
    assert generate_cover("A", "") != generate_cover("B", "")


def test_generated_cover_draws_text_and_sizes() -> None:
    image = np.asarray(Image.open(io.BytesIO(generate_cover("Short title", size=3000))))
    assert image.shape == (3000, 3000, 3)
    assert image.max() > 240  # near-white title text over a dark gradient
    # Long words and empty titles still make a cover.
    Image.open(io.BytesIO(generate_cover("Supercalifragilistic" * 8, "x" * 300))).verify()
    Image.open(io.BytesIO(generate_cover("   "))).verify()
    with pytest.raises(ConfigError):
        generate_cover("Title", size=1000)


def test_valid_png_and_jpeg_pass(tmp_path: Path) -> None:
    validate_cover(_save(tmp_path / "a.png", "RGB", (1400, 1400), "PNG", (10, 20, 30)))
    validate_cover(_save(tmp_path / "b.jpg", "RGB", (3000, 3000), "JPEG", (10, 20, 30)))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.jpg", "not found"),
        (lambda d: d, "not found"),  # a directory
        (lambda d: (d / "notes.jpg").write_text("hello") and d / "notes.jpg", "not a readable image"),
        (
            lambda d: (d / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) and d / "cut.png",
            "not a readable image",
        ),
        (lambda d: _save(d / "c.gif", "P", (1400, 1400), "GIF"), "is GIF; save it as JPEG or PNG"),
        (lambda d: _save(d / "c.bmp", "RGB", (1400, 1400), "BMP"), "is BMP"),
        (lambda d: _save(d / "wide.png", "RGB", (1600, 1400), "PNG"), "1600x1400 px; it must be square"),
        (lambda d: _save(d / "small.png", "RGB", (1000, 1000), "PNG"), "1000x1000 px; it must be 1400"),
        (lambda d: _save(d / "big.png", "RGB", (3200, 3200), "PNG"), "3200x3200 px; it must be 1400"),
        (lambda d: _save(d / "print.jpg", "CMYK", (1400, 1400), "JPEG"), "is CMYK"),
        (lambda d: _save(d / "pal.png", "P", (1400, 1400), "PNG"), "palette"),
        (lambda d: _save(d / "grey.png", "L", (1400, 1400), "PNG"), "greyscale"),
        (lambda d: _save(d / "alpha.png", "RGBA", (1400, 1400), "PNG"), "transparency"),
    ],
)
def test_validate_cover_errors(tmp_path: Path, make, message: str) -> None:  # noqa: ANN001
    path = make(tmp_path)
    with pytest.raises(ConfigError, match=message) as info:
        validate_cover(path)
    assert "\n" not in str(info.value)


def test_embedded_copy_is_small(tmp_path: Path) -> None:
    small = embedded_copy(generate_cover(TITLE, "sub", size=3000))
    image = Image.open(io.BytesIO(small))
    assert image.format == "JPEG" and image.mode == "RGB" and max(image.size) == 600
    assert len(small) < 300_000
    # Worst case for JPEG: full-resolution noise still fits the budget.
    noise = np.random.default_rng(0).integers(0, 256, (2000, 2000, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, format="PNG")
    small = embedded_copy(buf.getvalue(), max_px=600)
    assert len(small) <= APIC_MAX_BYTES and max(Image.open(io.BytesIO(small)).size) <= 600


def test_embedded_copy_flattens_transparency_and_rejects_garbage() -> None:
    buf = io.BytesIO()
    Image.new("RGBA", (1400, 1400), (0, 0, 0, 0)).save(buf, format="PNG")
    image = Image.open(io.BytesIO(embedded_copy(buf.getvalue(), max_px=300)))
    assert image.size == (300, 300) and image.getpixel((10, 10)) == (255, 255, 255)
    with pytest.raises(ConfigError):
        embedded_copy(b"not an image")


def test_embedded_copy_of_a_large_jpeg_keeps_its_colours_at_reduced_decoding() -> None:
    """A JPEG is decoded at a fraction of its size for the copy (draft mode): CMYK and
    greyscale covers come out as the same colours in RGB."""
    for mode, colour, expected in (("CMYK", (0, 255, 0, 0), (255, 0, 254)), ("L", 128, (128, 128, 128))):
        buf = io.BytesIO()
        Image.new(mode, (2400, 2400), colour).save(buf, format="JPEG", quality=95)
        small = Image.open(io.BytesIO(embedded_copy(buf.getvalue(), max_px=600)))
        assert (small.mode, small.size) == ("RGB", (600, 600))
        assert all(abs(a - b) <= 2 for a, b in zip(small.getpixel((300, 300)), expected, strict=True))
