"""The photo pipeline: what it accepts, what it refuses, and what its outputs contain."""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from datetime import datetime

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat
from PIL.ExifTags import IFD

from app.uploads.pipeline import PhotoRejected, process_photo
from tests.uploads.samples import (
    display_p3_profile,
    encoded,
    exif_block,
    heic,
    photo_like,
    png_claiming,
    with_red_corner,
)

SHANGHAI = ("N", (31, 13, 50.4), "E", (121, 28, 12))
SYDNEY = ("S", (33, 52, 4), "E", (151, 12, 36))
LIMA = ("S", (12, 2, 36), "W", (77, 1, 42))


def decoded(derivative) -> Image.Image:
    image = Image.open(io.BytesIO(derivative.data))
    image.load()
    return image


def is_red(pixel: tuple[int, int, int]) -> bool:
    red, green, blue = pixel
    return red > 180 and green < 80 and blue < 80


def rejection(data: bytes, **limits) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, **limits)
    return caught.value


@pytest.fixture(scope="session")
def heic_encoding() -> None:
    try:
        heic(Image.new("RGB", (16, 16)))
    except (KeyError, OSError, ValueError, RuntimeError) as exc:
        pytest.skip(f"pillow-heif cannot encode HEIC here: {exc}")


# Accepted formats


def test_jpeg_is_accepted(photo_jpeg):
    result = process_photo(photo_jpeg)

    assert result.source_format == "jpeg"
    assert (result.width, result.height) == (1200, 900)


def test_png_is_accepted(photo):
    assert process_photo(encoded(photo, "PNG", compress_level=1)).source_format == "png"


def test_webp_is_accepted(photo):
    assert process_photo(encoded(photo, "WEBP", quality=90)).source_format == "webp"


def test_heic_is_accepted(photo, heic_encoding):
    result = process_photo(heic(photo.resize((480, 360)), quality=90))

    assert result.source_format == "heic"
    assert (result.width, result.height) == (480, 360)


def test_heic_orientation_gps_and_time_survive_the_round_trip(heic_encoding):
    stored = with_red_corner(photo_like(400, 300, seed=3))
    data = heic(
        stored,
        quality=90,
        exif=exif_block(orientation=6, gps=SYDNEY, taken_at=datetime(2026, 3, 1, 8, 30)),
    )

    result = process_photo(data)

    web = decoded(result.web)
    assert web.size == (300, 400)
    assert is_red(web.getpixel((270, 30)))
    assert not is_red(web.getpixel((30, 30)))
    assert result.gps == pytest.approx((-33.867778, 151.21), abs=1e-5)
    assert result.taken_at == datetime(2026, 3, 1, 8, 30)


def test_cmyk_jpeg_is_accepted_as_rgb(photo):
    result = process_photo(encoded(photo.convert("CMYK"), "JPEG", quality=90))

    assert decoded(result.web).mode == "RGB"


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped():
    grey = Image.new("I;16", (64, 64), 32768)

    result = process_photo(encoded(grey, "PNG"))

    assert decoded(result.web).getpixel((32, 32)) == pytest.approx((128, 128, 128), abs=2)


# Refused uploads


def test_text_renamed_to_jpg_is_refused_as_unrecognised():
    refused = rejection("这不是照片，只是改了扩展名的文本。\n".encode() * 20)

    assert (refused.code, refused.reason) == (422, "unrecognised")
    assert refused.message == str(refused)


@pytest.mark.parametrize("format_name", ["GIF", "BMP", "TIFF", "PDF", "ICO"])
def test_other_image_formats_are_refused(photo, format_name):
    data = encoded(photo.resize((120, 90)), format_name)

    refused = rejection(data)

    assert (refused.code, refused.reason) == (422, "unrecognised")


def test_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'

    assert rejection(svg).code == 422


