"""Fixtures for the photo pipeline tests: photo-like images generated with Pillow."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.uploads.samples import encoded, photo_like


@pytest.fixture(scope="session")
def photo() -> Image.Image:
    """A 1200×900 photo-like image (smaller than the web size, larger than the thumbnail)."""
    return photo_like(1200, 900, seed=7)


@pytest.fixture(scope="session")
def large_photo() -> Image.Image:
    """A 3200×2400 photo-like image, big enough for the JPEG reduced-scale decode."""
    return photo_like(3200, 2400, seed=11)


@pytest.fixture(scope="session")
def photo_jpeg(photo: Image.Image) -> bytes:
    return encoded(photo, "JPEG", quality=90)


@pytest.fixture(scope="session")
def large_photo_jpeg(large_photo: Image.Image) -> bytes:
    return encoded(large_photo, "JPEG", quality=90)
