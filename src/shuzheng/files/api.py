"""Upload and read endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.files.http import inline_response
from shuzheng.files.services import MAX_BYTES, file_read, file_store, readable_by
from shuzheng.files.services.reading import NOT_FOUND
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
    description=(
        "整个文件按内容检查：PDF 须能完整解析、未加密、不含脚本/自动操作/内嵌文件，"
        "结束标记后无其他内容；图片须能完整解码且像素不超上限。文件名会被清理"
        "（去掉路径、控制字符和标记字符，扩展名与实际类型一致）。配置了病毒扫描时，"
        "未通过检查返回 422，扫描服务不可用返回 503，均不保存。"
    ),
)
def upload(request: HttpRequest, file: UploadedFile = File(...)) -> Status:  # noqa: B008
    if file.size and file.size > MAX_BYTES:
        raise ValidationFailed.one("file", "文件不能超过10MB。")
    info = file_store(
        actor=principal_for_request(request).actor, name=file.name or "", data=file.read()
    )
    return Status(201, FileOut(**info.__dict__))


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/files/{file_id}",
    auth=BearerAuth(),
    summary="读取材料文件内容（上传者本人，或可查看使用该文件的办件的人员）",
    description=(
        "返回文件内容：Content-Type 为上传时按内容识别的类型（PDF/JPG/PNG），"
        "Content-Disposition: inline 并带清理过的文件名，X-Content-Type-Options: nosniff，"
        "Cache-Control: no-store。可读取的人：上传者本人；可查看使用该文件的办件的人"
        "（申请人，办件所属部门的窗口受理、审批人员和负责人）。其他人一律 404。"
        "每次读取都记入审计日志。"
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容",
                "content": {
                    "application/pdf": BINARY,
                    "image/jpeg": BINARY,
                    "image/png": BINARY,
                },
            }
        }
    },
)
def read(request: HttpRequest, file_id: str) -> HttpResponseBase:
    principal = principal_for_request(request)
    found = readable_by(principal, file_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    _info, purpose = found
    info, handle = file_read(file_id=file_id, actor=principal.actor, purpose=purpose)
    return inline_response(info, handle, embeddable=False)