def test_jpeg_truncated_to_half_is_refused_as_damaged(photo_jpeg):
    refused = rejection(photo_jpeg[: len(photo_jpeg) // 2])

    assert (refused.code, refused.reason) == (422, "damaged")


def test_png_truncated_to_half_is_refused_as_damaged(photo):
    data = encoded(photo, "PNG", compress_level=1)

    assert rejection(data[: len(data) // 2]).code == 422


def test_empty_upload_is_refused():
    refused = rejection(b"")

    assert (refused.code, refused.reason) == (422, "empty")


def test_upload_over_max_bytes_is_refused_before_decoding():
    # Not an image at all: a 413 (not a 422) shows that the size was checked first.
    refused = rejection(b"\xff\xd8\xff" + b"\x00" * 2048, max_bytes=1024)

    assert (refused.code, refused.reason) == (413, "too_many_bytes")
    assert refused.message == "照片太大了，请选择 1KB 以内的照片"


def test_default_byte_limit_is_ten_megabytes():
    refused = rejection(b"\x00" * (10 * 1024 * 1024 + 1))

    assert refused.code == 413
    assert refused.message == "照片太大了，请选择 10MB 以内的照片"


def test_png_claiming_twenty_thousand_square_is_refused_from_its_header():
    # The claimed pixels are not in the file: had the pipeline tried to decode them, the
    # answer would be 422 "damaged", not 413.
    refused = rejection(png_claiming(20_000, 20_000))

    assert (refused.code, refused.reason) == (413, "too_many_pixels")


def test_png_just_over_the_pixel_limit_is_refused():
    # 48 MP: above Linli's 40 MP, below the point where Pillow itself would warn.
    refused = rejection(png_claiming(8000, 6000))

    assert (refused.code, refused.reason) == (413, "too_many_pixels")


def test_pillow_bomb_warning_is_an_error_not_a_log_line():
    # 100 MP: above Pillow's warning threshold, below its hard error.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        refused = rejection(png_claiming(10_000, 10_000))

    assert refused.code == 413
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


def test_pixel_limit_can_be_lowered_by_the_caller(photo_jpeg):
    refused = rejection(photo_jpeg, max_pixels=1200 * 900 - 1)

    assert (refused.code, refused.reason) == (413, "too_many_pixels")


def test_pixel_limit_above_pillows_own_limit_is_a_programming_error(photo_jpeg):
    with pytest.raises(ValueError):
        process_photo(photo_jpeg, max_pixels=10**9)


# Orientation


def test_exif_orientation_6_turns_the_photo_clockwise():
    stored = with_red_corner(photo_like(400, 300, seed=3))
    data = encoded(stored, "JPEG", quality=90, exif=exif_block(orientation=6))

    web = decoded(process_photo(data).web)

    assert web.size == (300, 400)
    assert is_red(web.getpixel((270, 30)))  # stored top-left is now top-right
    assert not is_red(web.getpixel((30, 30)))
    assert not is_red(web.getpixel((30, 370)))


def test_exif_orientation_8_turns_the_photo_anticlockwise():
    stored = with_red_corner(photo_like(400, 300, seed=3))
    data = encoded(stored, "JPEG", quality=90, exif=exif_block(orientation=8))

    web = decoded(process_photo(data).web)

    assert web.size == (300, 400)
    assert is_red(web.getpixel((30, 370)))  # stored top-left is now bottom-left
    assert not is_red(web.getpixel((30, 30)))
    assert not is_red(web.getpixel((270, 30)))


def test_orientation_applies_to_a_transparent_png():
    stored = with_red_corner(photo_like(400, 300, seed=3)).convert("RGBA")
    data = encoded(stored, "PNG", exif=exif_block(orientation=6))

    web = decoded(process_photo(data).web)

    assert web.size == (300, 400)
    assert is_red(web.getpixel((270, 30)))
    assert not is_red(web.getpixel((30, 30)))


def test_orientation_applies_to_a_large_photo_decoded_at_reduced_scale(large_photo):
    data = encoded(with_red_corner(large_photo), "JPEG", quality=90, exif=exif_block(orientation=6))

    result = process_photo(data)

    web = decoded(result.web)
    assert (result.width, result.height) == web.size == (1200, 1600)
    assert is_red(web.getpixel((1170, 30)))
    assert not is_red(web.getpixel((30, 30)))


# What EXIF tells us


def test_gps_is_read_in_decimal_degrees(photo):
    data = encoded(photo, "JPEG", exif=exif_block(gps=SHANGHAI))

    assert process_photo(data).gps == pytest.approx((31.230667, 121.47), abs=1e-5)


def test_gps_south_and_west_are_negative(photo):
    data = encoded(photo, "JPEG", exif=exif_block(gps=LIMA))

    assert process_photo(data).gps == pytest.approx((-12.043333, -77.028333), abs=1e-5)


@pytest.mark.parametrize(
    "gps",
    [
        ("N", (0, 0, 0), "E", (0, 0, 0)),  # no fix
        ("N", (95, 0, 0), "E", (121, 0, 0)),  # latitude beyond the pole
        ("N", (31, 75, 0), "E", (121, 0, 0)),  # 75 minutes
        ("Q", (31, 0, 0), "E", (121, 0, 0)),  # unknown reference letter
    ],
)
def test_implausible_gps_is_ignored(photo, gps):
    data = encoded(photo, "JPEG", exif=exif_block(gps=gps))

    assert process_photo(data).gps is None


def test_capture_time_is_read_as_naive_local_time(photo):
    data = encoded(photo, "JPEG", exif=exif_block(taken_at=datetime(2026, 5, 4, 17, 45, 9)))

    assert process_photo(data).taken_at == datetime(2026, 5, 4, 17, 45, 9)


def test_photo_without_exif_has_no_gps_and_no_capture_time(photo_jpeg):
    result = process_photo(photo_jpeg)

    assert (result.gps, result.taken_at) == (None, None)


# Outputs


@pytest.mark.parametrize("rendition", ["web", "thumbnail"])
@pytest.mark.parametrize("icc_profile", [None, display_p3_profile()], ids=["untagged", "p3"])
def test_renditions_carry_no_metadata(photo, rendition, icc_profile):
    exif = exif_block(orientation=1, gps=SHANGHAI, taken_at=datetime(2026, 5, 4, 17, 45))
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encoded(
        photo,
        "JPEG",
        quality=90,
        exif=exif,
        icc_profile=icc_profile,
        xmp=xmp,
        comment=b"LinliSecretComment",
    )

    output = getattr(process_photo(data), rendition)

    image = decoded(output)
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(IFD.GPSInfo)
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    for marker in (
        b"Exif\x00",
        b"ICC_PROFILE",
        b"http://ns.adobe.com/xap",
        b"LinliPhone",
        b"LinliSecretComment",
        b"\xff\xfe",
    ):
        assert marker not in output.data


def test_display_p3_colours_are_converted_to_srgb():
    p3_orange = (180, 100, 60)
    data = encoded(Image.new("RGB", (400, 300), p3_orange), "PNG", icc_profile=display_p3_profile())

    web = decoded(process_photo(data).web)

    # The same numbers in sRGB would be a duller orange; in sRGB, P3's orange is more saturated.
    assert web.getpixel((200, 150)) == pytest.approx((194, 95, 45), abs=3)
    assert "icc_profile" not in web.info


def test_srgb_tagged_photo_keeps_its_colours():
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(Image.new("RGB", (400, 300), (180, 100, 60)), "PNG", icc_profile=srgb)

    web = decoded(process_photo(data).web)

    assert web.getpixel((200, 150)) == pytest.approx((180, 100, 60), abs=3)


def test_broken_icc_profile_does_not_refuse_the_photo(photo):
    data = encoded(photo, "PNG", compress_level=1, icc_profile=b"not an icc profile" * 8)

    assert process_photo(data).width == 1200


def test_transparent_png_is_flattened_onto_white():
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (200, 0, 400, 300))

    web = decoded(process_photo(encoded(image, "PNG")).web)

    assert web.mode == "RGB"
    assert web.getpixel((100, 150)) == pytest.approx((255, 255, 255), abs=2)
    assert web.getpixel((300, 150)) == pytest.approx((0, 0, 255), abs=3)


def test_palette_png_with_transparency_is_flattened_onto_white():
    image = Image.new("P", (100, 100), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (50, 0, 100, 100))

    web = decoded(process_photo(encoded(image, "PNG", transparency=0)).web)

    assert web.getpixel((25, 50)) == pytest.approx((255, 255, 255), abs=2)
    assert is_red(web.getpixel((75, 50)))


@pytest.mark.parametrize("size", [(3200, 2400), (2400, 3200)])
def test_web_rendition_long_side_is_1600(large_photo, size):
    data = encoded(large_photo.resize(size), "JPEG", quality=90)

    result = process_photo(data)

    expected = (1600, 1200) if size[0] > size[1] else (1200, 1600)
    assert (result.web.width, result.web.height) == expected
    assert decoded(result.web).size == expected


def test_thumbnail_long_side_is_360(large_photo_jpeg):
    result = process_photo(large_photo_jpeg)

    assert (result.thumbnail.width, result.thumbnail.height) == (360, 270)
    assert decoded(result.thumbnail).size == (360, 270)


def test_photo_smaller_than_the_web_size_is_not_enlarged(photo_jpeg):
    result = process_photo(photo_jpeg)

    assert decoded(result.web).size == (1200, 900)


def test_photo_smaller_than_the_thumbnail_is_not_enlarged():
    data = encoded(photo_like(200, 120), "JPEG", quality=90)

    result = process_photo(data)

    assert decoded(result.web).size == decoded(result.thumbnail).size == (200, 120)


def test_very_long_panorama_keeps_at_least_one_pixel_across():
    data = encoded(photo_like(8000, 3), "PNG")

    result = process_photo(data)

    assert (result.web.width, result.web.height) == (1600, 1)
    assert (result.thumbnail.width, result.thumbnail.height) == (360, 1)


def test_renditions_are_jpeg(photo_jpeg):
    result = process_photo(photo_jpeg)

    assert result.web.content_type == result.thumbnail.content_type == "image/jpeg"
    assert decoded(result.web).format == decoded(result.thumbnail).format == "JPEG"


def test_reduced_scale_decode_looks_like_a_full_decode(large_photo_jpeg):
    full = ImageOps.contain(Image.open(io.BytesIO(large_photo_jpeg)), (1600, 1600), Image.LANCZOS)

    web = decoded(process_photo(large_photo_jpeg).web)

    assert psnr(web, full.convert("RGB")) > 33


def test_web_image_shrunk_on_several_threads_matches_one_thread(large_photo):
    # 2400 px wide: no reduced-scale decode covers 1600 px, so it is all resampling.
    data = encoded(large_photo.resize((2400, 1800)), "JPEG", quality=90)
    one_thread = decoded(process_photo(data, threads=1).web)

    four_threads = decoded(process_photo(data, threads=4).web)

    # Bands that were misplaced or left a seam would show; weight rounding (±1) does not.
    assert four_threads.size == one_thread.size
    assert psnr(four_threads, one_thread) > 45


def test_sha256_is_that_of_the_original_bytes(photo_jpeg):
    assert process_photo(photo_jpeg).sha256 == hashlib.sha256(photo_jpeg).hexdigest()


def psnr(first: Image.Image, second: Image.Image) -> float:
    mean_square = (
        sum(value**2 for value in ImageStat.Stat(ImageChops.difference(first, second)).rms) / 3
    )
    return 10 * math.log10(255**2 / mean_square) if mean_square else math.inf
