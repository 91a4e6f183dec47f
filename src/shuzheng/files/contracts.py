from __future__ import annotations

from dataclasses import dataclass

from shuzheng.core.errors import DomainError


@dataclass(frozen=True)
class FileInfo:
    file_id: str
    owner: str
    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ScanResult:
    """What a virus scanner says about an upload (``files.scanners``): ``clean``, or the name
    of what it found (``signature``)."""

    clean: bool
    signature: str = ""


class UploadScanUnavailable(DomainError):
    """A virus scanner is configured but could not answer: the upload is refused (fail closed),
    HTTP 503."""

    def __init__(self, message: str = "文件安全检查服务暂时不可用，请稍后再试。"):
        super().__init__(message=message, code="service_unavailable", status=503)
