"""QR codes for tickets and scanner links: PNG (email, phones), SVG (print) and data: URIs.

The one adapter between the qrcode package and the app; qrcode draws the PNG with Pillow.
"""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

PNG_SCALE = 8  # pixels per module: about 330 px square, sharp on a phone and in print


def _qr(data: str, box_size: int = PNG_SCALE) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=box_size)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, scale: int = PNG_SCALE) -> bytes:
    """A black-on-white PNG of the QR code for data."""
    image = _qr(data, scale).make_image(image_factory=PilImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_svg(data: str) -> bytes:
    """The QR code for data as a scalable SVG (one path)."""
    image = _qr(data).make_image(image_factory=SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """The QR code as a data: URI for an <img> (allowed by the CSP's img-src)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode()
