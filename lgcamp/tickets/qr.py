"""QR codes for tickets: PNG (for email and phones) and SVG (for printing), from the token link.

`qrcode` builds the module matrix; the PNG is written here with zlib (a 1-bit greyscale image),
which is about ten times faster than qrcode's pure-Python PNG writer and matters when a few
hundred confirmation emails are composed in a minute. The mask is fixed for the same reason:
any of the eight masks gives a valid code that every reader decodes.
"""

from __future__ import annotations

import io
import struct
import zlib

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage

PNG_SCALE = 8  # pixels per module: about 330 px square, sharp on a phone and in print


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, mask_pattern=2)
    code.add_data(data)
    code.make(fit=True)
    return code


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def qr_png(data: str, scale: int = PNG_SCALE) -> bytes:
    """A black-on-white PNG of the QR code for data."""
    matrix = _qr(data).get_matrix()
    width = len(matrix) * scale
    rows = bytearray()
    for row in matrix:
        bits = "".join(("0" if dark else "1") * scale for dark in row)
        bits += "1" * (-len(bits) % 8)
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")
        rows += line * scale
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + _chunk(b"IEND", b"")
    )


def qr_svg(data: str) -> bytes:
    """The QR code for data as a scalable SVG (one path)."""
    image = _qr(data).make_image(image_factory=SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
