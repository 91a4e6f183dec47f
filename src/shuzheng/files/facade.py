"""The files module's public face."""

from __future__ import annotations

import uuid

from django.db import DEFAULT_DB_ALIAS, connections

from shuzheng.core import rawsql
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
    conn = connections[DEFAULT_DB_ALIAS]
    found = rawsql.rows(  # plain SQL: read on every submission that carries uploads
        "SELECT id, owner, name, content_type, size, sha256 "  # noqa: S608
        f"FROM {rawsql.table(StoredFile)} WHERE id = %s AND owner = %s",
        [StoredFile._meta.pk.get_db_prep_value(fid, conn), owner],
    )
    if not found:
        return None
    _id, own, name, ctype, size, sha = found[0]
    return FileInfo(
        file_id=str(fid), owner=own, name=name, content_type=ctype, size=size, sha256=sha
    )
