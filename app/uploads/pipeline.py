"""The photo pipeline: turn an uploaded photo into the two clean JPEGs Linli stores and serves.

`process_photo(data)` checks that the bytes are a real JPEG, PNG, WebP or HEIC photo of sane size,
reads where and when it was taken, applies the EXIF orientation, converts it to sRGB, and returns a
web image (long side ≤ 1600 px) and a thumbnail (long side ≤ 360 px) without any metadata: no EXIF,
no GPS, no XMP, no ICC profile, no comments. Anything else raises `PhotoRejected`, whose `message`
a resident can read.

Speed matters because residents upload 12 MP phone photos: JPEGs are decoded at a reduced DCT
scale (`draft()`), the web image is shrunk in bands on several threads, Pillow keeps freed image
memory for the next photo, and the thumbnail is made from the web image, never from the original
(benchmarks/photo_pipeline.py).
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import struct
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime

import pillow_heif
from PIL import Image, ImageCms, UnidentifiedImageError
from PIL.ExifTags import GPS, IFD, Base

WEB_LONG_SIDE = 1600
THUMBNAIL_LONG_SIDE = 360
JPEG_QUALITY = 82
# From a 1/2-scale JPEG decode to 1600 px the box (area-average) filter antialiases and takes
# 16 ms where bilinear takes 23 and Lanczos 50, within 3 dB of Lanczos (benchmarks/photo_pipeline.py).
_WEB_RESAMPLING = Image.Resampling.BOX
# Shrinking to the web size is the costliest step after decoding; on several cores it runs in
# horizontal bands on threads (Pillow releases the GIL while resampling): 11.7 ms → 6.8 ms on two.
_MAX_RESIZE_THREADS = 4
_BANDED_RESIZE_MIN_PIXELS = 1_000_000

_TRANSPOSITIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Pillow format names we decode, and the name we record for each. Pillow reports a JPEG with a
# multi-picture index (many phone cameras write one) as "MPO"; it is still a JPEG.
_ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
_SOURCE_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}

# What Pillow and pillow-heif raise on bytes that are not, or not entirely, a valid image.
_DECODE_ERRORS = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    ValueError,  # pillow-heif: "Invalid input: Unexpected end of file"
    SyntaxError,  # PNG chunk and CRC errors
    EOFError,
    struct.error,
    IndexError,
    TypeError,
    KeyError,
    ZeroDivisionError,
)

_MESSAGE_EMPTY = "没有收到照片，请重新拍摄或选择照片"
_MESSAGE_TOO_MANY_PIXELS = "照片尺寸太大了，请选择手机正常拍摄的照片"
_MESSAGE_UNRECOGNISED = "无法识别这张照片，请重新拍摄或选择其他照片（支持 JPG、PNG、WebP、HEIC）"
_MESSAGE_DAMAGED = "这张照片不完整或已损坏，请重新拍摄或选择其他照片"


class PhotoRejected(Exception):
    """An upload that is not a photo Linli accepts.

    `code` is the HTTP status to answer (413: too many bytes or pixels; 422: not an accepted,
    complete image), `message` a short sentence for the resident, `reason` a stable word for logs
    and tests.
    """

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Derivative:
    """One stored rendition of a photo: JPEG bytes and their pixel size."""

    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class ProcessedPhoto:
    """The result of `process_photo`: clean renditions plus what the original's EXIF told us.

    `sha256` is the hex digest of the original upload (the dedupe key); `width` and `height` are
    those of the web rendition, already oriented; `gps` is (latitude, longitude) in WGS84 decimal
    degrees; `taken_at` is the camera's local time, naive, as the phone wrote it.
    """

    sha256: str
    source_format: str
    width: int
    height: int
    web: Derivative
    thumbnail: Derivative
    gps: tuple[float, float] | None
    taken_at: datetime | None


def process_photo(
    data: bytes, *, max_bytes: int = 10 * 1024 * 1024, max_pixels: int = 40_000_000,
    threads: int | None = None,
) -> ProcessedPhoto:
    """Validate an uploaded photo and make its web image and thumbnail, stripped of metadata.

    Raises `PhotoRejected` (413 or 422) for anything that is not a complete JPEG, PNG, WebP or
    HEIC image within `max_bytes` and `max_pixels`. `max_pixels` may not exceed Pillow's own
    `Image.MAX_IMAGE_PIXELS` (about 89 MP), which Linli leaves at its default for every caller.
    `threads` caps the threads that shrink the web image (default: the CPUs this process may
    use, at most 4).
    """
    if threads is None:
        threads = min(_usable_cpus(), _MAX_RESIZE_THREADS)
    if Image.MAX_IMAGE_PIXELS is not None and max_pixels > Image.MAX_IMAGE_PIXELS:
        raise ValueError("max_pixels above Image.MAX_IMAGE_PIXELS would be refused by Pillow")
    if not data:
        raise PhotoRejected(422, "empty", _MESSAGE_EMPTY)
    if len(data) > max_bytes:
        raise PhotoRejected(413, "too_many_bytes", _too_many_bytes_message(max_bytes))
    _configure_pillow()

    with _open(data, max_pixels) as image:
        source_format = _SOURCE_FORMATS[image.format or ""]
        # Before any pixel is read: afterwards draft() can no longer shrink the decode.
        _draft_for(image, WEB_LONG_SIDE)
        try:
            image.load()
        except _DECODE_ERRORS as exc:
            raise PhotoRejected(422, "damaged", _MESSAGE_DAMAGED) from exc
        # Read before anything below drops the metadata; the EXIF block is already in memory.
        exif = _exif_of(image)
        icc_profile = image.info.get("icc_profile")
        # Shrink first, then turn: a quarter turn of the web image costs less than of the decode.
        web_image = _fit(_flattened(image), WEB_LONG_SIDE, _WEB_RESAMPLING, threads=threads)
        web_image = _to_srgb(_oriented(web_image, exif), icc_profile)

    thumbnail_image = _fit(web_image, THUMBNAIL_LONG_SIDE, Image.Resampling.BILINEAR,
                           reducing_gap=1.0)
    return ProcessedPhoto(
        sha256=hashlib.sha256(data).hexdigest(),
        source_format=source_format,
        width=web_image.width,
        height=web_image.height,
        web=_jpeg(web_image),
        thumbnail=_jpeg(thumbnail_image),
        gps=_gps_of(exif),
        taken_at=_taken_at_of(exif),
    )


def _usable_cpus() -> int:
    # sched_getaffinity (Linux) sees a container's CPU set; macOS has only cpu_count.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Pillow frees image memory straight back to the system by default, so every photo's buffers
# are freshly mapped and page-faulted again: 47 ms a photo instead of 37. Keeping up to 32 freed
# 1 MB blocks (≤ 32 MB a process, about one photo's working set) for reuse avoids that.
# PILLOW_BLOCK_SIZE and PILLOW_BLOCKS_MAX in the environment, read by Pillow itself, win.
_PILLOW_BLOCK_SIZE = 1024 * 1024
_PILLOW_BLOCKS_MAX = 32


@functools.cache
def _configure_pillow() -> None:
    """Once per process: the block cache above and the HEIC opener."""
    if "PILLOW_BLOCK_SIZE" not in os.environ:
        Image.core.set_block_size(_PILLOW_BLOCK_SIZE)
    if "PILLOW_BLOCKS_MAX" not in os.environ:
        Image.core.set_blocks_max(_PILLOW_BLOCKS_MAX)
    # Thumbnails, depth maps and auxiliary images are never used here.
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def _too_many_bytes_message(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    limit = f"{megabytes:.0f}MB" if megabytes >= 1 else f"{max(1, max_bytes // 1024)}KB"
    return f"照片太大了，请选择 {limit} 以内的照片"


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Identify the image by its content and check its size from the header alone."""
    try:
        # Pillow's own bomb check runs inside open(); its warning becomes an error here only,
        # leaving Image.MAX_IMAGE_PIXELS and other callers alone. (catch_warnings is not
        # thread-safe before Python 3.14; the explicit check below enforces the limit anyway.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(413, "too_many_pixels", _MESSAGE_TOO_MANY_PIXELS) from exc
    except UnidentifiedImageError as exc:
        raise PhotoRejected(422, "unrecognised", _MESSAGE_UNRECOGNISED) from exc
    except _DECODE_ERRORS as exc:
        raise PhotoRejected(422, "damaged", _MESSAGE_DAMAGED) from exc
    if image.format not in _SOURCE_FORMATS:
        image.close()
        raise PhotoRejected(422, "unrecognised", _MESSAGE_UNRECOGNISED)
    width, height = image.size
    if width < 1 or height < 1:
        image.close()
        raise PhotoRejected(422, "damaged", _MESSAGE_DAMAGED)
    if width * height > max_pixels:
        image.close()
        raise PhotoRejected(413, "too_many_pixels", _MESSAGE_TOO_MANY_PIXELS)
    return image


