"""The files module's public face."""

from __future__ import annotations

import uuid

from shuzheng.files.contracts import FileInfo
from shuzheng.files.models import StoredFile
from shuzheng.files.services import file_store

__all__ = ["FileInfo", "file_for_owner", "file_store"]


def file_for_owner(file_id: str, owner: str) -> FileInfo | None:
    """The file if ``owner`` uploaded it (a case may only use its applicant's own uploads)."""
    try:
        fid = uuid.UUID(str(file_id))
    except ValueError:
        return None
    row = StoredFile.objects.filter(id=fid, owner=owner).first()
    if row is None:
        return None
    return FileInfo(
        file_id=str(row.id),
        owner=row.owner,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
    )
