"""The files module's public face."""

from __future__ import annotations

import uuid

from shuzheng.files.contracts import FileInfo
from shuzheng.files.models import StoredFile
from shuzheng.files.services import MAX_BYTES, file_store

__all__ = ["MAX_BYTES", "FileInfo", "file_for_owner", "file_store"]


def file_for_owner(file_id: str, owner: str) -> FileInfo | None:
    """The file if ``owner`` uploaded it (a case may only use its applicant's own uploads)."""
    try:
        fid = uuid.UUID(str(file_id))
    except ValueError:
        return None
    found = (
        StoredFile.objects.filter(pk=fid, owner=owner)
        .values_list("owner", "name", "content_type", "size", "sha256")
        .first()
    )
    if found is None:
        return None
    own, name, ctype, size, sha = found
    return FileInfo(
        file_id=str(fid), owner=own, name=name, content_type=ctype, size=size, sha256=sha
    )
