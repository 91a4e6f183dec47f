"""Storing uploads: type checked by content (magic bytes), size limited, audited."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core.errors import ValidationFailed
from shuzheng.files.contracts import FileInfo
from shuzheng.files.models import StoredFile

MAX_BYTES = 10 * 1024 * 1024
# content type → (magic prefix, extension)
ALLOWED: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
}


def _sniff(data: bytes) -> str | None:
    for ctype, (magic, _ext) in ALLOWED.items():
        if data.startswith(magic):
            return ctype
    return None


def file_store(*, actor: str, name: str, data: bytes) -> FileInfo:
    if not data:
        raise ValidationFailed.one("file", "文件为空。")
    if len(data) > MAX_BYTES:
        raise ValidationFailed.one("file", "文件不能超过10MB。")
    ctype = _sniff(data)
    if ctype is None:
        raise ValidationFailed.one("file", "只接受 PDF、JPG、PNG 文件。")
    digest = hashlib.sha256(data).hexdigest()
    fid = uuid.uuid4()
    path = default_storage.save(
        f"uploads/{fid.hex[:2]}/{fid.hex}{ALLOWED[ctype][1]}", ContentFile(data)
    )
    safe_name = (name or "file").replace("/", "_").replace("\\", "_")[:200]
    row = StoredFile(
        id=fid,
        owner=actor,
        name=safe_name,
        content_type=ctype,
        size=len(data),
        sha256=digest,
        path=path,
    )
    with transaction.atomic():  # the row and its audit record
        row.save(force_insert=True)
        audit.record(
            actor=actor,
            action="files.upload",
            object_type="files.file",
            object_id=str(fid),
            after={
                "name": safe_name,
                "content_type": ctype,
                "size": len(data),
                "sha256": digest,
            },
        )
    return FileInfo(
        file_id=str(fid),
        owner=actor,
        name=safe_name,
        content_type=ctype,
        size=len(data),
        sha256=digest,
    )
