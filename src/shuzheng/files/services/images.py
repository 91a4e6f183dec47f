"""Image uploads (PNG, JPEG): the whole file must be one image that decodes, within a pixel
budget.

* The container is walked first: a PNG's chunks, each with its CRC, from the signature to
  ``IEND``; a JPEG's markers and entropy-coded segments from ``SOI`` to the ``EOI`` that ends
  the first image. A file that stops early is refused.
* The dimensions in the header are checked against ``MAX_PIXELS`` before any pixel is decoded:
  a small file can declare a huge image (a decompression bomb).
* Pillow then decodes every pixel. A JPEG is decoded at 1/8 scale: the same entropy-coded data
  is read to its end (truncation is still caught) with 1/64 of the memory.
* After the image: nothing may follow a PNG's ``IEND`` (no encoder writes there), so such a
  file is refused. What follows a JPEG's first ``EOI`` is cut off and not stored — phones put a
  motion photo's video or further MPF pictures there, so refusing would turn away ordinary
  photos, while the stored file keeps only the picture (the response and the audit record give
  the size and SHA-256 of what is stored). The virus scan sees the whole upload.
"""

from __future__ import annotations

import io
import logging
import warnings
import zlib

from PIL import Image

from shuzheng.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

# PNG is decoded in full (up to 4 bytes a pixel); a JPEG at 1/8 scale. An A4 page scanned at
# 600 dpi is 35 million pixels, a 50-megapixel phone photo 50 million.
MAX_PIXELS = {"PNG": 40_000_000, "JPEG": 80_000_000}

BROKEN = "图片文件已损坏或不完整，请重新拍摄或导出后上传。"
TRAILING = "图片文件结束之后还有其他内容，请重新导出后上传。"


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed.one("file", message)


def check_png(data: bytes) -> bytes:
    """The bytes to store for a PNG upload; ``ValidationFailed`` (field ``file``) if refused."""
    end, size = _png_walk(data)
    if end != len(data):
        raise _refuse(TRAILING)
    _decode(data, "PNG", size)
    return data


def check_jpeg(data: bytes) -> bytes:
    """The bytes to store for a JPEG upload (the first image, anything after its end cut
    off); ``ValidationFailed`` (field ``file``) if refused."""
    end, size = _jpeg_walk(data)
    image = data[:end]
    _decode(image, "JPEG", size)
    return image


def _png_walk(data: bytes) -> tuple[int, tuple[int, int]]:
    """(offset just past ``IEND``, size in ``IHDR``), every chunk's CRC checked."""
    pos, size = 8, (0, 0)
    while True:
        if pos + 12 > len(data):
            raise _refuse(BROKEN)
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or not kind.isalpha() or end > len(data):
            raise _refuse(BROKEN)
        if zlib.crc32(data[pos + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
            raise _refuse(BROKEN)
        if pos == 8:
            if kind != b"IHDR" or length != 13:
                raise _refuse(BROKEN)
            size = (
                int.from_bytes(data[16:20], "big"),
                int.from_bytes(data[20:24], "big"),
            )
        pos = end
        if kind == b"IEND":
            return pos, size


_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: markers without a length
_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOF0-15 (not DHT, JPG, DAC)


def _jpeg_walk(data: bytes) -> tuple[int, tuple[int, int]]:
    """(offset just past the ``EOI`` that ends the first image, size in its frame header)."""
    n, pos, size = len(data), 2, (0, 0)  # past SOI
    while True:
        if pos >= n or data[pos] != 0xFF:
            raise _refuse(BROKEN)
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            raise _refuse(BROKEN)
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            if size == (0, 0):
                raise _refuse(BROKEN)
            return pos, size
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8) or pos + 2 > n:
            raise _refuse(BROKEN)
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            raise _refuse(BROKEN)
        if marker in _FRAMES and size == (0, 0) and pos + 7 <= n:  # P, Y (height), X (width)
            size = (
                int.from_bytes(data[pos + 5 : pos + 7], "big"),
                int.from_bytes(data[pos + 3 : pos + 5], "big"),
            )
        pos += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    raise _refuse(BROKEN)
                if data[pos + 1] == 0x00 or data[pos + 1] in _STANDALONE:
                    pos += 2  # a stuffed 0xFF byte or a restart marker
                    continue
                break


def _decode(data: bytes, kind: str, size: tuple[int, int]) -> None:
    """Decode every pixel, after checking the size the header declares."""
    limit = MAX_PIXELS[kind]
    width, height = size
    if width < 1 or height < 1:
        raise _refuse(BROKEN)
    if width * height > limit:
        raise _too_large(width, height, limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
        if image.size != size:
            raise _refuse(BROKEN)
        if kind == "JPEG":
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
        image.load()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(width, height, limit) from exc
    except Exception as exc:  # any failure to decode untrusted input means a broken file
        logger.info("%s upload refused as undecodable: %r", kind, exc)
        raise _refuse(BROKEN) from exc


def _too_large(width: int, height: int, limit: int) -> ValidationFailed:
    return _refuse(
        f"图片像素过多（{width}×{height}，上限 {limit // 10_000} 万像素），请缩小后上传。"
    )
