"""QR rendering with ``qrcode``: error correction M, version chosen to fit (≤ 10 for HT1)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

MAX_VERSION = 10
BOX_SIZE = 8
BORDER = 4


def build(payload: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER)
    qr.add_data(payload)
    qr.make(fit=True)
    if qr.version > MAX_VERSION:
        raise ValueError(f"payload needs QR version {qr.version}")
    return qr


def png(payload: str) -> bytes:
    """PNG bytes (CPU work: call through ``anyio.to_thread``)."""
    image = build(payload).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def svg(payload: str) -> bytes:
    image = build(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode").encode()
