"""Photo intake: type from the bytes, metadata removed, thumbnails, limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from feedback.images import PhotoRejected, process_photo
from tests.feedback.conftest import image_bytes

LIMITS = {"max_pixels": 40_000_000, "max_side": 2560, "thumb_side": 320}


class TestFormats:
    @pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
    def test_accepted_formats_come_out_as_jpeg(self, fmt):
        out = process_photo(image_bytes(fmt, (640, 480)), **LIMITS)
        assert out.source_format == fmt
        assert Image.open(io.BytesIO(out.image)).format == "JPEG"

    @pytest.mark.parametrize(
        "data", [b"", b"GIF89a not really", b"%PDF-1.7\n" + b"0" * 100, image_bytes("GIF"), image_bytes("BMP")]
    )
    def test_anything_else_is_refused(self, data):
        with pytest.raises(PhotoRejected):
            process_photo(data, **LIMITS)

    def test_truncated_jpeg_is_refused(self):
        data = image_bytes("JPEG", (400, 400))
        with pytest.raises(PhotoRejected):
            process_photo(data[: len(data) // 3], **LIMITS)


class TestMetadata:
    def test_exif_with_gps_is_removed(self):
        src = image_bytes("JPEG", (320, 240), exif_gps=True)
        assert Image.open(io.BytesIO(src)).getexif().get(0x8825) is not None
        out = Image.open(io.BytesIO(process_photo(src, **LIMITS).image))
        assert not out.getexif() and "exif" not in out.info

    def test_orientation_is_applied_before_removal(self):
        img = Image.new("RGB", (200, 100), (0, 0, 255))
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° clockwise to display
        buf = io.BytesIO()
        img.save(buf, format="JPEG", exif=exif)
        out = process_photo(buf.getvalue(), **LIMITS)
        assert (out.width, out.height) == (100, 200)

    def test_transparent_png_gets_a_white_background(self):
        out = process_photo(image_bytes("PNG", (10, 10), mode="RGBA"), **LIMITS)
        assert Image.open(io.BytesIO(out.image)).mode == "RGB"


class TestSizes:
    def test_thumbnail_and_downscaling(self):
        out = process_photo(image_bytes("PNG", (3000, 1500)), **LIMITS)
        assert (out.width, out.height) == (2560, 1280)
        assert Image.open(io.BytesIO(out.thumbnail)).size == (320, 160)

    def test_too_many_pixels_is_refused_before_decoding(self):
        with pytest.raises(PhotoRejected) as err:
            process_photo(image_bytes("PNG", (300, 300)), max_pixels=50_000, max_side=2560, thumb_side=320)
        assert err.value.reason == "dimensions"
