"""``file_store``: check an upload whole, clean its name, scan it, then store it, audited."""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core.errors import ValidationFailed
from shuzheng.files import scanners
from shuzheng.files.contracts import FileInfo, UploadScanUnavailable
from shuzheng.files.models import StoredFile
from shuzheng.files.services.content import checked
from shuzheng.files.services.names import EXTENSIONS, clean_name

logger = logging.getLogger(__name__)

INFECTED = "文件未通过安全检查。"


def file_store(*, actor: str, name: str, data: bytes) -> FileInfo:
    """Store ``data`` uploaded by ``actor`` as ``name``.

    Refused with ``ValidationFailed`` naming ``file`` (422) when it is not a whole, acceptable
    PDF, PNG or JPEG (``services.content``) or the virus scanner finds something (that refusal
    is audited as ``files.upload_refused``); with ``UploadScanUnavailable`` (503) when a
    configured scanner cannot answer. Nothing is stored then. Call it outside a transaction
    that the refusal would roll back, or the refusal's audit record goes with it.
    """
    ctype, body = checked(data)
    safe_name = clean_name(name, ctype)
    _scan(actor=actor, data=data, name=safe_name, content_type=ctype)
    digest = hashlib.sha256(body).hexdigest()
    fid = uuid.uuid4()
    path = default_storage.save(
        f"uploads/{fid.hex[:2]}/{fid.hex}{EXTENSIONS[ctype][0]}", ContentFile(body)
    )
    after = {"name": safe_name, "content_type": ctype, "size": len(body), "sha256": digest}
    if len(body) != len(data):
        after["received_size"] = len(data)  # a JPEG's trailing data was cut off
    try:
        with transaction.atomic():  # the row and its audit record
            StoredFile(
                id=fid,
                owner=actor,
                name=safe_name,
                content_type=ctype,
                size=len(body),
                sha256=digest,
                path=path,
            ).save(force_insert=True)
            audit.record(
                actor=actor,
                action="files.upload",
                object_type="files.file",
                object_id=str(fid),
                after=after,
            )
    except BaseException:
        default_storage.delete(path)  # no bytes without their row
        raise
    return FileInfo(
        file_id=str(fid),
        owner=actor,
        name=safe_name,
        content_type=ctype,
        size=len(body),
        sha256=digest,
    )


def _scan(*, actor: str, data: bytes, name: str, content_type: str) -> None:
    """Ask the configured virus scanner (``files.scanners``) about the upload as received."""
    try:
        result = scanners.scan(data)
    except scanners.ScannerError as exc:
        logger.error("upload refused, the virus scanner cannot answer: %s", exc)
        raise UploadScanUnavailable() from exc
    if result is None or result.clean:
        return
    digest = hashlib.sha256(data).hexdigest()
    logger.warning("upload by %s refused by the virus scanner: %s", actor, result.signature)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="files.upload_refused",
            object_type="files.upload",
            object_id=digest,
            after={
                "reason": "virus_scan",
                "signature": result.signature[:200],
                "name": name,
                "content_type": content_type,
                "size": len(data),
                "sha256": digest,
            },
        )
    raise ValidationFailed.one("file", INFECTED)
