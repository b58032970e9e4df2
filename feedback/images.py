"""Photo intake: the type is read from the bytes (Pillow), never from the name or the declared
type; EXIF and every other metadata block are dropped by re-encoding; a thumbnail is made.

These functions are CPU-bound: call them through ``anyio.to_thread.run_sync``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
OUTPUT_CONTENT_TYPE = "image/jpeg"


class PhotoRejected(ValueError):
    """The bytes are not an accepted image (``reason``: ``not_an_image``, ``format``, ``dimensions``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProcessedPhoto:
    source_format: str
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _encode(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # A fresh save without ``exif=`` / ``icc_profile=`` writes no metadata blocks.
    img.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def process_photo(data: bytes, *, max_pixels: int, max_side: int, thumb_side: int) -> ProcessedPhoto:
    """Check and re-encode one upload as JPEG (orientation applied, metadata removed)."""
    try:
        probe = Image.open(io.BytesIO(data))
        source_format = probe.format or ""
        width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoRejected("not_an_image") from exc
    if source_format not in ACCEPTED_FORMATS:
        raise PhotoRejected("format")
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise PhotoRejected("dimensions")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img) or img
            rgb = _to_rgb(upright)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoRejected("not_an_image") from exc
    if max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    full = _encode(rgb, 85)
    thumb_img = rgb.copy()
    thumb_img.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        source_format=source_format,
        image=full,
        thumbnail=_encode(thumb_img, 80),
        width=rgb.width,
        height=rgb.height,
    )
