"""Which type an upload is, told by its content, and the check of its whole structure.

The first bytes (magic numbers) only choose the check; the name and the declared type are
never trusted. Each type's check reads the entire file (``pdfs.check_pdf``,
``images.check_png``, ``images.check_jpeg``) and either refuses it, naming the field ``file``,
or returns the bytes to store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shuzheng.core.errors import ValidationFailed
from shuzheng.files.services import images, pdfs

MAX_BYTES = 10 * 1024 * 1024

EMPTY = "文件为空。"
TOO_LARGE = "文件不能超过10MB。"
UNKNOWN = "只接受 PDF、JPG、PNG 文件。"


def _pdf(data: bytes) -> bytes:
    pdfs.check_pdf(data)
    return data


@dataclass(frozen=True)
class Kind:
    content_type: str
    magic: bytes
    check: Callable[[bytes], bytes]  # the bytes to store, or ValidationFailed


KINDS = (
    Kind("application/pdf", b"%PDF-", _pdf),
    Kind("image/jpeg", b"\xff\xd8\xff", images.check_jpeg),
    Kind("image/png", b"\x89PNG\r\n\x1a\n", images.check_png),
)


def sniff(data: bytes) -> Kind | None:
    """The type whose magic number ``data`` starts with."""
    return next((k for k in KINDS if data.startswith(k.magic)), None)


def checked(data: bytes) -> tuple[str, bytes]:
    """(content type, bytes to store) for an acceptable upload; ``ValidationFailed`` naming
    ``file`` otherwise."""
    if not data:
        raise ValidationFailed.one("file", EMPTY)
    if len(data) > MAX_BYTES:
        raise ValidationFailed.one("file", TOO_LARGE)
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed.one("file", UNKNOWN)
    return kind.content_type, kind.check(data)
