"""Reading a stored file: who may (its uploader, or whoever a module above says may), and the
read itself, audited."""

from __future__ import annotations

import uuid
from typing import IO

from django.core.files.storage import default_storage
from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core.errors import NotFound
from shuzheng.files.contracts import FileInfo, ReadGrant
from shuzheng.files.models import StoredFile
from shuzheng.identity.contracts import Principal

NOT_FOUND = "未找到该文件。"

# Modules above files (cases) say who else may read a file: files cannot import them.
_GRANTS: list[ReadGrant] = []


def register_read_grant(grant: ReadGrant) -> None:
    """Add a rule that lets callers other than the uploader read a file (``cases``: staff and
    applicants who may see a case that uses it). Set at start (the module's ``apps.ready``)."""
    if grant not in _GRANTS:
        _GRANTS.append(grant)


def _row(file_id: str) -> StoredFile | None:
    try:
        fid = uuid.UUID(str(file_id))
    except ValueError:
        return None
    return StoredFile.objects.filter(pk=fid).first()


def _info(row: StoredFile) -> FileInfo:
    return FileInfo(
        file_id=str(row.pk),
        owner=row.owner,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
    )


def describe(file_ids: list[str]) -> dict[str, FileInfo]:
    """What the given files are (name, detected type, size), by id, in one query. For ids a
    caller already holds from a record it may see (a case's materials), never from a request."""
    ids = []
    for fid in file_ids:
        try:
            ids.append(uuid.UUID(str(fid)))
        except ValueError:
            continue
    return {str(r.pk): _info(r) for r in StoredFile.objects.filter(pk__in=ids)}


def readable_by(principal: Principal, file_id: str) -> tuple[FileInfo, str] | None:
    """The file and why ``principal`` may read it (``owner``, or what a registered grant
    names, e.g. ``case:BJ…``), or None: unknown and not theirs are the same answer."""
    row = _row(file_id)
    if row is None:
        return None
    info = _info(row)
    if principal.kind != "anonymous" and row.owner == principal.actor:
        return info, "owner"
    for grant in _GRANTS:
        reason = grant(principal, info)
        if reason:
            return info, reason
    return None


def file_read(*, file_id: str, actor: str, purpose: str) -> tuple[FileInfo, IO[bytes]]:
    """Open a stored file for ``actor``, who the caller has decided may read it (its uploader,
    or someone who may see a case that uses it: ``purpose`` says which). Every read is one
    audit record ``files.read``. Raises NotFound when there is no such file (or its bytes are
    gone)."""
    row = _row(file_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    try:
        handle = default_storage.open(row.path, "rb")
    except FileNotFoundError:
        raise NotFound(NOT_FOUND) from None
    try:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="files.read",
                object_type="files.file",
                object_id=str(row.pk),
                after={"purpose": purpose[:200], "name": row.name, "sha256": row.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return _info(row), handle
