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
