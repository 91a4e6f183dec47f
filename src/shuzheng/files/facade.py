"""The files module's public face."""

from __future__ import annotations

import uuid

from shuzheng.files.contracts import FileInfo, ReadGrant
from shuzheng.files.http import inline_response
from shuzheng.files.models import StoredFile
from shuzheng.files.services import (
    MAX_BYTES,
    describe,
    file_read,
    file_store,
    readable_by,
    register_read_grant,
)

__all__ = [
    "MAX_BYTES",
    "FileInfo",
    "ReadGrant",
    "describe",
    "file_for_owner",
    "file_read",
    "file_store",
    "inline_response",
    "readable_by",
    "register_read_grant",
]


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
