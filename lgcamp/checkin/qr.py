"""QR codes as SVG: the adapter between the qrcode package and the pages."""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.image.svg import SvgPathImage


def qr_svg(text: str) -> bytes:
    """An SVG QR code for the text (error correction M, a 4-module quiet zone)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=SvgPathImage).save(buffer)
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """The QR code as a data: URI for an <img> (allowed by the CSP's img-src)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode()
