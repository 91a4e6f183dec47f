"""A licence's signed PDF (版式文件) in file storage (``default_storage``: the local disk or an
S3-compatible object store, settings ``SHUZHENG_STORAGE``), named by its SHA-256, so that every
web node reads the same bytes and the database keeps only the name.

A licence issued before PDFs moved to storage keeps its bytes in ``License.pdf`` (``pdf_path``
empty); ``pdf_bytes`` reads either. The bytes are written before the row, in the issuing
transaction: if that rolls back, the object stays behind unreferenced (harmless: its name is its
content, and no row points to it).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shuzheng.licenses.models import License


def pdf_save(*, data: bytes, sha256: str) -> str:
    """Store a signed PDF; returns its name in storage (the same bytes are stored once)."""
    name = f"licenses/{sha256[:2]}/{sha256}.pdf"
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def pdf_bytes(lic: License) -> bytes:
    """The signed PDF of ``lic``, from storage (or, for an older licence, from its row)."""
    if not lic.pdf_path:
        return bytes(lic.pdf)
    with default_storage.open(lic.pdf_path, "rb") as f:
        data: bytes = f.read()
    return data
