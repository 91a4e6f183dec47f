"""Upload endpoint."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from shuzheng.core.errors import ValidationFailed
from shuzheng.files.services import MAX_BYTES, file_store
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["files 文件"])


class FileOut(Schema):
    file_id: str
    name: str
    content_type: str
    size: int
    sha256: str


@router.post(
    "/files",
    response={201: FileOut},
    auth=BearerAuth(),
    summary="上传材料文件（PDF/JPG/PNG，≤10MB）",
)
def upload(request: HttpRequest, file: UploadedFile = File(...)) -> Status:  # noqa: B008
    if file.size and file.size > MAX_BYTES:
        raise ValidationFailed.one("file", "文件不能超过10MB。")
    info = file_store(
        actor=principal_for_request(request).actor, name=file.name or "file", data=file.read()
    )
    return Status(201, FileOut(**info.__dict__))
