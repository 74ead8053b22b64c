"""Synthetic photos and hostile files for the photo pipeline's tests and benchmark.

Everything is generated with Pillow: gradients, shapes and grain, so the images compress like
photos rather than flat colour, plus EXIF blocks, an ICC profile with Display P3 primaries, and
PNGs that only claim huge dimensions.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import datetime
from fractions import Fraction

import pillow_heif
from PIL import Image, ImageDraw, ImageFilter
from PIL.ExifTags import GPS, IFD, Base

RED = (255, 0, 0)


def photo_like(width: int, height: int, *, seed: int = 1) -> Image.Image:
    """An RGB image with smooth gradients, a few shapes and fine grain, like a casual photo."""
    rng = random.Random(seed)
    red = Image.linear_gradient("L").rotate(90).resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(max(2, min(width, height) // 12), max(3, min(width, height) // 4))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        box = (x - radius, y - radius, x + radius, y + radius)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    grain = grain.filter(ImageFilter.BoxBlur(1)).convert("RGB")
    return Image.blend(image, grain, 0.12)


def with_red_corner(image: Image.Image) -> Image.Image:
    """The image with a pure red block in its stored top-left corner, to follow rotations."""
    marked = image.copy()
    block = (0, 0, image.width // 4, image.height // 4)
    ImageDraw.Draw(marked).rectangle(block, fill=RED)
    return marked


def exif_block(
    *,
    orientation: int | None = None,
    gps: tuple[str, tuple, str, tuple] | None = None,
    taken_at: datetime | None = None,
) -> bytes:
    """EXIF bytes with an orientation, a GPS IFD (ref, dms, ref, dms) and DateTimeOriginal."""
    exif = Image.Exif()
    exif[Base.Make] = "LinliPhone"
    exif[Base.Model] = "Test 1"
    if orientation is not None:
        exif[Base.Orientation] = orientation
    if gps is not None:
        latitude_ref, latitude, longitude_ref, longitude = gps
        gps_ifd = exif.get_ifd(IFD.GPSInfo)
        gps_ifd[GPS.GPSVersionID] = b"\x02\x02\x00\x00"
        gps_ifd[GPS.GPSLatitudeRef] = latitude_ref
        gps_ifd[GPS.GPSLatitude] = tuple(
            Fraction(part).limit_denominator(10_000) for part in latitude
        )
        gps_ifd[GPS.GPSLongitudeRef] = longitude_ref
        gps_ifd[GPS.GPSLongitude] = tuple(
            Fraction(part).limit_denominator(10_000) for part in longitude
        )
    if taken_at is not None:
        exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    return exif.tobytes()


def encoded(image: Image.Image, format_name: str, **params) -> bytes:
    """The image saved in `format_name` with Pillow's save parameters (exif=, icc_profile=...)."""
    buffer = io.BytesIO()
    image.save(buffer, format_name, **params)
    return buffer.getvalue()


def heic(image: Image.Image, **params) -> bytes:
    """The image encoded as HEIC by pillow-heif itself, without registering its Pillow plugin."""
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, **params)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def _s15_fixed16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(x: float, y: float, z: float) -> bytes:
    return b"XYZ \x00\x00\x00\x00" + _s15_fixed16(x) + _s15_fixed16(y) + _s15_fixed16(z)


def display_p3_profile() -> bytes:
    """An ICC v2 matrix/TRC profile with Display P3 primaries (D50-adapted) and gamma 2.2.

    Close enough to an iPhone's Display P3 for the tests: its colours are wider than sRGB, so a
    pipeline that ignores it visibly shifts them.
    """
    description = b"Linli test Display P3\x00"
    desc = (
        b"desc\x00\x00\x00\x00"
        + struct.pack(">I", len(description))
        + description
        + b"\x00" * 4  # Unicode language code
        + b"\x00" * 4  # Unicode character count
        + b"\x00" * 2  # ScriptCode code
        + b"\x00"  # ScriptCode count
        + b"\x00" * 67
    )
    gamma = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\x00\x00"
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\x00\x00\x00\x00No copyright\x00"),
        (b"wtpt", _xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz_tag(0.5151, 0.2412, -0.0011)),
        (b"gXYZ", _xyz_tag(0.2920, 0.6922, 0.0419)),
        (b"bXYZ", _xyz_tag(0.1571, 0.0666, 0.7841)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        padded = data + b"\x00" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += padded
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\x00" * 24  # platform, flags, manufacturer, model, attributes
        + struct.pack(">I", 0)  # rendering intent: perceptual
        + _s15_fixed16(0.9642)
        + _s15_fixed16(1.0)
        + _s15_fixed16(0.8249)
        + b"\x00" * 48  # creator, profile id, reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body