def _draft_for(image: Image.Image, long_side: int) -> None:
    """Ask a JPEG to decode at the smallest DCT scale that still covers `long_side`.

    The box must keep the photo's aspect ratio: draft() picks the scale that fits both sides, so
    a square box on a 4:3 photo would not reduce at all. Other formats ignore this.
    """
    width, height = image.size
    scale = long_side / max(width, height)
    if scale >= 1:
        return
    image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))


def _oriented(image: Image.Image, exif: Image.Exif | None) -> Image.Image:
    """Turn the image upright as its EXIF orientation says (the table of ImageOps.exif_transpose).

    pillow-heif has already turned HEIC images and reset their orientation to 1.
    """
    orientation = exif.get(Base.Orientation) if exif is not None else None
    method = _TRANSPOSITIONS.get(orientation) if isinstance(orientation, int) else None
    return image if method is None else image.transpose(method)


def _flattened(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB or CMYK, putting transparent areas on white."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode.startswith("I"):
        # 16-bit greyscale PNG: scale to 8 bits instead of letting convert() clip at 255.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode not in ("L", "RGB", "CMYK"):
        return image.convert("RGB")
    return image


def _fit(image: Image.Image, long_side: int, resampling: Image.Resampling, *,
         reducing_gap: float = 2.0, threads: int = 1) -> Image.Image:
    """Shrink so that the long side is at most `long_side`; never enlarge.

    reducing_gap: first shrink by a whole factor with a cheap box filter while the image stays
    at least `reducing_gap` times too large on each side, then filter the rest properly. 2.0 is
    Pillow's advice for quality; the thumbnail takes 1.0 (1600 → 400 → 360 px), which halves its
    cost (1.6 ms instead of 2.9) and looks the same at 360 px.
    """
    width, height = image.size
    if max(width, height) <= long_side:
        return image
    scale = long_side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    bands = min(threads, size[1] // 64) if size[0] * size[1] >= _BANDED_RESIZE_MIN_PIXELS else 1
    if bands <= 1:
        return image.resize(size, resampling, reducing_gap=reducing_gap)
    return _resized_in_bands(image, size, resampling, reducing_gap, bands)


def _resized_in_bands(image: Image.Image, size: tuple[int, int], resampling: Image.Resampling,
                      reducing_gap: float, bands: int) -> Image.Image:
    """`image.resize(size, ...)` computed as `bands` horizontal strips on as many threads.

    Each strip resamples its slice of the source through `box=`, which reads the source rows
    around the slice too, so there are no seams; pixels differ from one whole resize by at most
    1 (rounding of the filter weights).
    """
    width, height = image.size
    source_rows_per_row = height / size[1]
    edges = [round(size[1] * index / bands) for index in range(bands + 1)]
    strips: list[Image.Image | None] = [None] * bands
    failures: list[BaseException] = []

    def resize_strip(index: int) -> None:
        top, bottom = edges[index], edges[index + 1]
        box = (0, top * source_rows_per_row, width, bottom * source_rows_per_row)
        try:
            strips[index] = image.resize((size[0], bottom - top), resampling, box=box,
                                         reducing_gap=reducing_gap)
        except BaseException as exc:  # re-raised in the calling thread below
            failures.append(exc)

    helpers = [threading.Thread(target=resize_strip, args=(index,), daemon=True)
               for index in range(1, bands)]
    for helper in helpers:
        helper.start()
    resize_strip(0)
    for helper in helpers:
        helper.join()
    if failures:
        raise failures[0]
    result = Image.new(image.mode, size)
    for top, strip in zip(edges, strips, strict=False):
        result.paste(strip, (0, top))
    return result


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to RGB in sRGB, so that browsers that ignore missing profiles show true colours."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            # A broken or mismatched profile: the pixels are still a photo, shown as sRGB.
            converted = None
        if converted is not None:
            return converted
    return image if image.mode == "RGB" else image.convert("RGB")


def _jpeg(image: Image.Image) -> Derivative:
    """Encode as a baseline JPEG that carries no metadata at all.

    Progressive coding and Huffman optimisation would save about a tenth of the bytes but
    triple the encode time (15 ms vs 4 ms for the web image); phones show the thumbnail first.
    """
    # Pillow copies `info` along resizes and re-writes some of it on save (a JPEG comment
    # does survive a plain save), so the encoder gets an image with none.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return Derivative(data=buffer.getvalue(), width=image.width, height=image.height)


def _exif_of(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except _DECODE_ERRORS:
        return None


def _gps_of(exif: Image.Exif | None) -> tuple[float, float] | None:
    """Latitude and longitude in WGS84 decimal degrees, or None when absent or implausible."""
    if exif is None:
        return None
    try:
        gps = exif.get_ifd(IFD.GPSInfo)
        latitude = _degrees(gps.get(GPS.GPSLatitude), gps.get(GPS.GPSLatitudeRef), "N", "S")
        longitude = _degrees(gps.get(GPS.GPSLongitude), gps.get(GPS.GPSLongitudeRef), "E", "W")
    except _DECODE_ERRORS:
        return None
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    # Phones without a fix write 0/0: the Gulf of Guinea is not in a Chinese community.
    if latitude == 0 and longitude == 0:
        return None
    return latitude, longitude


def _degrees(value: object, ref: object, positive: str, negative: str) -> float | None:
    """Turn EXIF (degrees, minutes, seconds) rationals and an N/S or E/W letter into degrees."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    degrees, minutes, seconds = (float(part) for part in value)
    if not all(math.isfinite(part) and part >= 0 for part in (degrees, minutes, seconds)):
        return None
    if minutes >= 60 or seconds >= 60:
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    letter = ref.strip("\x00 ").upper() if isinstance(ref, str) else ""
    if letter not in ("", positive, negative):
        return None
    # A missing reference letter is read as north/east, where every Linli community lies.
    sign = -1 if letter == negative else 1
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _taken_at_of(exif: Image.Exif | None) -> datetime | None:
    """When the shutter was pressed (DateTimeOriginal), as the camera's naive local time."""
    if exif is None:
        return None
    try:
        raw = exif.get_ifd(IFD.Exif).get(Base.DateTimeOriginal)
    except _DECODE_ERRORS:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        # "0000:00:00 00:00:00" and blanks are common in photos from cheap cameras.
        return None
